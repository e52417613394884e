"""Accounts: email as username, country, password strength, tax ids, closing (R-ACC-*)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from gateway.domain.enums import TaxIdKind
from gateway.domain.errors import DomainError, ErrorCode

EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
PASSWORD_MIN = 10
PASSWORD_MAX = 128
PASSWORD_MIN_DISTINCT = 5
TAX_ID_MAX = 40
_EMAIL_FIELD = ("email",)
_PASSWORD_FIELD = ("password",)

# ISO 3166-1 alpha-2, the 249 officially assigned codes (as in tzdata's iso3166.tab).
_COUNTRY_CODES_TEXT = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW
"""
COUNTRY_CODES: frozenset[str] = frozenset(_COUNTRY_CODES_TEXT.split())

# Passwords long enough to pass the length rule but guessed first by any attacker.
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "password123",
        "password1234",
        "password12345",
        "password2024",
        "password2025",
        "password2026",
        "passw0rd123",
        "p@ssw0rd123",
        "p@ssword123",
        "password!1",
        "qwertyuiop",
        "qwertyuiop123",
        "qwerty123456",
        "qwer1234asdf",
        "1234qwerasdf",
        "qazwsxedcrfv",
        "1qaz2wsx3edc",
        "zaq12wsxcde3",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "azertyuiop",
        "asdfghjkl1",
        "asdfghjkl;",
        "zxcvbnm123",
        "1234567890",
        "0123456789",
        "9876543210",
        "12345678910",
        "123456789a",
        "a123456789",
        "abc1234567",
        "abcd123456",
        "abcdefghij",
        "iloveyou12",
        "iloveyou123",
        "welcome123",
        "welcome1234",
        "letmein123",
        "admin12345",
        "administrator",
        "changeme123",
        "princess123",
        "sunshine123",
        "football123",
        "baseball123",
        "superman123",
        "dragon12345",
        "monkey12345",
        "master12345",
        "trustno1234",
        "whatever123",
        "library123",
        "conexbooks",
        "conexbooks1",
        "conex12345",
    }
)


def normalise_email(value: str) -> str:
    """R-ACC-1: the email is the username, compared case-insensitively; a basic sanity check."""
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    labels = domain.split(".")
    valid = (
        bool(at)
        and len(email) <= EMAIL_MAX
        and 0 < len(local) <= EMAIL_LOCAL_MAX
        and "@" not in domain
        and len(labels) >= 2
        and all(labels)
        and email.isprintable()
        and not any(ch.isspace() for ch in email)
    )
    if not valid:
        raise DomainError(ErrorCode.INVALID, "Enter a valid email address", field=_EMAIL_FIELD)
    return email


def check_country(value: str, field: tuple[str, ...]) -> str:
    """An ISO 3166-1 alpha-2 country code, returned upper-case."""
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise DomainError(
            ErrorCode.INVALID,
            f"{value!r} is not an ISO 3166-1 alpha-2 country code",
            field=field,
        )
    return code


def _weak(message: str) -> DomainError:
    return DomainError(ErrorCode.WEAK_PASSWORD, message, field=_PASSWORD_FIELD)


def check_password_strength(password: str, *, email: str | None = None) -> None:
    """A password must be 10 to 128 printable characters, not a common one, not contain the
    email's name, and use at least 5 distinct characters."""
    if len(password) < PASSWORD_MIN:
        raise _weak(f"Use at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise _weak(f"Use at most {PASSWORD_MAX} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        # Control characters (tab, BEL, escape …) are typing accidents or injection, never a
        # passphrase anyone can type again.
        raise _weak("Use printable characters only")
    folded = password.casefold()
    if folded in COMMON_PASSWORDS:
        raise _weak("This password is too common")
    if email is not None:
        local = email.strip().partition("@")[0].casefold()
        # A one- or two-letter local part would forbid half the alphabet; ignore those.
        if len(local) >= 3 and local in folded:
            raise _weak("Do not use your email address in your password")
    if len(set(password)) < PASSWORD_MIN_DISTINCT:
        raise _weak(f"Use at least {PASSWORD_MIN_DISTINCT} different characters")


def check_account_closable(*, license_ids: Sequence[str], open_quote_ids: Sequence[str]) -> None:
    """R-ACC-4: close only when no license and no open quote has the account as a contact."""
    if not license_ids and not open_quote_ids:
        return
    parts = []
    if license_ids:
        parts.append("licenses " + ", ".join(license_ids))
    if open_quote_ids:
        parts.append("open quotes " + ", ".join(open_quote_ids))
    raise DomainError(
        ErrorCode.CONTACTS_REMAIN,
        "This account is still the billing or technical contact of "
        + " and ".join(parts)
        + "; name another contact first",
    )


def check_tax_id(kind: TaxIdKind, value: str, *, field: tuple[str, ...] = ("taxIds",)) -> str:
    """R-ACC-5: a VAT, PAN, CIN or GST number: non-empty, at most 40 printable characters."""
    cleaned = value.strip()
    if not cleaned:
        raise DomainError(ErrorCode.REQUIRED, f"Enter the {kind.value} number", field=field)
    if len(cleaned) > TAX_ID_MAX:
        raise DomainError(
            ErrorCode.TOO_LONG,
            f"A {kind.value} number has at most {TAX_ID_MAX} characters",
            field=field,
        )
    if not cleaned.isprintable():
        raise DomainError(
            ErrorCode.INVALID,
            f"A {kind.value} number holds printable characters only",
            field=field,
        )
    return cleaned


NAME_MAX = 200
PHONE_MAX = 40
TAX_IDS_MAX = 10
_PHONE_CHARACTERS = frozenset("0123456789 +-().")


def check_text(
    value: str, *, field: tuple[str, ...], label: str, max_length: int = NAME_MAX
) -> str:
    """A name-like value: stripped, 1 to ``max_length`` printable characters."""
    cleaned = value.strip()
    if not cleaned:
        raise DomainError(ErrorCode.REQUIRED, f"Enter the {label}", field=field)
    if len(cleaned) > max_length:
        raise DomainError(
            ErrorCode.TOO_LONG, f"The {label} has at most {max_length} characters", field=field
        )
    if not cleaned.isprintable():
        raise DomainError(
            ErrorCode.INVALID, f"The {label} holds printable characters only", field=field
        )
    return cleaned


def check_account_name(value: str, *, field: tuple[str, ...] = ("name",)) -> str:
    """The account holder's name: 1 to 200 printable characters."""
    return check_text(value, field=field, label="name")


def check_phone(value: str, *, field: tuple[str, ...] = ("phone",)) -> str | None:
    """At most 40 characters of digits, spaces and ``+ - ( ) .``, with a digit; empty clears it."""
    cleaned = value.strip()
    if not cleaned:
        return None
    if len(cleaned) > PHONE_MAX:
        raise DomainError(
            ErrorCode.TOO_LONG, f"A phone number has at most {PHONE_MAX} characters", field=field
        )
    if not set(cleaned) <= _PHONE_CHARACTERS or not any(ch.isdigit() for ch in cleaned):
        raise DomainError(
            ErrorCode.INVALID,
            "A phone number holds digits, spaces and + - ( ) . only",
            field=field,
        )
    return cleaned


def tax_id_identity(kind: TaxIdKind, value: str) -> tuple[TaxIdKind, str]:
    """Two tax ids are the same number when they differ only in case and spacing."""
    return kind, "".join(value.split()).casefold()


def check_tax_ids(
    items: Sequence[tuple[TaxIdKind, str]], *, field: tuple[str, ...] = ("taxIds",)
) -> list[tuple[TaxIdKind, str]]:
    """R-ACC-5: the full new list of tax ids, each checked; duplicates are refused.

    A bad entry is reported at ``field + (index, "value")`` (a duplicate at ``field + (index,)``).
    """
    if len(items) > TAX_IDS_MAX:
        raise DomainError(
            ErrorCode.TOO_LONG, f"An account holds at most {TAX_IDS_MAX} tax ids", field=field
        )
    cleaned: list[tuple[TaxIdKind, str]] = []
    seen: set[tuple[TaxIdKind, str]] = set()
    for index, (kind, value) in enumerate(items):
        number = check_tax_id(kind, value, field=(*field, str(index), "value"))
        identity = tax_id_identity(kind, number)
        if identity in seen:
            raise DomainError(
                ErrorCode.INVALID,
                f"The {kind.value} number {number} is listed twice",
                field=(*field, str(index)),
            )
        seen.add(identity)
        cleaned.append((kind, number))
    return cleaned


def normalise_email_at(value: str, *, field: tuple[str, ...]) -> str:
    """``normalise_email`` for an input whose field is not called ``email``."""
    try:
        return normalise_email(value)
    except DomainError as error:
        raise DomainError(error.code, error.message, field=field) from None


def check_new_email(value: str, *, current: str, field: tuple[str, ...] = ("newEmail",)) -> str:
    """R-ACC-1: the new username, normalised; it must differ from the current one."""
    email = normalise_email_at(value, field=field)
    if email == current:
        raise DomainError(ErrorCode.INVALID, "This is already your email address", field=field)
    return email


def check_new_password(
    password: str, *, email: str, field: tuple[str, ...] = ("newPassword",)
) -> None:
    """``check_password_strength``, reported at ``field``."""
    try:
        check_password_strength(password, email=email)
    except DomainError as error:
        raise DomainError(error.code, error.message, field=field) from None
