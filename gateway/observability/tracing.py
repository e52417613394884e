"""OpenTelemetry traces, on when ``CONEX_OTEL_EXPORTER_OTLP_ENDPOINT`` is set: a span per
request (the ASGI instrumentation) and per SQL statement (the SQLAlchemy instrumentation),
none per GraphQL field. Placeholder until the tracing step lands."""

from __future__ import annotations


def current_trace_id() -> str | None:
    return None
