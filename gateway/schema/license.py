"""Licenses: Server and Data Center (perpetual), Cloud subscriptions, evaluations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from db.rows import LicenseRow
from gateway.domain import license as rules
from gateway.domain import pricing, upgrade
from gateway.domain.currency import list_price_in
from gateway.domain.enums import (
    ContactRole,
    Currency,
    Deployment,
    LicenseStatus,
    LicenseType,
    PriceKind,
    QuoteLineKind,
    Tier,
)
from gateway.domain.errors import DomainError
from gateway.schema.account import Contact
from gateway.schema.catalog import Product, SupportPlan, product_of
from gateway.schema.common import Money
from gateway.schema.info import Info, MaybeAwaitable, with_catalog
from gateway.schema.relay import Node, encode_id

if TYPE_CHECKING:
    from gateway.loaders import Catalog
    from gateway.schema.order import Order
    from gateway.schema.partner import Organization

OrderRef = Annotated["Order", strawberry.lazy("gateway.schema.order")]
OrganizationRef = Annotated["Organization", strawberry.lazy("gateway.schema.partner")]


@strawberry.type(description="The card on a Cloud subscription: brand and last 4 digits only.")
class PaymentCard:
    brand: str
    last4: str


@strawberry.type(description="A tier this license can move up to, and its price today.")
class UpgradeOption:
    tier: Tier
    price: Money


@strawberry.type
class License(Node):
    row: strawberry.Private[LicenseRow]
    sen: str
    license_type: LicenseType
    deployment_entity: str
    tier: Tier
    maintenance_starts_on: dt.date | None
    maintenance_ends_on: dt.date | None
    purchased_on: dt.date | None
    evaluation_ends_on: dt.date | None

    @classmethod
    def from_row(cls, row: LicenseRow) -> License:
        return cls(
            id=encode_id("License", row.id),
            row=row,
            sen=row.sen,
            license_type=row.license_type,
            deployment_entity=row.deployment_entity,
            tier=row.tier,
            maintenance_starts_on=row.maintenance_starts_on,
            maintenance_ends_on=row.maintenance_ends_on,
            purchased_on=row.purchased_on,
            evaluation_ends_on=row.evaluation_ends_on,
        )

    def _status(self, catalog: Catalog, today: dt.date) -> LicenseStatus:
        return rules.license_status(
            license_type=self.row.license_type,
            deployment=catalog.deployments[self.row.product_id],
            evaluation_ends_on=self.row.evaluation_ends_on,
            maintenance_ends_on=self.row.maintenance_ends_on,
            today=today,
        )

    # Fields derived from the catalog: plain resolvers (see ``with_catalog``).
    @strawberry.field(
        description="Derived from the dates (R-EVAL-1, R-MAINT-7, R-LIC-2).",
        graphql_type=LicenseStatus,
    )
    def status(self, info: Info) -> MaybeAwaitable[LicenseStatus]:
        today = info.context.today
        return with_catalog(info, lambda catalog: self._status(catalog, today))

    @strawberry.field(graphql_type=Product)
    def product(self, info: Info) -> MaybeAwaitable[Product]:
        return with_catalog(info, lambda catalog: product_of(catalog, self.row.product_id))

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

    @strawberry.field(
        description="The plan's channels while support is available (R-SUP-1, R-SUP-4).",
        graphql_type=SupportPlan | None,
    )
    def support_plan(self, info: Info) -> MaybeAwaitable[SupportPlan | None]:
        today = info.context.today

        def plan(catalog: Catalog) -> SupportPlan | None:
            active = rules.support_active(self._status(catalog, today))
            return SupportPlan.of(self.row.tier) if active else None

        return with_catalog(info, plan)

    @strawberry.field(
        description="Only for the license's contacts, once it is paid (R-PRICE-5, R-SEC-3)."
    )
    def license_key(self, info: Info) -> str | None:
        account_id = info.context.principal.account_id
        contacts = (self.row.billing_account_id, self.row.technical_account_id)
        return self.row.license_key if account_id is not None and account_id in contacts else None

    @strawberry.field(
        description="Cloud only: paid subscriptions are backed up (R-EVAL-3).",
        graphql_type=bool | None,
    )
    def backups_included(self, info: Info) -> MaybeAwaitable[bool | None]:
        return with_catalog(
            info,
            lambda catalog: rules.backups_included(
                deployment=catalog.deployments[self.row.product_id],
                license_type=self.row.license_type,
            ),
        )

    @strawberry.field(
        description="Platform customization: Server Enterprise only (R-LIC-3).",
        graphql_type=bool,
    )
    def customization_eligible(self, info: Info) -> MaybeAwaitable[bool]:
        return with_catalog(
            info,
            lambda catalog: rules.customization_eligible(
                deployment=catalog.deployments[self.row.product_id],
                tier=self.row.tier,
                license_type=self.row.license_type,
            ),
        )

    @strawberry.field(description="Cloud subscriptions (R-ACC-6).")
    def payment_card(self) -> PaymentCard | None:
        if self.row.card_brand is None or self.row.card_last4 is None:
            return None
        return PaymentCard(brand=self.row.card_brand, last4=self.row.card_last4)

    @strawberry.field(description="A Cloud subscription whose last charge failed.")
    def past_due(self) -> bool:
        return bool(self.row.past_due)

    @strawberry.field(description="The orders that issued or extended this license.")
    async def orders(self, info: Info) -> list[OrderRef]:
        from gateway.schema.order import Order

        rows = await info.context.loaders.orders_of_license.load(self.row.id)
        return [Order.from_row(row) for row in rows]

    @strawberry.field(description="Higher tiers and their price today (R-UPG-1, R-UPG-3).")
    async def upgrade_options(self, info: Info) -> list[UpgradeOption]:
        row = self.row
        if row.license_type == LicenseType.EVALUATION:
            return []
        loaders = info.context.loaders
        catalog = await loaders.catalog.load("catalog")
        organization = await loaders.organization.load(row.organization_id)
        deployment = Deployment(catalog.products_by_id[row.product_id].deployment)
        currency = Currency(row.purchase_currency or Currency.USD)
        rate = catalog.rate

        def price(tier: Tier) -> Decimal | None:
            eur = catalog.list_price(row.product_id, tier, Currency.EUR, PriceKind.NEW)
            usd = catalog.list_price(row.product_id, tier, Currency.USD, PriceKind.NEW)
            if eur is None or usd is None:
                return None
            return list_price_in(
                currency,
                eur=eur,
                usd=usd,
                rate=rate.rate if rate else None,
                margin=rate.margin if rate else None,
            )

        options = []
        for target in upgrade.upgrade_targets(deployment, Tier(row.tier)):
            try:
                current_list, target_list = price(Tier(row.tier)), price(target)
                if current_list is None or target_list is None:
                    continue
                unit, credit = upgrade.upgrade_unit_price(
                    current_list=current_list,
                    target_list=target_list,
                    paid_amount=row.purchase_amount if row.purchase_currency == currency else None,
                    purchased_on=row.purchased_on,
                    today=info.context.today,
                )
                priced = pricing.price_line(
                    unit_price=unit,
                    quantity=1,
                    deployment=deployment,
                    kind=QuoteLineKind.UPGRADE,
                    academic=bool(
                        organization is not None
                        and organization.academic
                        and row.license_type == LicenseType.ACADEMIC
                    ),
                    credit=credit,
                )
            except DomainError:
                continue  # no DZD rate on file: that option cannot be priced
            options.append(UpgradeOption(tier=target, price=Money.of(priced.total, currency)))
        return options
