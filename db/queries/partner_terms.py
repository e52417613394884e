"""A partner's terms as staff change them: its discount (R-PRICE-6)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Partner
from db.rows import PartnerRow

_COLUMNS = list(Partner.__table__.c)


async def partner_for_update(session: AsyncSession, partner_id: int) -> PartnerRow | None:
    stmt = select(*_COLUMNS).where(Partner.id == partner_id).with_for_update()
    row = (await session.execute(stmt)).first()
    return PartnerRow._make(row) if row is not None else None


async def set_discount(session: AsyncSession, *, partner_id: int, percent: Decimal) -> PartnerRow:
    stmt = (
        update(Partner)
        .where(Partner.id == partner_id)
        .values(discount_percent=percent)
        .returning(*_COLUMNS)
    )
    return PartnerRow._make((await session.execute(stmt)).one())
