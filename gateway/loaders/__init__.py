"""Per-request DataLoaders, built in the request context (never at module level)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, select, union
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
from gateway.domain.enums import Currency, TokenKind
from gateway.loaders.base import (
    Relation,
    SqlLoader,
    columns_of,
    grouped_rows,
    rows_by_key,
    select_columns,
)
from gateway.loaders.filters import LicenseFilter, QuoteFilter

RowOrNone = Row[Any] | None


def _contact_pairs(model: Any, account_ids: Sequence[int]) -> FromClause:
    """(entity id, account id) for every billing or technical role of these accounts."""
    return union(
        select(model.id.label("entity_id"), model.billing_account_id.label("account_id")).where(
            model.billing_account_id.in_(account_ids)
        ),
        select(model.id.label("entity_id"), model.technical_account_id.label("account_id")).where(
            model.technical_account_id.in_(account_ids)
        ),
    ).subquery()


class Loaders:
    """Every loader one request may use; each memoises its keys for the request only."""

    def __init__(self, *, engine: AsyncEngine, principal: Principal, today: dt.date) -> None:
        self.engine = engine
        self.principal = principal
        self.today = today
        p = principal

        def by_id(
            model: Any, visible: ColumnElement[bool] | None = None
        ) -> SqlLoader[int, RowOrNone]:
            query = select_columns(model)
            if visible is not None:
                query = query.where(visible)
            return SqlLoader(engine, rows_by_key(query, model.__table__.c.id))

        # Entities by id, filtered by the policy.
        self.license = by_id(License, policy.license_visible(p))
        self.quote = by_id(Quote, policy.quote_visible(p))
        self.order = by_id(Order, policy.order_visible(p))
        self.account = by_id(Account, policy.account_visible(p))
        self.organization = by_id(Organization, policy.organization_visible(p))
        self.partner = by_id(Partner)  # the partner directory is public
        self.product = by_id(Product)
        self.audit_event = by_id(AuditEvent, policy.audit_event_visible(p))
        self.api_token = by_id(
            ApiToken, and_(ApiToken.kind == TokenKind.PARTNER, policy.tokens_visible(p))
        )
        self.quote_line: SqlLoader[int, RowOrNone] = SqlLoader(
            engine,
            rows_by_key(
                select_columns(QuoteLine)
                .add_columns(Quote.currency.label("quote_currency"))
                .join(Quote, Quote.id == QuoteLine.quote_id)
                .where(policy.quote_visible(p)),
                QuoteLine.__table__.c.id,
            ),
        )
        self.license_by_sen: SqlLoader[str, RowOrNone] = SqlLoader(
            engine,
            rows_by_key(select_columns(License).where(policy.license_visible(p)), License.sen),
        )

        # Short lists, not paged.
        self.tax_ids: SqlLoader[int, list[Row[Any]]] = SqlLoader(
            engine, grouped_rows(select_columns(TaxId), TaxId.account_id, [TaxId.id])
        )
        self.quote_lines: SqlLoader[int, list[Row[Any]]] = SqlLoader(
            engine,
            grouped_rows(select_columns(QuoteLine), QuoteLine.quote_id, [QuoteLine.position]),
        )
        self.licenses_of_order: SqlLoader[int, list[Row[Any]]] = SqlLoader(
            engine,
            grouped_rows(
                select_columns(License)
                .join(order_licenses, order_licenses.c.license_id == License.id)
                .where(policy.license_visible(p)),
                order_licenses.c.order_id,
                [License.id],
            ),
        )
        self.orders_of_license: SqlLoader[int, list[Row[Any]]] = SqlLoader(
            engine,
            grouped_rows(
                select_columns(Order)
                .join(order_licenses, order_licenses.c.order_id == Order.id)
                .where(policy.order_visible(p)),
                order_licenses.c.license_id,
                [Order.id],
            ),
        )

        # The catalog: small and read whole, once per request.
        self.catalog: SqlLoader[str, Any] = SqlLoader(engine, _fetch_catalog)

        # Paged relations.
        def licenses_of_accounts(ids: Sequence[Any], f: LicenseFilter) -> Any:
            pairs = _contact_pairs(License, ids)
            source = License.__table__.join(pairs, pairs.c.entity_id == License.id)
            where = [policy.license_visible(p), *f.conditions(today)]
            return source, pairs.c.account_id, where

        def quotes_of_accounts(ids: Sequence[Any], f: QuoteFilter) -> Any:
            pairs = _contact_pairs(Quote, ids)
            source = Quote.__table__.join(pairs, pairs.c.entity_id == Quote.id)
            return source, pairs.c.account_id, [policy.quote_visible(p), *f.conditions(today)]

        def orders_of_accounts(ids: Sequence[Any], _: None) -> Any:
            pairs = _contact_pairs(Order, ids)
            source = Order.__table__.join(pairs, pairs.c.entity_id == Order.id)
            return source, pairs.c.account_id, [policy.order_visible(p)]

        def licenses_of_organizations(ids: Sequence[Any], f: LicenseFilter) -> Any:
            where = [policy.license_visible(p), *f.conditions(today)]
            return License.__table__, License.organization_id, where

        def quotes_of_partners(ids: Sequence[Any], f: QuoteFilter) -> Any:
            return (
                Quote.__table__,
                Quote.partner_id,
                [policy.quote_visible(p), *f.conditions(today)],
            )

        def customers_of_partners(ids: Sequence[Any], _: None) -> Any:
            visible = policy.organization_visible(p)
            return Organization.__table__, Organization.partner_id, [visible]

        relations = {
            "licenses_of_account": Relation(
                columns=columns_of(License), id_col=License.id, source=licenses_of_accounts
            ),
            "quotes_of_account": Relation(
                columns=columns_of(Quote),
                id_col=Quote.id,
                source=quotes_of_accounts,
                descending=True,
            ),
            "orders_of_account": Relation(
                columns=columns_of(Order),
                id_col=Order.id,
                source=orders_of_accounts,
                descending=True,
            ),
            "licenses_of_organization": Relation(
                columns=columns_of(License), id_col=License.id, source=licenses_of_organizations
            ),
            "quotes_of_partner": Relation(
                columns=columns_of(Quote),
                id_col=Quote.id,
                source=quotes_of_partners,
                descending=True,
            ),
            "customers_of_partner": Relation(
                columns=columns_of(Organization),
                id_col=Organization.id,
                source=customers_of_partners,
            ),
        }
        self.pages: dict[str, SqlLoader[tuple[Any, PageRequest, Any], Page]] = {
            name: SqlLoader(engine, relation.page_fetch()) for name, relation in relations.items()
        }
        self.counts: dict[str, SqlLoader[tuple[Any, Any], int]] = {
            name: SqlLoader(engine, relation.count_fetch()) for name, relation in relations.items()
        }

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
        self.prices = list(prices)
        self.releases = list(releases)
        self.rate = rate

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


async def _fetch_catalog(conn: AsyncConnection, keys: list[str]) -> list[Catalog]:
    # Four small tables, read in one round trip each but only once per request.
    products = (await conn.execute(select_columns(Product).order_by(Product.id))).all()
    prices = (await conn.execute(select_columns(Price).order_by(Price.id))).all()
    releases = (
        await conn.execute(
            select_columns(ProductRelease).order_by(ProductRelease.major, ProductRelease.minor)
        )
    ).all()
    rate = (
        await conn.execute(
            select_columns(ExchangeRate)
            .where(ExchangeRate.base == Currency.EUR, ExchangeRate.target == Currency.DZD)
            .order_by(ExchangeRate.effective_at.desc())
            .limit(1)
        )
    ).first()
    catalog = Catalog(products, prices, releases, rate)
    return [catalog for _ in keys]
