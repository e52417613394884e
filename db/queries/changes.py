"""Changes to quotes, licenses and orders (issue #15): audit events whose ``change`` says what
kind, written in the mutation's transaction and announced only after it commits.

:func:`on_changes_committed` registers a callback for an engine; after each commit on it that
wrote such events, the callback gets them (with their ids), on the committing task and without
I/O — it hands them on (to the change broker, to Redis, to a webhook deliverer's wake-up). A
rolled-back transaction calls nothing, so it announces nothing. :func:`change_events_after`
reads the committed ones after a cursor, for a reader that missed an announcement
(:func:`latest_change_id` is where a new reader starts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine as SyncEngine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session as SyncSession

from db.models import AuditEvent
from gateway.domain.enums import ChangeEntity, ChangeKind


class ChangeEventRow(NamedTuple):
    id: int  # the audit event's: increasing, a reader's cursor
    occurred_at: dt.datetime
    entity_type: ChangeEntity
    entity_id: int
    kind: ChangeKind


ChangesCallback = Callable[[Sequence[ChangeEventRow]], None]

_WRITTEN = "conex.changes.written"  # in Session.info: the changes this transaction wrote
_callbacks: WeakKeyDictionary[SyncEngine, list[ChangesCallback]] = WeakKeyDictionary()
_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.change,
)


def _row(values: Sequence[object]) -> ChangeEventRow:
    pk, at, entity_type, entity_id, kind = values
    assert isinstance(pk, int) and isinstance(at, dt.datetime) and isinstance(entity_id, int)
    assert isinstance(entity_type, str) and isinstance(kind, str)
    return ChangeEventRow(pk, at, ChangeEntity(entity_type), entity_id, ChangeKind(kind))


def written(session: AsyncSession, rows: Sequence[ChangeEventRow]) -> None:
    """Note changes just inserted in ``session``'s transaction, for after its commit."""
    session.info.setdefault(_WRITTEN, []).extend(rows)


async def change_events_after(
    *, session: AsyncSession, after_id: int, limit: int
) -> list[ChangeEventRow]:
    """The committed changes after a cursor, oldest first."""
    statement = (
        select(*_COLUMNS)
        .where(AuditEvent.id > after_id, AuditEvent.change.is_not(None))
        .order_by(AuditEvent.id)
        .limit(limit)
    )
    return [_row(tuple(row)) for row in await session.execute(statement)]


async def latest_change_id(*, session: AsyncSession) -> int:
    """The id of the newest committed change (0 when there is none): a reader's first cursor."""
    statement = select(func.max(AuditEvent.id)).where(AuditEvent.change.is_not(None))
    return int(await session.scalar(statement) or 0)


def on_changes_committed(engine: AsyncEngine, callback: ChangesCallback) -> Callable[[], None]:
    """Call ``callback(changes)`` after each commit on ``engine`` that wrote changes (it must
    not raise: it runs after the commit, on the committing task); returns what removes it."""
    callbacks = _callbacks.setdefault(engine.sync_engine, [])
    callbacks.append(callback)

    def remove() -> None:
        if callback in callbacks:
            callbacks.remove(callback)

    return remove


@event.listens_for(SyncSession, "after_commit")
def _after_commit(session: SyncSession) -> None:
    rows: list[ChangeEventRow] = session.info.pop(_WRITTEN, [])
    if not rows:
        return
    bind = session.bind
    engine = bind if isinstance(bind, SyncEngine) else getattr(bind, "engine", None)
    for callback in list(_callbacks.get(engine, ())) if engine is not None else ():
        callback(rows)


@event.listens_for(SyncSession, "after_rollback")
def _after_rollback(session: SyncSession) -> None:
    session.info.pop(_WRITTEN, None)
