"""The catalog (products, the price book, releases, the EUR→DZD rate): small, public and read
whole, at most once per request and cached per worker (``Product`` nodes by id are read
from it too).

What is loaded is plain data (``db.queries.catalog.Catalog``); the schema builds its
Strawberry objects from it (``gateway.schema.catalog``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.queries.catalog import Catalog, read_catalog
from gateway.loaders.base import LoaderBase, SqlLoader


class CatalogCache:
    """The catalog as last read, kept ``seconds`` (one per app, so per worker process).

    The catalog (products, the price book, releases, the EUR→DZD rate) changes a few times a
    year and no gateway operation writes it (the demo-data loader and the database's owners
    do), while nearly every request shows a product or a license status: reading it once a
    minute rather than on every request saves 4 statements per request. A price or rate
    change therefore shows in reads (statuses, products, upgrade prices) up to ``seconds``
    late; quotes are always priced from the database (``actions.quote_lines.load_catalog``), never
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
        catalog = await read_catalog(conn=conn)
        self._catalog = catalog
        if self._cache is not None:
            self._cache.put(catalog)
        return [catalog for _ in keys]


class CatalogLoaders(LoaderBase):
    _catalog_cache: CatalogCache | None = None

    @functools.cached_property
    def catalog(self) -> CatalogLoader:
        return CatalogLoader(self.engine, self._catalog_cache)
