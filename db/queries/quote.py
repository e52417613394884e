"""Quote reads and writes used by the mutations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Account, License, Organization, Partner, Quote, QuoteLine
from db.queries import catalog
from db.queries.batch import (
    by_id_statement,
    by_key_statement,
    children_by_contact,
    children_of,
    grouped_statement,
    select_columns,
)
from db.queries.decode import maybe
from db.rows import LicenseRow, OrganizationRow, QuoteLineInQuote, QuoteLineRow, QuoteRow
from gateway.domain.enums import Deployment, PriceKind, QuoteStatus, Tier
from gateway.domain.quote_pricing import BookPrice, FxRate


async def visible_quote(
    session: AsyncSession, quote_id: int, visible: ColumnElement[bool], *, for_update: bool = False
) -> QuoteRow | None:
    stmt = select(*Quote.__table__.c).where(Quote.id == quote_id, visible)
    if for_update:
        stmt = stmt.with_for_update()
    return maybe(QuoteRow._make, (await session.execute(stmt)).first())


async def quote_for_update(*, session: AsyncSession, quote_id: int) -> QuoteRow | None:
    """The quote, locked, with no policy predicate: for an action whose caller was checked
    already (staff recording a payment)."""
    stmt = select(*Quote.__table__.c).where(Quote.id == quote_id).with_for_update()
    return maybe(QuoteRow._make, (await session.execute(stmt)).first())


async def update_quote_if_version(
    session: AsyncSession,
    *,
    quote_id: int,
    expected_version: int,
    writable: ColumnElement[bool],
    extra_where: list[ColumnElement[bool]],
    values: dict[str, Any],
    now: dt.datetime,
) -> QuoteRow | None:
    """R-QUOTE-7: compare and bump the version in the one UPDATE, so of two concurrent
    edits naming the same version exactly one matches a row."""
    stmt = (
        update(Quote)
        .where(Quote.id == quote_id, Quote.version == expected_version, writable, *extra_where)
        .values(**values, version=Quote.version + 1, updated_at=now)
        .returning(*Quote.__table__.c)
    )
    return maybe(QuoteRow._make, (await session.execute(stmt)).first())


# --- Catalog: what the quote mutations price with (read through db.queries.catalog) -------


async def product_deployments(session: AsyncSession) -> dict[int, Deployment]:
    return await catalog.product_deployments(conn=session)


async def price_book(session: AsyncSession) -> dict[tuple[int, Tier, PriceKind], BookPrice]:
    """Every (product, tier, kind) listed in both EUR and USD (R-CUR-3 derives DZD)."""
    return await catalog.price_book(conn=session)


async def newest_exchange_rate(session: AsyncSession) -> FxRate | None:
    """R-CUR-3: the newest EUR→DZD rate and margin (``catalog.DZD_RATE``)."""
    return await catalog.newest_dzd_rate(conn=session)


async def partner_discount_percent(session: AsyncSession, partner_id: int | None) -> Decimal:
    """R-PRICE-3: the partner's configured discount (0% without a partner)."""
    if partner_id is None:
        return Decimal(0)
    found = await session.execute(select(Partner.discount_percent).where(Partner.id == partner_id))
    value = found.scalar_one_or_none()
    return value if value is not None else Decimal(0)


# --- Organizations, accounts, licenses --------------------------------------------------------


async def organization(session: AsyncSession, organization_id: int) -> OrganizationRow:
    stmt = select(*Organization.__table__.c).where(Organization.id == organization_id)
    return OrganizationRow._make((await session.execute(stmt)).one())


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


async def license_by_sen(session: AsyncSession, sen: str) -> LicenseRow | None:
    stmt = select(*License.__table__.c).where(License.sen == sen)
    return maybe(LicenseRow._make, (await session.execute(stmt)).first())


async def licenses_by_sens(session: AsyncSession, sens: Sequence[str]) -> dict[str, LicenseRow]:
    if not sens:
        return {}
    stmt = select(*License.__table__.c).where(License.sen.in_(sens))
    return {row.sen: row for row in map(LicenseRow._make, await session.execute(stmt))}


async def licenses_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, LicenseRow]:
    if not ids:
        return {}
    stmt = select(*License.__table__.c).where(License.id.in_(ids))
    return {row.id: row for row in map(LicenseRow._make, await session.execute(stmt))}


# --- Quotes and lines -------------------------------------------------------------------------


async def insert_quote(session: AsyncSession, **values: Any) -> QuoteRow:
    stmt = insert(Quote).values(**values).returning(*Quote.__table__.c)
    return QuoteRow._make((await session.execute(stmt)).one())


async def quote_lines(session: AsyncSession, quote_id: int) -> list[QuoteLineRow]:
    stmt = (
        select(*QuoteLine.__table__.c)
        .where(QuoteLine.quote_id == quote_id)
        .order_by(QuoteLine.position)
    )
    return list(map(QuoteLineRow._make, await session.execute(stmt)))


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
) -> QuoteRow | None:
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
    return maybe(QuoteRow._make, (await session.execute(stmt)).first())


# --- Batched reads (gateway.loaders): statements built once per policy shape -----------------


def quote_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(Quote, visible)


def quote_line_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    """A line with its quote's currency (a line's money is in it), if the quote is visible."""
    query = (
        select_columns(QuoteLine)
        .add_columns(Quote.currency.label("quote_currency"))
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(visible)
    )
    return by_key_statement(query, QuoteLine.__table__.c.id)


def quote_line_in_quote(row: Sequence[Any]) -> QuoteLineInQuote:
    """A row of ``quote_line_by_id_statement``: the line's columns, then its quote's currency."""
    return QuoteLineInQuote(QuoteLineRow._make(row[:-1]), row[-1])


# The lines of quotes the caller already holds (no policy: the quote was checked).
LINES_OF_QUOTES = grouped_statement(
    select_columns(QuoteLine), QuoteLine.quote_id, [QuoteLine.position]
)
QUOTES_OF_ACCOUNTS = children_by_contact(Quote, QuoteRow._make, descending=True)
QUOTES_OF_PARTNERS = children_of(Quote, Quote.partner_id, QuoteRow._make, descending=True)
