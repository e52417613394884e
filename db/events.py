"""Engine hooks for observability: a callback per SQL statement, the pool's connections in use
and the tasks waiting for one, a trace span per statement.

All only listen or count: none sends a statement (the pinned statement counts hold).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer
    from sqlalchemy.engine import Engine as SyncEngine
    from sqlalchemy.pool import PoolProxiedConnection

_listeners: dict[Callable[[], None], Callable[..., None]] = {}
_pools_observed: weakref.WeakSet[SyncEngine] = weakref.WeakSet()
_engines_traced: weakref.WeakSet[SyncEngine] = weakref.WeakSet()


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


def observe_pool(
    engine: AsyncEngine,
    *,
    in_use: Callable[[int], None],
    waiting: Callable[[int], None],
) -> None:
    """Report every change of the pool's state as a step (+1 or -1), once per engine:

    - ``in_use``: a connection was checked out of the pool, or went back (checked in, or
      detached: it then leaves the pool's count too);
    - ``waiting``: a task started, or stopped, waiting for a connection: for a free one when
      all are in use (up to ``CONEX_DB_POOL_TIMEOUT``), or for a new one to open. Counted
      around ``Engine.raw_connection``, through which every connection and session of the
      engine checks out (the pool has no event before a checkout); a checkout that finds a
      free connection never yields, so nothing sees it counted.

    Steps rather than reads of ``pool.checkedout()``: each worker of ``serve --workers``
    keeps its own value, and Prometheus adds them up (``multiprocess_mode="livesum"``).
    """
    sync = engine.sync_engine
    if sync in _pools_observed:
        return
    _pools_observed.add(sync)

    def checked_out(*_args: Any) -> None:
        in_use(1)

    def returned(*_args: Any) -> None:
        in_use(-1)

    event.listen(sync, "checkout", checked_out)
    event.listen(sync, "checkin", returned)
    event.listen(sync, "detach", returned)  # a detached connection is never checked in
    connect = sync.raw_connection

    def raw_connection() -> PoolProxiedConnection:
        waiting(1)
        try:
            return connect()
        finally:
            waiting(-1)

    sync.raw_connection = raw_connection  # type: ignore[method-assign]


def trace_statements(engine: AsyncEngine, tracer: Tracer) -> None:
    """A span per statement ``engine`` sends, from ``tracer`` (once per engine): the
    OpenTelemetry SQLAlchemy instrumentation's ``EngineTracer`` on this engine alone. Its
    instrumentor would also patch ``create_engine`` and ``Engine.connect`` process-wide.
    Imported here, when tracing is on, and only then."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    sync = engine.sync_engine
    if sync in _engines_traced:
        return
    _engines_traced.add(sync)
    # The instrumentation also counts connections as an OpenTelemetry metric; Prometheus
    # has them (observe_pool), so that metric goes nowhere.
    usage = NoOpMeterProvider().get_meter(__name__).create_up_down_counter("unused")
    EngineTracer(tracer, sync, usage)  # type: ignore[no-untyped-call]
