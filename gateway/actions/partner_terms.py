"""partnerUpdate: staff set an official partner's discount (R-PRICE-6). It prices the quotes
that partner creates from then on; a quote keeps the discount it was created with."""

from __future__ import annotations

from decimal import Decimal

from db.queries import partner_terms as queries
from db.rows import PartnerRow
from gateway.actions.unit import UnitOfWork
from gateway.auth.principal import Principal
from gateway.domain.errors import not_found


async def set_partner_discount(
    *, uow: UnitOfWork, principal: Principal, partner_id: int, percent: Decimal
) -> PartnerRow:
    """Staff only (the resolver checks); audited (R-SEC-1)."""
    before = await queries.partner_for_update(uow.session, partner_id)
    if before is None:
        raise not_found("id", "partner")
    row = await queries.set_discount(uow.session, partner_id=partner_id, percent=percent)
    uow.audit(
        "partnerUpdate",
        "Partner",
        partner_id,
        {"discountPercent": (before.discount_percent, row.discount_percent)},
        principal=principal,
    )
    return row
