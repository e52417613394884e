"""What the gateway outside ``db`` holds of SQLAlchemy, named once here, so that only ``db``
and ``gateway.loaders`` import ``sqlalchemy`` (the ``.importlinter`` contract):

- the access types: :data:`Engine` (the pool), :data:`Connection` (one checked-out
  connection, Core), :data:`Session` (an ORM unit of work) and :data:`SessionFactory`;
- the errors the gateway catches: :class:`IntegrityConflict` (a unique or foreign-key
  constraint refused the write, e.g. a concurrent sign-up took the email),
  :class:`DatabaseError` (the driver raised; ``.orig`` is its own exception),
  :class:`PoolTimeout` (no connection free within the pool timeout), and
  :data:`DATABASE_UNAVAILABLE`, the ones that mean "retry shortly";
- :class:`CommitWatch`, a watch on the commits of the sessions a factory makes
  (``gateway.http.idempotency``: could running the request again write twice?).

Database URLs are parsed in ``db.urls``; SQL itself is written in ``db.queries``.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError as DatabaseError
from sqlalchemy.exc import IntegrityError as IntegrityConflict
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session as SyncSession

__all__ = [
    "DATABASE_UNAVAILABLE",
    "CommitWatch",
    "Connection",
    "DatabaseError",
    "Engine",
    "IntegrityConflict",
    "PoolTimeout",
    "Session",
    "SessionFactory",
]

Engine: TypeAlias = AsyncEngine
Connection: TypeAlias = AsyncConnection
Session: TypeAlias = AsyncSession
SessionFactory: TypeAlias = async_sessionmaker[AsyncSession]
# The pool timed out, the connection failed, or the server refused: "retry shortly".
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (PoolTimeout, OSError, DatabaseError)


class CommitWatch:
    """Whether any session of one request committed (or may have: a commit was under way
    when the request ended), i.e. whether running the request again could write twice."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.committed = False
        self._committing: set[int] = set()
        self.sessions: SessionFactory = _WatchedSessions(sessions, self)

    @property
    def wrote(self) -> bool:
        return self.committed or bool(self._committing)

    def observe(self, session: SyncSession) -> None:
        event.listen(session, "before_commit", self._before_commit)
        event.listen(session, "after_commit", self._after_commit)
        event.listen(session, "after_rollback", self._after_rollback)

    def _before_commit(self, session: SyncSession) -> None:
        self._committing.add(id(session))

    def _after_commit(self, session: SyncSession) -> None:
        self._committing.discard(id(session))
        self.committed = True

    def _after_rollback(self, session: SyncSession) -> None:
        self._committing.discard(id(session))  # a failed commit wrote nothing


class _WatchedSessions(async_sessionmaker[AsyncSession]):
    """The app's session factory, whose sessions report their commits to a watch."""

    def __init__(self, base: SessionFactory, watch: CommitWatch) -> None:
        super().__init__(class_=base.class_, **base.kw)
        self.watch = watch

    def __call__(self, **local_kw: Any) -> AsyncSession:
        session = super().__call__(**local_kw)
        self.watch.observe(session.sync_session)
        return session
