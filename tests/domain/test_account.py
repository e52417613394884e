from __future__ import annotations

import pytest

from gateway.domain.account import (
    COMMON_PASSWORDS,
    COUNTRY_CODES,
    PASSWORD_MIN,
    TAX_ID_MAX,
    check_account_closable,
    check_country,
    check_password_strength,
    check_tax_id,
    normalise_email,
)
from gateway.domain.enums import TaxIdKind
from gateway.domain.errors import DomainError, ErrorCode

GOOD_PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("alice@example.com", "alice@example.com"),
        ("  Alice.Smith@Example.COM ", "alice.smith@example.com"),
        ("a+tag@sub.library.dz", "a+tag@sub.library.dz"),
    ],
)
def test_r_acc_1_email_is_case_insensitive_username(value: str, expected: str) -> None:
    assert normalise_email(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "alice",
        "alice@",
        "@example.com",
        "alice@example",
        "a@b@example.com",
        "alice smith@example.com",
        "alice@exa mple.com",
        "alice@.com",
        "alice@example..com",
        "alice@example.com.",
        "alice\x00@example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 249 + ".com",  # 255 characters
    ],
)
def test_r_acc_1_malformed_email_is_invalid(value: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalise_email(value)
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("email",)


def test_r_acc_1_email_of_254_characters_is_accepted() -> None:
    value = "a@" + "b" * 248 + ".com"
    assert len(value) == 254
    assert normalise_email(value) == value


@pytest.mark.parametrize(("value", "expected"), [("dz", "DZ"), (" fr ", "FR"), ("US", "US")])
def test_account_country_is_iso_3166_alpha_2(value: str, expected: str) -> None:
    assert check_country(value, ("country",)) == expected


@pytest.mark.parametrize("value", ["", "XX", "UK", "EU", "FRA", "D", "D1", "ZZ"])
def test_account_unknown_country_is_invalid_on_the_given_field(value: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_country(value, ("organization", "country"))
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("organization", "country")


def test_account_country_list_is_the_249_assigned_codes() -> None:
    assert len(COUNTRY_CODES) == 249
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in COUNTRY_CODES)
    assert {"DZ", "FR", "US", "GB", "SS", "XK"} & COUNTRY_CODES == {"DZ", "FR", "US", "GB", "SS"}


def test_r_acc_2_reasonable_password_is_accepted() -> None:
    check_password_strength(GOOD_PASSWORD, email="alice@example.com")
    check_password_strength("Zq8!mW2#rT", email=None)


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("Sh0rt!pw", None),  # under 10 characters
        ("x1" * 64 + "!", None),  # over 128 characters
        ("password123", None),
        ("PassWord123", None),  # common, whatever the case
        ("QWERTYUIOP", None),
        ("alice-in-wonderland", "Alice@example.com"),  # contains the email's local part
        ("abababab12", None),  # only 4 distinct characters
        ("aaaaaaaaaaaa", None),
    ],
)
def test_r_acc_2_weak_password_is_refused(password: str, email: str | None) -> None:
    with pytest.raises(DomainError) as caught:
        check_password_strength(password, email=email)
    assert caught.value.code is ErrorCode.WEAK_PASSWORD
    assert caught.value.field == ("password",)


def test_r_acc_2_very_short_email_names_are_not_held_against_the_password() -> None:
    check_password_strength("a whole new world", email="al@example.com")


def test_r_acc_2_common_password_list_is_not_dead_weight() -> None:
    assert len(COMMON_PASSWORDS) >= 50
    assert all(len(p) >= PASSWORD_MIN and p == p.casefold() for p in COMMON_PASSWORDS)


def test_r_acc_4_account_without_contact_roles_can_close() -> None:
    check_account_closable(license_ids=[], open_quote_ids=[])


def test_r_acc_4_contacts_remain_lists_licenses_and_open_quotes() -> None:
    with pytest.raises(DomainError) as caught:
        check_account_closable(
            license_ids=["SEN-L1234567", "SEN-L7654321"], open_quote_ids=["Q-000123"]
        )
    assert caught.value.code is ErrorCode.CONTACTS_REMAIN
    for ident in ("SEN-L1234567", "SEN-L7654321", "Q-000123"):
        assert ident in caught.value.message


def test_r_acc_4_open_quotes_alone_block_closing() -> None:
    with pytest.raises(DomainError) as caught:
        check_account_closable(license_ids=[], open_quote_ids=["Q-000124"])
    assert "Q-000124" in caught.value.message


@pytest.mark.parametrize("kind", list(TaxIdKind))
def test_r_acc_5_tax_id_is_stripped(kind: TaxIdKind) -> None:
    assert check_tax_id(kind, "  FR12345678901 ") == "FR12345678901"
    assert check_tax_id(kind, "x" * TAX_ID_MAX) == "x" * 40


def test_r_acc_5_tax_id_empty_too_long_or_unprintable_is_refused() -> None:
    cases = [
        ("   ", ErrorCode.REQUIRED),
        ("x" * 41, ErrorCode.TOO_LONG),
        ("AB\n12", ErrorCode.INVALID),
    ]
    for value, code in cases:
        with pytest.raises(DomainError) as caught:
            check_tax_id(TaxIdKind.VAT, value, field=("taxIds", "0", "value"))
        assert caught.value.code is code
        assert caught.value.field == ("taxIds", "0", "value")
