"""What every fuzzed response is held to, and the values the fuzzers draw from.

- ``check_response``: never a 5xx, a JSON body, every error typed with a known
  ``extensions.code`` (never INTERNAL_SERVER_ERROR), no internals in any message.
- ``forbidden_values``: the rights oracle. From a snapshot of the database it lists the
  strings the caller may not read (SPEC R-QUOTE-6, R-SEC-2, R-SEC-3): other people's SENs,
  quote/order/invoice numbers, emails, phones and tax ids; license keys outside a license's
  own contacts; password hashes, token hashes and card tokens always. It is written from the
  SPEC, not from ``gateway/auth/policy.py``, so that it checks the policy rather than repeats it.
- ``scalar_strategies``: hypothesis-graphql ``custom_scalars`` that mix random values with the
  dataset's real global ids and private strings, so generated operations do reach other
  people's rows (a random id never would).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import graphql
import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import (
    Account,
    ApiToken,
    AuditEvent,
    License,
    Order,
    Organization,
    Partner,
    PasswordResetToken,
    Product,
    Quote,
    QuoteLine,
    RefreshToken,
    TaxId,
)
from gateway.domain.enums import PartnerScope
from gateway.domain.errors import ErrorCode
from gateway.schema.relay import decode_id_of, encode_cursor, encode_id

# --- how much to fuzz -----------------------------------------------------------------------

#: Examples per test and principal; ``CONEX_FUZZ_EXAMPLES=500`` for a deeper run. Read at
#: import, before the suite's autouse fixture hides CONEX_ variables from the tests.
EXAMPLES = int(os.environ.get("CONEX_FUZZ_EXAMPLES") or 40)
#: ``CONEX_FUZZ_RANDOM=1`` draws new examples each run; by default every run draws the same
#: ones (derandomized, no example database), so CI is reproducible.
RANDOM = bool(os.environ.get("CONEX_FUZZ_RANDOM"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not RANDOM,
    # The fixtures (app, dataset) are built once per test and shared by its examples, on
    # purpose; a generated document may be big.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    print_blob=RANDOM,
)

# --- the codes a response may carry ---------------------------------------------------------

REQUEST_ERROR_CODES = {
    # gateway/http/endpoint.py: transport, persisted queries, execution
    "BAD_REQUEST",
    "PAYLOAD_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "UNAUTHENTICATED",
    "NOT_FOUND",
    "BATCHING_DISABLED",
    "MAX_BATCH_EXCEEDED",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_HASH_MISMATCH",
    "OPERATION_NOT_SAFELISTED",
    "METHOD_NOT_ALLOWED",
    "SUBSCRIPTION_OVER_HTTP",
    "MAX_TOKENS_EXCEEDED",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    # gateway/security/limits.py, gateway/security/guard.py
    "MAX_DEPTH_EXCEEDED",
    "MAX_ALIASES_EXCEEDED",
    "MAX_ROOT_FIELDS_EXCEEDED",
    "QUERY_TOO_COMPLEX",
    "RATE_LIMITED",
    # gateway/schema/relay.py, query.py, info.py (require), resolvers/metrics.py
    "BAD_USER_INPUT",
    "PAGE_SIZE_TOO_LARGE",
    "FORBIDDEN",
    # gateway/resolvers/mutate.py `pending(...)`: a contract mutation not written yet.
    # TODO(hardening): drop once every mutation has landed.
    "NOT_IMPLEMENTED",
}
#: Deliberately absent: INTERNAL_SERVER_ERROR (a bug), SERVICE_UNAVAILABLE and TIMEOUT (an
#: overloaded or slow service: nothing a single fuzz request on a test database should cause).
KNOWN_CODES = REQUEST_ERROR_CODES | {code.value for code in ErrorCode}

ALLOWED_STATUS = {200, 400, 401, 403, 404, 405, 413, 415, 429}

#: Nothing of the machinery may reach a client, in any message or anywhere in the body.
INTERNALS = re.compile(
    r"Traceback|File \"|(?i:sqlalchemy)|asyncpg|aiosqlite|sqlite3|psycopg|SELECT |INSERT INTO|"
    r"UPDATE \w+ SET|DELETE FROM|IntegrityError|OperationalError|ProgrammingError|DataError|"
    r"Background on this error|password_hash|token_hash|card_token|password=|\$argon2|"
    r"\bat 0x[0-9a-f]+|<coroutine|<class |NoneType|KeyError|AttributeError|TypeError|"
    r"ValueError|InvalidOperation|decimal\.|ZeroDivision|OverflowError|RecursionError"
)


def check_response(response: httpx.Response, request_text: str) -> Any:
    """The transport-level promises of the endpoint; returns the parsed body."""
    shown = f"request: {request_text[:4000]}\nstatus {response.status_code}: {response.text[:4000]}"
    assert response.status_code in ALLOWED_STATUS, shown
    assert response.headers.get("x-request-id"), shown
    try:
        body = response.json()
    except json.JSONDecodeError:
        raise AssertionError(f"not JSON\n{shown}") from None
    for item in body if isinstance(body, list) else [body]:
        assert isinstance(item, dict), shown
        assert "data" in item or "errors" in item, shown
        for error in item.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            assert code is not None, f"an error without extensions.code\n{shown}"
            assert code in KNOWN_CODES, f"unexpected code {code}\n{shown}"
            assert isinstance(error.get("message"), str), shown
    internal = INTERNALS.search(response.text)
    if internal and not INTERNALS.search(request_text):
        raise AssertionError(f"internal detail {internal.group(0)!r} in the response\n{shown}")
    if response.status_code >= 400 and isinstance(body, dict):
        assert body.get("errors"), shown
    return body


# --- who calls ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """A principal as the rights oracle sees it (from the SPEC, not from the policy code)."""

    name: str
    kind: str  # anonymous | customer | partner | staff
    account_id: int | None = None
    partner_id: int | None = None
    scopes: frozenset[str] = frozenset()


# --- the rights oracle ----------------------------------------------------------------------


@dataclass
class Snapshot:
    licenses: list[Any]
    quotes: list[Any]
    orders: list[Any]
    accounts: list[Any]
    tax_ids: list[Any]
    secrets: set[str]  # never shown to anyone (R-SEC-3)


async def snapshot(engine: AsyncEngine) -> Snapshot:
    async with engine.connect() as conn:

        async def rows(*columns: Any) -> list[Any]:
            return list((await conn.execute(select(*columns))).all())

        licenses = await rows(
            License.sen,
            License.license_key,
            License.card_token,
            License.billing_account_id,
            License.technical_account_id,
            License.partner_id,
        )
        quotes = await rows(
            Quote.number, Quote.billing_account_id, Quote.technical_account_id, Quote.partner_id
        )
        orders = await rows(
            Order.number,
            Order.invoice_number,
            Order.billing_account_id,
            Order.technical_account_id,
            Order.partner_id,
        )
        accounts = await rows(Account.id, Account.email, Account.phone, Account.password_hash)
        tax_ids = await rows(TaxId.account_id, TaxId.value)
        secrets = {
            *(await conn.scalars(select(RefreshToken.token_hash))),
            *(await conn.scalars(select(PasswordResetToken.token_hash))),
            *(await conn.scalars(select(ApiToken.token_hash))),
        }
    secrets |= {row.password_hash for row in accounts if row.password_hash}
    secrets |= {row.card_token for row in licenses if row.card_token}
    return Snapshot(licenses, quotes, orders, accounts, tax_ids, secrets)


def _contact(caller: Caller, row: Any) -> bool:
    return caller.account_id is not None and caller.account_id in (
        row.billing_account_id,
        row.technical_account_id,
    )


def _visible(caller: Caller, row: Any, scope: PartnerScope) -> bool:
    """R-QUOTE-6 (contacts see their things), R-SEC-2 (a partner its own, with the scope)."""
    match caller.kind:
        case "staff":
            return True
        case "customer":
            return _contact(caller, row)
        case "partner":
            return scope.value in caller.scopes and row.partner_id == caller.partner_id
    return False


def forbidden_values(caller: Caller, snap: Snapshot) -> set[str]:
    """Strings that must appear in no response to ``caller``."""
    hidden: set[str] = set(snap.secrets)
    visible_accounts: set[int] = set()
    if caller.account_id is not None:
        visible_accounts.add(caller.account_id)
    for row in snap.licenses:
        if _visible(caller, row, PartnerScope.LICENSES_READ):
            visible_accounts |= {row.billing_account_id, row.technical_account_id}
        else:
            hidden.add(row.sen)
        if row.license_key and not _contact(caller, row):  # R-SEC-3: contacts only, not staff
            hidden.add(row.license_key)
    for row in snap.quotes:
        if _visible(caller, row, PartnerScope.QUOTES_READ):
            visible_accounts |= {row.billing_account_id, row.technical_account_id}
        else:
            hidden.add(row.number)
    for row in snap.orders:
        if _visible(caller, row, PartnerScope.ORDERS_READ):
            visible_accounts |= {row.billing_account_id, row.technical_account_id}
        else:
            hidden |= {row.number, row.invoice_number}
    for row in snap.accounts:
        if caller.kind != "staff" and row.id not in visible_accounts:
            hidden.add(row.email)
        if caller.kind != "staff" and row.id != caller.account_id and row.phone:
            hidden.add(row.phone)
    for row in snap.tax_ids:
        if caller.kind != "staff" and row.account_id != caller.account_id:
            hidden.add(row.value)
    return {value for value in hidden if value}


def visible_values(caller: Caller, snap: Snapshot) -> set[str]:
    """SENs, quote and order numbers the caller may read: the probe must show every one
    (else the leak check passes on empty answers)."""
    return (
        {row.sen for row in snap.licenses if _visible(caller, row, PartnerScope.LICENSES_READ)}
        | {row.number for row in snap.quotes if _visible(caller, row, PartnerScope.QUOTES_READ)}
        | {row.number for row in snap.orders if _visible(caller, row, PartnerScope.ORDERS_READ)}
    )


def leaked(text: str, hidden: set[str]) -> list[str]:
    """The hidden values that occur in ``text`` as whole tokens (``KEY-12`` is not in
    ``KEY-123``)."""
    found = []
    for value in hidden:
        if value in text:
            pattern = rf"(?<![\w.+-]){re.escape(value)}(?![\w])"
            if re.search(pattern, text):
                found.append(value)
    return sorted(found)


def assert_no_leak(
    caller: Caller, response_text: str, request_text: str, before: set[str], after: set[str]
) -> None:
    """Hidden before *and* after the request (a mutation may rightly grant or revoke), and
    not sent by the caller itself (an echoed input is not a leak)."""
    hidden = {value for value in before & after if value not in request_text}
    found = leaked(response_text, hidden)
    assert not found, (
        f"{caller.name} was shown {found}\nrequest: {request_text[:4000]}\n"
        f"response: {response_text[:4000]}"
    )


def present_values(snap: Snapshot) -> set[str]:
    """Every private value the database holds (what ``forbidden_values`` picks from)."""
    return (
        {row.sen for row in snap.licenses}
        | {row.license_key for row in snap.licenses if row.license_key}
        | {row.number for row in snap.quotes}
        | {v for row in snap.orders for v in (row.number, row.invoice_number)}
        | {row.email for row in snap.accounts}
        | {row.phone for row in snap.accounts if row.phone}
        | {row.value for row in snap.tax_ids}
        | snap.secrets
    )


def assert_no_self_granted_rights(
    caller: Caller, request_text: str, before: Snapshot, after: Snapshot
) -> None:
    """A request may not make the caller able to read something that existed before it and
    that it could not read: no mutation lets a caller give itself other people's rows. (What
    the caller typed is not counted: a contact it named on its own quote is rightly shown.)"""
    was_hidden = forbidden_values(caller, before) & present_values(after)
    gained = sorted(
        value for value in was_hidden - forbidden_values(caller, after) if value not in request_text
    )
    assert not gained, (
        f"{caller.name} gave itself the right to read {gained}\nrequest: {request_text[:4000]}"
    )


# --- what the fuzzers draw from -------------------------------------------------------------

NODE_MODELS: dict[str, Any] = {
    "Account": Account,
    "AuditEvent": AuditEvent,
    "License": License,
    "Order": Order,
    "Organization": Organization,
    "Partner": Partner,
    "PartnerTokenInfo": ApiToken,
    "Product": Product,
    "Quote": Quote,
    "QuoteLine": QuoteLine,
}


PRIVATE_TYPES = {"Account", "License", "Quote", "Order", "QuoteLine", "Organization"}


@dataclass
class Pools:
    """Real values of the dataset for the generators to pick among random ones."""

    ids: list[str] = field(default_factory=list)
    private_ids: list[str] = field(default_factory=list)  # licenses, quotes, orders, accounts
    strings: list[str] = field(default_factory=list)
    sens: list[str] = field(default_factory=list)


async def pools(engine: AsyncEngine) -> Pools:
    found = Pools()
    async with engine.connect() as conn:
        for type_name, model in NODE_MODELS.items():
            for pk in await conn.scalars(select(model.id).order_by(model.id)):
                found.ids.append(encode_id(type_name, pk))
                if type_name in PRIVATE_TYPES:
                    found.private_ids.append(encode_id(type_name, pk))
    snap = await snapshot(engine)
    found.sens = sorted(row.sen for row in snap.licenses)
    found.strings = sorted(
        {encode_cursor(n) for n in range(0, 30, 3)}
        | {row.sen for row in snap.licenses}
        | {row.number for row in snap.quotes}
        | {row.number for row in snap.orders}
        | {row.email for row in snap.accounts}
        | {"SERVER", "CLOUD", "EMEA", "MEA", "DZ", "FR", "EUR", "DZD", "2.0", "1.4", "9.9"}
        | {"tok_visa_4242", "tok_mastercard_0002", "new-user@example.com", "a long passphrase 1"}
    )
    return found


# --- known bugs, open -----------------------------------------------------------------------
# Each is pinned by a strict xfail in test_known_bugs.py; while open, the generators avoid it
# so that the fuzzers keep looking for the next one. Set the flag to False with the fix.

#: On PostgreSQL a U+0000 in a String argument reaches SQL (``license(sen:)``,
#: ``partners(region:)``...) and fails as INTERNAL_SERVER_ERROR; SQLite stores it. Since
#: a917620 a raw NUL in the document or the variables is refused (BAD_REQUEST), but the
#: GraphQL escape ``"\u0000"`` inside a string literal still gets through.
KNOWN_BUG_NUL = False
#: An ``operationName`` that names no operation of the document raises out of the endpoint
#: (strawberry's CannotGetOperationTypeError): HTTP 500 with no body.
KNOWN_BUG_UNKNOWN_OPERATION_NAME = False

#: On PostgreSQL a global id (or a cursor) whose number is past 2**31 - 1 reaches SQL as an
#: int4 parameter and fails as INTERNAL_SERVER_ERROR, with every id batched beside it.
KNOWN_BUG_BIG_ID = False
MAX_PK = 2**31 - 1 if KNOWN_BUG_BIG_ID else 2**70

#: A date or time at the ends of the calendar overflows in Python before any rule runs:
#: ``metrics.revenue(to: "9999-12-31")`` (db/queries/metrics.py ``day_range``: to + 1 day) and
#: ``quoteRecordPayment(paidAt: "0001-01-01T00:00:00+14:00")`` (gateway/domain/payment.py
#: ``check_paid_at``: astimezone) answer INTERNAL_SERVER_ERROR, on every backend.
KNOWN_BUG_DATE_EDGES = False
if KNOWN_BUG_DATE_EDGES:
    FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 1, 1)
    EDGE_DATES = ["2026-02-30", "2026-11-26T00:00:00", "-1-01-01"]
    EDGE_DATETIMES = ["1900-01-01T00:00:00+14:00", "2200-12-31T23:59:59-12:00"]
else:
    FIRST_DAY, LAST_DAY = dt.date.min, dt.date.max
    EDGE_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-11-26T00:00:00"]
    EDGE_DATETIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


def dates() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


def datetimes(**kwargs: Any) -> st.SearchStrategy[dt.datetime]:
    first = dt.datetime.combine(FIRST_DAY, dt.time()) + dt.timedelta(days=1)
    last = dt.datetime.combine(LAST_DAY, dt.time()) - dt.timedelta(days=1)
    return st.datetimes(min_value=first, max_value=last, **kwargs)


CHARACTERS = st.characters(
    exclude_categories=["Cs"], exclude_characters="\x00" if KNOWN_BUG_NUL else ""
)


def text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=CHARACTERS, max_size=max_size)


MIN_INT, MAX_INT = -(2**31), 2**31 - 1
WEIRD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "x" * 10_000,
        "é" * 3000,
        "'; DROP TABLE accounts; --",
        "%",
        "_",
        "\\",
        "null",
        "NaN",
        "-1",
        "9" * 40,
        "<script>alert(1)</script>",
        "\U0001f600",
        "\ud7ff\ue000",
    ]
).filter(lambda value: not (KNOWN_BUG_NUL and "\x00" in value))


def scalar_strategies(pool: Pools) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """``custom_scalars`` for hypothesis-graphql: the schema's own scalars, and the built-in
    ones it would otherwise draw at random (ids that exist, strings that mean something)."""
    text40 = text(40)
    ids = st.one_of(
        st.sampled_from(pool.ids),
        st.sampled_from(pool.private_ids),  # other people's rows most of all
        st.builds(
            encode_id,
            st.sampled_from([*NODE_MODELS, "Nope", "Price"]),
            st.integers(min_value=-5, max_value=MAX_PK),
        ),
        text40,
        WEIRD_TEXT,
    )
    strings = st.one_of(text40, st.sampled_from(pool.strings), WEIRD_TEXT)
    day = st.one_of(
        dates().map(dt.date.isoformat),
        st.sampled_from(EDGE_DATES),
        text40,
    )
    moment = st.one_of(
        datetimes(timezones=st.sampled_from([dt.UTC, None])).map(dt.datetime.isoformat),
        st.sampled_from(EDGE_DATETIMES),
        text40,
    )
    decimals = st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["1e999999", "-0", "0.0000001", str(Decimal(10) ** 30), "1_000", " 1 "]),
        text40,
    )
    ints = st.one_of(
        st.integers(min_value=-2, max_value=120),
        st.integers(min_value=MIN_INT, max_value=MAX_INT),
    )
    return {
        "ID": ids.map(nodes.String),
        "String": strings.map(nodes.String),
        "Int": ints.map(nodes.Int),
        "Date": day.map(nodes.String),
        "DateTime": moment.map(nodes.String),
        "Decimal": st.one_of(
            decimals.map(nodes.String),
            st.integers(min_value=-(10**12), max_value=10**12).map(nodes.Int),
            st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        ),
    }


# --- the systematic probe -------------------------------------------------------------------


def full_selection(schema: graphql.GraphQLSchema, type_name: str, depth: int = 2) -> str:
    """Every field of a type that needs no argument, objects down to ``depth`` levels and
    connections as their first 20 nodes: what a curious client could ask of one object."""
    named = schema.get_type(type_name)
    assert isinstance(named, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType)
    parts = ["__typename"]
    for name, definition in named.fields.items():
        if any(graphql.is_required_argument(arg) for arg in definition.args.values()):
            continue
        target = graphql.get_named_type(definition.type)
        if graphql.is_leaf_type(target):
            parts.append(name)
        elif depth <= 0:
            continue
        elif target.name.endswith("Connection"):
            node = schema.get_type(target.name.removesuffix("Connection"))
            if node is not None and "first" in definition.args:
                inner = full_selection(schema, node.name, 0)
                parts.append(f"{name}(first: 20) {{ edges {{ node {{ {inner} }} }} }}")
        elif isinstance(target, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
            parts.append(f"{name} {{ {full_selection(schema, target.name, depth - 1)} }}")
        elif isinstance(target, graphql.GraphQLUnionType):
            parts.append(f"{name} {{ __typename }}")
    return " ".join(parts)


def probe_documents(schema: graphql.GraphQLSchema, pool: Pools) -> list[str]:
    """One document per node type (``nodes`` over every id of that type in the dataset, all
    fields), one per private root connection, ``license(sen:)`` per SEN, and the viewer."""
    documents = [f"{{ viewer {{ {full_selection(schema, 'Viewer', 3)} }} }}"]
    for type_name in NODE_MODELS:
        ids = [i for i in pool.ids if decode_id_of(i, type_name) is not None]
        selection = full_selection(schema, type_name, 1)
        for start in range(0, len(ids), 4):  # four at a time: under the query cost limit
            chunk = json.dumps(ids[start : start + 4])
            documents.append(
                f"{{ nodes(ids: {chunk}) {{ ... on {type_name} {{ {selection} }} }} }}"
            )
    query = schema.query_type
    assert query is not None
    for name, root in query.fields.items():
        target = graphql.get_named_type(root.type)
        if target.name.endswith("Connection") and "first" in root.args:
            node = target.name.removesuffix("Connection")
            for first, depth in ((50, 0), (5, 1)):  # under the query cost limit
                selection = full_selection(schema, node, depth)
                documents.append(
                    f"{{ {name}(first: {first}) {{ edges {{ node {{ {selection} }} }} }} }}"
                )
    for sen in pool.sens:
        documents.append(
            f"{{ license(sen: {json.dumps(sen)}) {{ {full_selection(schema, 'License', 1)} }} }}"
        )
    return documents
