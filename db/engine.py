"""Engine and session factory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout: float = 2.0,
    statement_timeout_ms: int | None = None,
) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys and a busy timeout, PostgreSQL a sized pool."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    server_settings = {
        "application_name": "conex-gateway",
        # A connection abandoned inside a transaction (its task cancelled mid-read) must
        # not hold locks for ever: the server ends it after 30 s.
        "idle_in_transaction_session_timeout": "30000",
    }
    if statement_timeout_ms:
        # Every statement is cancelled past this; the gateway answers 503 (PostgreSQL only).
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    return create_async_engine(
        url,
        connect_args={"server_settings": server_settings},
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout,  # fail fast when the pool is exhausted
        # No pre-ping: it cost 3 round trips (BEGIN, ";", ROLLBACK) per checkout, and a loader
        # batch checks a connection out for a single statement. A connection the server has
        # closed fails on use and the pool discards it; connections are renewed hourly in
        # case something between us and the server drops idle ones silently.
        pool_recycle=3600,
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
