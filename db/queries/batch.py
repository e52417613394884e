"""Statements for batched reads (the DataLoaders in ``gateway.loaders``): built once, bound
per batch.

A statement here never holds a request's values: the keys of a batch are the expanding
parameter ``ids``, the caller's ids and the day are ``PRINCIPAL_ACCOUNT_ID``,
``PRINCIPAL_PARTNER_ID`` and ``TODAY`` (see ``bound_params``), the page's cursor and size are
``page_params``. So a statement is built, and its cache key computed, once per *shape* (of
principal, filter and page) and reused by every batch of that shape.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    Integer,
    Select,
    bindparam,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from db.queries.decode import Decode
from db.queries.pages import (
    Page,
    PageRequest,
    bound_count_statement,
    bound_pages_statement,
    page_params,
    split_pages,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")

# What a loader's batch runs: the batch's keys in, one value per key out, in order.
Fetch = Callable[[AsyncConnection, list[K]], Awaitable[Sequence[V]]]
# A column or ORM attribute (``License.id``); SQLAlchemy types them apart, we use both alike.
Col = Any

PRINCIPAL_ACCOUNT_ID = bindparam("principal_account_id", type_=Integer)
PRINCIPAL_PARTNER_ID = bindparam("principal_partner_id", type_=Integer)
TODAY = bindparam("today", type_=Date)


def bound_today() -> dt.date:
    """The ``today`` parameter, where the filters expect a date."""
    return cast(dt.date, TODAY)


def bound_params(
    *, account_id: int | None, partner_id: int | None, today: dt.date
) -> dict[str, Any]:
    """The values of a request's statements' parameters (a statement ignores those it lacks)."""
    return {"principal_account_id": account_id, "principal_partner_id": partner_id, "today": today}


def columns_of(model: Any) -> list[Any]:
    return list(model.__table__.c)


def select_columns(model: Any) -> Select[Any]:
    return select(*columns_of(model))


def by_key_statement(query: Select[Any], key_col: Col) -> Select[Any]:
    """``WHERE key IN (:ids)``."""
    return query.where(key_col.in_(bindparam("ids", expanding=True)))


def by_id_statement(model: Any, visible: ColumnElement[bool] | None = None) -> Select[Any]:
    """A model's rows by id, those ``visible`` (a policy predicate) lets through."""
    query = select_columns(model)
    if visible is not None:
        query = query.where(visible)
    return by_key_statement(query, model.__table__.c.id)


def grouped_statement(query: Select[Any], parent_col: Col, order_by: Sequence[Any]) -> Select[Any]:
    """``WHERE parent IN (:ids)``, each row labelled with its ``parent_key``."""
    return (
        query.add_columns(parent_col.label("parent_key"))
        .where(parent_col.in_(bindparam("ids", expanding=True)))
        .order_by(*order_by)
    )


def rows_by_key(
    stmt: Select[Any], key: str, params: dict[str, Any], decode: Decode[R]
) -> Fetch[Any, R | None]:
    """One row (or None) per key, in the order of the keys (``stmt`` from ``by_key_statement``),
    each decoded with ``decode``."""
    position = list(stmt.selected_columns.keys()).index(key)

    async def fetch(conn: AsyncConnection, keys: list[Any]) -> list[R | None]:
        rows = await conn.execute(stmt, {**params, "ids": keys})
        found = {row[position]: decode(row) for row in rows}
        return [found.get(k) for k in keys]

    return fetch


def grouped_rows(
    stmt: Select[Any], params: dict[str, Any], decode: Decode[R]
) -> Fetch[Any, list[R]]:
    """The (short, unpaged) list of children of each parent (``stmt`` from
    ``grouped_statement``), each decoded without its last column (``parent_key``)."""

    async def fetch(conn: AsyncConnection, keys: list[Any]) -> list[list[R]]:
        grouped: dict[Any, list[R]] = {key: [] for key in keys}
        for row in await conn.execute(stmt, {**params, "ids": keys}):
            grouped[row[-1]].append(decode(row[:-1]))
        return [grouped[key] for key in keys]

    return fetch


def contact_pairs(model: Any) -> FromClause:
    """(entity id, account id) for every billing or technical role of the accounts ``ids``."""
    return union(
        select(model.id.label("entity_id"), model.billing_account_id.label("account_id")).where(
            model.billing_account_id.in_(bindparam("ids", expanding=True))
        ),
        select(model.id.label("entity_id"), model.technical_account_id.label("account_id")).where(
            model.technical_account_id.in_(bindparam("ids", expanding=True))
        ),
    ).subquery()


@dataclass(frozen=True, eq=False)
class Children(Generic[R]):
    """Where the children of a batch of parents are: their columns and id, the FROM clause and
    the parent column (``join()``), the list's order (by id, newest first if ``descending``),
    and the row class they decode into."""

    columns: Sequence[Any]
    id_col: Col
    join: Callable[[], tuple[FromClause, Col]]
    decode: Decode[R]
    descending: bool = False


def children_of(
    model: Any, parent_col: Col, decode: Decode[R], *, descending: bool = False
) -> Children[R]:
    """Children that name their parent in a column of their own."""
    return Children(
        columns_of(model),
        model.__table__.c.id,
        lambda: (model.__table__, parent_col),
        decode,
        descending,
    )


def children_by_contact(model: Any, decode: Decode[R], *, descending: bool = False) -> Children[R]:
    """Children of the accounts that are their billing or technical contact."""

    def join() -> tuple[FromClause, Col]:
        pairs = contact_pairs(model)
        return model.__table__.join(pairs, pairs.c.entity_id == model.id), pairs.c.account_id

    return Children(columns_of(model), model.__table__.c.id, join, decode, descending)


# The WHERE conditions of a relation for a principal shape and a filter (policy included).
Where = Callable[[Hashable, Any], list[Any]]


@dataclass(frozen=True, eq=False)
class Relation(Generic[R]):
    """A paged, filtered one-to-many list (``account.licenses``): the ``children`` of a batch
    of parents, filtered by ``where(shape, filter)``; the parents are bound as ``ids``."""

    children: Children[R]
    where: Where

    def page_fetch(
        self, shape: Hashable, params: dict[str, Any]
    ) -> Fetch[tuple[Any, PageRequest, Any], Page[R]]:
        decode = self.children.decode

        async def fetch(
            conn: AsyncConnection, keys: list[tuple[Any, PageRequest, Any]]
        ) -> list[Page[R]]:
            # Keys asking for the same page and filter share one statement.
            groups: dict[tuple[PageRequest, Any], list[Any]] = {}
            for parent, page, filter_ in keys:
                groups.setdefault((page, filter_), []).append(parent)
            pages: dict[tuple[Any, PageRequest, Any], Page[R]] = {}
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
                found = split_pages(rows, parents, page, decode)
                pages.update({(parent, page, filter_): found[parent] for parent in parents})
            return [pages[key] for key in keys]

        return fetch

    def count_fetch(self, shape: Hashable, params: dict[str, Any]) -> Fetch[tuple[Any, Any], int]:
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
    relation: Relation[Any],
    shape: Hashable,
    filter_: Any,
    after: bool,
    before: bool,
    backwards: bool,
) -> Select[Any]:
    children = relation.children
    source, parent = children.join()
    return bound_pages_statement(
        columns=children.columns,
        source=source,
        parent=parent,
        where=relation.where(shape, filter_),
        id_col=children.id_col,
        after=after,
        before=before,
        backwards=backwards,
        descending=children.descending,
    )


@functools.lru_cache(maxsize=512)
def _count_statement(relation: Relation[Any], shape: Hashable, filter_: Any) -> Select[Any]:
    children = relation.children
    source, parent = children.join()
    return bound_count_statement(
        id_col=children.id_col, source=source, parent=parent, where=relation.where(shape, filter_)
    )
