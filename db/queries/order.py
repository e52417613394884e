"""Order reads and writes: PO numbers and recording a quote's payment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Order, Quote, QuoteLine, order_licenses
from db.queries.batch import by_id_statement, children_by_contact, grouped_statement, select_columns
from db.queries.decode import maybe
from db.rows import OrderRow, QuoteLineRow, QuoteRow
from gateway.domain.enums import QuoteStatus


async def visible_order(
    session: AsyncSession, order_id: int, visible: ColumnElement[bool], *, for_update: bool = False
) -> OrderRow | None:
    stmt = select(*Order.__table__.c).where(Order.id == order_id, visible)
    if for_update:
        stmt = stmt.with_for_update()
    return maybe(OrderRow._make, (await session.execute(stmt)).first())


async def update_order(session: AsyncSession, *, order_id: int, values: dict[str, Any]) -> OrderRow:
    stmt = update(Order).where(Order.id == order_id).values(**values).returning(*Order.__table__.c)
    return OrderRow._make((await session.execute(stmt)).one())


async def insert_order(session: AsyncSession, values: dict[str, Any]) -> OrderRow:
    stmt = insert(Order).values(**values).returning(*Order.__table__.c)
    return OrderRow._make((await session.execute(stmt)).one())


async def link_licenses(
    session: AsyncSession, *, order_id: int, license_ids: Iterable[int]
) -> None:
    """The licenses an order issued or extended (each once)."""
    rows = [dict(order_id=order_id, license_id=i) for i in dict.fromkeys(license_ids)]
    if rows:
        await session.execute(insert(order_licenses), rows)


async def quote_lines(session: AsyncSession, quote_id: int) -> list[QuoteLineRow]:
    stmt = (
        select(*QuoteLine.__table__.c)
        .where(QuoteLine.quote_id == quote_id)
        .order_by(QuoteLine.position, QuoteLine.id)
    )
    return list(map(QuoteLineRow._make, await session.execute(stmt)))


async def mark_quote_paid(
    session: AsyncSession, *, quote_id: int, open_now: ColumnElement[bool], now: dt.datetime
) -> QuoteRow | None:
    """R-QUOTE-2 OPEN → PAID, only while the quote is open (``open_now``): of two payments
    racing past the row lock (SQLite has none), exactly one matches. The version moves on so a
    stale edit cannot follow (R-QUOTE-7)."""
    stmt = (
        update(Quote)
        .where(Quote.id == quote_id, open_now)
        .values(status=QuoteStatus.PAID, version=Quote.version + 1, updated_at=now)
        .returning(*Quote.__table__.c)
    )
    return maybe(QuoteRow._make, (await session.execute(stmt)).first())


# --- Batched reads (gateway.loaders): statements built once per policy shape -----------------


def order_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(Order, visible)


def orders_of_licenses_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    query = (
        select_columns(Order)
        .join(order_licenses, order_licenses.c.order_id == Order.id)
        .where(visible)
    )
    return grouped_statement(query, order_licenses.c.license_id, [Order.id])


ORDERS_OF_ACCOUNTS = children_by_contact(Order, OrderRow._make, descending=True)
