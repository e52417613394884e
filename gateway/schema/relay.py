"""Relay: opaque global ids, the Node interface, cursors and connections.

Why not ``strawberry.relay``: its connections page a resolved list in Python with offset
cursors (``arrayconnection:N``) and its ``ConnectionExtension`` declares the arguments in
another order (``before, after, first, last``); ours are keyset pages read in SQL by batched
loaders, one statement for the pages of every parent of a level (``db/queries/pages.py``),
with the primary key in the cursor, a lazy ``totalCount`` and the arguments and ids the
clients' contract already uses.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.types.arguments import StrawberryArgument

from db.queries.pages import Page, PageRequest
from db.rows import Identified
from gateway.actions.ids import global_id

if TYPE_CHECKING:
    from strawberry.types.field import StrawberryField

T = TypeVar("T")
R = TypeVar("R", bound=Identified)
MAX_PK = 2**31 - 1  # primary keys are INTEGER: a larger number names nothing


def encode_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(global_id(type_name, pk))


def decode_id(global_id: str) -> tuple[str, int] | None:
    """``(type, pk)`` of a well-formed global id, else None (treated as not found)."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        value = int(pk)
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if not type_name.isidentifier() or not 0 < value <= MAX_PK or str(value) != pk:
        return None
    return type_name, value


def decode_id_of(global_id: str, type_name: str) -> int | None:
    decoded = decode_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, argument: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if prefix == "cursor" and pk.isdigit() and len(pk) < 19 and int(pk) <= MAX_PK:
            return int(pk)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise GraphQLError(
        f"`{argument}` is not a cursor this connection gave out.",
        extensions={"code": "BAD_USER_INPUT", "argument": argument},
    )


def page_request(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    max_size: int,
    default_size: int,
) -> PageRequest:
    """Validate Relay arguments: at most ``max_size`` rows a page, one direction at a time."""
    if first is not None and last is not None:
        raise GraphQLError(
            "Pass `first` or `last`, not both.", extensions={"code": "BAD_USER_INPUT"}
        )
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise GraphQLError(
                f"`{name}` must not be negative.",
                extensions={"code": "BAD_USER_INPUT", "argument": name},
            )
        if value is not None and value > max_size:
            raise GraphQLError(
                f"`{name}` is {value}; a page holds at most {max_size} rows.",
                extensions={"code": "PAGE_SIZE_TOO_LARGE", "argument": name, "max": max_size},
            )
    return PageRequest(
        limit=last if last is not None else (first if first is not None else default_size),
        after=decode_cursor(after, "after") if after is not None else None,
        before=decode_cursor(before, "before") if before is not None else None,
        backwards=last is not None,
    )


PAGE_ARGUMENTS = (("first", int), ("after", str), ("last", int), ("before", str))


class PageArguments(FieldExtension):
    """The Relay arguments of a connection field, declared once.

    The resolver takes ``page: PageRequest`` where ``first, after, last, before`` go in the
    schema, and receives them validated against the page sizes of the settings (the same
    sizes the query cost prices a page with, ``gateway.security.cost``).
    """

    def apply(self, field: StrawberryField) -> None:
        arguments = list(field.arguments)
        names = [argument.python_name for argument in arguments]
        if "page" not in names:
            if "first" in names:
                return  # applied by an earlier schema: each build applies it to the same field
            raise TypeError(f"the connection field {field.python_name} takes no `page`")
        at = names.index("page")
        arguments[at : at + 1] = [
            StrawberryArgument(
                python_name=name,
                graphql_name=None,
                type_annotation=StrawberryAnnotation(kind | None),
                default=None,
            )
            for name, kind in PAGE_ARGUMENTS
        ]
        field.arguments = arguments

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        first, after, last, before = (kwargs.pop(name, None) for name, _ in PAGE_ARGUMENTS)
        settings = info.context.settings
        page = page_request(
            first,
            after,
            last,
            before,
            max_size=settings.max_page_size,
            default_size=settings.default_page_size,
        )
        return await next_(source, info, page=page, **kwargs)


def connection(*, description: str | None = None) -> Any:
    """A connection field; its resolver declares only its own filters, and ``page``::

    @connection(description="…")
    async def licenses(
        self, info: Info, page: PageRequest, filter: LicenseFilterInput | None = None
    ) -> Connection[License]: ...
    """
    return strawberry.field(description=description, extensions=[PageArguments()])


@strawberry.interface(description="An object with a global, opaque id.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="All the rows that match, on every page.")
    async def total_count(self) -> int:
        return await self._count()

    @classmethod
    def build(
        cls,
        page: Page[R],
        build: Callable[[R], T],
        count: Callable[[], Awaitable[int]],
    ) -> Connection[T]:
        edges = [Edge(cursor=encode_cursor(row.id), node=build(row)) for row in page.rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=count,
        )
