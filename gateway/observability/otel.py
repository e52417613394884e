"""OpenTelemetry traces, loaded only when ``CONEX_OTEL_EXPORTER_OTLP_ENDPOINT`` is set
(``gateway.observability.tracing`` imports this module then, and only then).

- A server span per request: the ASGI instrumentation's ``OpenTelemetryMiddleware``, outside
  the access middleware so that the access line and every record logged during the request
  carry its trace id. An incoming W3C ``traceparent`` is honoured (the propagators of
  ``OTEL_PROPAGATORS``, W3C trace context and baggage by default). No spans for the ASGI
  receive/send messages, none for the probes and ``/metrics``. When the response starts
  (the span ends with its last body message) the span is named after its route and GraphQL
  operation (``POST /graphql Products``) and gets ``graphql.operation.name`` and the
  request id.
- A client span per SQL statement, child of the request's span: the SQLAlchemy
  instrumentation's ``EngineTracer`` on the app's engine alone (``db.events``), not its
  instrumentor, which patches ``create_engine`` for the whole process. Statements outside a
  traced request (the readiness probe, ``/metrics``, mail sent in the background) start no
  span: :class:`InRequestsOnly`, our own ten lines, since neither instrumentation can
  skip spans without a parent.
- No span per GraphQL field: Strawberry's OpenTelemetry extension, which makes one per
  resolver, is not used.

The provider is passed to both instrumentations, never installed as OpenTelemetry's global
one (which can be set once per process): every app has its own, and a test builds its own
with the SDK's in-memory exporter.

Query strings are not recorded as sent: a GET's ``query`` and ``variables`` are client data,
so ``http.url``/``url.full``/``url.query`` keep the parameter names with values
``REDACTED``; captured headers (``OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_*``) never show
credentials.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind
from opentelemetry.util import types
from starlette.applications import Starlette

from db.events import trace_statements
from db.sessions import Engine
from gateway.observability.record import RequestRecord

DEFAULT_SERVICE_NAME = "conex-gateway"
TRACES_PATH = "/v1/traces"
#: Requests that make no trace: load balancers' probes and scrapes, every few seconds.
UNTRACED_PATHS = ("/healthz", "/readyz", "/metrics")
#: Request and response headers whose values are never recorded, whatever an operator asks
#: to capture (``OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST``).
SECRET_HEADERS = ("authorization", "cookie", "set-cookie", "idempotency-key")
SANITIZE_ENV = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"
_URL_ATTRIBUTES = ("http.url", "url.full")


def traces_url(endpoint: str) -> str:
    """``CONEX_OTEL_EXPORTER_OTLP_ENDPOINT`` is a base URL, like the standard
    ``OTEL_EXPORTER_OTLP_ENDPOINT``: traces go to its ``/v1/traces``."""
    base = endpoint.rstrip("/")
    return base if base.endswith(TRACES_PATH) else base + TRACES_PATH


def tracer_provider(endpoint: str) -> TracerProvider:
    """Spans batched to the OTLP/HTTP collector at ``endpoint``; the service is named by
    ``OTEL_SERVICE_NAME``, else ``conex-gateway`` (``OTEL_RESOURCE_ATTRIBUTES`` adds to it).
    The SDK reads the other standard variables itself: the sampler (``OTEL_TRACES_SAMPLER``),
    the exporter's headers, timeout, compression and certificates, the batching
    (``OTEL_BSP_*``). Flushed when the process exits."""
    service = os.environ.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    exporter = OTLPSpanExporter(endpoint=traces_url(endpoint))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def instrument(app: Starlette, engine: Engine, provider: TracerProvider) -> None:
    """The request span (outermost middleware: call after the access middleware is added)
    and the statement spans of ``engine``, both reported to ``provider``."""
    sanitized = [*SECRET_HEADERS, *_env_list(SANITIZE_ENV)]
    app.add_middleware(
        OpenTelemetryMiddleware,
        excluded_urls=",".join(rf"//[^/]*{path}(\?|$)" for path in UNTRACED_PATHS),
        tracer_provider=provider,
        meter_provider=NoOpMeterProvider(),  # metrics are Prometheus' (/metrics)
        exclude_spans=["receive", "send"],
        server_request_hook=redact_query,
        http_capture_headers_sanitize_fields=sanitized,
    )
    trace_statements(engine, InRequestsOnly(provider.get_tracer(__name__)))


def _env_list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def redact_query(span: Span, scope: Mapping[str, Any]) -> None:
    """The request span's URL keeps the query's parameter names, not their values."""
    query = bytes(scope.get("query_string") or b"").decode("latin-1")
    if not query or not span.is_recording():
        return
    redacted = "&".join(f"{name}=REDACTED" for name, _ in parse_qsl(query, keep_blank_values=True))
    recorded = span.attributes if isinstance(span, ReadableSpan) else None
    for key in _URL_ATTRIBUTES:
        url = recorded.get(key) if recorded else None
        if isinstance(url, str):
            span.set_attribute(key, url.split("?", 1)[0] + "?" + redacted)
    if recorded and "url.query" in recorded:
        span.set_attribute("url.query", redacted)


def name_request_span(scope: Mapping[str, Any], record: RequestRecord) -> None:
    """Inside the request's span, once the response starts (or the request ended without
    one): name it after the route, never the raw path, and the GraphQL operation (the
    record's: a GraphQL name or nothing, so client text stays bounded)."""
    span = trace.get_current_span()
    if not span.is_recording():
        return
    route = getattr(scope.get("route"), "path", None)
    name = f"{record.method} {route}" if isinstance(route, str) else record.method
    if isinstance(route, str):
        span.set_attribute("http.route", route)
    if record.operation:
        span.set_attribute("graphql.operation.name", record.operation)
        name = f"{name} {record.operation}"
    if record.request_id:
        span.set_attribute("conex.request_id", record.request_id)
    span.set_attribute("conex.principal_kind", record.principal_kind)
    span.update_name(name)


def current_trace_id() -> str | None:
    """The trace id of the running request (32 hex digits), or None outside a trace."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


class InRequestsOnly(trace.Tracer):
    """Starts spans only under a current span (a traced request); elsewhere none, so a
    statement outside a request is not a trace of its own."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer

    def start_span(
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: types.Attributes = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> Span:
        if not trace.get_current_span(context).get_span_context().is_valid:
            return trace.INVALID_SPAN
        return self._tracer.start_span(
            name,
            context,
            kind,
            attributes,
            links,
            start_time,
            record_exception,
            set_status_on_exception,
        )

    # A plain context manager: the base's decorator is private to OpenTelemetry (and only
    # makes the result usable as a decorator too, which nothing here needs).
    @contextlib.contextmanager
    def start_as_current_span(  # type: ignore[override]
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: types.Attributes = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[Span]:
        span = self.start_span(
            name,
            context,
            kind,
            attributes,
            links,
            start_time,
            record_exception,
            set_status_on_exception,
        )
        with trace.use_span(
            span,
            end_on_exit=end_on_exit,
            record_exception=record_exception,
            set_status_on_exception=set_status_on_exception,
        ) as current:
            yield current
