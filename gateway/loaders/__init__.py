"""Per-request DataLoaders, one module per domain, combined here into the ``Loaders`` of a
request (built in the request context; statements come from ``db.queries``, built once)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, TypeAlias, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine

from db.queries.batch import Relation
from db.queries.catalog import Catalog
from db.queries.pages import Page, PageRequest
from gateway.auth.principal import Principal
from gateway.loaders.account import AccountLoaders
from gateway.loaders.base import Lazy, SqlLoader
from gateway.loaders.catalog import CatalogCache, CatalogLoader, CatalogLoaders
from gateway.loaders.license import LicenseLoaders
from gateway.loaders.order import OrderLoaders
from gateway.loaders.partner import PartnerLoaders
from gateway.loaders.payment import PaymentLoaders
from gateway.loaders.quote import QuoteLoaders
from gateway.loaders.sales_request import SalesRequestLoaders
from gateway.loaders.webhook import WebhookLoaders

__all__ = ["Catalog", "CatalogCache", "CatalogLoader", "Loaders", "SqlLoader"]

R = TypeVar("R")
# A paged relation's keys: (parent, page, filter); its counts' keys: (parent, filter).
PageKey: TypeAlias = tuple[Any, PageRequest, Any]
CountKey: TypeAlias = tuple[Any, Any]


class Loaders(
    LicenseLoaders,
    QuoteLoaders,
    OrderLoaders,
    AccountLoaders,
    PartnerLoaders,
    CatalogLoaders,
    SalesRequestLoaders,
    PaymentLoaders,
    WebhookLoaders,
):
    """Every loader one request may use; each memoises its keys for the request only.

    Loaders are made on first use; their statements were built before (per principal shape,
    in each domain's module; per relation, filter and page shape, ``db.queries.batch``): a
    request only binds its values.
    """

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        principal: Principal,
        today: dt.date,
        catalog_cache: CatalogCache | None = None,
    ) -> None:
        super().__init__(engine=engine, principal=principal, today=today)
        self._catalog_cache = catalog_cache
        shape, params = self._shape, self._params
        # By relation (``gateway.loaders.license.LICENSES_OF_ACCOUNT``, …), made on first use.
        self._pages: Lazy[Relation[Any], SqlLoader[PageKey, Page[Any]]] = Lazy(
            lambda relation: SqlLoader(engine, relation.page_fetch(shape, params))
        )
        self._counts: Lazy[Relation[Any], SqlLoader[CountKey, int]] = Lazy(
            lambda relation: SqlLoader(engine, relation.count_fetch(shape, params))
        )

    def page(self, relation: Relation[R]) -> SqlLoader[PageKey, Page[R]]:
        """The loader of the pages of ``relation`` (its rows are the relation's row class)."""
        return cast(SqlLoader[PageKey, Page[R]], self._pages[relation])

    def count(self, relation: Relation[Any]) -> SqlLoader[CountKey, int]:
        """The loader of the total counts of ``relation``."""
        return self._counts[relation]

    async def drain(self) -> None:
        """Let every batch this request started finish (see ``SqlLoader.drain``)."""
        loaders: list[SqlLoader[Any, Any]] = [
            v for v in vars(self).values() if isinstance(v, SqlLoader)
        ]
        loaders += [*self._pages.values(), *self._counts.values()]
        await asyncio.gather(*(loader.drain() for loader in loaders))
