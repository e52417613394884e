"""Order mutations: decode the ids and input, run one action, map the order to the payload."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.actions import order as actions
from gateway.actions.unit import UnitOfWork
from gateway.domain.enums import PrincipalKind
from gateway.resolvers.mutate import mutate, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info, require
from gateway.schema.mutation_inputs import QuoteRecordPaymentInput
from gateway.schema.order import Order


async def order_set_po_number(
    info: Info, id: strawberry.ID, po_number: str | None = None
) -> p.OrderSetPoNumberPayload:
    """R-QUOTE-4 (see actions.order.set_order_po_number)."""
    require(info, PrincipalKind.CUSTOMER, PrincipalKind.STAFF)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "Order", "id")
        row = await actions.set_order_po_number(
            uow=uow, principal=uow.principal, order_id=pk, po_number=po_number
        )
        return {"order": Order.from_row(row)}

    return await mutate(info, p.OrderSetPoNumberPayload, work)


async def quote_record_payment(
    info: Info, input: QuoteRecordPaymentInput
) -> p.QuoteRecordPaymentPayload:
    """R-PRICE-5, R-QUOTE-2, R-MAINT-2..5 (see actions.order.record_payment)."""
    require(info, PrincipalKind.STAFF)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        command = actions.RecordPayment(
            quote_id=require_id(input.quote_id, "Quote", "quoteId"),
            method=input.method,
            amount=input.amount,
            reference=input.reference,
            paid_at=input.paid_at,
        )
        row = await actions.record_payment(uow=uow, principal=uow.principal, command=command)
        return {"order": Order.from_row(row)}

    return await mutate(info, p.QuoteRecordPaymentPayload, work, field_prefix=("input",))
