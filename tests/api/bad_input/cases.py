"""Bad input of every kind, for every mutation the clients send (issue #5).

Read a row as "operation, sent by a principal that may call it: valid variables, then each
case's change to them → the answer". Every answer must be typed, and the database must be
exactly as it was (test_bad_input.py checks both). The answers:

- ``refused(code, "input.lines")`` — the mutation's payload has no object and its userErrors
  hold ``code`` at that input path (the path starts with the argument's name; ``None`` = the
  whole request).
- ``COERCION`` — GraphQL refuses the variables before any resolver runs (wrong type, null for
  a non-null, unknown enum value, Int past 32 bits, a missing required field, an impossible
  date): HTTP 200, request error ``GRAPHQL_VALIDATION_FAILED``, no data.
- ``NUL_REFUSED`` — a NUL character anywhere in the variables: HTTP 400, ``BAD_REQUEST`` (no text
  column takes one).
- ``SILENT`` — no error by design, and nothing written: passwordResetRequest answers the same
  whether or not the email has an account (R-ACC-2's reset flow must not tell who has one).

Free text is tried 10 000 characters long, whitespace only, with a control character and with
a NUL; ids as another type's id, empty, not base64, past 2^31, negative, unknown, a bare
number, an object and null; enums with unknown values; numbers negative, zero and huge.

Deliberately not bad input: whitespace for an optional PO number or phone clears it (R-QUOTE-4
"empty clears it"); an explicit null quantity is the default 1 (``quantity: Int = 1``). One
code stands for "not an email address" (INVALID), however long or blank; an over-long or
control-character new password is WEAK_PASSWORD, like every other password rule. tokenRefresh
is sent garbage tokens only: a re-used rotated token revokes its family, on purpose.

``principal``: ``partner`` holds a token of every scope; rows for a second client of the
same mutation (Mobile, Partner) take a ``sample`` of the first client's cases.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from tests.api.quote.support import create_input
from tests.api.quote.support import line as quote_line
from tests.api.world import PASSWORD, World, gid

NO_SUCH = 987_654  # a primary key no table reaches
LONG = "x" * 10_000
LONG_EMAIL = "a" * (10_000 - len("@example.com")) + "@example.com"
BLANK = " \t  "
CONTROL = "Central\x07Library"  # BEL: printable text only
NUL = "Central\x00Library"
NEW_PASSWORD = "Another-Strong-Passphrase-2026"
SURROGATE_MARK = "<lone surrogate here>"
TOTAL = "3840.00"  # the world's open quote (tests/factories.py)


@dataclass(frozen=True)
class Expect:
    kind: str  # "refused", "request", "silent"
    code: str | None = None
    field: tuple[str, ...] | None = None
    status: int = 200


def refused(code: str, field: str | None) -> Expect:
    return Expect("refused", code, tuple(field.split(".")) if field else None)


COERCION = Expect("request", "GRAPHQL_VALIDATION_FAILED")
NUL_REFUSED = Expect("request", "BAD_REQUEST", status=400)
SILENT = Expect("silent")

Variables = dict[str, Any]
Edit = Callable[[World, Variables], Variables]


@dataclass(frozen=True)
class Case:
    label: str
    edit: Edit  # valid variables → bad ones
    expect: Expect
    # Change the HTTP body: a new JSON object, or raw JSON text (what httpx would not encode).
    body: Callable[[dict[str, Any]], dict[str, Any] | str] | None = None


@dataclass(frozen=True)
class Row:
    principal: str  # "anonymous", "alice", "partner" (every scope) or "staff"
    valid: Callable[[World], Variables]
    cases: list[Case]
    # What the valid variables get: nothing (done), or a refusal that does not depend on them.
    valid_refusal: str | None = None


# --- building the cases -----------------------------------------------------------------------


def put(path: str, value: Any) -> Edit:
    """The valid variables with ``value`` at ``path`` ("input.lines.0.quantity")."""

    def edit(_w: World, variables: Variables) -> Variables:
        changed = copy.deepcopy(variables)
        *parents, last = path.split(".")
        target: Any = changed
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
        return changed

    return edit


def put_with(path: str, value: Callable[[World], Any]) -> Edit:
    def edit(w: World, variables: Variables) -> Variables:
        return put(path, value(w))(w, variables)

    return edit


def drop(path: str) -> Edit:
    def edit(_w: World, variables: Variables) -> Variables:
        changed = copy.deepcopy(variables)
        *parents, last = path.split(".")
        target: Any = changed
        for key in parents:
            target = target[key]
        del target[last]
        return changed

    return edit


def case(label: str, edit: Edit, expect: Expect) -> Case:
    return Case(label, edit, expect)


# One of each kind of badness: for a second client of a mutation another row already covers
# in full (same field, same validation), sent by that client's principal.
SAMPLE = (
    "10 000 characters",
    "a control character",
    "a NUL character",
    "another type's id",
    "past 2^31",
    "unknown value",
    ": empty",
    ": negative",
    "mismatched",
    "DZD",
    "input: null",
)


def sample(cases: list[Case]) -> list[Case]:
    return [c for c in cases if any(kind in c.label for kind in SAMPLE)]


def text(
    path: str,
    field: str,
    *,
    long: Expect | None = None,
    blank: Expect | None = None,
    nullable: bool = False,
    blank_clears: bool = False,
    long_value: str = LONG,
) -> list[Case]:
    """A free-text input at ``path`` whose userErrors name ``field``. ``blank_clears``: an
    optional value that whitespace empties, on purpose (not a bad input)."""
    cases = [
        case(
            f"{path}: 10 000 characters", put(path, long_value), long or refused("TOO_LONG", field)
        ),
        case(f"{path}: a control character", put(path, CONTROL), refused("INVALID", field)),
        case(f"{path}: a NUL character", put(path, NUL), NUL_REFUSED),
        case(f"{path}: an object", put(path, {"text": "x"}), COERCION),
        case(f"{path}: a number", put(path, 42), COERCION),
    ]
    if not blank_clears:
        cases.append(
            case(f"{path}: whitespace only", put(path, BLANK), blank or refused("REQUIRED", field))
        )
    if not nullable:
        cases.append(case(f"{path}: null", put(path, None), COERCION))
    return cases


def unicode_tricks(path: str, field: str) -> list[Case]:
    """Text that looks harmless and is not: a right-to-left override ("Hall\u202egnp.exe"
    shows as "Hallexe.png"), a zero-width space, and a lone UTF-16 surrogate (no JSON parser
    may pass that on as text)."""
    invalid = refused("INVALID", field)
    return [
        case(f"{path}: a right-to-left override", put(path, "Hall \u202egnp.exe"), invalid),
        case(f"{path}: a zero-width space", put(path, "Reading\u200bRoom"), invalid),
        Case(
            f"{path}: a lone UTF-16 surrogate",
            put(path, SURROGATE_MARK),
            Expect("request", "BAD_REQUEST", status=400),
            body=lambda body: (
                orjson.dumps(body).replace(SURROGATE_MARK.encode(), b"Hall \\ud800").decode()
            ),
        ),
    ]


def email(path: str, field: str, *, nullable: bool = False) -> list[Case]:
    """An email input: free text, and not an email address."""
    invalid = refused("INVALID", field)
    return [
        *text(path, field, long=invalid, blank=invalid, long_value=LONG_EMAIL, nullable=nullable),
        case(f"{path}: not an email address", put(path, "alice.example.com"), invalid),
    ]


def global_id(
    path: str, field: str, expected_type: str, other: Callable[[World], str]
) -> list[Case]:
    """An ID input: ids that name nothing of ``expected_type`` are NOT_FOUND (R-QUOTE-6)."""
    not_found = refused("NOT_FOUND", field)
    return [
        case(f"{path}: another type's id", put_with(path, other), not_found),
        case(
            f"{path}: unknown {expected_type}",
            put_with(path, lambda w: gid(expected_type, NO_SUCH)),
            not_found,
        ),
        case(
            f"{path}: past 2^31",
            put_with(path, lambda w: gid(expected_type, 2**31)),
            not_found,
        ),
        case(
            f"{path}: negative",
            put_with(path, lambda w: gid(expected_type, -1)),
            not_found,
        ),
        case(f"{path}: empty", put(path, ""), not_found),
        case(f"{path}: not base64", put(path, "not-base64!"), not_found),
        case(f"{path}: a bare number", put(path, 1), not_found),  # ID takes 1 as "1"
        case(f"{path}: an object", put(path, {"id": 1}), COERCION),
        case(f"{path}: null", put(path, None), COERCION),
    ]


def integer(path: str, field: str, bad: dict[str, Any], expect: Expect) -> list[Case]:
    """An Int input: each of ``bad`` refused with ``expect``; past 32 bits and not a number
    are GraphQL's to refuse."""
    return [
        *(case(f"{path}: {label}", put(path, value), expect) for label, value in bad.items()),
        case(f"{path}: 2^31", put(path, 2**31), COERCION),
        case(f"{path}: a string", put(path, "1"), COERCION),
        case(f"{path}: a fraction", put(path, 1.5), COERCION),
    ]


def enum(path: str, unknown: str) -> list[Case]:
    return [
        case(f"{path}: unknown value {unknown}", put(path, unknown), COERCION),
        case(f"{path}: lower case", put(path, "eur"), COERCION),
        case(f"{path}: a number", put(path, 1), COERCION),
    ]


def password_field(path: str, field: str, wrong: Expect) -> list[Case]:
    """A current password: anything but the right one is ``wrong`` (and says nothing more)."""
    return [
        case(f"{path}: wrong", put(path, "Not-The-Password-1"), wrong),
        case(f"{path}: 10 000 characters", put(path, LONG), wrong),
        case(f"{path}: empty", put(path, ""), wrong),
        case(f"{path}: whitespace only", put(path, BLANK), wrong),
        case(f"{path}: a control character", put(path, PASSWORD + "\x07"), wrong),
        case(f"{path}: a NUL character", put(path, PASSWORD + "\x00"), NUL_REFUSED),
        case(f"{path}: a number", put(path, 42), COERCION),
        case(f"{path}: null", put(path, None), COERCION),
    ]


def new_password(path: str, field: str) -> list[Case]:
    weak = refused("WEAK_PASSWORD", field)
    return [
        case(f"{path}: weak", put(path, "password"), weak),
        case(f"{path}: empty", put(path, ""), weak),
        case(f"{path}: whitespace only", put(path, " " * 20), weak),
        case(f"{path}: 129 characters", put(path, NEW_PASSWORD * 5), weak),
        case(f"{path}: 10 000 characters", put(path, LONG), weak),
        case(f"{path}: a control character", put(path, NEW_PASSWORD + "\x07"), weak),
        case(f"{path}: an escape sequence", put(path, "\x1b[2J" + NEW_PASSWORD), weak),
        case(f"{path}: a NUL character", put(path, NEW_PASSWORD + "\x00"), NUL_REFUSED),
        case(f"{path}: an object", put(path, {}), COERCION),
        case(f"{path}: null", put(path, None), COERCION),
    ]


def secret_token(path: str, field: str, expect: Expect) -> list[Case]:
    """An opaque token from a mail or a session: every garbage one is ``expect``."""
    return [
        case(f"{path}: garbage", put(path, "garbage"), expect),
        case(f"{path}: well formed, never issued", put(path, "A" * 43), expect),
        case(f"{path}: empty", put(path, ""), expect),
        case(f"{path}: whitespace only", put(path, BLANK), expect),
        case(f"{path}: 10 000 characters", put(path, LONG), expect),
        case(f"{path}: a control character", put(path, "tok\x07en"), expect),
        case(f"{path}: a NUL character", put(path, "tok\x00en"), NUL_REFUSED),
        case(f"{path}: a number", put(path, 42), COERCION),
        case(f"{path}: null", put(path, None), COERCION),
    ]


def country(path: str, field: str) -> list[Case]:
    invalid = refused("INVALID", field)
    return [
        case(f"{path}: unknown code ZZ", put(path, "ZZ"), invalid),
        case(f"{path}: a name, not a code", put(path, "France"), invalid),
        case(f"{path}: 10 000 characters", put(path, LONG), invalid),
        case(f"{path}: whitespace only", put(path, BLANK), invalid),
        case(f"{path}: a control character", put(path, "F\x07"), invalid),
        case(f"{path}: a NUL character", put(path, "F\x00"), NUL_REFUSED),
        case(f"{path}: a number", put(path, 33), COERCION),
    ]


# --- valid variables --------------------------------------------------------------------------


def _quote(w: World) -> str:
    return w.gid("Q_OPEN")


def _license(w: World) -> str:
    return w.gid("LIC")


def _po(w: World) -> Variables:
    return {"id": _quote(w), "poNumber": "PO-2026-17", "expectedVersion": 1}


def _quote_edit(w: World) -> Variables:
    return {
        "id": _quote(w),
        "expectedVersion": 1,
        "input": {"currency": "USD", "lines": [quote_line(w)]},
    }


def _organization(path: str) -> list[Case]:
    return [
        *text(f"{path}.name", f"{path}.name"),
        *unicode_tricks(f"{path}.name", f"{path}.name"),
        *country(f"{path}.country", f"{path}.country"),
        case(f"{path}.academic: a string", put(f"{path}.academic", "yes"), COERCION),
        case(f"{path}: null", put(path, None), COERCION),
        case(f"{path}: no name", drop(f"{path}.name"), COERCION),
    ]


def _lines(path: str, *, required: bool) -> list[Case]:
    line = f"{path}.0"
    cases = [
        case(f"{path}: empty", put(path, []), refused("REQUIRED", path)),
        case(
            f"{path}: 51 lines (more than a quote holds)",
            lambda w, v: put(path, [quote_line(w) for _ in range(51)])(w, v),
            refused("INVALID", path),
        ),
        case(f"{path}: a line that is null", put(path, [None]), COERCION),
        case(f"{path}: an object, not a list of lines", put(path, {"x": 1}), COERCION),
        *global_id(f"{line}.product", f"{line}.product", "Product", _license),
        *enum(f"{line}.tier", "PLATINUM"),
        case(
            f"{line}.licenseType: EVALUATION (not sold)",
            put(f"{line}.licenseType", "EVALUATION"),
            refused("INVALID", f"{line}.licenseType"),
        ),
        *enum(f"{line}.licenseType", "FREE"),
        *text(f"{line}.deploymentEntity", f"{line}.deploymentEntity"),
        *integer(
            f"{line}.quantity",
            f"{line}.quantity",
            {"negative": -1, "zero": 0, "huge": 2**31 - 1},
            refused("INVALID", f"{line}.quantity"),
        ),
        case(f"{line}: an unknown field", put(f"{line}.price", "0"), COERCION),
    ]
    if required:
        cases.append(case(f"{path}: null", put(path, None), COERCION))
    return cases


# --- the table --------------------------------------------------------------------------------


def _create_quote_cases() -> list[Case]:
    return [
        *enum("input.currency", "GBP"),
        case(
            "input.currency: DZD for a French organization (R-CUR-2)",
            put("input.currency", "DZD"),
            refused("CURRENCY_NOT_ALLOWED", "input.currency"),
        ),
        *_organization("input.organization"),
        *email("input.billingContactEmail", "input.billingContactEmail"),
        *email("input.technicalContactEmail", "input.technicalContactEmail"),
        *_lines("input.lines", required=True),
        case(
            "input.poNumber: 10 000 characters",
            put("input.poNumber", LONG),
            refused("TOO_LONG", "input.poNumber"),
        ),
        case(
            "input.poNumber: 65 characters",
            put("input.poNumber", "P" * 65),
            refused("TOO_LONG", "input.poNumber"),
        ),
        case(
            "input.poNumber: a control character",
            put("input.poNumber", "PO\x07"),
            refused("INVALID", "input.poNumber"),
        ),
        case("input.poNumber: a NUL character", put("input.poNumber", "PO\x00"), NUL_REFUSED),
        case("input.poNumber: an object", put("input.poNumber", {"po": 1}), COERCION),
        case("input.isReseller: a string", put("input.isReseller", "yes"), COERCION),
        case("input: an unknown field", put("input.discount", "100"), COERCION),
        case("input: null", put("input", None), COERCION),
        case("input: no lines", drop("input.lines"), COERCION),
    ]


def _po_cases() -> list[Case]:
    return [
        *global_id("id", "id", "Quote", _license),
        case("poNumber: 10 000 characters", put("poNumber", LONG), refused("TOO_LONG", "poNumber")),
        case("poNumber: 65 characters", put("poNumber", "P" * 65), refused("TOO_LONG", "poNumber")),
        case(
            "poNumber: a control character",
            put("poNumber", "PO\x1b[31m"),
            refused("INVALID", "poNumber"),
        ),
        case("poNumber: a NUL character", put("poNumber", NUL), NUL_REFUSED),
        case("poNumber: an object", put("poNumber", {"po": 1}), COERCION),
        case("poNumber: a number", put("poNumber", 17), COERCION),
        *_expected_version(),
    ]


def _expected_version() -> list[Case]:
    stale = refused("STALE_VERSION", "expectedVersion")
    return [
        *integer(
            "expectedVersion",
            "expectedVersion",
            {"mismatched (2)": 2, "zero": 0, "negative": -1, "huge": 2**31 - 1},
            stale,
        ),
        case("expectedVersion: null", put("expectedVersion", None), COERCION),
    ]


def _renewal(w: World) -> Variables:
    return {"input": {"sen": w.sens["LIC"], "contactEmail": "alice@example.com", "years": 1}}


def _upgrade(w: World) -> Variables:
    return {
        "input": {"sen": w.sens["LIC"], "contactEmail": "alice@example.com", "toTier": "ENTERPRISE"}
    }


def _sen_cases() -> list[Case]:
    not_found = refused("NOT_FOUND", "input.sen")
    return [
        case("input.sen: unknown", put("input.sen", "SEN-L9999999"), not_found),
        case("input.sen: empty", put("input.sen", ""), not_found),
        case("input.sen: whitespace only", put("input.sen", BLANK), not_found),
        case("input.sen: 10 000 characters", put("input.sen", LONG), not_found),
        case("input.sen: a control character", put("input.sen", "SEN-\x07"), not_found),
        case("input.sen: a NUL character", put("input.sen", "SEN-\x00"), NUL_REFUSED),
        case("input.sen: a number", put("input.sen", 1), COERCION),
        case("input.sen: null", put("input.sen", None), COERCION),
    ]


def _contact_email_cases() -> list[Case]:
    # R-MAINT-8: an address that is not a current contact of that license answers exactly
    # like an unknown SEN; one that is no address at all is refused as such (that tells
    # nothing about the license).
    not_found = refused("NOT_FOUND", "input.sen")
    invalid = refused("INVALID", "input.contactEmail")
    return [
        case(
            "input.contactEmail: not a contact",
            put("input.contactEmail", "bob@example.com"),
            not_found,
        ),
        case(
            "input.contactEmail: 10 000 characters", put("input.contactEmail", LONG_EMAIL), invalid
        ),
        case("input.contactEmail: whitespace only", put("input.contactEmail", BLANK), invalid),
        case("input.contactEmail: not an email", put("input.contactEmail", "alice"), invalid),
        case(
            "input.contactEmail: a control character",
            put("input.contactEmail", "al\x07ice@example.com"),
            invalid,
        ),
        case(
            "input.contactEmail: a NUL character",
            put("input.contactEmail", "al\x00ice@example.com"),
            NUL_REFUSED,
        ),
        case("input.contactEmail: null", put("input.contactEmail", None), COERCION),
    ]


def _payment(w: World) -> Variables:
    return {
        "input": {
            "quoteId": _quote(w),
            "method": "BANK_TRANSFER",
            "amount": TOTAL,
            "reference": "WIRE-2026-11",
        }
    }


def _paid_at(value: object) -> Edit:
    return put("input.paidAt", value)


ROWS: dict[str, Row] = {
    "SignUp": Row(
        "anonymous",
        lambda w: {
            "input": {
                "email": "newcomer@example.com",
                "password": NEW_PASSWORD,
                "name": "New Comer",
                "country": "FR",
            }
        },
        [
            *email("input.email", "input.email"),
            case(
                "input.email: Alice's (R-ACC-1)",
                put("input.email", "alice@example.com"),
                refused("EMAIL_TAKEN", "input.email"),
            ),
            *new_password("input.password", "input.password"),
            *text("input.name", "input.name"),
            *country("input.country", "input.country"),
            case("input: an unknown field", put("input.role", "STAFF"), COERCION),
            case("input: no password", drop("input.password"), COERCION),
            case("input: null", put("input", None), COERCION),
        ],
    ),
    "LogIn": Row(
        "anonymous",
        lambda w: {"email": "alice@example.com", "password": PASSWORD},
        [
            *password_field("password", "input.password", refused("INVALID_CREDENTIALS", None)),
            case(
                "email: unknown",
                put("email", "nobody@example.com"),
                refused("INVALID_CREDENTIALS", None),
            ),
            case(
                "email: 10 000 characters",
                put("email", LONG_EMAIL),
                refused("INVALID_CREDENTIALS", None),
            ),
            case(
                "email: whitespace only", put("email", BLANK), refused("INVALID_CREDENTIALS", None)
            ),
            case(
                "email: not an email", put("email", "alice"), refused("INVALID_CREDENTIALS", None)
            ),
            case(
                "email: a control character",
                put("email", "alice\x07@example.com"),
                refused("INVALID_CREDENTIALS", None),
            ),
            case("email: a NUL character", put("email", "alice\x00@example.com"), NUL_REFUSED),
            case("email: a list", put("email", ["alice@example.com"]), COERCION),
            case("email: null", put("email", None), COERCION),
        ],
    ),
    "RefreshSession": Row(
        "anonymous",
        lambda w: {"refreshToken": w.refresh_token},
        [
            *secret_token(
                "refreshToken", "input.refreshToken", refused("INVALID_TOKEN", "input.refreshToken")
            ),
            case(
                "refreshToken: an access token",
                put_with("refreshToken", lambda w: w.alice_token),
                refused("INVALID_TOKEN", "input.refreshToken"),
            ),
        ],
    ),
    "LogOut": Row(
        "alice",
        lambda w: {},
        [
            Case(
                "variables: a list, not an object",
                lambda w, v: v,
                Expect("request", "BAD_REQUEST", status=400),
                body=lambda body: {**body, "variables": ["x"]},
            ),
            case("variables: an undeclared one holding a NUL", put("stray", NUL), NUL_REFUSED),
        ],
    ),
    "CreateQuote": Row("alice", lambda w: {"input": create_input(w)}, _create_quote_cases()),
    "PartnerCreateQuote": Row(
        "partner", lambda w: {"input": create_input(w)}, sample(_create_quote_cases())
    ),
    "EditQuote": Row(
        "alice",
        _quote_edit,
        [
            *global_id("id", "id", "Quote", _license),
            *_expected_version(),
            *enum("input.currency", "GBP"),
            case(
                "input.currency: DZD for a French organization (R-CUR-2)",
                put("input.currency", "DZD"),
                refused("CURRENCY_NOT_ALLOWED", "input.currency"),
            ),
            *_lines("input.lines", required=False),
            *email("input.billingContactEmail", "input.billingContactEmail", nullable=True),
            *email("input.technicalContactEmail", "input.technicalContactEmail", nullable=True),
            case("input: empty (nothing to change)", put("input", {}), refused("REQUIRED", None)),
            case("input: null", put("input", None), COERCION),
        ],
    ),
    "SetQuotePoNumber": Row("alice", _po, _po_cases()),
    "MobileSetPoNumber": Row("alice", _po, sample(_po_cases())),
    "PartnerSetPoNumber": Row("partner", _po, sample(_po_cases())),
    "SetOrderPoNumber": Row(
        "alice",
        lambda w: {"id": w.gid("ORDER"), "poNumber": "PO-2026-17"},
        [
            *global_id("id", "id", "Order", _quote),
            case(
                "poNumber: 10 000 characters",
                put("poNumber", LONG),
                refused("TOO_LONG", "poNumber"),
            ),
            case(
                "poNumber: 65 characters",
                put("poNumber", "P" * 65),
                refused("TOO_LONG", "poNumber"),
            ),
            case(
                "poNumber: a control character",
                put("poNumber", "PO\x07X"),
                refused("INVALID", "poNumber"),
            ),
            case("poNumber: a NUL character", put("poNumber", NUL), NUL_REFUSED),
            case("poNumber: an object", put("poNumber", {"po": 1}), COERCION),
        ],
    ),
    "DeleteQuote": Row(
        "alice",
        lambda w: {"id": _quote(w)},
        [
            *global_id("id", "id", "Quote", _license),
            case(
                "id: a paid quote (R-QUOTE-2)",
                put_with("id", lambda w: w.gid("Q_PAID")),
                refused("QUOTE_NOT_OPEN", "id"),
            ),
        ],
    ),
    "ChangeLicenseContacts": Row(
        "alice",
        lambda w: {"id": _license(w), "billing": "bob@example.com"},
        [
            *global_id("id", "id", "License", _quote),
            *email("billing", "input.billingContactEmail", nullable=True),
            *email("technical", "input.technicalContactEmail", nullable=True),
            case(
                "billing and technical: both null",
                put("billing", None),
                refused("REQUIRED", "input.billingContactEmail"),
            ),
        ],
    ),
    "RequestRenewal": Row(
        "alice",
        _renewal,
        [
            *_sen_cases(),
            *_contact_email_cases(),
            *integer(
                "input.years",
                "input.years",
                {"negative": -1, "zero": 0, "huge": 2**31 - 1},
                refused("INVALID", "input.years"),
            ),
            *enum("input.currency", "GBP"),
            case(
                "input.syncWithSens: an unknown SEN",
                put("input.syncWithSens", ["SEN-L9999999"]),
                refused("INVALID", "input.syncWithSens.0"),
            ),
            case(
                "input.syncWithSens: 10 000 characters",
                put("input.syncWithSens", [LONG]),
                refused("INVALID", "input.syncWithSens.0"),
            ),
            case(
                "input.syncWithSens: null in the list", put("input.syncWithSens", [None]), COERCION
            ),
        ],
    ),
    "RequestUpgrade": Row(
        "alice",
        _upgrade,
        [
            *_sen_cases(),
            *_contact_email_cases(),
            *enum("input.toTier", "PLATINUM"),
            case(
                "input.toTier: the same tier (R-UPG-1)",
                put("input.toTier", "PROFESSIONAL"),
                refused("UPGRADE_NOT_UPWARD", "input.toTier"),
            ),
            case(
                "input.toTier: a lower tier (R-UPG-1)",
                put("input.toTier", "STARTER"),
                refused("UPGRADE_NOT_UPWARD", "input.toTier"),
            ),
            case("input.toTier: null", put("input.toTier", None), COERCION),
            *enum("input.currency", "GBP"),
        ],
    ),
    "StartEvaluation": Row(
        "alice",
        lambda w: {
            "input": {
                "product": w.gid("SERVER"),
                "organization": {"name": "Bibliothèque de Lyon", "country": "FR"},
                "deploymentEntity": "Reading Room",
            }
        },
        [
            *global_id("input.product", "input.product", "Product", _license),
            *_organization("input.organization"),
            *text("input.deploymentEntity", "input.deploymentEntity"),
            *unicode_tricks("input.deploymentEntity", "input.deploymentEntity"),
        ],
    ),
    "UpdateProfile": Row(
        "alice",
        lambda w: {"input": {"name": "Alice M."}},
        [
            *text("input.name", "input.name", nullable=True),
            *text("input.phone", "input.phone", nullable=True, blank_clears=True),
            case(
                "input.phone: letters",
                put("input.phone", "call me maybe"),
                refused("INVALID", "input.phone"),
            ),
            *country("input.country", "input.country"),
            case("input.publicityOptOut: a string", put("input.publicityOptOut", "yes"), COERCION),
            case(
                "input.taxIds: 11 (more than an account holds)",
                put("input.taxIds", [{"kind": "VAT", "value": f"FR{n:09d}"} for n in range(11)]),
                refused("TOO_LONG", "input.taxIds"),
            ),
            case(
                "input.taxIds: an unknown kind",
                put("input.taxIds", [{"kind": "SSN", "value": "1"}]),
                COERCION,
            ),
            *(
                case(
                    f"input.taxIds.0.value: {label}",
                    put("input.taxIds", [{"kind": "VAT", "value": value}]),
                    expect,
                )
                for label, value, expect in [
                    ("10 000 characters", LONG, refused("TOO_LONG", "input.taxIds.0.value")),
                    ("whitespace only", BLANK, refused("REQUIRED", "input.taxIds.0.value")),
                    (
                        "a control character",
                        "FR\x0712345",
                        refused("INVALID", "input.taxIds.0.value"),
                    ),
                    ("a NUL character", "FR\x0012345", NUL_REFUSED),
                    ("null", None, COERCION),
                ]
            ),
            case("input: an unknown field", put("input.email", "x@example.com"), COERCION),
        ],
    ),
    "ChangeEmail": Row(
        "alice",
        lambda w: {"newEmail": "alice.martin@example.com", "password": PASSWORD},
        [
            *email("newEmail", "input.newEmail"),
            case(
                "newEmail: Bob's (R-ACC-1)",
                put("newEmail", "bob@example.com"),
                refused("EMAIL_TAKEN", "input.newEmail"),
            ),
            *password_field(
                "password", "input.password", refused("WRONG_PASSWORD", "input.password")
            ),
        ],
    ),
    "ChangePassword": Row(
        "alice",
        lambda w: {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        [
            *password_field(
                "currentPassword",
                "input.currentPassword",
                refused("WRONG_PASSWORD", "input.currentPassword"),
            ),
            *new_password("newPassword", "input.newPassword"),
        ],
    ),
    "RequestPasswordReset": Row(
        "anonymous",
        lambda w: {"email": "alice@example.com"},
        [
            case("email: no account has it", put("email", "nobody@example.com"), SILENT),
            *email("email", "input.email"),
        ],
    ),
    "ResetPassword": Row(
        "anonymous",
        lambda w: {"token": w.reset_token, "newPassword": NEW_PASSWORD},
        [
            *secret_token("token", "input.token", refused("INVALID_TOKEN", "input.token")),
            *new_password("newPassword", "input.newPassword"),  # with a live token: kept
        ],
    ),
    "CloseAccount": Row(
        "alice",
        lambda w: {"password": PASSWORD},
        password_field("password", "input.password", refused("WRONG_PASSWORD", "input.password")),
        valid_refusal="CONTACTS_REMAIN",  # R-ACC-4: Alice is a contact of licenses
    ),
    "UpdateCloudCard": Row(
        "alice",
        lambda w: {"licenseId": w.gid("CLOUD"), "paymentToken": "tok_mastercard_4444"},
        [
            *global_id("licenseId", "input.licenseId", "License", _quote),
            case(
                "licenseId: a Server license",
                put_with("licenseId", _license),
                refused("NOT_CLOUD", "input.licenseId"),
            ),
            *secret_token(
                "paymentToken",
                "input.paymentToken",
                refused("PAYMENT_DECLINED", "input.paymentToken"),
            ),
        ],
    ),
    "RecordPayment": Row(
        "staff",
        _payment,
        [
            *global_id("input.quoteId", "input.quoteId", "Quote", _license),
            case(
                "input.quoteId: a paid quote",
                put_with("input.quoteId", lambda w: w.gid("Q_PAID")),
                refused("QUOTE_NOT_OPEN", "input.quoteId"),
            ),
            *enum("input.method", "BITCOIN"),
            *(
                case(
                    f"input.amount: {label}",
                    put("input.amount", value),
                    refused("PAYMENT_MISMATCH", "input.amount"),
                )
                for label, value in [
                    ("negative", "-3840.00"),
                    ("zero", "0"),
                    ("a partial payment", "1000.00"),
                    ("huge", "9" * 30),
                    ("a fraction of a cent more", "3840.001"),
                    ("10 000 digits", "9" * 10_000),
                ]
            ),
            *(
                case(f"input.amount: {label}", put("input.amount", value), COERCION)
                for label, value in [
                    ("not a number", "lots"),
                    ("empty", ""),
                    ("an object", {"amount": TOTAL}),
                    ("null", None),
                ]
            ),
            *(
                case(
                    f"input.amount: {label}",
                    put("input.amount", value),
                    refused("INVALID", "input.amount"),
                )
                for label, value in [("infinite", "Infinity"), ("not a number (NaN)", "NaN")]
            ),
            case(
                "input.reference: 10 000 characters",
                put("input.reference", LONG),
                refused("TOO_LONG", "input.reference"),
            ),
            case(
                "input.reference: a control character",
                put("input.reference", CONTROL),
                refused("INVALID", "input.reference"),
            ),
            case("input.reference: a NUL character", put("input.reference", NUL), NUL_REFUSED),
            case(
                "input.paidAt: an impossible date", _paid_at("2026-02-30T10:00:00+00:00"), COERCION
            ),
            case(
                "input.paidAt: no offset",
                _paid_at("2026-11-20T10:00:00"),
                refused("INVALID", "input.paidAt"),
            ),
            case("input.paidAt: not a date", _paid_at("yesterday"), COERCION),
            case("input.paidAt: a number", _paid_at(1_700_000_000), COERCION),
            case(
                "input.paidAt: in the future",
                _paid_at("2999-01-01T00:00:00+00:00"),
                refused("INVALID", "input.paidAt"),
            ),
            case(
                "input.paidAt: before the quote existed",
                _paid_at("1900-01-01T00:00:00+00:00"),
                refused("INVALID", "input.paidAt"),
            ),
            case(
                "input.paidAt: year 1 (calendar edge)",
                _paid_at("0001-01-01T00:00:00+00:00"),
                refused("INVALID", "input.paidAt"),
            ),
            case(
                "input.paidAt: year 1 at +14:00 (before year 1 in UTC)",
                _paid_at("0001-01-01T00:00:00+14:00"),
                refused("INVALID", "input.paidAt"),
            ),
            case(
                "input.paidAt: year 9999 at -14:00 (past year 9999 in UTC)",
                _paid_at("9999-12-31T23:59:59-14:00"),
                refused("INVALID", "input.paidAt"),
            ),
            case("input.paidAt: offset +25:00", _paid_at("2026-11-20T10:00:00+25:00"), COERCION),
        ],
    ),
    "CreatePartnerToken": Row(
        "staff",
        lambda w: {
            "partnerId": w.gid("Atlas"),
            "scopes": ["QUOTES_READ"],
            "expiresInDays": 30,
        },
        [
            *global_id("partnerId", "input.partnerId", "Partner", lambda w: w.gid("alice")),
            case("scopes: empty", put("scopes", []), refused("REQUIRED", "input.scopes")),
            case(
                "expiresInDays: 366 (a token lives at most a year)",
                put("expiresInDays", 366),
                refused("INVALID", "input.expiresInDays"),
            ),
            case("scopes: an unknown scope", put("scopes", ["ADMIN"]), COERCION),
            case("scopes: null in the list", put("scopes", [None]), COERCION),
            case("scopes: null", put("scopes", None), COERCION),
            *integer(
                "expiresInDays",
                "input.expiresInDays",
                {"negative": -1, "zero": 0, "huge": 2**31 - 1},
                refused("INVALID", "input.expiresInDays"),
            ),
        ],
    ),
    "RevokePartnerToken": Row(
        "staff",
        lambda w: {"id": w.gid("SPARE_TOKEN")},
        global_id("id", "id", "PartnerToken", lambda w: w.gid("Atlas")),
    ),
    "AssignLicense": Row(
        "staff",
        lambda w: {
            "licenseId": _license(w),
            "organizationId": w.gid("ORG"),
        },
        [
            *global_id("licenseId", "input.licenseId", "License", _quote),
            *global_id(
                "organizationId",
                "input.organizationId",
                "Organization",
                lambda w: w.gid("alice"),
            ),
        ],
    ),
}
