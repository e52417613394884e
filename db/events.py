"""Engine hooks for observability: a callback per SQL statement, the pool's checked-out count.

Both only listen or read: neither sends a statement (the pinned statement counts hold).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_listeners: dict[Callable[[], None], Callable[..., None]] = {}


def on_statement(engine: AsyncEngine, callback: Callable[[], None]) -> None:
    """Call ``callback`` before every statement ``engine`` sends (once per engine and callback:
    several apps on one engine, as in the tests, must not count a statement twice)."""
    listener = _listeners.get(callback)
    if listener is None:

        def listener(*_args: Any, **_kwargs: Any) -> None:
            callback()

        _listeners[callback] = listener
    if not event.contains(engine.sync_engine, "before_cursor_execute", listener):
        event.listen(engine.sync_engine, "before_cursor_execute", listener)


def pool_checked_out(engine: AsyncEngine) -> int | None:
    """Connections of the pool in use now, or ``None`` for a pool that does not count them."""
    checkedout = getattr(engine.sync_engine.pool, "checkedout", None)
    return int(checkedout()) if callable(checkedout) else None
