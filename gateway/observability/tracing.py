"""OpenTelemetry traces, on when ``CONEX_OTEL_EXPORTER_OTLP_ENDPOINT`` is set: a span per
request (the ASGI instrumentation) and per SQL statement (the SQLAlchemy instrumentation),
none per GraphQL field; the trace id in every log line of the request.

This module is what the rest of the gateway calls, and it imports no OpenTelemetry:
``gateway.observability.otel`` holds all of it and is imported by :func:`enable` alone, so a
gateway without the setting loads neither the instrumentations, the exporter nor the SDK's
tracing (redis-py imports OpenTelemetry's API and the SDK's metrics by itself, when they are
installed). Until then :func:`current_trace_id` and :func:`name_request_span` do nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from db.sessions import Engine
    from gateway.observability.record import RequestRecord


def _no_trace_id() -> str | None:
    return None


def _no_span(_scope: Mapping[str, Any], _record: RequestRecord) -> None:
    return None


_trace_id: Callable[[], str | None] = _no_trace_id
_name_span: Callable[[Mapping[str, Any], RequestRecord], None] = _no_span


def enable(app: Starlette, engine: Engine, *, endpoint: str) -> None:
    """Trace ``app``'s requests and ``engine``'s statements to the OTLP/HTTP ``endpoint``.
    Called once the access middleware is on ``app``: the request span goes outside it."""
    global _trace_id, _name_span
    from gateway.observability import otel

    otel.instrument(app, engine, otel.tracer_provider(endpoint))
    _trace_id, _name_span = otel.current_trace_id, otel.name_request_span


def current_trace_id() -> str | None:
    """The running request's trace id (32 hex digits); None outside a trace or untraced."""
    return _trace_id()


def name_request_span(scope: Mapping[str, Any], record: RequestRecord) -> None:
    """Name the running request's span after its route and GraphQL operation."""
    _name_span(scope, record)
