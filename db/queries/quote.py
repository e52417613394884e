"""Quote reads and writes used by the mutations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Account,
    ExchangeRate,
    License,
    Organization,
    Partner,
    Price,
    Product,
    Quote,
    QuoteLine,
)
from gateway.domain.enums import Currency, Deployment, PriceKind, QuoteStatus, Tier
from gateway.domain.quote_pricing import BookPrice, FxRate


async def visible_quote(
    session: AsyncSession, quote_id: int, visible: ColumnElement[bool], *, for_update: bool = False
) -> Row[Any] | None:
    stmt = select(*Quote.__table__.c).where(Quote.id == quote_id, visible)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def update_quote_if_version(
    session: AsyncSession,
    *,
    quote_id: int,
    expected_version: int,
    writable: ColumnElement[bool],
    extra_where: list[ColumnElement[bool]],
    values: dict[str, Any],
    now: dt.datetime,
) -> Row[Any] | None:
    """R-QUOTE-7: compare and bump the version in the one UPDATE, so of two concurrent
    edits naming the same version exactly one matches a row."""
    stmt = (
        update(Quote)
        .where(Quote.id == quote_id, Quote.version == expected_version, writable, *extra_where)
        .values(**values, version=Quote.version + 1, updated_at=now)
        .returning(*Quote.__table__.c)
    )
    return (await session.execute(stmt)).first()


# --- Catalog: what the quote mutations price with -------------------------------------------


async def product_deployments(session: AsyncSession) -> dict[int, Deployment]:
    rows = (await session.execute(select(Product.id, Product.deployment))).all()
    return {row.id: Deployment(row.deployment) for row in rows}


async def price_book(session: AsyncSession) -> dict[tuple[int, Tier, PriceKind], BookPrice]:
    """Every (product, tier, kind) listed in both EUR and USD (R-CUR-3 derives DZD)."""
    rows = (
        await session.execute(
            select(Price.product_id, Price.tier, Price.kind, Price.currency, Price.amount)
        )
    ).all()
    amounts: dict[tuple[int, Tier, PriceKind], dict[Currency, Decimal]] = {}
    for row in rows:
        key = (row.product_id, Tier(row.tier), PriceKind(row.kind))
        amounts.setdefault(key, {})[Currency(row.currency)] = row.amount
    return {
        key: BookPrice(eur=by[Currency.EUR], usd=by[Currency.USD])
        for key, by in amounts.items()
        if Currency.EUR in by and Currency.USD in by
    }


async def newest_exchange_rate(session: AsyncSession) -> FxRate | None:
    """R-CUR-3: the newest EUR→DZD rate and margin."""
    row = (
        await session.execute(
            select(ExchangeRate.rate, ExchangeRate.margin)
            .where(ExchangeRate.base == Currency.EUR, ExchangeRate.target == Currency.DZD)
            .order_by(ExchangeRate.effective_at.desc(), ExchangeRate.id.desc())
            .limit(1)
        )
    ).first()
    return FxRate(rate=row.rate, margin=row.margin) if row else None


async def partner_discount_percent(session: AsyncSession, partner_id: int | None) -> Decimal:
    """R-PRICE-3: the partner's configured discount (0% without a partner)."""
    if partner_id is None:
        return Decimal(0)
    found = await session.execute(select(Partner.discount_percent).where(Partner.id == partner_id))
    value = found.scalar_one_or_none()
    return value if value is not None else Decimal(0)


# --- Organizations, accounts, licenses --------------------------------------------------------


async def organization(session: AsyncSession, organization_id: int) -> Row[Any]:
    stmt = select(*Organization.__table__.c).where(Organization.id == organization_id)
    return (await session.execute(stmt)).one()


async def find_organization(
    session: AsyncSession,
    *,
    name: str,
    country: str,
    academic: bool,
    visible: ColumnElement[bool],
) -> int | None:
    """An organization the caller can see with exactly this name, country and academic flag."""
    stmt = (
        select(Organization.id)
        .where(
            Organization.name == name,
            Organization.country == country,
            Organization.academic == academic,
            visible,
        )
        .order_by(Organization.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_organization(session: AsyncSession, **values: Any) -> int:
    created = await session.execute(
        insert(Organization).values(**values).returning(Organization.id)
    )
    return int(created.scalar_one())


async def account_emails(session: AsyncSession, account_ids: Sequence[int]) -> dict[int, str]:
    rows = (
        await session.execute(select(Account.id, Account.email).where(Account.id.in_(account_ids)))
    ).all()
    return {row.id: row.email for row in rows}


async def license_by_sen(session: AsyncSession, sen: str) -> Row[Any] | None:
    stmt = select(*License.__table__.c).where(License.sen == sen)
    return (await session.execute(stmt)).first()


async def licenses_by_sens(session: AsyncSession, sens: Sequence[str]) -> dict[str, Row[Any]]:
    if not sens:
        return {}
    stmt = select(*License.__table__.c).where(License.sen.in_(sens))
    return {row.sen: row for row in (await session.execute(stmt)).all()}


async def licenses_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Row[Any]]:
    if not ids:
        return {}
    stmt = select(*License.__table__.c).where(License.id.in_(ids))
    return {row.id: row for row in (await session.execute(stmt)).all()}


# --- Quotes and lines -------------------------------------------------------------------------


async def insert_quote(session: AsyncSession, **values: Any) -> Row[Any]:
    stmt = insert(Quote).values(**values).returning(*Quote.__table__.c)
    return (await session.execute(stmt)).one()


async def quote_lines(session: AsyncSession, quote_id: int) -> list[Row[Any]]:
    stmt = (
        select(*QuoteLine.__table__.c)
        .where(QuoteLine.quote_id == quote_id)
        .order_by(QuoteLine.position)
    )
    return list((await session.execute(stmt)).all())


async def insert_lines(
    session: AsyncSession, *, quote_id: int, lines: Sequence[dict[str, Any]]
) -> None:
    rows = [{**line, "quote_id": quote_id, "position": i} for i, line in enumerate(lines)]
    if rows:
        await session.execute(insert(QuoteLine), rows)


async def replace_lines(
    session: AsyncSession, *, quote_id: int, lines: Sequence[dict[str, Any]]
) -> None:
    await session.execute(delete(QuoteLine).where(QuoteLine.quote_id == quote_id))
    await insert_lines(session, quote_id=quote_id, lines=lines)


async def update_line(session: AsyncSession, line_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(QuoteLine).where(QuoteLine.id == line_id).values(**values))


async def mark_quote_deleted(
    session: AsyncSession,
    *,
    quote_id: int,
    writable: ColumnElement[bool],
    open_: ColumnElement[bool],
    now: dt.datetime,
) -> Row[Any] | None:
    """R-QUOTE-2: OPEN → DELETED, in one guarded UPDATE (a deletion is an edit: R-QUOTE-7)."""
    stmt = (
        update(Quote)
        .where(Quote.id == quote_id, writable, open_)
        .values(
            status=QuoteStatus.DELETED,
            deleted_at=now,
            updated_at=now,
            version=Quote.version + 1,
        )
        .returning(*Quote.__table__.c)
    )
    return (await session.execute(stmt)).first()
