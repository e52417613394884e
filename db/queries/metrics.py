"""Aggregates for the staff dashboards. Sums stay exact: NUMERIC on PostgreSQL; SQLite
stores money as text, so there the rows are summed as Decimal in Python."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.money import round_money


async def sum_by_currency(
    conn: AsyncConnection,
    *,
    currency: Any,
    amount: Any,
    where: list[ColumnElement[bool]],
) -> dict[str, tuple[Decimal, int]]:
    """{currency: (sum, count)} of the rows matching ``where``."""
    if conn.dialect.name == "postgresql":
        stmt = select(currency, func.sum(amount), func.count()).where(*where).group_by(currency)
        return {
            str(row[0]): (round_money(Decimal(row[1])), int(row[2]))
            for row in (await conn.execute(stmt)).all()
        }
    totals: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for row in (await conn.execute(select(currency, amount).where(*where))).all():
        totals[str(row[0])] += row[1]
        counts[str(row[0])] += 1
    return {key: (round_money(totals[key]), counts[key]) for key in totals}


def day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): both days included."""
    return (
        dt.datetime.combine(start, dt.time(), dt.UTC),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
    )
