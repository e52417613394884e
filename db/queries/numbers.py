"""Gap-free document numbers (quote, order, invoice, SEN, sales request), one counter per kind.

The counter row is incremented inside the caller's transaction: concurrent transactions
queue on its row lock (PostgreSQL) or the database write lock (SQLite), and a rolled-back
transaction gives its number back, so numbers stay unique and gap-free.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NumberSequence

FORMATS = {
    "quote": "Q-{:06d}",
    "order": "O-{:06d}",
    "invoice": "INV-{:06d}",
    "sen": "SEN-L{:07d}",
    "sales_request": "SR-{:06d}",  # R-REQ-1
}


async def next_number(session: AsyncSession, kind: str) -> str:
    bump = (
        update(NumberSequence)
        .where(NumberSequence.kind == kind)
        .values(next_value=NumberSequence.next_value + 1)
        .returning(NumberSequence.next_value)
    )
    value = (await session.execute(bump)).scalar_one_or_none()
    if value is None:
        # First use of this kind: create the counter; a concurrent first use loses the
        # insert quietly and both then take their number from the row.
        dialect = session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        await session.execute(
            insert(NumberSequence).values(kind=kind, next_value=1).on_conflict_do_nothing()
        )
        value = (await session.execute(bump)).scalar_one()
    return FORMATS[kind].format(value - 1)
