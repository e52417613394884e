"""The public catalog: products and prices, support plans and offerings, version support."""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Sequence
from decimal import Decimal

import strawberry

from db.queries.catalog import Catalog, CatalogPrice, CatalogProduct
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
    def from_row(cls, row: CatalogProduct, prices: Sequence[CatalogPrice] | None = None) -> Product:
        mine = [p for p in (prices or []) if p.product_id == row.id and p.kind == PriceKind.NEW]
        tiers = sorted({p.tier for p in mine}, key=lambda t: t.rank)
        return cls(
            id=encode_id("Product", row.id),
            name=row.name,
            deployment=row.deployment,
            tiers=tiers,
            list_prices=[
                ListPrice(tier=p.tier, price=Money.of(p.amount, p.currency))
                for p in sorted(mine, key=lambda p: (p.tier.rank, p.currency))
            ],
        )


# The Product objects of a catalog, built once per catalog rather than per row or request:
# they live as long as the (cached, plain-data) catalog does, and it knows nothing of them.
_PRODUCTS: weakref.WeakKeyDictionary[Catalog, dict[int, Product]] = weakref.WeakKeyDictionary()


def product_of(catalog: Catalog, product_id: int) -> Product:
    """The product of this catalog, built once per catalog."""
    built = _PRODUCTS.get(catalog)
    if built is None:
        built = _PRODUCTS[catalog] = {}
    product = built.get(product_id)
    if product is None:
        product = built[product_id] = Product.from_row(
            catalog.products_by_id[product_id], catalog.prices
        )
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
