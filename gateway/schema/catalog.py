"""The public catalog: products and prices, support plans and offerings, version support."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry

from gateway.domain import support
from gateway.domain.enums import (
    Currency,
    Deployment,
    PriceKind,
    SupportChannel,
    SupportOfferingKind,
    Tier,
)
from gateway.schema.common import Money
from gateway.schema.relay import Node, encode_id


@strawberry.type
class ListPrice:
    tier: Tier
    price: Money


@strawberry.type
class Product(Node):
    name: str
    deployment: Deployment
    tiers: list[Tier]
    list_prices: list[ListPrice] = strawberry.field(
        description="List prices of new licenses (EUR and USD; DZD quotes derive from EUR)."
    )

    @classmethod
    def from_row(cls, row: Any, prices: list[Any] | None = None) -> Product:
        mine = [p for p in (prices or []) if p.product_id == row.id and p.kind == PriceKind.NEW]
        tiers = sorted({Tier(p.tier) for p in mine}, key=lambda t: t.rank)
        return cls(
            id=encode_id("Product", row.id),
            name=row.name,
            deployment=row.deployment,
            tiers=tiers,
            list_prices=[
                ListPrice(tier=p.tier, price=Money.of(p.amount, Currency(p.currency)))
                for p in sorted(mine, key=lambda p: (Tier(p.tier).rank, p.currency))
            ],
        )


def product_of(catalog: Any, product_id: int) -> Product:
    """The product of this catalog, built once per catalog (``Catalog.memo``)."""
    key = ("Product", product_id)
    product: Product | None = catalog.memo.get(key)
    if product is None:
        product = Product.from_row(catalog.products_by_id[product_id], catalog.prices)
        catalog.memo[key] = product
    return product


@strawberry.type(description="The support channels of a plan (R-SUP-1).")
class SupportPlan:
    tier: Tier
    channels: list[SupportChannel]

    @classmethod
    def of(cls, tier: Tier) -> SupportPlan:
        return cls(tier=tier, channels=list(support.support_channels(tier)))


@strawberry.type
class SupportLevel:
    level: str
    hours: str
    initial_response: str
    team: str


@strawberry.type(description="A support offering (R-SUP-2).")
class SupportOffering:
    kind: SupportOfferingKind
    name: str
    team: str
    levels: list[SupportLevel]

    @classmethod
    def of(cls, offering: support.SupportOffering) -> SupportOffering:
        return cls(
            kind=offering.kind,
            name=offering.name,
            team=offering.team,
            levels=[
                SupportLevel(
                    level=level.level,
                    hours=level.hours,
                    initial_response=level.initial_response,
                    team=level.team,
                )
                for level in offering.levels
            ],
        )


@strawberry.type(description="Whether a version is still supported (R-SUP-3).")
class VersionSupport:
    version: str
    released_on: dt.date
    supported: bool
    support_ends_on: dt.date


@strawberry.type(description="The rate a DZD quote was priced with (R-CUR-3).")
class ExchangeRate:
    base: Currency
    target: Currency
    rate: Decimal
    margin: Decimal
