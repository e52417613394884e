"""The baselines the gateway is measured against: a plain Starlette app, same server, same load.

- ``GET /hello``: a hello-world JSON answer — the cost of HTTP (Uvicorn + Starlette) alone.
- ``POST /account-home``: the AccountHome answer (``{"data": {...}}``, the very JSON the
  gateway gives) from hand-written SQL over the raw asyncpg driver. It sends the statements
  of the gateway's loader plan (``gateway/loaders``, ``db/queries/pages.py``) — the same ones,
  with the same policy predicates, in the same waves of concurrent round trips:

  1. the session of the access token;
  2. the account (with the visibility predicate);
  3. tax ids, and the first page of licenses, open quotes and orders (4 at once);
  4. the three total counts, the licenses' organizations and the open quotes' lines, at
     once; the catalog (products, prices, releases, DZD rate: 4 in a row on one connection)
     is read at most once a minute per process, as the gateway's ``CatalogCache`` does:
     11 statements per request, like the gateway with a warm catalog.

  Each statement takes its own pooled connection, as each loader batch does; the pool does
  not reset connections on release and nothing pings them, so each statement is one round
  trip: the floor under the gateway's plan.
- ``POST /account-home-sqlalchemy``: the same SQL through SQLAlchemy's async engine, built
  by ``db.engine.create_engine`` exactly as the gateway builds its own: what the engine and
  pool cost (a transaction per checkout and a rollback on return: the gateway's loaders
  read in autocommit since, so this one pays 2 round trips per statement that they do not).

Run: ``uvicorn --factory bench.baseline:create_app`` with ``CONEX_DATABASE_URL`` (PostgreSQL)
and ``CONEX_SECRET_KEY`` set (the tokens are the gateway's own JWTs).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db.engine import create_engine
from gateway.auth.tokens import InvalidToken, read_access_token
from gateway.domain.enums import (
    ContactRole,
    Deployment,
    LicenseType,
    QuoteStatus,
    Tier,
)
from gateway.domain.license import license_status, support_active
from gateway.domain.quote import edit_blocked_reason, effective_quote_status
from gateway.domain.support import support_channels
from gateway.schema.relay import encode_cursor, encode_id
from gateway.settings import normalise_database_url

Rows = Sequence[Mapping[Any, Any]]  # asyncpg Records, SQLAlchemy RowMappings
Fetch = Callable[..., Awaitable[Rows]]

LICENSES_FIRST = 20
QUOTES_FIRST = 10
ORDERS_FIRST = 10

# --- the statements (PostgreSQL; $n parameters; one parent per batch here) -----------------

SESSION = """
SELECT accounts.id, accounts.name FROM accounts
WHERE accounts.id = $1 AND accounts.status = 'ACTIVE'
  AND EXISTS (SELECT 1 FROM refresh_tokens WHERE refresh_tokens.family = $2
              AND refresh_tokens.account_id = $1 AND refresh_tokens.revoked_at IS NULL)
"""

ACCOUNT = """
SELECT accounts.id, accounts.email, accounts.name, accounts.phone, accounts.country,
       accounts.publicity_opt_out, accounts.password_hash, accounts.status,
       accounts.created_at, accounts.closed_at
FROM accounts
WHERE (accounts.id = $1
   OR EXISTS (SELECT 1 FROM licenses
              WHERE (licenses.billing_account_id = accounts.id
                     OR licenses.technical_account_id = accounts.id)
                AND (licenses.billing_account_id = $1 OR licenses.technical_account_id = $1))
   OR EXISTS (SELECT 1 FROM quotes
              WHERE (quotes.billing_account_id = accounts.id
                     OR quotes.technical_account_id = accounts.id)
                AND (quotes.billing_account_id = $1 OR quotes.technical_account_id = $1))
   OR EXISTS (SELECT 1 FROM orders
              WHERE (orders.billing_account_id = accounts.id
                     OR orders.technical_account_id = accounts.id)
                AND (orders.billing_account_id = $1 OR orders.technical_account_id = $1)))
  AND accounts.id = ANY($2::integer[])
"""

TAX_IDS = """
SELECT tax_ids.id, tax_ids.account_id, tax_ids.kind, tax_ids.value,
       tax_ids.account_id AS parent_key
FROM tax_ids WHERE tax_ids.account_id = ANY($1::integer[]) ORDER BY tax_ids.id
"""


def _contacts(table: str) -> str:
    """(entity id, account id) for every billing or technical role of the accounts $1."""
    return f"""(SELECT {table}.id AS entity_id, {table}.billing_account_id AS account_id
       FROM {table} WHERE {table}.billing_account_id = ANY($1::integer[])
       UNION
       SELECT {table}.id AS entity_id, {table}.technical_account_id AS account_id
       FROM {table} WHERE {table}.technical_account_id = ANY($1::integer[])) AS pairs"""


def _visible(table: str) -> str:  # the customer's policy predicate: a contact of the row
    return f"({table}.billing_account_id = $2 OR {table}.technical_account_id = $2)"


LICENSE_COLUMNS = """licenses.id, licenses.sen, licenses.product_id, licenses.tier,
  licenses.license_type, licenses.organization_id, licenses.deployment_entity,
  licenses.billing_account_id, licenses.technical_account_id, licenses.partner_id,
  licenses.license_key, licenses.purchased_on, licenses.purchase_amount,
  licenses.purchase_currency, licenses.evaluation_ends_on, licenses.maintenance_starts_on,
  licenses.maintenance_ends_on, licenses.card_brand, licenses.card_last4, licenses.card_token,
  licenses.past_due, licenses.created_at"""

QUOTE_COLUMNS = """quotes.id, quotes.number, quotes.status, quotes.currency,
  quotes.organization_id, quotes.billing_account_id, quotes.technical_account_id,
  quotes.partner_id, quotes.is_reseller, quotes.po_number, quotes.valid_until, quotes.version,
  quotes.requires_sales_review, quotes.sync_with_sens, quotes.fx_rate, quotes.fx_margin,
  quotes.subtotal, quotes.discount_total, quotes.tax, quotes.total, quotes.created_at,
  quotes.updated_at, quotes.deleted_at"""

ORDER_COLUMNS = """orders.id, orders.number, orders.invoice_number, orders.quote_id,
  orders.organization_id, orders.partner_id, orders.paid_at, orders.payment_method,
  orders.payment_reference, orders.po_number, orders.currency, orders.total,
  orders.billing_account_id, orders.technical_account_id, orders.billing_name,
  orders.billing_email, orders.technical_name, orders.technical_email"""

OPEN_QUOTE = "quotes.status = 'OPEN' AND quotes.valid_until >= $4"


def _page(table: str, columns: str, order: str, extra: str = "") -> str:
    """The first page of each account's rows (limit+1 tells whether there is a next)."""
    return f"""
SELECT * FROM (
  SELECT {columns}, pairs.account_id AS parent_key,
         row_number() OVER (PARTITION BY pairs.account_id ORDER BY {table}.id {order})
           AS page_rank
  FROM {table} JOIN {_contacts(table)} ON pairs.entity_id = {table}.id
  WHERE pairs.account_id = ANY($1::integer[]) AND {_visible(table)} {extra}
) AS ranked
WHERE ranked.page_rank <= $3 ORDER BY ranked.parent_key, ranked.page_rank
"""


def _count(table: str, extra: str = "") -> str:
    return f"""
SELECT pairs.account_id AS parent_key, count(DISTINCT {table}.id) AS count
FROM {table} JOIN {_contacts(table)} ON pairs.entity_id = {table}.id
WHERE pairs.account_id = ANY($1::integer[]) AND {_visible(table)} {extra}
GROUP BY pairs.account_id
"""


LICENSES_PAGE = _page("licenses", LICENSE_COLUMNS, "ASC")
QUOTES_PAGE = _page("quotes", QUOTE_COLUMNS, "DESC", f"AND {OPEN_QUOTE}")
ORDERS_PAGE = _page("orders", ORDER_COLUMNS, "DESC")
LICENSES_COUNT = _count("licenses")
QUOTES_COUNT = _count("quotes", f"AND {OPEN_QUOTE.replace('$4', '$3')}")
ORDERS_COUNT = _count("orders")

ORGANIZATIONS = """
SELECT organizations.id, organizations.name, organizations.country, organizations.address,
       organizations.academic, organizations.partner_id, organizations.created_at
FROM organizations
WHERE (EXISTS (SELECT 1 FROM licenses WHERE licenses.organization_id = organizations.id
               AND (licenses.billing_account_id = $1 OR licenses.technical_account_id = $1))
    OR EXISTS (SELECT 1 FROM quotes WHERE quotes.organization_id = organizations.id
               AND (quotes.billing_account_id = $1 OR quotes.technical_account_id = $1))
    OR EXISTS (SELECT 1 FROM orders WHERE orders.organization_id = organizations.id
               AND (orders.billing_account_id = $1 OR orders.technical_account_id = $1)))
  AND organizations.id = ANY($2::integer[])
"""

QUOTE_LINES = """
SELECT quote_lines.id, quote_lines.quote_id, quote_lines.position, quote_lines.kind,
       quote_lines.product_id, quote_lines.tier, quote_lines.license_type,
       quote_lines.deployment_entity, quote_lines.quantity, quote_lines.license_id,
       quote_lines.years, quote_lines.maintenance_starts_on, quote_lines.maintenance_ends_on,
       quote_lines.unit_price, quote_lines.subtotal, quote_lines.discount_total,
       quote_lines.total, quote_lines.discounts, quote_lines.quote_id AS parent_key
FROM quote_lines WHERE quote_lines.quote_id = ANY($1::integer[]) ORDER BY quote_lines.position
"""

PRODUCTS = "SELECT id, code, name, deployment FROM products ORDER BY id"
PRICES = "SELECT id, product_id, tier, currency, kind, amount FROM prices ORDER BY id"
RELEASES = "SELECT id, major, minor, released_on FROM product_releases ORDER BY major, minor"
RATE = """
SELECT id, base, target, rate, margin, effective_at FROM exchange_rates
WHERE base = 'EUR' AND target = 'DZD' ORDER BY effective_at DESC LIMIT 1
"""

# --- the plan ----------------------------------------------------------------------------


class Unauthorized(Exception):
    pass


CATALOG_SECONDS = 60.0  # the gateway's default CONEX_CATALOG_CACHE_SECONDS
_catalogs: dict[type, tuple[float, list[Rows]]] = {}  # per driver kind: (until, rows)


class Driver:
    """How the plan reaches the database: one statement per connection checkout, and one
    checkout for the catalog's four."""

    async def catalog(self) -> list[Rows]:
        """Products, prices, releases, the rate: read at most once a minute per process."""
        held = _catalogs.get(type(self))
        if held is None or time.monotonic() >= held[0]:
            rows = await self.fetch_in_a_row([PRODUCTS, PRICES, RELEASES, RATE])
            held = _catalogs[type(self)] = (time.monotonic() + CATALOG_SECONDS, rows)
        return held[1]

    async def fetch(self, sql: str, *args: Any) -> Rows:
        raise NotImplementedError

    async def fetch_in_a_row(self, statements: Sequence[str]) -> list[Rows]:
        raise NotImplementedError


class AsyncpgDriver(Driver):
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def fetch(self, sql: str, *args: Any) -> Rows:
        rows: Rows = await self.pool.fetch(sql, *args)
        return rows

    async def fetch_in_a_row(self, statements: Sequence[str]) -> list[Rows]:
        async with self.pool.acquire() as conn:
            return [await conn.fetch(sql) for sql in statements]


class SqlAlchemyDriver(Driver):
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def fetch(self, sql: str, *args: Any) -> Rows:
        async with self.engine.connect() as conn:
            result = await conn.exec_driver_sql(sql, args)
            rows: list[Mapping[Any, Any]] = [row._mapping for row in result.all()]
            return rows

    async def fetch_in_a_row(self, statements: Sequence[str]) -> list[Rows]:
        async with self.engine.connect() as conn:
            found: list[Rows] = []
            for sql in statements:
                result = await conn.exec_driver_sql(sql)
                rows: list[Mapping[Any, Any]] = [row._mapping for row in result.all()]
                found.append(rows)
            return found


def _money(amount: Any, currency: str) -> dict[str, Any]:
    return {"amount": str(amount), "currency": currency}


def _one_count(rows: Rows) -> int:
    return int(rows[0]["count"]) if rows else 0


async def account_home(db: Driver, authorization: str | None, *, key: str) -> dict[str, Any]:
    """The AccountHome answer for the caller, by the gateway's plan (see the module doc)."""
    scheme, _, credential = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized
    try:
        claims = read_access_token(credential.strip(), key=key)
    except InvalidToken:
        raise Unauthorized from None
    me = claims.account_id
    today = dt.datetime.now(dt.UTC).date()

    # 1. the session; 2. the account
    if not await db.fetch(SESSION, me, claims.session_family):
        raise Unauthorized
    accounts = await db.fetch(ACCOUNT, me, [me])
    if not accounts:
        return {"data": {"viewer": {"account": None}}}
    account = accounts[0]

    # 3. tax ids and the three first pages, at once
    tax_ids, licenses, quotes, orders = await asyncio.gather(
        db.fetch(TAX_IDS, [me]),
        db.fetch(LICENSES_PAGE, [me], me, LICENSES_FIRST + 1),
        db.fetch(QUOTES_PAGE, [me], me, QUOTES_FIRST + 1, today),
        db.fetch(ORDERS_PAGE, [me], me, ORDERS_FIRST + 1),
    )
    licenses, more_licenses = licenses[:LICENSES_FIRST], len(licenses) > LICENSES_FIRST
    quotes = quotes[:QUOTES_FIRST]
    orders = orders[:ORDERS_FIRST]

    # 4. counts, organizations, quote lines (and the catalog when stale), at once
    organization_ids = sorted({row["organization_id"] for row in licenses})
    (
        license_count,
        quote_count,
        order_count,
        organizations,
        lines,
        (products, _prices, _releases, _rate),
    ) = await asyncio.gather(
        db.fetch(LICENSES_COUNT, [me], me),
        db.fetch(QUOTES_COUNT, [me], me, today),
        db.fetch(ORDERS_COUNT, [me], me),
        db.fetch(ORGANIZATIONS, me, organization_ids),
        db.fetch(QUOTE_LINES, [row["id"] for row in quotes]),
        db.catalog(),
    )
    # Contacts other than the caller would take one more statement (the account batch);
    # the benchmark's account is the only contact of its rows, as in the gateway's run.
    people = {me: account}
    contacts = {row["billing_account_id"] for row in licenses}
    contacts |= {row["technical_account_id"] for row in licenses}
    if contacts - people.keys():
        for row in await db.fetch(ACCOUNT, me, sorted(contacts - people.keys())):
            people[row["id"]] = row

    products_by_id = {row["id"]: row for row in products}
    organizations_by_id = {row["id"]: row for row in organizations}
    lines_by_quote: dict[int, list[Mapping[str, Any]]] = {row["id"]: [] for row in quotes}
    for row in lines:
        lines_by_quote[row["parent_key"]].append(row)

    def person(pk: int) -> dict[str, Any] | None:
        row = people.get(pk)
        return (
            {"id": encode_id("Account", pk), "email": row["email"], "name": row["name"]}
            if (row)
            else None
        )

    def license_node(row: Mapping[str, Any]) -> dict[str, Any]:
        product = products_by_id[row["product_id"]]
        status = license_status(
            license_type=LicenseType(row["license_type"]),
            deployment=Deployment(product["deployment"]),
            evaluation_ends_on=row["evaluation_ends_on"],
            maintenance_ends_on=row["maintenance_ends_on"],
            today=today,
        )
        organization = organizations_by_id.get(row["organization_id"])
        tier = Tier(row["tier"])
        return {
            "id": encode_id("License", row["id"]),
            "sen": row["sen"],
            "status": status,
            "licenseType": row["license_type"],
            "deploymentEntity": row["deployment_entity"],
            "tier": row["tier"],
            "product": {
                "id": encode_id("Product", product["id"]),
                "name": product["name"],
                "deployment": product["deployment"],
            },
            "organization": {
                "id": encode_id("Organization", organization["id"]),
                "name": organization["name"],
                "country": organization["country"],
            }
            if organization
            else None,
            "maintenanceStartsOn": _date(row["maintenance_starts_on"]),
            "maintenanceEndsOn": _date(row["maintenance_ends_on"]),
            "billingContact": {
                "role": ContactRole.BILLING,
                "account": person(row["billing_account_id"]),
            },
            "technicalContact": {
                "role": ContactRole.TECHNICAL,
                "account": person(row["technical_account_id"]),
            },
            "supportPlan": {"tier": tier, "channels": list(support_channels(tier))}
            if support_active(status)
            else None,
        }

    def quote_node(row: Mapping[str, Any]) -> dict[str, Any]:
        status = effective_quote_status(QuoteStatus(row["status"]), row["valid_until"], today)
        mine = lines_by_quote[row["id"]]
        blocked = edit_blocked_reason(
            status=status,
            deployments=[Deployment(products_by_id[ln["product_id"]]["deployment"]) for ln in mine],
            tiers=[Tier(ln["tier"]) for ln in mine],
        )
        return {
            "id": encode_id("Quote", row["id"]),
            "number": row["number"],
            "status": status,
            "currency": row["currency"],
            "validUntil": _date(row["valid_until"]),
            "poNumber": row["po_number"],
            "version": row["version"],
            "total": _money(row["total"], row["currency"]),
            "selfServiceEditable": blocked is None,
            "editBlockedReason": blocked,
            "requiresSalesReview": row["requires_sales_review"],
        }

    def order_node(row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": encode_id("Order", row["id"]),
            "number": row["number"],
            "invoiceNumber": row["invoice_number"],
            "poNumber": row["po_number"],
            "paidAt": row["paid_at"].isoformat(),
            "total": _money(row["total"], row["currency"]),
        }

    license_edges = [
        {"cursor": encode_cursor(row["id"]), "node": license_node(row)} for row in licenses
    ]
    return {
        "data": {
            "viewer": {
                "account": {
                    "id": encode_id("Account", me),
                    "email": account["email"],
                    "name": account["name"],
                    "phone": account["phone"],
                    "country": account["country"],
                    "publicityOptOut": account["publicity_opt_out"],
                    "taxIds": [{"kind": row["kind"], "value": row["value"]} for row in tax_ids],
                    "licenses": {
                        "totalCount": _one_count(license_count),
                        "pageInfo": {
                            "hasNextPage": more_licenses,
                            "endCursor": license_edges[-1]["cursor"] if license_edges else None,
                        },
                        "edges": license_edges,
                    },
                    "quotes": {
                        "totalCount": _one_count(quote_count),
                        "edges": [{"node": quote_node(row)} for row in quotes],
                    },
                    "orders": {
                        "totalCount": _one_count(order_count),
                        "edges": [{"node": order_node(row)} for row in orders],
                    },
                }
            }
        }
    }


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- the app -------------------------------------------------------------------------------


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def hello(_: Request) -> Response:
    return _json({"hello": "world"})


def _account_home_endpoint(driver: Callable[[Request], Driver]) -> Any:
    async def endpoint(request: Request) -> Response:
        await request.body()  # the client sends the GraphQL request; read it as the gateway does
        try:
            body = await account_home(
                driver(request),
                request.headers.get("authorization"),
                key=request.app.state.key,
            )
        except Unauthorized:
            return _json({"data": None, "errors": [{"message": "unauthenticated"}]}, 401)
        return _json(body)

    return endpoint


def create_app() -> Starlette:
    url = normalise_database_url(os.environ["CONEX_DATABASE_URL"])
    key = os.environ["CONEX_SECRET_KEY"]
    pool_size = int(os.environ.get("CONEX_DB_POOL_SIZE", "10"))
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("the baseline runs on PostgreSQL only")

    async def no_reset(_: asyncpg.Connection) -> None:
        return None  # the plan's statements leave no session state behind

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            dsn=parsed.set(drivername="postgresql").render_as_string(hide_password=False),
            min_size=pool_size,
            max_size=pool_size,
            reset=no_reset,
        )
        app.state.engine = create_engine(url, pool_size=pool_size)
        app.state.key = key
        try:
            yield
        finally:
            await app.state.pool.close()
            await app.state.engine.dispose()

    return Starlette(
        routes=[
            Route("/hello", hello, methods=["GET", "POST"]),
            Route(
                "/account-home",
                _account_home_endpoint(lambda r: AsyncpgDriver(r.app.state.pool)),
                methods=["POST"],
            ),
            Route(
                "/account-home-sqlalchemy",
                _account_home_endpoint(lambda r: SqlAlchemyDriver(r.app.state.engine)),
                methods=["POST"],
            ),
        ],
        lifespan=lifespan,
    )
