"""The mail outbox: messages queued in the transaction that caused them, sent after commit
by ``gateway.integrations.mail``.

:func:`on_mail_committed` tells a deliverer in this process that a transaction which queued
mail has just committed, so that it sends at once instead of at its next poll: the insert
marks its session, and a listener on every session's ``after_commit`` calls the callbacks
registered for that session's engine. A rolled-back transaction calls nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, insert
from sqlalchemy.engine import Engine as SyncEngine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session as SyncSession

from db.models import OutgoingMail

_QUEUED = "conex.outbox.queued"  # in Session.info: this transaction queued mail
_callbacks: WeakKeyDictionary[SyncEngine, list[Callable[[], None]]] = WeakKeyDictionary()


async def insert_outgoing_mails(*, session: AsyncSession, mails: Sequence[dict[str, Any]]) -> None:
    """One executemany for every message of the unit of work."""
    if mails:
        await session.execute(insert(OutgoingMail), list(mails))
        session.info[_QUEUED] = True


def on_mail_committed(engine: AsyncEngine, callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` (on the committing task, without I/O) after each commit on
    ``engine`` that queued mail; returns what removes it."""
    callbacks = _callbacks.setdefault(engine.sync_engine, [])
    callbacks.append(callback)

    def remove() -> None:
        if callback in callbacks:
            callbacks.remove(callback)

    return remove


@event.listens_for(SyncSession, "after_commit")
def _after_commit(session: SyncSession) -> None:
    if not session.info.pop(_QUEUED, False):
        return
    bind = session.bind
    engine = bind if isinstance(bind, SyncEngine) else getattr(bind, "engine", None)
    for callback in list(_callbacks.get(engine, ())) if engine is not None else ():
        callback()


@event.listens_for(SyncSession, "after_rollback")
def _after_rollback(session: SyncSession) -> None:
    session.info.pop(_QUEUED, None)
