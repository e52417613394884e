"""Relay: opaque global ids, the Node interface, cursors and connections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError

from db.queries.pages import Page, PageRequest

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PK = 2**31 - 1  # primary keys are INTEGER: a larger number names nothing


def encode_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(
        base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
    )


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
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    """Validate Relay arguments: at most 100 rows a page, never both directions at once."""
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
        if value is not None and value > MAX_PAGE_SIZE:
            raise GraphQLError(
                f"`{name}` is {value}; a page holds at most {MAX_PAGE_SIZE} rows.",
                extensions={"code": "PAGE_SIZE_TOO_LARGE", "argument": name, "max": MAX_PAGE_SIZE},
            )
    return PageRequest(
        limit=last if last is not None else (first if first is not None else DEFAULT_PAGE_SIZE),
        after=decode_cursor(after, "after") if after is not None else None,
        before=decode_cursor(before, "before") if before is not None else None,
        backwards=last is not None,
    )


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
        page: Page,
        build: Callable[[Any], T],
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


def static_count(value: int) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        return value

    return count


def build_list(rows: Sequence[Any], build: Callable[[Any], T]) -> list[T]:
    return [build(row) for row in rows]
