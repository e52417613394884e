"""Orders: paid quotes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.rows import OrderRow
from gateway.domain.enums import ContactRole, PaymentMethod
from gateway.schema.account import Contact
from gateway.schema.common import Money
from gateway.schema.info import Info
from gateway.schema.relay import Node, encode_id

if TYPE_CHECKING:
    from gateway.schema.license import License
    from gateway.schema.partner import Organization
    from gateway.schema.quote import Quote

LicenseRef = Annotated["License", strawberry.lazy("gateway.schema.license")]
QuoteRef = Annotated["Quote", strawberry.lazy("gateway.schema.quote")]
OrganizationRef = Annotated["Organization", strawberry.lazy("gateway.schema.partner")]


@strawberry.type
class Order(Node):
    row: strawberry.Private[OrderRow]
    number: str
    invoice_number: str
    po_number: str | None
    paid_at: dt.datetime
    payment_method: PaymentMethod

    @classmethod
    def from_row(cls, row: OrderRow) -> Order:
        return cls(
            id=encode_id("Order", row.id),
            row=row,
            number=row.number,
            invoice_number=row.invoice_number,
            po_number=row.po_number,
            paid_at=row.paid_at,
            payment_method=row.payment_method,
        )

    @strawberry.field
    def total(self) -> Money:
        return Money.of(self.row.total, self.row.currency)

    @strawberry.field
    async def quote(self, info: Info) -> QuoteRef | None:
        from gateway.schema.quote import Quote

        row = await info.context.loaders.quote.load(self.row.quote_id)
        return Quote.from_row(row) if row else None

    @strawberry.field(description="The licenses this order issued or extended.")
    async def licenses(self, info: Info) -> list[LicenseRef]:
        from gateway.schema.license import License

        rows = await info.context.loaders.licenses_of_order.load(self.row.id)
        return [License.from_row(row) for row in rows]

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationRef | None:
        from gateway.schema.partner import Organization

        row = await info.context.loaders.organization.load(self.row.organization_id)
        return Organization.from_row(row) if row else None

    @strawberry.field
    def billing_contact(self) -> Contact:
        return Contact(role=ContactRole.BILLING, account_pk=self.row.billing_account_id)

    @strawberry.field
    def technical_contact(self) -> Contact:
        return Contact(role=ContactRole.TECHNICAL, account_pk=self.row.technical_account_id)

    @strawberry.field(description="A signed, expiring link to the invoice PDF (R-QUOTE-8).")
    def pdf_url(self, info: Info) -> str | None:
        from gateway.security.document_links import document_url

        return document_url(info.context, "invoice", self.row.id)
