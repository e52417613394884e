"""DataLoader plumbing: every batch is one SQL statement on its own short connection.

aiodataloader runs each batch as its own task, so batches cannot share the request's
session; each opens a pooled connection for the statement(s) it issues, in autocommit: a
batch only reads, so a transaction around it would only cost two round trips (BEGIN,
ROLLBACK). Reads are plain Core rows (no ORM identity map, no lazy loading); the policy
predicates are part of each statement, so a row the caller may not see never leaves the
database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy import ColumnElement, FromClause, Select, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.queries.pages import Page, PageRequest, count_by_parent, fetch_pages_by_parent

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[AsyncConnection, list[K]], Awaitable[Sequence[V]]]
# A column or ORM attribute (``License.id``); SQLAlchemy types them apart, we use both alike.
Col = Any


class SqlLoader(Generic[K, V]):
    """A per-request DataLoader whose batch function runs on a fresh pooled connection."""

    def __init__(self, engine: AsyncEngine, fetch: Fetch[K, V]) -> None:
        self._engine = engine
        self._fetch = fetch
        self._loader: DataLoader[K, V] = DataLoader(batch_load_fn=self._batch)
        self._in_flight: set[asyncio.Task[Any]] = set()

    async def _batch(self, keys: list[K]) -> list[V]:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            async with self._engine.connect() as conn:
                # Only on this checkout: the pool restores the default level on return.
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                return list(await self._fetch(conn, keys))
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def drain(self) -> None:
        """Wait for batches still running (a response can be complete before a batch whose
        results nobody awaits any more): no read outlives its request with a connection."""
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def load(self, key: K) -> V:
        return await self._loader.load(key)  # type: ignore[no-any-return]

    async def load_many(self, keys: Sequence[K]) -> list[V]:
        return await self._loader.load_many(keys)  # type: ignore[no-any-return]


def rows_by_key(query: Select[Any], key_col: Col) -> Fetch[Any, Row[Any] | None]:
    """``WHERE key IN (...)``: one row (or None) per key, in the order of the keys."""

    async def fetch(conn: AsyncConnection, keys: list[Any]) -> list[Row[Any] | None]:
        rows = (await conn.execute(query.where(key_col.in_(keys)))).all()
        found = {row._mapping[key_col.key]: row for row in rows}
        return [found.get(key) for key in keys]

    return fetch


def grouped_rows(
    query: Select[Any], parent_col: Col, order_by: Sequence[Any]
) -> Fetch[Any, list[Row[Any]]]:
    """``WHERE parent IN (...)``: the (short, unpaged) list of children of each parent."""

    async def fetch(conn: AsyncConnection, keys: list[Any]) -> list[list[Row[Any]]]:
        stmt = query.add_columns(parent_col.label("parent_key")).where(parent_col.in_(keys))
        grouped: dict[Any, list[Row[Any]]] = {key: [] for key in keys}
        for row in (await conn.execute(stmt.order_by(*order_by))).all():
            grouped[row.parent_key].append(row)
        return [grouped[key] for key in keys]

    return fetch


class Relation:
    """A paged, filtered one-to-many list (``account.licenses``): how to find the children
    of a batch of parents. ``source(parent_ids, filter)`` returns the FROM clause, the
    parent column and the WHERE conditions (policy included)."""

    def __init__(
        self,
        *,
        columns: Sequence[Any],
        id_col: Col,
        source: Callable[[Sequence[Any], Any], tuple[FromClause, ColumnElement[Any], list[Any]]],
        descending: bool = False,
    ) -> None:
        self.columns = columns
        self.id_col = id_col
        self.source = source
        self.descending = descending

    def page_fetch(self) -> Fetch[tuple[Any, PageRequest, Any], Page]:
        async def fetch(
            conn: AsyncConnection, keys: list[tuple[Any, PageRequest, Any]]
        ) -> list[Page]:
            # Keys asking for the same page and filter share one statement.
            groups: dict[tuple[PageRequest, Any], list[Any]] = {}
            for parent, page, filter_ in keys:
                groups.setdefault((page, filter_), []).append(parent)
            pages: dict[tuple[Any, PageRequest, Any], Page] = {}
            for (page, filter_), parents in groups.items():
                source, parent_col, where = self.source(parents, filter_)
                found = await fetch_pages_by_parent(
                    conn,
                    columns=self.columns,
                    source=source,
                    parent=parent_col,
                    parent_ids=parents,
                    where=where,
                    id_col=self.id_col,
                    page=page,
                    descending=self.descending,
                )
                pages.update({(parent, page, filter_): found[parent] for parent in parents})
            return [pages[key] for key in keys]

        return fetch

    def count_fetch(self) -> Fetch[tuple[Any, Any], int]:
        async def fetch(conn: AsyncConnection, keys: list[tuple[Any, Any]]) -> list[int]:
            groups: dict[Any, list[Any]] = {}
            for parent, filter_ in keys:
                groups.setdefault(filter_, []).append(parent)
            counts: dict[tuple[Any, Any], int] = {}
            for filter_, parents in groups.items():
                source, parent_col, where = self.source(parents, filter_)
                found = await count_by_parent(
                    conn,
                    id_col=self.id_col,
                    source=source,
                    parent=parent_col,
                    parent_ids=parents,
                    where=where,
                )
                counts.update({(parent, filter_): found[parent] for parent in parents})
            return [counts[key] for key in keys]

        return fetch


def columns_of(model: Any) -> list[Any]:
    return list(model.__table__.c)


def select_columns(model: Any) -> Select[Any]:
    return select(*columns_of(model))
