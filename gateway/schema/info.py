"""The typed resolver info and helpers to page a relation through its loaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

import strawberry

from db.queries.pages import PageRequest
from gateway.context import Context
from gateway.schema.relay import Connection

Info: TypeAlias = strawberry.Info[Context, None]
T = TypeVar("T")


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
