"""The catalog: products, the price book, releases and the EUR→DZD rate.

Every catalog read goes through here — the loaders' cached catalog (``read_catalog``), the
quote mutations' pricing (``price_book``, ``newest_dzd_rate``) and the license mutations'
list prices (``list_price``) — so that one question has one answer: the newest DZD rate is
``DZD_RATE`` everywhere, ties on ``effective_at`` broken by the larger id (R-CUR-3).

Rows come back as small frozen dataclasses, not SQLAlchemy rows: the catalog is cached per
worker and read by every layer above, which should not depend on how it was selected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import ExchangeRate, Price, Product, ProductRelease
from gateway.domain.currency import list_price_in
from gateway.domain.enums import Currency, Deployment, PriceKind, Tier
from gateway.domain.quote_pricing import BookPrice, FxRate

# Both run a statement the same way; catalog reads happen on either.
Executor = AsyncSession | AsyncConnection


@dataclass(frozen=True, slots=True)
class CatalogProduct:
    id: int
    code: str
    name: str
    deployment: Deployment


@dataclass(frozen=True, slots=True)
class CatalogPrice:
    product_id: int
    tier: Tier
    currency: Currency
    kind: PriceKind
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CatalogRelease:
    major: int
    minor: int
    released_on: dt.date


class Catalog:
    """Products, the price book, releases and the current EUR→DZD rate, as plain data.

    Compared by identity (a cached catalog is one object), so the schema layer may key what
    it derives from a catalog on it (``gateway.schema.catalog.product_of``).
    """

    def __init__(
        self,
        products: Sequence[CatalogProduct],
        prices: Sequence[CatalogPrice],
        releases: Sequence[CatalogRelease],
        rate: FxRate | None,
    ) -> None:
        self.products = list(products)
        self.products_by_id = {product.id: product for product in products}
        self.deployments = {product.id: product.deployment for product in products}
        self.prices = list(prices)
        self.releases = list(releases)
        self.rate = rate

    def list_price(
        self, product_id: int, tier: Tier, currency: Currency, kind: PriceKind
    ) -> Decimal | None:
        """The price book's amount in a list currency (EUR or USD), None when not listed."""
        for price in self.prices:
            if (price.product_id, price.tier, price.currency, price.kind) == (
                product_id,
                tier,
                currency,
                kind,
            ):
                return price.amount
        return None


_PRODUCT_COLUMNS = (Product.id, Product.code, Product.name, Product.deployment)
_PRICE_COLUMNS = (Price.product_id, Price.tier, Price.currency, Price.kind, Price.amount)

_PRODUCTS = select(*_PRODUCT_COLUMNS).order_by(Product.id)
_PRICES = select(*_PRICE_COLUMNS).order_by(Price.id)
_RELEASES = select(ProductRelease.major, ProductRelease.minor, ProductRelease.released_on).order_by(
    ProductRelease.major, ProductRelease.minor
)

# R-CUR-3: the one statement that says which EUR→DZD rate is current. Two rates may share an
# ``effective_at`` (entered twice, or in one batch): the later row wins, everywhere.
DZD_RATE = (
    select(ExchangeRate.rate, ExchangeRate.margin)
    .where(ExchangeRate.base == Currency.EUR, ExchangeRate.target == Currency.DZD)
    .order_by(ExchangeRate.effective_at.desc(), ExchangeRate.id.desc())
    .limit(1)
)


def _product(row: tuple[int, str, str, Deployment]) -> CatalogProduct:
    id_, code, name, deployment = row
    return CatalogProduct(id=id_, code=code, name=name, deployment=Deployment(deployment))


def _price(row: tuple[int, Tier, Currency, PriceKind, Decimal]) -> CatalogPrice:
    product_id, tier, currency, kind, amount = row
    return CatalogPrice(
        product_id=product_id,
        tier=Tier(tier),
        currency=Currency(currency),
        kind=PriceKind(kind),
        amount=amount,
    )


async def read_catalog(*, conn: Executor) -> Catalog:
    """The whole catalog: four small tables, one statement each."""
    products = [_product(row) for row in (await conn.execute(_PRODUCTS)).all()]
    book = await prices(conn=conn)
    releases = [
        CatalogRelease(major=major, minor=minor, released_on=released_on)
        for major, minor, released_on in (await conn.execute(_RELEASES)).all()
    ]
    return Catalog(products, book, releases, await newest_dzd_rate(conn=conn))


async def prices(*, conn: Executor) -> list[CatalogPrice]:
    """The whole price book, in id order."""
    return [_price(row) for row in (await conn.execute(_PRICES)).all()]


@dataclass(frozen=True, slots=True)
class DatedRate:
    rate: Decimal
    margin: Decimal
    effective_at: dt.datetime


async def dzd_rate_history(*, conn: Executor) -> list[DatedRate]:
    """Every EUR→DZD rate, oldest first, in ``DZD_RATE``'s order reversed: of two with one
    ``effective_at`` the later row comes last (it is the one in force, R-CUR-3)."""
    stmt = (
        select(ExchangeRate.rate, ExchangeRate.margin, ExchangeRate.effective_at)
        .where(ExchangeRate.base == Currency.EUR, ExchangeRate.target == Currency.DZD)
        .order_by(ExchangeRate.effective_at, ExchangeRate.id)
    )
    return [DatedRate(rate, margin, at) for rate, margin, at in (await conn.execute(stmt)).all()]


async def newest_dzd_rate(*, conn: Executor) -> FxRate | None:
    """R-CUR-3: the current EUR→DZD rate and margin (``DZD_RATE``)."""
    row = (await conn.execute(DZD_RATE)).first()
    return FxRate(rate=row.rate, margin=row.margin) if row is not None else None


async def product(*, conn: Executor, product_id: int) -> CatalogProduct | None:
    stmt = select(*_PRODUCT_COLUMNS).where(Product.id == product_id)
    row = (await conn.execute(stmt)).first()
    return _product(row) if row is not None else None


async def product_names(*, conn: Executor) -> dict[int, str]:
    """Every product's name by id (the documents name their lines' products)."""
    return {id_: name for id_, name in (await conn.execute(select(Product.id, Product.name))).all()}


def cloud_product_ids() -> Any:
    """The ids of the Cloud products, as a subquery for a WHERE (a Cloud license lapses,
    R-MAINT-7)."""
    return select(Product.id).where(Product.deployment == Deployment.CLOUD).scalar_subquery()


async def product_deployments(*, conn: Executor) -> dict[int, Deployment]:
    """The deployment of every product."""
    rows = (await conn.execute(select(Product.id, Product.deployment))).all()
    return {id_: Deployment(deployment) for id_, deployment in rows}


async def deployments_by_product(
    *, conn: Executor, product_ids: Iterable[int]
) -> dict[int, Deployment]:
    """The deployment of each of these products (no statement for none)."""
    wanted = set(product_ids)
    if not wanted:
        return {}
    stmt = select(Product.id, Product.deployment).where(Product.id.in_(wanted))
    return {id_: Deployment(deployment) for id_, deployment in (await conn.execute(stmt)).all()}


async def price_book(*, conn: Executor) -> dict[tuple[int, Tier, PriceKind], BookPrice]:
    """Every (product, tier, kind) listed in both EUR and USD (R-CUR-3 derives DZD)."""
    amounts: dict[tuple[int, Tier, PriceKind], dict[Currency, Decimal]] = {}
    for row in (await conn.execute(select(*_PRICE_COLUMNS))).all():
        price = _price(row)
        amounts.setdefault((price.product_id, price.tier, price.kind), {})[price.currency] = (
            price.amount
        )
    return {
        key: BookPrice(eur=by[Currency.EUR], usd=by[Currency.USD])
        for key, by in amounts.items()
        if Currency.EUR in by and Currency.USD in by
    }


async def list_price(
    *,
    conn: Executor,
    product_id: int,
    tier: Tier,
    currency: Currency,
    kind: PriceKind,
) -> Decimal | None:
    """The price book's price in ``currency`` (DZD derived from EUR at ``newest_dzd_rate``,
    R-CUR-3); None when the price book has no such price."""
    stmt = select(Price.currency, Price.amount).where(
        Price.product_id == product_id, Price.tier == tier, Price.kind == kind
    )
    prices = {Currency(c): amount for c, amount in (await conn.execute(stmt)).all()}
    eur, usd = prices.get(Currency.EUR), prices.get(Currency.USD)
    if eur is None or usd is None:
        return None
    rate = await newest_dzd_rate(conn=conn)
    return list_price_in(
        currency,
        eur=eur,
        usd=usd,
        rate=rate.rate if rate else None,
        margin=rate.margin if rate else None,
    )
