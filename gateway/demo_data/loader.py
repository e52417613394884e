"""Writing the dataset: Core bulk inserts (executemany) with ids assigned here, in one
transaction, so a load is all or nothing and a second load finds the first one's marker.

Ids are assigned here (after the largest id already in each table) rather than read back
with RETURNING: SQLite would then insert row by row, some ten times slower. PostgreSQL's id
sequences are moved past the inserted ids afterwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import db.models  # noqa: F401  (every table in Base.metadata)
from db.base import Base, utcnow
from db.queries import catalog as catalog_queries
from gateway.auth.passwords import hash_password
from gateway.demo_data import catalog, rows
from gateway.demo_data.build import Numbering, build_dataset
from gateway.demo_data.dataset import DemoDataset
from gateway.demo_data.scripted import ALICE_EMAIL
from gateway.demo_data.summary import DEMO_PASSWORD, WELL_KNOWN_LOGINS, DemoLogin, DemoSummary
from gateway.domain.enums import AccountStatus, Currency, Deployment, PrincipalKind
from gateway.domain.quote_pricing import BookPrice

T = Base.metadata.tables
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
    "audit_events",
    "number_sequences",
)
MARKER_ACTION = "demoDataLoad"  # the audit event that records a load (and marks the dataset)


class DemoDataConflict(Exception):
    """The database holds data that a demo load would contradict; nothing was written."""


async def load_demo_data(
    engine: AsyncEngine,
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
        if await _email_taken(conn, ALICE_EMAIL):
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
            await _advance_id_sequences(conn)
        return await _summary(conn, created=True, seed=seed, accounts=accounts, today=today)


# -- reading ------------------------------------------------------------------------------------


async def _marker(conn: AsyncConnection) -> dict[str, str] | None:
    events = T["audit_events"]
    changes = await conn.scalar(
        select(events.c.changes)
        .where(events.c.action == MARKER_ACTION)
        .order_by(events.c.id)
        .limit(1)
    )
    if changes is None:
        return None
    return {change["field"]: change["after"] for change in changes}


async def _email_taken(conn: AsyncConnection, email: str) -> bool:
    accounts = T["accounts"]
    found = await conn.scalar(select(accounts.c.id).where(accounts.c.email == email).limit(1))
    return found is not None


async def _numbering(conn: AsyncConnection) -> Numbering:
    """Continue the sequences already in use, so that demo numbers never collide."""
    sequences = T["number_sequences"]
    found = await conn.execute(select(sequences.c.kind, sequences.c.next_value))
    current = {kind: next_value for kind, next_value in found}
    default = Numbering()
    return Numbering(
        quote=current.get("quote", default.quote),
        order=current.get("order", default.order),
        invoice=current.get("invoice", default.invoice),
        sen=current.get("sen", default.sen),
    )


async def _summary(
    conn: AsyncConnection, *, created: bool, seed: int, accounts: int, today: dt.date
) -> DemoSummary:
    counts = select(
        *(
            select(func.count()).select_from(T[name]).scalar_subquery().label(name)
            for name in COUNTED_TABLES
        )
    )
    row = (await conn.execute(counts)).one()
    table = T["accounts"]
    well_known = {login.email for login in WELL_KNOWN_LOGINS}
    others = await conn.scalars(
        select(table.c.email)
        .where(table.c.status == AccountStatus.ACTIVE, table.c.email.not_in(well_known))
        .order_by(table.c.id)
        .limit(2)
    )
    generated = tuple(DemoLogin(email, "a generated customer") for email in others)
    return DemoSummary(
        created=created,
        seed=seed,
        accounts=accounts,
        today=today,
        counts={name: int(row._mapping[name]) for name in COUNTED_TABLES},
        logins=WELL_KNOWN_LOGINS + generated,
    )


# -- writing ------------------------------------------------------------------------------------


async def _max_id(conn: AsyncConnection, table: Table) -> int:
    return int(await conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)


async def _insert(conn: AsyncConnection, name: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(insert(T[name]), list(rows))  # executemany


async def _reference_ids(
    conn: AsyncConnection, name: str, key: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Ids of reference rows by natural key: rows already there (a catalog seeded by other
    means) are kept as they are, the missing ones are inserted."""
    table = T[name]
    found = await conn.execute(select(*(table.c[column] for column in key), table.c.id))
    existing = {tuple(row[:-1]): int(row[-1]) for row in found}
    next_id = await _max_id(conn, table)
    ids, missing = [], []
    for row in rows:
        natural_key = tuple(row[column] for column in key)
        if natural_key not in existing:
            next_id += 1
            existing[natural_key] = next_id
            missing.append({"id": next_id, **row})
        ids.append(existing[natural_key])
    await _insert(conn, name, missing)
    return ids


async def _write_catalog(
    conn: AsyncConnection, today: dt.date
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
    conn: AsyncConnection, product_ids: dict[Deployment, int]
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
    conn: AsyncConnection,
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
        name: await _max_id(conn, T[name])
        for name in ("organizations", "accounts", "licenses", "quotes", "orders")
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
    await _insert(conn, "quotes", rows.quotes(data, ids))
    await _insert(conn, "quote_lines", rows.quote_lines(data, ids))
    await _insert(conn, "orders", rows.orders(data, ids))
    await _insert(conn, "order_licenses", rows.order_licenses(data, ids))
    await _insert(conn, "audit_events", rows.audit_events(data, ids))


async def _write_numbering(conn: AsyncConnection, start: Numbering, data: DemoDataset) -> None:
    """Later quotes, orders, invoices and SENs continue after the demo's (db.queries.numbers)."""
    sequences = T["number_sequences"]
    next_values = {
        "quote": start.quote + len(data.quotes),
        "order": start.order + len(data.orders),
        "invoice": start.invoice + len(data.orders),
        "sen": start.sen + len(data.licenses),
    }
    present = set(await conn.scalars(select(sequences.c.kind)))
    for kind, next_value in next_values.items():
        if kind in present:
            await conn.execute(
                update(sequences).where(sequences.c.kind == kind).values(next_value=next_value)
            )
    await _insert(
        conn,
        "number_sequences",
        [{"kind": k, "next_value": v} for k, v in next_values.items() if k not in present],
    )


async def _write_marker(conn: AsyncConnection, *, seed: int, accounts: int, today: dt.date) -> None:
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


async def _advance_id_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: rows were inserted with explicit ids; the next default id follows them."""
    for name in COUNTED_TABLES:
        if "id" in T[name].c:
            await conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                )
            )
