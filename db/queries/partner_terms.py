"""A partner's terms as staff change them: its discount (R-PRICE-6)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Partner


@dataclass(frozen=True, slots=True)
class PartnerRow:
    id: int
    name: str
    region: str
    country: str
    website: str | None
    discount_percent: Decimal

    @classmethod
    def of(cls, row: Any) -> PartnerRow:
        return cls(**{f.name: getattr(row, f.name) for f in dataclasses.fields(cls)})


_COLUMNS = [Partner.__table__.c[f.name] for f in dataclasses.fields(PartnerRow)]


async def partner_for_update(session: AsyncSession, partner_id: int) -> PartnerRow | None:
    stmt = select(*_COLUMNS).where(Partner.id == partner_id).with_for_update()
    row = (await session.execute(stmt)).first()
    return PartnerRow.of(row) if row is not None else None


async def set_discount(session: AsyncSession, *, partner_id: int, percent: Decimal) -> PartnerRow:
    stmt = (
        update(Partner)
        .where(Partner.id == partner_id)
        .values(discount_percent=percent)
        .returning(*_COLUMNS)
    )
    return PartnerRow.of((await session.execute(stmt)).one())
