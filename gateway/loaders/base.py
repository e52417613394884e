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
import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar, cast

from aiodataloader import DataLoader
from sqlalchemy import ColumnElement, Date, FromClause, Integer, Select, bindparam, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.queries.pages import (
    Page,
    PageRequest,
    bound_count_statement,
    bound_pages_statement,
    page_params,
    split_pages,
)
from gateway.auth.principal import Principal
from gateway.domain.enums import PartnerScope, PrincipalKind

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


# The principal's ids and the day are parameters of the statements, never part of them: a
# statement is built once per *shape* of principal (its kind, scopes, and which ids it has)
# and reused by every request of that shape. The policy predicates are built against a
# template principal whose ids are these bind parameters.
PRINCIPAL_ACCOUNT_ID = bindparam("principal_account_id", type_=Integer)
PRINCIPAL_PARTNER_ID = bindparam("principal_partner_id", type_=Integer)
TODAY = bindparam("today", type_=Date)

PolicyShape = tuple[PrincipalKind, frozenset[PartnerScope], bool, bool]


def shape_of(p: Principal) -> PolicyShape:
    return (p.kind, p.scopes, p.account_id is not None, p.partner_id is not None)


def template_principal(shape: PolicyShape) -> Principal:
    """A principal of this shape whose ids are bind parameters (see ``bound_params``).

    So the policy predicates (gateway.auth.policy) must use a principal's ids only inside
    SQL expressions, never test their values in Python (``is not None`` is part of the
    shape, so that test is fine)."""
    kind, scopes, has_account, has_partner = shape
    return Principal(
        kind,
        account_id=cast(int, PRINCIPAL_ACCOUNT_ID) if has_account else None,
        partner_id=cast(int, PRINCIPAL_PARTNER_ID) if has_partner else None,
        scopes=scopes,
    )


def bound_today() -> dt.date:
    """The ``today`` parameter, where the filters expect a date."""
    return cast(dt.date, TODAY)


def bound_params(p: Principal, today: dt.date) -> dict[str, Any]:
    """The values of a request's statements' parameters (a statement ignores those it lacks)."""
    return {
        "principal_account_id": p.account_id,
        "principal_partner_id": p.partner_id,
        "today": today,
    }


def by_key_statement(query: Select[Any], key_col: Col) -> Select[Any]:
    """``WHERE key IN (:ids)``."""
    return query.where(key_col.in_(bindparam("ids", expanding=True)))


def rows_by_key(stmt: Select[Any], key: str, params: dict[str, Any]) -> Fetch[Any, Row[Any] | None]:
    """One row (or None) per key, in the order of the keys (``stmt`` from ``by_key_statement``)."""

    async def fetch(conn: AsyncConnection, keys: list[Any]) -> list[Row[Any] | None]:
        rows = (await conn.execute(stmt, {**params, "ids": keys})).all()
        found = {row._mapping[key]: row for row in rows}
        return [found.get(k) for k in keys]

    return fetch


def grouped_statement(query: Select[Any], parent_col: Col, order_by: Sequence[Any]) -> Select[Any]:
    """``WHERE parent IN (:ids)``, each row labelled with its ``parent_key``."""
    return (
        query.add_columns(parent_col.label("parent_key"))
        .where(parent_col.in_(bindparam("ids", expanding=True)))
        .order_by(*order_by)
    )


def grouped_rows(stmt: Select[Any], params: dict[str, Any]) -> Fetch[Any, list[Row[Any]]]:
    """The (short, unpaged) list of children of each parent (``stmt`` from
    ``grouped_statement``)."""

    async def fetch(conn: AsyncConnection, keys: list[Any]) -> list[list[Row[Any]]]:
        grouped: dict[Any, list[Row[Any]]] = {key: [] for key in keys}
        for row in (await conn.execute(stmt, {**params, "ids": keys})).all():
            grouped[row.parent_key].append(row)
        return [grouped[key] for key in keys]

    return fetch


Source = Callable[[Principal, Any], tuple[FromClause, ColumnElement[Any], list[Any]]]


class Relation:
    """A paged, filtered one-to-many list (``account.licenses``): how to find the children
    of a batch of parents. ``source(principal, filter)`` returns the FROM clause, the parent
    column and the WHERE conditions (policy included); the parents are bound as ``ids``."""

    def __init__(
        self,
        *,
        columns: Sequence[Any],
        id_col: Col,
        source: Source,
        descending: bool = False,
    ) -> None:
        self.columns = columns
        self.id_col = id_col
        self.source = source
        self.descending = descending

    def page_fetch(
        self, shape: PolicyShape, params: dict[str, Any]
    ) -> Fetch[tuple[Any, PageRequest, Any], Page]:
        async def fetch(
            conn: AsyncConnection, keys: list[tuple[Any, PageRequest, Any]]
        ) -> list[Page]:
            # Keys asking for the same page and filter share one statement.
            groups: dict[tuple[PageRequest, Any], list[Any]] = {}
            for parent, page, filter_ in keys:
                groups.setdefault((page, filter_), []).append(parent)
            pages: dict[tuple[Any, PageRequest, Any], Page] = {}
            for (page, filter_), parents in groups.items():
                stmt = _page_statement(
                    self,
                    shape,
                    filter_,
                    page.after is not None,
                    page.before is not None,
                    page.backwards,
                )
                rows = (
                    await conn.execute(stmt, {**params, **page_params(page), "ids": parents})
                ).all()
                found = split_pages(rows, parents, page)
                pages.update({(parent, page, filter_): found[parent] for parent in parents})
            return [pages[key] for key in keys]

        return fetch

    def count_fetch(
        self, shape: PolicyShape, params: dict[str, Any]
    ) -> Fetch[tuple[Any, Any], int]:
        async def fetch(conn: AsyncConnection, keys: list[tuple[Any, Any]]) -> list[int]:
            groups: dict[Any, list[Any]] = {}
            for parent, filter_ in keys:
                groups.setdefault(filter_, []).append(parent)
            counts: dict[tuple[Any, Any], int] = {}
            for filter_, parents in groups.items():
                stmt = _count_statement(self, shape, filter_)
                rows = (await conn.execute(stmt, {**params, "ids": parents})).all()
                found = {row[0]: int(row[1]) for row in rows}
                counts.update({(parent, filter_): found.get(parent, 0) for parent in parents})
            return [counts[key] for key in keys]

        return fetch


# Bounded: the filters are part of the key (a few dozen values in practice).
@functools.lru_cache(maxsize=512)
def _page_statement(
    relation: Relation,
    shape: PolicyShape,
    filter_: Any,
    after: bool,
    before: bool,
    backwards: bool,
) -> Select[Any]:
    source, parent, where = relation.source(template_principal(shape), filter_)
    return bound_pages_statement(
        columns=relation.columns,
        source=source,
        parent=parent,
        where=where,
        id_col=relation.id_col,
        after=after,
        before=before,
        backwards=backwards,
        descending=relation.descending,
    )


@functools.lru_cache(maxsize=512)
def _count_statement(relation: Relation, shape: PolicyShape, filter_: Any) -> Select[Any]:
    source, parent, where = relation.source(template_principal(shape), filter_)
    return bound_count_statement(id_col=relation.id_col, source=source, parent=parent, where=where)


def columns_of(model: Any) -> list[Any]:
    return list(model.__table__.c)


def select_columns(model: Any) -> Select[Any]:
    return select(*columns_of(model))
