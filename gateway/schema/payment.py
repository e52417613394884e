"""Online payments of quotes (R-PAY-*)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.rows import PaymentRow
from gateway.auth import policy
from gateway.domain.enums import PaymentMethod, PaymentStatus
from gateway.schema.common import Money
from gateway.schema.info import Info
from gateway.schema.relay import Node, encode_id

if TYPE_CHECKING:
    from gateway.schema.order import Order
    from gateway.schema.quote import Quote

QuoteRef = Annotated["Quote", strawberry.lazy("gateway.schema.quote")]
OrderRef = Annotated["Order", strawberry.lazy("gateway.schema.order")]


@strawberry.type(description="A quote paid online through the payment processor (R-PAY-1..4).")
class Payment(Node):
    row: strawberry.Private[PaymentRow]
    status: PaymentStatus
    method: PaymentMethod
    created_at: dt.datetime
    card_brand: str | None
    card_last4: str | None
    failure_message: str | None = strawberry.field(
        description="Why it failed, in the processor's words for the payer (R-PAY-2)."
    )
    refunded_at: dt.datetime | None = strawberry.field(
        description="When it was refunded whole: it succeeded after it had been recorded "
        "failed, on a quote it could no longer pay (R-PRICE-5, R-PAY-2)."
    )

    @classmethod
    def from_row(cls, typed: PaymentRow) -> Payment:
        return cls(
            id=encode_id("Payment", typed.id),
            row=typed,
            status=typed.status,
            method=typed.method,
            created_at=typed.created_at,
            card_brand=typed.card_brand,
            card_last4=typed.card_last4,
            failure_message=typed.failure_message,
            refunded_at=typed.refunded_at,
        )

    @strawberry.field(description="Exactly the quote's total, in its currency (R-PAY-1).")
    def amount(self) -> Money:
        return Money.of(self.row.amount, self.row.currency)

    @strawberry.field(
        description="While REQUIRES_ACTION, for the payer's client to finish the payment with "
        "the processor's library (3-D Secure, PayPal); null for anyone else."
    )
    def client_secret(self, info: Info) -> str | None:
        row = self.row
        payer = policy.is_payer(
            info.context.principal,
            kind=row.payer_kind,
            account_id=row.payer_account_id,
            token_id=row.payer_token_id,
        )
        return row.client_secret if payer and row.status is PaymentStatus.REQUIRES_ACTION else None

    @strawberry.field
    async def quote(self, info: Info) -> QuoteRef | None:
        from gateway.schema.quote import Quote

        row = await info.context.loaders.quote.load(self.row.quote_id)
        return Quote.from_row(row) if row else None

    @strawberry.field(description="The order it issued, once it succeeded (R-PAY-2).")
    async def order(self, info: Info) -> OrderRef | None:
        from gateway.schema.order import Order

        if self.row.order_id is None:
            return None
        row = await info.context.loaders.order.load(self.row.order_id)
        return Order.from_row(row) if row else None
