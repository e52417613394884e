"""Per-request DataLoaders, one module per domain, combined here into the ``Loaders`` of a
request (built in the request context; statements come from ``db.queries``, built once)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.queries.batch import Relation
from db.queries.catalog import Catalog
from db.queries.pages import Page, PageRequest
from gateway.auth.principal import Principal
from gateway.loaders import license, order, partner, quote
from gateway.loaders.account import AccountLoaders
from gateway.loaders.base import Lazy, SqlLoader
from gateway.loaders.catalog import CatalogCache, CatalogLoader, CatalogLoaders
from gateway.loaders.license import LicenseLoaders
from gateway.loaders.order import OrderLoaders
from gateway.loaders.partner import PartnerLoaders
from gateway.loaders.payment import PaymentLoaders
from gateway.loaders.quote import QuoteLoaders

__all__ = ["RELATIONS", "Catalog", "CatalogCache", "CatalogLoader", "Loaders", "SqlLoader"]

# The paged one-to-many lists, by the name the schema asks for (``loaders.pages[name]``).
RELATIONS: dict[str, Relation] = {
    **license.RELATIONS,
    **quote.RELATIONS,
    **order.RELATIONS,
    **partner.RELATIONS,
}


class Loaders(
    LicenseLoaders,
    QuoteLoaders,
    OrderLoaders,
    AccountLoaders,
    PartnerLoaders,
    PaymentLoaders,
    CatalogLoaders,
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
        self.pages: dict[str, SqlLoader[tuple[Any, PageRequest, Any], Page]] = Lazy(
            lambda name: SqlLoader(engine, RELATIONS[name].page_fetch(shape, params))
        )
        self.counts: dict[str, SqlLoader[tuple[Any, Any], int]] = Lazy(
            lambda name: SqlLoader(engine, RELATIONS[name].count_fetch(shape, params))
        )

    async def drain(self) -> None:
        """Let every batch this request started finish (see ``SqlLoader.drain``)."""
        loaders = [v for v in vars(self).values() if isinstance(v, SqlLoader)]
        loaders += [*self.pages.values(), *self.counts.values()]
        await asyncio.gather(*(loader.drain() for loader in loaders))
