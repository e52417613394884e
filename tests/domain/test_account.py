from __future__ import annotations

import pytest

from gateway.domain.account import (
    COMMON_PASSWORDS,
    COUNTRY_CODES,
    PASSWORD_MIN,
    TAX_ID_MAX,
    TAX_IDS_MAX,
    check_account_closable,
    check_account_name,
    check_country,
    check_new_email,
    check_new_password,
    check_password_strength,
    check_phone,
    check_tax_id,
    check_tax_ids,
    check_text,
    normalise_email,
    normalise_email_at,
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


# R-ACC-5 profile fields


def test_r_acc_5_name_is_stripped_and_printable() -> None:
    assert check_account_name("  Alice Martin ") == "Alice Martin"
    for bad, code in (
        ("", ErrorCode.REQUIRED),
        ("   ", ErrorCode.REQUIRED),
        ("x" * 201, ErrorCode.TOO_LONG),
        ("Al\x00ice", ErrorCode.INVALID),
    ):
        with pytest.raises(DomainError) as caught:
            check_account_name(bad)
        assert caught.value.code is code
        assert caught.value.field == ("name",)
    assert check_account_name("x" * 200) == "x" * 200


def test_check_text_reports_its_field_and_label() -> None:
    with pytest.raises(DomainError) as caught:
        check_text("", field=("organization", "name"), label="organization name")
    assert caught.value.field == ("organization", "name")
    assert "organization name" in caught.value.message


@pytest.mark.parametrize("value", ["+33 1 23 45 67 89", "(555) 010-0199", "0555.12.34", "1"])
def test_r_acc_5_phone_accepts_digits_and_punctuation(value: str) -> None:
    assert check_phone(f" {value} ") == value


def test_r_acc_5_empty_phone_clears_it() -> None:
    assert check_phone("") is None
    assert check_phone("   ") is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1" * 41, ErrorCode.TOO_LONG),
        ("call me", ErrorCode.INVALID),
        ("+33 1 23 ext 4", ErrorCode.INVALID),
        ("+-()", ErrorCode.INVALID),
        ("12\n34", ErrorCode.INVALID),
    ],
)
def test_r_acc_5_bad_phone_is_refused(value: str, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as caught:
        check_phone(value)
    assert caught.value.code is code
    assert caught.value.field == ("phone",)


def test_r_acc_5_tax_ids_are_checked_and_kept_in_order() -> None:
    items = [(TaxIdKind.VAT, " FR123 "), (TaxIdKind.GST, "27AAPFU0939F1ZV")]
    assert check_tax_ids(items) == [(TaxIdKind.VAT, "FR123"), (TaxIdKind.GST, "27AAPFU0939F1ZV")]
    assert check_tax_ids([]) == []


def test_r_acc_5_duplicate_tax_ids_are_refused_ignoring_case_and_spaces() -> None:
    with pytest.raises(DomainError) as caught:
        check_tax_ids([(TaxIdKind.VAT, "FR 123"), (TaxIdKind.PAN, "X"), (TaxIdKind.VAT, "fr123")])
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("taxIds", "2")
    # the same number under two kinds is two tax ids
    assert len(check_tax_ids([(TaxIdKind.VAT, "123"), (TaxIdKind.GST, "123")])) == 2


def test_r_acc_5_bad_tax_id_is_reported_at_its_index() -> None:
    with pytest.raises(DomainError) as caught:
        check_tax_ids([(TaxIdKind.VAT, "FR1"), (TaxIdKind.CIN, "x" * (TAX_ID_MAX + 1))])
    assert caught.value.code is ErrorCode.TOO_LONG
    assert caught.value.field == ("taxIds", "1", "value")


def test_r_acc_5_at_most_ten_tax_ids() -> None:
    items = [(TaxIdKind.VAT, f"FR{i}") for i in range(TAX_IDS_MAX + 1)]
    with pytest.raises(DomainError) as caught:
        check_tax_ids(items)
    assert caught.value.code is ErrorCode.TOO_LONG
    assert len(check_tax_ids(items[:TAX_IDS_MAX])) == TAX_IDS_MAX


# R-ACC-1, R-ACC-2 with the mutation's field names


def test_r_acc_1_new_email_is_normalised_and_must_change() -> None:
    assert check_new_email(" New@Example.COM", current="old@example.com") == "new@example.com"
    with pytest.raises(DomainError) as caught:
        check_new_email("OLD@example.com", current="old@example.com")
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("newEmail",)


def test_r_acc_1_malformed_new_email_is_reported_at_its_field() -> None:
    with pytest.raises(DomainError) as caught:
        check_new_email("not an email", current="old@example.com")
    assert caught.value.field == ("newEmail",)
    with pytest.raises(DomainError) as caught:
        normalise_email_at("x" * 10_000, field=("input", "billingContactEmail"))
    assert caught.value.field == ("input", "billingContactEmail")


def test_r_acc_2_new_password_strength_is_reported_at_its_field() -> None:
    check_new_password(GOOD_PASSWORD, email="alice@example.com")
    with pytest.raises(DomainError) as caught:
        check_new_password("short", email="alice@example.com")
    assert caught.value.code is ErrorCode.WEAK_PASSWORD
    assert caught.value.field == ("newPassword",)
