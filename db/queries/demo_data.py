"""The demo-data load's statements (``gateway.demo_data.loader``): Core bulk inserts
(executemany) with ids assigned by the caller, on one connection inside the load's one
transaction, and the reads that let a second load find the first.

Tables are named by their ``Base.metadata`` name (``"accounts"``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

import db.models  # noqa: F401  (every table in Base.metadata)
from db.base import Base
from gateway.domain.enums import AccountStatus

T = Base.metadata.tables


async def first_audit_changes(*, conn: AsyncConnection, action: str) -> list[Any] | None:
    """The ``changes`` of the first audit event of ``action``; ``None`` when there is none."""
    events = T["audit_events"]
    changes = await conn.scalar(
        select(events.c.changes).where(events.c.action == action).order_by(events.c.id).limit(1)
    )
    return None if changes is None else list(changes)


async def email_taken(*, conn: AsyncConnection, email: str) -> bool:
    accounts = T["accounts"]
    found = await conn.scalar(select(accounts.c.id).where(accounts.c.email == email).limit(1))
    return found is not None


async def number_sequences(*, conn: AsyncConnection) -> dict[str, int]:
    """The next value of each number sequence in use, by kind."""
    sequences = T["number_sequences"]
    found = await conn.execute(select(sequences.c.kind, sequences.c.next_value))
    return {kind: next_value for kind, next_value in found}


async def table_counts(*, conn: AsyncConnection, tables: Sequence[str]) -> dict[str, int]:
    """The rows of each table, in one statement."""
    counts = select(
        *(
            select(func.count()).select_from(T[name]).scalar_subquery().label(name)
            for name in tables
        )
    )
    row = (await conn.execute(counts)).one()
    return {name: int(row._mapping[name]) for name in tables}


async def active_emails(
    *, conn: AsyncConnection, excluding: Collection[str], limit: int
) -> list[str]:
    """The emails of the first ``limit`` active accounts (by id), ``excluding`` some."""
    table = T["accounts"]
    found = await conn.scalars(
        select(table.c.email)
        .where(table.c.status == AccountStatus.ACTIVE, table.c.email.not_in(excluding))
        .order_by(table.c.id)
        .limit(limit)
    )
    return list(found)


async def max_id(*, conn: AsyncConnection, table: str) -> int:
    """The largest id in ``table``; 0 when it is empty."""
    return int(await conn.scalar(select(func.coalesce(func.max(T[table].c.id), 0))) or 0)


async def insert_rows(*, conn: AsyncConnection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany of ``rows`` (nothing when there are none)."""
    if rows:
        await conn.execute(insert(T[table]), list(rows))  # executemany


async def update_rows(*, conn: AsyncConnection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany UPDATE of the rows by ``id`` (a row names the columns it sets; all
    name the same ones)."""
    if not rows:
        return
    columns = T[table].c
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in rows[0] if name != "id"}
    stmt = update(T[table]).where(columns.id == bindparam("row_id")).values(**values)
    params = [
        {"row_id": row["id"], **{f"new_{k}": v for k, v in row.items() if k != "id"}}
        for row in rows
    ]
    await conn.execute(stmt, params)


async def reference_ids(
    *,
    conn: AsyncConnection,
    table: str,
    key: tuple[str, ...],
    rows: Sequence[dict[str, Any]],
) -> list[int]:
    """Ids of reference rows by natural key: rows already there (a catalog seeded by other
    means) are kept as they are, the missing ones are inserted."""
    columns = T[table].c
    found = await conn.execute(select(*(columns[column] for column in key), columns.id))
    existing = {tuple(row[:-1]): int(row[-1]) for row in found}
    next_id = await max_id(conn=conn, table=table)
    ids, missing = [], []
    for row in rows:
        natural_key = tuple(row[column] for column in key)
        if natural_key not in existing:
            next_id += 1
            existing[natural_key] = next_id
            missing.append({"id": next_id, **row})
        ids.append(existing[natural_key])
    await insert_rows(conn=conn, table=table, rows=missing)
    return ids


async def set_number_sequences(*, conn: AsyncConnection, next_values: dict[str, int]) -> None:
    """Each sequence continues at its given next value (updated, or inserted when absent)."""
    sequences = T["number_sequences"]
    present = set(await conn.scalars(select(sequences.c.kind)))
    for kind, next_value in next_values.items():
        if kind in present:
            await conn.execute(
                update(sequences).where(sequences.c.kind == kind).values(next_value=next_value)
            )
    await insert_rows(
        conn=conn,
        table="number_sequences",
        rows=[{"kind": k, "next_value": v} for k, v in next_values.items() if k not in present],
    )


async def advance_id_sequences(*, conn: AsyncConnection, tables: Iterable[str]) -> None:
    """PostgreSQL: rows were inserted with explicit ids; the next default id follows them."""
    for name in tables:
        if "id" in T[name].c:
            await conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                )
            )
