"""Quotes and quote lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.rows import QuoteLineRow, QuoteRow
from gateway.domain import quote as rules
from gateway.domain.enums import (
    ContactRole,
    Currency,
    DiscountKind,
    EditBlockedReason,
    LicenseType,
    QuoteLineKind,
    QuoteStatus,
    Tier,
)
from gateway.schema.account import Contact
from gateway.schema.catalog import ExchangeRate, Product, product_of
from gateway.schema.common import Money
from gateway.schema.info import Info, MaybeAwaitable, with_catalog
from gateway.schema.relay import Node, encode_id

if TYPE_CHECKING:
    from gateway.schema.license import License
    from gateway.schema.partner import Organization, Partner

LicenseRef = Annotated["License", strawberry.lazy("gateway.schema.license")]
OrganizationRef = Annotated["Organization", strawberry.lazy("gateway.schema.partner")]
PartnerRef = Annotated["Partner", strawberry.lazy("gateway.schema.partner")]


@strawberry.type(description="One discount on a line, in the order applied (R-PRICE-1..3).")
class Discount:
    kind: DiscountKind
    percent: Decimal | None
    amount: Money


@strawberry.type
class QuoteLine(Node):
    row: strawberry.Private[QuoteLineRow]
    currency: strawberry.Private[Currency]
    kind: QuoteLineKind
    quantity: int
    license_type: LicenseType
    deployment_entity: str
    tier: Tier
    years: int | None
    maintenance_starts_on: dt.date | None
    maintenance_ends_on: dt.date | None

    @classmethod
    def from_row(cls, row: QuoteLineRow, currency: Currency) -> QuoteLine:
        return cls(
            id=encode_id("QuoteLine", row.id),
            row=row,
            currency=currency,
            kind=row.kind,
            quantity=row.quantity,
            license_type=row.license_type,
            deployment_entity=row.deployment_entity,
            tier=row.tier,
            years=row.years,
            maintenance_starts_on=row.maintenance_starts_on,
            maintenance_ends_on=row.maintenance_ends_on,
        )

    @strawberry.field(graphql_type=Product)
    def product(self, info: Info) -> MaybeAwaitable[Product]:
        return with_catalog(info, lambda catalog: product_of(catalog, self.row.product_id))

    @strawberry.field(description="The license renewed or upgraded.")
    async def license(self, info: Info) -> LicenseRef | None:
        from gateway.schema.license import License

        if self.row.license_id is None:
            return None
        row = await info.context.loaders.license.load(self.row.license_id)
        return License.from_row(row) if row else None

    @strawberry.field
    def unit_price(self) -> Money:
        return Money.of(self.row.unit_price, self.currency)

    @strawberry.field
    def subtotal(self) -> Money:
        return Money.of(self.row.subtotal, self.currency)

    @strawberry.field
    def discounts(self) -> list[Discount]:
        return [
            Discount(
                kind=DiscountKind(d["kind"]),
                percent=Decimal(d["percent"]) if d.get("percent") is not None else None,
                amount=Money.of(Decimal(d["amount"]), self.currency),
            )
            for d in self.row.discounts or []
        ]

    @strawberry.field
    def total(self) -> Money:
        return Money.of(self.row.total, self.currency)


@strawberry.type
class Quote(Node):
    row: strawberry.Private[QuoteRow]
    number: str
    currency: Currency
    valid_until: dt.date
    po_number: str | None
    version: int
    is_reseller: bool
    requires_sales_review: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: QuoteRow) -> Quote:
        return cls(
            id=encode_id("Quote", row.id),
            row=row,
            number=row.number,
            currency=row.currency,
            valid_until=row.valid_until,
            po_number=row.po_number,
            version=row.version,
            is_reseller=row.is_reseller,
            requires_sales_review=row.requires_sales_review,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="EXPIRED once past validUntil (R-QUOTE-1, R-QUOTE-2).")
    def status(self, info: Info) -> QuoteStatus:
        return rules.effective_quote_status(
            self.row.status, self.row.valid_until, info.context.today
        )

    async def _blocked(self, info: Info) -> EditBlockedReason | None:
        loaders = info.context.loaders
        lines = await loaders.quote_lines.load(self.row.id)
        catalog = loaders.catalog.now() or await loaders.catalog.load("catalog")
        return rules.edit_blocked_reason(
            status=self.status(info),
            deployments=[catalog.deployments[ln.product_id] for ln in lines],
            tiers=[Tier(ln.tier) for ln in lines],
        )

    @strawberry.field(description="Whether the customer may edit it themselves (R-QUOTE-3).")
    async def self_service_editable(self, info: Info) -> bool:
        return await self._blocked(info) is None

    @strawberry.field(description="Why it cannot be edited, if it cannot (R-QUOTE-3).")
    async def edit_blocked_reason(self, info: Info) -> EditBlockedReason | None:
        return await self._blocked(info)

    @strawberry.field
    def subtotal(self) -> Money:
        return Money.of(self.row.subtotal, self.currency)

    @strawberry.field
    def discount_total(self) -> Money:
        return Money.of(self.row.discount_total, self.currency)

    @strawberry.field(description="Always 0: no VAT or GST is applied (R-PRICE-4).")
    def tax(self) -> Money:
        return Money.of(self.row.tax, self.currency)

    @strawberry.field
    def total(self) -> Money:
        return Money.of(self.row.total, self.currency)

    @strawberry.field(description="The EUR→DZD rate and margin of a DZD quote (R-CUR-3).")
    def exchange_rate(self) -> ExchangeRate | None:
        if self.row.fx_rate is None or self.row.fx_margin is None:
            return None  # stored together (ck_quotes_dzd_has_rate, actions.quote_lines.fx_values)
        return ExchangeRate(
            base=Currency.EUR, target=Currency.DZD, rate=self.row.fx_rate, margin=self.row.fx_margin
        )

    @strawberry.field
    async def lines(self, info: Info) -> list[QuoteLine]:
        rows = await info.context.loaders.quote_lines.load(self.row.id)
        return [QuoteLine.from_row(row, self.currency) for row in rows]

    @strawberry.field
    def billing_contact(self) -> Contact:
        return Contact(role=ContactRole.BILLING, account_pk=self.row.billing_account_id)

    @strawberry.field
    def technical_contact(self) -> Contact:
        return Contact(role=ContactRole.TECHNICAL, account_pk=self.row.technical_account_id)

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationRef | None:
        from gateway.schema.partner import Organization

        row = await info.context.loaders.organization.load(self.row.organization_id)
        return Organization.from_row(row) if row else None

    @strawberry.field(description="The reselling partner (R-QUOTE-5).")
    async def partner(self, info: Info) -> PartnerRef | None:
        from gateway.schema.partner import Partner

        if self.row.partner_id is None:
            return None
        row = await info.context.loaders.partner.load(self.row.partner_id)
        return Partner.from_row(row) if row else None

    @strawberry.field(description="A signed, expiring link to the PDF (R-QUOTE-8).")
    def pdf_url(self, info: Info) -> str | None:
        from gateway.security.document_links import document_url

        return document_url(info.context, "quote", self.row.id)
