"""Per-request DataLoaders, built in the request context; their SQL is built once."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, FromClause, Select, and_, bindparam, select, union
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.models import (
    Account,
    ApiToken,
    AuditEvent,
    ExchangeRate,
    License,
    Order,
    Organization,
    Partner,
    Price,
    Product,
    ProductRelease,
    Quote,
    QuoteLine,
    TaxId,
    order_licenses,
)
from db.queries.pages import Page, PageRequest
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain.enums import Currency, Deployment, TokenKind
from gateway.loaders.base import (
    PolicyShape,
    Relation,
    SqlLoader,
    bound_params,
    bound_today,
    by_key_statement,
    columns_of,
    grouped_rows,
    grouped_statement,
    rows_by_key,
    select_columns,
    shape_of,
    template_principal,
)
from gateway.loaders.filters import LicenseFilter, QuoteFilter

RowOrNone = Row[Any] | None


def _contact_pairs(model: Any) -> FromClause:
    """(entity id, account id) for every billing or technical role of the accounts ``ids``."""
    return union(
        select(model.id.label("entity_id"), model.billing_account_id.label("account_id")).where(
            model.billing_account_id.in_(bindparam("ids", expanding=True))
        ),
        select(model.id.label("entity_id"), model.technical_account_id.label("account_id")).where(
            model.technical_account_id.in_(bindparam("ids", expanding=True))
        ),
    ).subquery()


# Paged relations: where the children of a batch of parents are, and who may see them.


def _licenses_of_accounts(p: Principal, f: LicenseFilter) -> Any:
    pairs = _contact_pairs(License)
    source = License.__table__.join(pairs, pairs.c.entity_id == License.id)
    where = [policy.license_visible(p), *f.conditions(bound_today())]
    return source, pairs.c.account_id, where


def _quotes_of_accounts(p: Principal, f: QuoteFilter) -> Any:
    pairs = _contact_pairs(Quote)
    source = Quote.__table__.join(pairs, pairs.c.entity_id == Quote.id)
    return source, pairs.c.account_id, [policy.quote_visible(p), *f.conditions(bound_today())]


def _orders_of_accounts(p: Principal, _: None) -> Any:
    pairs = _contact_pairs(Order)
    source = Order.__table__.join(pairs, pairs.c.entity_id == Order.id)
    return source, pairs.c.account_id, [policy.order_visible(p)]


def _licenses_of_organizations(p: Principal, f: LicenseFilter) -> Any:
    where = [policy.license_visible(p), *f.conditions(bound_today())]
    return License.__table__, License.organization_id, where


def _quotes_of_partners(p: Principal, f: QuoteFilter) -> Any:
    where = [policy.quote_visible(p), *f.conditions(bound_today())]
    return Quote.__table__, Quote.partner_id, where


def _customers_of_partners(p: Principal, _: None) -> Any:
    return Organization.__table__, Organization.partner_id, [policy.partner_customer_visible(p)]


RELATIONS = {
    "licenses_of_account": Relation(
        columns=columns_of(License), id_col=License.id, source=_licenses_of_accounts
    ),
    "quotes_of_account": Relation(
        columns=columns_of(Quote), id_col=Quote.id, source=_quotes_of_accounts, descending=True
    ),
    "orders_of_account": Relation(
        columns=columns_of(Order), id_col=Order.id, source=_orders_of_accounts, descending=True
    ),
    "licenses_of_organization": Relation(
        columns=columns_of(License), id_col=License.id, source=_licenses_of_organizations
    ),
    "quotes_of_partner": Relation(
        columns=columns_of(Quote), id_col=Quote.id, source=_quotes_of_partners, descending=True
    ),
    "customers_of_partner": Relation(
        columns=columns_of(Organization), id_col=Organization.id, source=_customers_of_partners
    ),
}


def _by_id(model: Any, visible: ColumnElement[bool] | None = None) -> Select[Any]:
    query = select_columns(model)
    if visible is not None:
        query = query.where(visible)
    return by_key_statement(query, model.__table__.c.id)


class _PolicyStatements:
    """The statements whose WHERE depends on who is asking: built once per principal shape."""

    def __init__(self, shape: PolicyShape) -> None:
        p = template_principal(shape)
        self.license = _by_id(License, policy.license_visible(p))
        self.quote = _by_id(Quote, policy.quote_visible(p))
        self.order = _by_id(Order, policy.order_visible(p))
        self.account = _by_id(Account, policy.account_visible(p))
        self.organization = _by_id(Organization, policy.organization_visible(p))
        self.audit_event = _by_id(AuditEvent, policy.audit_event_visible(p))
        self.api_token = _by_id(
            ApiToken, and_(ApiToken.kind == TokenKind.PARTNER, policy.tokens_visible(p))
        )
        self.quote_line = by_key_statement(
            select_columns(QuoteLine)
            .add_columns(Quote.currency.label("quote_currency"))
            .join(Quote, Quote.id == QuoteLine.quote_id)
            .where(policy.quote_visible(p)),
            QuoteLine.__table__.c.id,
        )
        self.license_by_sen = by_key_statement(
            select_columns(License).where(policy.license_visible(p)), License.sen
        )
        self.licenses_of_order = grouped_statement(
            select_columns(License)
            .join(order_licenses, order_licenses.c.license_id == License.id)
            .where(policy.license_visible(p)),
            order_licenses.c.order_id,
            [License.id],
        )
        self.orders_of_license = grouped_statement(
            select_columns(Order)
            .join(order_licenses, order_licenses.c.order_id == Order.id)
            .where(policy.order_visible(p)),
            order_licenses.c.license_id,
            [Order.id],
        )


@functools.lru_cache(maxsize=64)
def _policy_statements(shape: PolicyShape) -> _PolicyStatements:
    return _PolicyStatements(shape)


# The same for everybody: the partner directory and the catalog are public.
_PARTNER = _by_id(Partner)
_PRODUCT = _by_id(Product)
_TAX_IDS = grouped_statement(select_columns(TaxId), TaxId.account_id, [TaxId.id])
_QUOTE_LINES = grouped_statement(
    select_columns(QuoteLine), QuoteLine.quote_id, [QuoteLine.position]
)

L = TypeVar("L")


class _Lazy(dict[str, L]):
    """A loader per name, made on first use (most requests use a few of them)."""

    def __init__(self, make: Callable[[str], L]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, name: str) -> L:
        made = self[name] = self._make(name)
        return made


class Loaders:
    """Every loader one request may use; each memoises its keys for the request only.

    Loaders are made on first use; their statements were built before (per principal shape,
    ``_policy_statements``; per relation, filter and page shape, ``Relation``): a request
    only binds its values.
    """

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        principal: Principal,
        today: dt.date,
        catalog_cache: CatalogCache | None = None,
    ) -> None:
        self.engine = engine
        self.principal = principal
        self.today = today
        self._catalog_cache = catalog_cache
        shape = shape_of(principal)
        self._params = bound_params(principal, today)
        self._sql = _policy_statements(shape)
        self.pages: dict[str, SqlLoader[tuple[Any, PageRequest, Any], Page]] = _Lazy(
            lambda name: SqlLoader(engine, RELATIONS[name].page_fetch(shape, self._params))
        )
        self.counts: dict[str, SqlLoader[tuple[Any, Any], int]] = _Lazy(
            lambda name: SqlLoader(engine, RELATIONS[name].count_fetch(shape, self._params))
        )

    def _rows(self, stmt: Select[Any], key: str = "id") -> SqlLoader[Any, RowOrNone]:
        return SqlLoader(self.engine, rows_by_key(stmt, key, self._params))

    def _grouped(self, stmt: Select[Any]) -> SqlLoader[int, list[Row[Any]]]:
        return SqlLoader(self.engine, grouped_rows(stmt, self._params))

    # Entities by id, filtered by the policy.
    @functools.cached_property
    def license(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.license)

    @functools.cached_property
    def quote(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.quote)

    @functools.cached_property
    def order(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.order)

    @functools.cached_property
    def account(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.account)

    @functools.cached_property
    def organization(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.organization)

    @functools.cached_property
    def partner(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(_PARTNER)

    @functools.cached_property
    def product(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(_PRODUCT)

    @functools.cached_property
    def audit_event(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.audit_event)

    @functools.cached_property
    def api_token(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.api_token)

    @functools.cached_property
    def quote_line(self) -> SqlLoader[int, RowOrNone]:
        return self._rows(self._sql.quote_line)

    @functools.cached_property
    def license_by_sen(self) -> SqlLoader[str, RowOrNone]:
        return self._rows(self._sql.license_by_sen, "sen")

    # Short lists, not paged.
    @functools.cached_property
    def tax_ids(self) -> SqlLoader[int, list[Row[Any]]]:
        return self._grouped(_TAX_IDS)

    @functools.cached_property
    def quote_lines(self) -> SqlLoader[int, list[Row[Any]]]:
        return self._grouped(_QUOTE_LINES)

    @functools.cached_property
    def licenses_of_order(self) -> SqlLoader[int, list[Row[Any]]]:
        return self._grouped(self._sql.licenses_of_order)

    @functools.cached_property
    def orders_of_license(self) -> SqlLoader[int, list[Row[Any]]]:
        return self._grouped(self._sql.orders_of_license)

    # The catalog: small and read whole, at most once per request (see ``CatalogCache``).
    @functools.cached_property
    def catalog(self) -> CatalogLoader:
        return CatalogLoader(self.engine, self._catalog_cache)

    async def drain(self) -> None:
        """Let every batch this request started finish (see ``SqlLoader.drain``)."""
        loaders = [v for v in vars(self).values() if isinstance(v, SqlLoader)]
        loaders += [*self.pages.values(), *self.counts.values()]
        await asyncio.gather(*(loader.drain() for loader in loaders))


class Catalog:
    """Products, the price book, releases and the current EUR→DZD rate."""

    def __init__(
        self,
        products: Sequence[Row[Any]],
        prices: Sequence[Row[Any]],
        releases: Sequence[Row[Any]],
        rate: Row[Any] | None,
    ) -> None:
        self.products = list(products)
        self.products_by_id = {row.id: row for row in products}
        self.deployments = {row.id: Deployment(row.deployment) for row in products}
        self.prices = list(prices)
        self.releases = list(releases)
        self.rate = rate
        # What the schema derives from this catalog once, not per row or per request (its
        # Product objects): it lives as long as the catalog does.
        self.memo: dict[Any, Any] = {}

    def list_price(self, product_id: int, tier: Any, currency: Currency, kind: Any) -> Any:
        for row in self.prices:
            if (row.product_id, row.tier, row.currency, row.kind) == (
                product_id,
                tier,
                currency,
                kind,
            ):
                return row.amount
        return None


_PRODUCTS = select_columns(Product).order_by(Product.id)
_PRICES = select_columns(Price).order_by(Price.id)
_RELEASES = select_columns(ProductRelease).order_by(ProductRelease.major, ProductRelease.minor)
_DZD_RATE = (
    select_columns(ExchangeRate)
    .where(ExchangeRate.base == Currency.EUR, ExchangeRate.target == Currency.DZD)
    .order_by(ExchangeRate.effective_at.desc())
    .limit(1)
)


async def read_catalog(conn: AsyncConnection) -> Catalog:
    """Four small tables, one statement each."""
    products = (await conn.execute(_PRODUCTS)).all()
    prices = (await conn.execute(_PRICES)).all()
    releases = (await conn.execute(_RELEASES)).all()
    rate = (await conn.execute(_DZD_RATE)).first()
    return Catalog(products, prices, releases, rate)


class CatalogCache:
    """The catalog as last read, kept ``seconds`` (one per app, so per worker process).

    The catalog (products, the price book, releases, the EUR→DZD rate) changes a few times a
    year and no gateway operation writes it (the demo-data loader and the database's owners
    do), while nearly every request shows a product or a license status: reading it once a
    minute rather than on every request saves 4 statements per request. A price or rate
    change therefore shows in reads (statuses, products, upgrade prices) up to ``seconds``
    late; quotes are always priced from the database (``quote_build.load_catalog``), never
    from here. ``seconds=0`` reads it on every request (CONEX_CATALOG_CACHE_SECONDS).
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._held: tuple[float, Catalog] | None = None

    def get(self) -> Catalog | None:
        if self._held is not None and self._clock() < self._held[0]:
            return self._held[1]
        return None

    def put(self, catalog: Catalog) -> None:
        if self.seconds > 0:
            self._held = (self._clock() + self.seconds, catalog)

    def clear(self) -> None:
        self._held = None


class CatalogLoader(SqlLoader[str, Catalog]):
    """The request's catalog: from the cache when it holds one (no connection, no batch),
    else read once for the request and offered to the cache."""

    def __init__(self, engine: AsyncEngine, cache: CatalogCache | None) -> None:
        super().__init__(engine, self._fetch)
        self._cache = cache
        self._catalog: Catalog | None = cache.get() if cache is not None else None

    def now(self) -> Catalog | None:
        """The catalog if this request already has it (no await needed), else None."""
        return self._catalog

    async def load(self, key: str = "catalog") -> Catalog:
        if self._catalog is not None:
            return self._catalog
        return await super().load(key)

    async def _fetch(self, conn: AsyncConnection, keys: list[str]) -> list[Catalog]:
        catalog = await read_catalog(conn)
        self._catalog = catalog
        if self._cache is not None:
            self._cache.put(catalog)
        return [catalog for _ in keys]
