"""Order mutations."""

from __future__ import annotations

from gateway.resolvers.mutate import pending
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import QuoteRecordPaymentInput


async def order_set_po_number(
    info: Info, order_id: str, po_number: str | None
) -> p.OrderSetPoNumberPayload:
    raise pending("orderSetPoNumber")


async def quote_record_payment(
    info: Info, input: QuoteRecordPaymentInput
) -> p.QuoteRecordPaymentPayload:
    raise pending("quoteRecordPayment")
