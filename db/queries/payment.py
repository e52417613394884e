"""Online payments (R-PAY-*): their typed row, the writes of a payment's life, and the
statement of the loaders (the staff list is ``db.queries.lists.PAYMENTS``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import Payment, Quote
from db.queries import order as order_queries
from db.queries.batch import by_id_statement
from db.rows import PaymentRow, QuoteRow
from gateway.domain.enums import PaymentStatus, QuoteStatus
from gateway.domain.payment import IN_PROGRESS

_COLUMNS = tuple(Payment.__table__.c)


async def insert_payment(session: AsyncSession, values: dict[str, Any]) -> PaymentRow:
    stmt = insert(Payment).values(**values).returning(*_COLUMNS)
    return PaymentRow._make((await session.execute(stmt)).one())


async def delete_unsettled(session: AsyncSession, payment_id: int) -> bool:
    """An attempt the processor did not answer, unless its webhook settled it meanwhile
    (then it stays): whether it was deleted."""
    stmt = delete(Payment).where(
        Payment.id == payment_id,
        Payment.status == PaymentStatus.PROCESSING,
        Payment.processor_payment_id.is_(None),
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def payment_for_update(session: AsyncSession, payment_id: int) -> PaymentRow | None:
    """The payment, locked: the synchronous answer and the webhook settle it one at a time."""
    stmt = select(*_COLUMNS).where(Payment.id == payment_id).with_for_update()
    row = (await session.execute(stmt)).first()
    return PaymentRow._make(row) if row is not None else None


async def payment_id_by_processor_id(
    session: AsyncSession, processor_payment_id: str
) -> int | None:
    stmt = select(Payment.id).where(Payment.processor_payment_id == processor_payment_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def update_payment(
    session: AsyncSession,
    payment_id: int,
    values: dict[str, Any],
    *,
    from_statuses: Sequence[PaymentStatus],
) -> PaymentRow | None:
    """Move a payment on, only from ``from_statuses``: of two settlements racing past the row
    lock (SQLite has none), exactly one matches (R-PAY-2)."""
    stmt = (
        update(Payment)
        .where(Payment.id == payment_id, Payment.status.in_(from_statuses))
        .values(**values)
        .returning(*_COLUMNS)
    )
    row = (await session.execute(stmt)).first()
    return PaymentRow._make(row) if row is not None else None


async def quote_payment_status(session: AsyncSession, quote_id: int) -> PaymentStatus | None:
    """The status of the quote's payment in progress (R-PAY-4), or None."""
    stmt = (
        select(Payment.status)
        .where(Payment.quote_id == quote_id, Payment.status.in_(IN_PROGRESS))
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def quote_payment_in_progress(session: AsyncSession, quote_id: int) -> PaymentRow | None:
    """The quote's payment in progress (R-PAY-4), or None: its status, and since when."""
    stmt = (
        select(*_COLUMNS)
        .where(Payment.quote_id == quote_id, Payment.status.in_(IN_PROGRESS))
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return PaymentRow._make(row) if row is not None else None


async def stale_payments(session: AsyncSession, *, before: dt.datetime) -> list[int]:
    """Payments in progress not moved on since ``before`` (abandoned, R-PAY-4), oldest first."""
    stmt = (
        select(Payment.id)
        .where(Payment.status.in_(IN_PROGRESS), Payment.updated_at < before)
        .order_by(Payment.updated_at, Payment.id)
    )
    return list((await session.execute(stmt)).scalars())


async def payment_by_id(session: AsyncSession, payment_id: int) -> PaymentRow | None:
    row = (await session.execute(select(*_COLUMNS).where(Payment.id == payment_id))).first()
    return PaymentRow._make(row) if row is not None else None


async def quote_number_of(session: AsyncSession, quote_id: int) -> str | None:
    found = await session.execute(select(Quote.number).where(Quote.id == quote_id))
    return found.scalar_one_or_none()


async def record_refund(
    session: AsyncSession, payment_id: int, *, refund_id: str, now: dt.datetime
) -> PaymentRow | None:
    """The processor refunded it: recorded once (of two copies of a webhook, one matches)."""
    stmt = (
        update(Payment)
        .where(Payment.id == payment_id, Payment.refund_id.is_(None))
        .values(refund_id=refund_id, refunded_at=now, updated_at=now)
        .returning(*_COLUMNS)
    )
    row = (await session.execute(stmt)).first()
    return PaymentRow._make(row) if row is not None else None


async def failed_attempts(session: AsyncSession, quote_id: int) -> int:
    stmt = select(func.count()).where(
        Payment.quote_id == quote_id, Payment.status == PaymentStatus.FAILED
    )
    return int((await session.execute(stmt)).scalar_one())


async def mark_quote_paid_online(
    session: AsyncSession, *, quote_id: int, now: dt.datetime
) -> QuoteRow | None:
    """R-QUOTE-2 OPEN → PAID for a confirmed online payment: however late the confirmation
    comes, the payment started while the quote was open and unexpired (R-PAY-1) and the
    money is taken, so the stored status alone decides; R-PAY-4 kept it unchanged since."""
    return await order_queries.mark_quote_paid(
        session, quote_id=quote_id, open_now=Quote.status == QuoteStatus.OPEN, now=now
    )


async def payment_of_conn(conn: AsyncConnection, payment_id: int) -> PaymentRow | None:
    """A payment read outside a unit of work (the development CLI)."""
    row = (await conn.execute(select(*_COLUMNS).where(Payment.id == payment_id))).first()
    return PaymentRow._make(row) if row is not None else None


async def quote_number(conn: AsyncConnection, quote_id: int) -> str | None:
    found = await conn.execute(select(Quote.number).where(Quote.id == quote_id))
    return found.scalar_one_or_none()


# --- Batched reads (gateway.loaders) and the staff list --------------------------------------


def payment_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(Payment, visible)
