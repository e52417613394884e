"""Quote reads and writes used by the mutations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Quote


async def visible_quote(
    session: AsyncSession, quote_id: int, visible: ColumnElement[bool], *, for_update: bool = False
) -> Row[Any] | None:
    stmt = select(*Quote.__table__.c).where(Quote.id == quote_id, visible)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def update_quote_if_version(
    session: AsyncSession,
    *,
    quote_id: int,
    expected_version: int,
    writable: ColumnElement[bool],
    extra_where: list[ColumnElement[bool]],
    values: dict[str, Any],
    now: dt.datetime,
) -> Row[Any] | None:
    """R-QUOTE-7: compare and bump the version in the one UPDATE, so of two concurrent
    edits naming the same version exactly one matches a row."""
    stmt = (
        update(Quote)
        .where(Quote.id == quote_id, Quote.version == expected_version, writable, *extra_where)
        .values(**values, version=Quote.version + 1, updated_at=now)
        .returning(*Quote.__table__.c)
    )
    return (await session.execute(stmt)).first()
