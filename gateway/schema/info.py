"""The typed resolver info and helpers to page a relation through its loaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import strawberry

from db.queries.pages import PageRequest
from gateway.context import Context
from gateway.schema.relay import Connection

if TYPE_CHECKING:
    from gateway.loaders import Catalog

Info: TypeAlias = strawberry.Info[Context, None]
T = TypeVar("T")


def with_catalog(info: Info, use: Callable[[Catalog], T]) -> T:
    """``use(catalog)``, at once when the request has the catalog (the app's cache holds it,
    or a field of this request read it), else an awaitable of it.

    For fields derived from the catalog on every row (a license's status, its product):
    their resolvers are plain functions, so they run without a task or an await per row
    in the usual case; graphql-core awaits the result when it is an awaitable (the first
    such field of a request that found the cache stale).
    """
    loader = info.context.loaders.catalog
    catalog = loader.now()
    if catalog is not None:
        return use(catalog)

    async def later() -> T:
        return use(await loader.load("catalog"))

    return cast(T, later())


async def paged(
    info: Info,
    relation: str,
    parent: Any,
    page: PageRequest,
    filter_: Any,
    build: Callable[[Any], T],
) -> Connection[T]:
    """One page of a batched relation; its total count is read only when asked for."""
    loaders = info.context.loaders

    async def count() -> int:
        return await loaders.counts[relation].load((parent, filter_))

    result = await loaders.pages[relation].load((parent, page, filter_))
    return Connection[T].build(result, build, count)
