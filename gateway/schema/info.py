"""The typed resolver info, the guard that reads the caller from it, and helpers to read the
catalog and page a relation through the loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import strawberry
from graphql import GraphQLError

from db.queries.batch import Relation
from db.queries.pages import PageRequest
from db.rows import Identified
from gateway.auth.guards import Refusal, refusal
from gateway.auth.principal import Principal
from gateway.context import Context
from gateway.domain.enums import PrincipalKind
from gateway.schema.relay import Connection

if TYPE_CHECKING:
    from gateway.loaders import Catalog

Info: TypeAlias = strawberry.Info[Context, None]
T = TypeVar("T")
R = TypeVar("R", bound=Identified)
# What a plain resolver may return: graphql-core awaits an awaitable. Such a field names its
# GraphQL type with ``strawberry.field(graphql_type=…)``.
MaybeAwaitable: TypeAlias = T | Awaitable[T]


def require(info: Info, *kinds: PrincipalKind) -> Principal:
    """The caller, if it is of one of ``kinds`` (``gateway.auth.guards``); else a request
    error, UNAUTHENTICATED with HTTP 401 and ``WWW-Authenticate``, or FORBIDDEN."""
    principal = info.context.principal
    refused = refusal(principal, *kinds)
    if refused is None:
        return principal
    if refused is Refusal.UNAUTHENTICATED:
        response = info.context.response
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="conex"'
    raise GraphQLError(refused.value, extensions={"code": refused.name})


def require_staff(info: Info) -> Principal:
    return require(info, PrincipalKind.STAFF)


def with_catalog(info: Info, use: Callable[[Catalog], T]) -> MaybeAwaitable[T]:
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

    return later()


async def paged(
    info: Info,
    relation: Relation[R],
    parent: Any,
    page: PageRequest,
    filter_: Any,
    build: Callable[[R], T],
) -> Connection[T]:
    """One page of a batched relation (``gateway.loaders.license.LICENSES_OF_ACCOUNT``, …);
    its total count is read only when asked for."""
    loaders = info.context.loaders

    async def count() -> int:
        return await loaders.count(relation).load((parent, filter_))

    result = await loaders.page(relation).load((parent, page, filter_))
    return Connection[T].build(result, build, count)
