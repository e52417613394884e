"""Gap-free document numbers (quote, order, invoice, SEN), one counter per kind.

The counter row is incremented inside the caller's transaction: concurrent transactions
queue on its row lock (PostgreSQL) or the database write lock (SQLite), and a rolled-back
transaction gives its number back, so numbers stay unique and gap-free.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NumberSequence

FORMATS = {"quote": "Q-{:06d}", "order": "O-{:06d}", "invoice": "INV-{:06d}", "sen": "SEN-L{:07d}"}


async def next_number(session: AsyncSession, kind: str) -> str:
    value = (
        await session.execute(
            update(NumberSequence)
            .where(NumberSequence.kind == kind)
            .values(next_value=NumberSequence.next_value + 1)
            .returning(NumberSequence.next_value)
        )
    ).scalar_one_or_none()
    if value is None:  # first use of this kind: start the counter (a race loses on the PK)
        await session.execute(insert(NumberSequence).values(kind=kind, next_value=2))
        value = 2
    return FORMATS[kind].format(value - 1)


async def peek(session: AsyncSession, kind: str) -> int:
    found = await session.execute(
        select(NumberSequence.next_value).where(NumberSequence.kind == kind)
    )
    return found.scalar_one_or_none() or 1
