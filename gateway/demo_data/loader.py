"""Writing the dataset: Core bulk inserts (executemany) with ids assigned here, in one
transaction, so a load is all or nothing and a second load finds the first one's marker.

Ids are assigned here (after the largest id already in each table) rather than read back
with RETURNING: SQLite would then insert row by row, some ten times slower. PostgreSQL's id
sequences are moved past the inserted ids afterwards. The statements are in
``db.queries.demo_data``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from db.base import utcnow
from db.queries import catalog as catalog_queries
from db.queries import demo_data as queries
from db.sessions import Connection, Engine
from gateway.auth.passwords import hash_password
from gateway.demo_data import catalog, payments, rows
from gateway.demo_data.build import Numbering, build_dataset
from gateway.demo_data.dataset import DemoDataset
from gateway.demo_data.scripted import ALICE_EMAIL
from gateway.demo_data.summary import DEMO_PASSWORD, WELL_KNOWN_LOGINS, DemoLogin, DemoSummary
from gateway.domain.enums import Currency, Deployment, PrincipalKind
from gateway.domain.quote_pricing import BookPrice

COUNTED_TABLES = (
    "products",
    "prices",
    "exchange_rates",
    "product_releases",
    "partners",
    "organizations",
    "accounts",
    "tax_ids",
    "licenses",
    "quotes",
    "quote_lines",
    "orders",
    "order_licenses",
    "payments",
    "audit_events",
    "sales_requests",
    "billing_addresses",
    "number_sequences",
)
MARKER_ACTION = "demoDataLoad"  # the audit event that records a load (and marks the dataset)


class DemoDataConflict(Exception):
    """The database holds data that a demo load would contradict; nothing was written."""


async def load_demo_data(
    engine: Engine,
    *,
    accounts: int = 50,
    seed: int = 1,
    today: dt.date | None = None,
) -> DemoSummary:
    """Load the demo dataset, or report the one already loaded.

    Deterministic: the same ``seed`` and ``today`` (default: the current UTC date) give the
    same rows, except for the password hash (argon2 salts) and the load's own audit event time.
    Idempotent: when a previous load's marker is found with the same ``seed`` and
    ``accounts``, nothing is written and the summary describes what is there (``created`` is
    False), whatever ``today`` is. Raises ``DemoDataConflict`` when the database already holds
    a demo dataset of other arguments, or an alice@example.com that no demo load created.
    """
    today = today or utcnow().date()
    async with engine.begin() as conn:
        marker = await _marker(conn)
        if marker is not None:
            if (marker["seed"], marker["accounts"]) != (str(seed), str(accounts)):
                raise DemoDataConflict(
                    f"demo data with seed {marker['seed']} and {marker['accounts']} accounts is "
                    "already loaded; load into an empty database to change them"
                )
            loaded_for = dt.date.fromisoformat(marker["today"])
            return await _summary(
                conn, created=False, seed=seed, accounts=accounts, today=loaded_for
            )
        if await queries.email_taken(conn=conn, email=ALICE_EMAIL):
            raise DemoDataConflict(f"{ALICE_EMAIL} exists but was not created by a demo load")
        numbering = await _numbering(conn)
        product_ids, price_book = await _write_catalog(conn, today)
        dataset = await asyncio.to_thread(
            build_dataset,
            accounts=accounts,
            seed=seed,
            today=today,
            numbering=numbering,
            price_book=price_book,
        )
        password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)  # once: it is slow
        await _write(conn, dataset, product_ids=product_ids, password_hash=password_hash)
        await _write_numbering(conn, numbering, dataset)
        await _write_marker(conn, seed=seed, accounts=accounts, today=today)
        if conn.dialect.name == "postgresql":
            await queries.advance_id_sequences(conn=conn, tables=COUNTED_TABLES)
        return await _summary(conn, created=True, seed=seed, accounts=accounts, today=today)


# -- reading ------------------------------------------------------------------------------------


async def _marker(conn: Connection) -> dict[str, str] | None:
    changes = await queries.first_audit_changes(conn=conn, action=MARKER_ACTION)
    if changes is None:
        return None
    return {change["field"]: change["after"] for change in changes}


async def _numbering(conn: Connection) -> Numbering:
    """Continue the sequences already in use, so that demo numbers never collide."""
    current = await queries.number_sequences(conn=conn)
    default = Numbering()
    return Numbering(
        quote=current.get("quote", default.quote),
        order=current.get("order", default.order),
        invoice=current.get("invoice", default.invoice),
        sen=current.get("sen", default.sen),
        sales_request=current.get("sales_request", default.sales_request),
    )


async def _summary(
    conn: Connection, *, created: bool, seed: int, accounts: int, today: dt.date
) -> DemoSummary:
    counts = await queries.table_counts(conn=conn, tables=COUNTED_TABLES)
    well_known = {login.email for login in WELL_KNOWN_LOGINS}
    others = await queries.active_emails(conn=conn, excluding=well_known, limit=2)
    generated = tuple(DemoLogin(email, "a generated customer") for email in others)
    return DemoSummary(
        created=created,
        seed=seed,
        accounts=accounts,
        today=today,
        counts=counts,
        logins=WELL_KNOWN_LOGINS + generated,
    )


# -- writing ------------------------------------------------------------------------------------


async def _insert(conn: Connection, name: str, rows: Sequence[dict[str, Any]]) -> None:
    await queries.insert_rows(conn=conn, table=name, rows=rows)


async def _reference_ids(
    conn: Connection, name: str, key: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> list[int]:
    return await queries.reference_ids(conn=conn, table=name, key=key, rows=rows)


async def _write_catalog(
    conn: Connection, today: dt.date
) -> tuple[dict[Deployment, int], catalog.PriceBook]:
    """Products, prices, rates and releases, unless already there; the price book as stored,
    which is what the demo's quotes are priced with."""
    products = await _reference_ids(
        conn,
        "products",
        ("code",),
        [{"code": code, "name": name, "deployment": d} for code, name, d in catalog.PRODUCTS],
    )
    product_ids = {
        d: product_id for (_, _, d), product_id in zip(catalog.PRODUCTS, products, strict=True)
    }
    default = catalog.PriceBook.default(today)
    await _reference_ids(
        conn,
        "prices",
        ("product_id", "tier", "currency", "kind"),
        [
            {"product_id": product_ids[d], "tier": t, "currency": c, "kind": k, "amount": amount}
            for (d, t, k), price in default.prices.items()
            for c, amount in ((Currency.EUR, price.eur), (Currency.USD, price.usd))
        ],
    )
    await _reference_ids(
        conn,
        "exchange_rates",
        ("base", "target", "effective_at"),
        [
            {
                "base": Currency.EUR,
                "target": Currency.DZD,
                "rate": rate.rate,
                "margin": rate.margin,
                "effective_at": rate.effective_at,
            }
            for rate in default.rates
        ],
    )
    await _reference_ids(
        conn,
        "product_releases",
        ("major", "minor"),
        [
            {"major": major, "minor": minor, "released_on": day}
            for major, minor, day in catalog.product_releases(today)
        ],
    )
    return product_ids, await _read_price_book(conn, product_ids)


async def _read_price_book(
    conn: Connection, product_ids: dict[Deployment, int]
) -> catalog.PriceBook:
    deployments = {product_id: d for d, product_id in product_ids.items()}
    amounts: dict[catalog.PriceKey, dict[Currency, Decimal]] = {}
    for price in await catalog_queries.prices(conn=conn):
        if price.product_id in deployments:
            key = (deployments[price.product_id], price.tier, price.kind)
            amounts.setdefault(key, {})[price.currency] = price.amount
    history = await catalog_queries.dzd_rate_history(conn=conn)
    return catalog.PriceBook(
        {key: BookPrice(eur=by[Currency.EUR], usd=by[Currency.USD]) for key, by in amounts.items()},
        tuple(catalog.ExchangeRate(r.rate, r.margin, r.effective_at) for r in history),
    )


async def _write(
    conn: Connection,
    data: DemoDataset,
    *,
    product_ids: dict[Deployment, int],
    password_hash: str,
) -> None:
    partner_ids = await _reference_ids(
        conn,
        "partners",
        ("name",),
        [
            {
                "name": p.name,
                "region": p.region,
                "country": p.country,
                "website": p.website,
                "discount_percent": p.discount_percent,
            }
            for p in data.partners
        ],
    )
    offsets = {
        name: await queries.max_id(conn=conn, table=name)
        for name in ("organizations", "accounts", "licenses", "quotes", "orders", "sales_requests")
    }
    ids = rows.Ids(
        products=product_ids,
        partners=partner_ids,
        offsets=offsets,
    )
    await _insert(conn, "organizations", rows.organizations(data, ids))
    await _insert(conn, "accounts", rows.accounts(data, ids, password_hash=password_hash))
    await _insert(conn, "tax_ids", rows.tax_ids(data, ids))
    await _insert(conn, "licenses", rows.licenses(data, ids))
    await queries.update_rows(conn=conn, table="licenses", rows=rows.conversions(data, ids))
    await _insert(conn, "quotes", rows.quotes(data, ids))
    await _insert(conn, "quote_lines", rows.quote_lines(data, ids))
    await _insert(conn, "orders", rows.orders(data, ids))
    await _insert(conn, "order_licenses", rows.order_licenses(data, ids))
    await _insert(conn, "sales_requests", rows.sales_requests(data, ids))
    await _insert(conn, "billing_addresses", rows.billing_addresses(data, ids))
    await _insert(conn, "payments", payments.payments(data, ids))
    await _insert(conn, "audit_events", rows.audit_events(data, ids))


async def _write_numbering(conn: Connection, start: Numbering, data: DemoDataset) -> None:
    """Later quotes, orders, invoices and SENs continue after the demo's (db.queries.numbers)."""
    next_values = {
        "quote": start.quote + len(data.quotes),
        "order": start.order + len(data.orders),
        "invoice": start.invoice + len(data.orders),
        "sen": start.sen + len(data.licenses),
        "sales_request": start.sales_request + len(data.sales_requests),
    }
    await queries.set_number_sequences(conn=conn, next_values=next_values)


async def _write_marker(conn: Connection, *, seed: int, accounts: int, today: dt.date) -> None:
    """R-SEC-1: the load is audited; the event is also how a second load finds the first."""
    arguments = {"seed": str(seed), "accounts": str(accounts), "today": today.isoformat()}
    await _insert(
        conn,
        "audit_events",
        [
            {
                "at": utcnow(),
                "principal_kind": PrincipalKind.SYSTEM,
                "principal_id": None,
                "principal_name": "load_demo_data",
                "acting_partner_id": None,
                "action": MARKER_ACTION,
                "entity_type": "DemoData",
                "entity_id": 0,
                "changes": [
                    {"field": field, "before": None, "after": value}
                    for field, value in arguments.items()
                ],
            }
        ],
    )
