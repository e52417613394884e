"""Keyset pagination in SQL: one statement per page, or per batch of parents.

Every connection is ordered by the primary key (ascending, or descending for "newest
first" lists), so a cursor is just the id of the last row seen and a page is
``WHERE id > :cursor ORDER BY id LIMIT :n + 1`` — the extra row tells whether there is a
next page. Pages of many parents at once (the licenses of 20 organizations) use
``ROW_NUMBER() OVER (PARTITION BY parent ...)`` so the batch is still one statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, FromClause, Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db.queries.decode import Decode

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated page: ``limit`` rows after/before a cursor id; ``backwards`` for last/before."""

    limit: int
    after: int | None = None
    before: int | None = None
    backwards: bool = False


@dataclass(frozen=True, slots=True)
class Page(Generic[R]):
    rows: Sequence[R]
    has_next_page: bool
    has_previous_page: bool


def _cursor_conditions(
    id_col: ColumnElement[int], page: PageRequest, *, descending: bool
) -> list[ColumnElement[bool]]:
    conditions = []
    if page.after is not None:
        conditions.append(id_col < page.after if descending else id_col > page.after)
    if page.before is not None:
        conditions.append(id_col > page.before if descending else id_col < page.before)
    return conditions


def _order(id_col: ColumnElement[int], page: PageRequest, *, descending: bool) -> Any:
    # Paging backwards reads the list from its end, then turns the page round.
    return id_col.desc() if descending != page.backwards else id_col.asc()


def _to_page(rows: Sequence[R], page: PageRequest) -> Page[R]:
    more = len(rows) > page.limit
    rows = list(rows[: page.limit])
    if page.backwards:
        rows.reverse()
        return Page(rows, has_next_page=page.before is not None, has_previous_page=more)
    return Page(rows, has_next_page=more, has_previous_page=page.after is not None)


async def fetch_page(
    conn: AsyncConnection,
    query: Select[Any],
    *,
    id_col: ColumnElement[int],
    page: PageRequest,
    decode: Decode[R],
    descending: bool = False,
) -> Page[R]:
    stmt = (
        query.where(*_cursor_conditions(id_col, page, descending=descending))
        .order_by(_order(id_col, page, descending=descending))
        .limit(page.limit + 1)
    )
    return _to_page([decode(row) for row in await conn.execute(stmt)], page)


async def count(conn: AsyncConnection, query: Select[Any]) -> int:
    stmt = select(func.count()).select_from(query.order_by(None).subquery())
    return int((await conn.execute(stmt)).scalar_one())


# Statements built once and bound per batch (the loaders cache them): the parents, the
# cursor and the page size are parameters, so a statement is built, and its cache key
# computed, once per shape of page rather than once per batch.


def bound_pages_statement(
    *,
    columns: Sequence[Any],
    source: FromClause,
    parent: ColumnElement[Any],
    where: Sequence[ColumnElement[bool]],
    id_col: ColumnElement[int],
    after: bool,
    before: bool,
    backwards: bool,
    descending: bool = False,
) -> Select[Any]:
    """The same page of many parents' lists, in one statement: parameters ``ids`` (the parents),
    ``page_after``/``page_before`` (when ``after``/``before``) and ``page_rows``
    (``limit + 1``); pass them with ``page_params``."""
    shape = PageRequest(
        limit=0, after=0 if after else None, before=0 if before else None, backwards=backwards
    )
    order = _order(id_col, shape, descending=descending)
    cursor = []
    if after:
        bound = bindparam("page_after", type_=Integer)
        cursor.append(id_col < bound if descending else id_col > bound)
    if before:
        bound = bindparam("page_before", type_=Integer)
        cursor.append(id_col > bound if descending else id_col < bound)
    rank = func.row_number().over(partition_by=parent, order_by=order)
    ranked = (
        select(*columns, parent.label("parent_key"), rank.label("page_rank"))
        .select_from(source)
        .where(parent.in_(bindparam("ids", expanding=True)), *where, *cursor)
        .subquery()
    )
    return (
        select(ranked)
        .where(ranked.c.page_rank <= bindparam("page_rows", type_=Integer))
        .order_by(ranked.c.parent_key, ranked.c.page_rank)
    )


def page_params(page: PageRequest) -> dict[str, Any]:
    return {"page_after": page.after, "page_before": page.before, "page_rows": page.limit + 1}


def split_pages(
    rows: Sequence[Sequence[Any]],
    parent_ids: Sequence[Hashable],
    page: PageRequest,
    decode: Decode[R],
) -> dict[Hashable, Page[R]]:
    """The rows of a ``bound_pages_statement`` as one page per parent, each decoded without
    its last two columns (``parent_key``, ``page_rank``)."""
    grouped: dict[Hashable, list[R]] = defaultdict(list)
    for row in rows:
        grouped[row[-2]].append(decode(row[:-2]))
    return {key: _to_page(grouped.get(key, []), page) for key in parent_ids}


def bound_count_statement(
    *,
    id_col: ColumnElement[int],
    source: FromClause,
    parent: ColumnElement[Any],
    where: Sequence[ColumnElement[bool]],
) -> Select[Any]:
    """How many children each parent has, in one statement; the parents bound as ``ids``."""
    return (
        select(parent.label("parent_key"), func.count(func.distinct(id_col)))
        .select_from(source)
        .where(parent.in_(bindparam("ids", expanding=True)), *where)
        .group_by(parent)
    )
