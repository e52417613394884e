"""What every ``conex-gateway`` command shares: its one-line errors and the database it opens
once that database answered and is migrated."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from db.urls import URL_ERRORS, shown_url, sqlite_database
from gateway.settings import VAR_DIR

if TYPE_CHECKING:
    from db.sessions import Engine
    from gateway.settings import Settings

# db.engine, db.migrate (Alembic) and db.sessions are imported where a database is opened:
# `--help`, `--version` and a bad argument are answered without loading them (each
# `conex-gateway` run pays for what it imports: ~2 s of CPU for everything).

PROG = "conex-gateway"
EXIT_FAILED = 1
EXIT_CONFIGURATION = 2
CONNECT_TIMEOUT_SECONDS = 10.0


class ConfigurationError(Exception):
    """The environment or the arguments are wrong; printed as one line, exit status 2."""


class CommandFailed(Exception):
    """The command could not do what was asked (e.g. no such token); one line, exit status 1."""


# --- the database -------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    from db.sessions import DatabaseError

    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT_SECONDS:g} s"
    if isinstance(exc, DatabaseError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _sqlite_file(url: str) -> Path | None:
    database = sqlite_database(url)
    return None if database is None else Path(database)


async def open_database(settings: Settings, *, must_be_migrated: bool = True) -> Engine:
    """An engine on ``CONEX_DATABASE_URL`` once the database answered (and is at head).

    ``must_be_migrated=False`` is for ``migrate`` itself, which may also create the SQLite
    file and the default ``var/`` directory.
    """
    from db.engine import create_engine
    from db.migrate import current_revision, head_revision
    from db.sessions import DatabaseError

    url = settings.database_url
    path = _sqlite_file(url)
    if path is not None:
        if must_be_migrated and not path.exists():
            raise ConfigurationError(
                f"CONEX_DATABASE_URL: {path} does not exist; run: {PROG} migrate"
            )
        if not path.parent.exists():
            if path.parent != VAR_DIR:
                raise ConfigurationError(
                    f"CONEX_DATABASE_URL: directory {path.parent} does not exist"
                )
            path.parent.mkdir(parents=True)
    try:
        engine = create_engine(
            url, pool_size=settings.db_pool_size, pool_timeout=settings.db_pool_timeout
        )
    except URL_ERRORS as exc:
        raise ConfigurationError(f"CONEX_DATABASE_URL: {_reason(exc)}") from None
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            revision = await current_revision(engine)
    except (DatabaseError, OSError, TimeoutError) as exc:
        await engine.dispose()
        raise ConfigurationError(
            f"CONEX_DATABASE_URL: cannot use {shown_url(url)}: {_reason(exc)}"
        ) from None
    head = head_revision()
    if must_be_migrated and revision != head:
        await engine.dispose()
        raise ConfigurationError(
            f"CONEX_DATABASE_URL: {shown_url(url)} is at revision {revision or 'none'}, "
            f"not {head}; run: {PROG} migrate"
        )
    return engine


async def until_signalled(run: Callable[[asyncio.Event], Awaitable[object]]) -> None:
    """``run(stop)`` with ``stop`` set by SIGTERM or SIGINT: the worker commands' ``--watch``
    (``send-mail``, ``webhooks``) finish the batch under way, then return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        await run(stop)
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
