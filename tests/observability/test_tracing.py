"""Traces with CONEX_OTEL_EXPORTER_OTLP_ENDPOINT: one server span per request, a child span per
SQL statement and nothing else, the trace id in the access line, an incoming traceparent
honoured, the OTLP export itself; nothing at all (not even an import) without the setting.

Each test's app gets its own TracerProvider with the SDK's in-memory exporter (in place of
the OTLP one ``otel.tracer_provider`` builds): none is installed as the global provider, so
nothing leaks from one test to the next.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.observability import otel
from gateway.settings import Settings, SettingsError, load_settings
from tests import factories as f
from tests.helpers import count_statements, gql
from tests.observability.conftest import JsonLines, access

ENDPOINT = "http://127.0.0.1:4318"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"


@dataclass
class Traced:
    client: httpx.AsyncClient
    exporter: InMemorySpanExporter

    def spans(self) -> list[ReadableSpan]:
        finished = list(self.exporter.get_finished_spans())
        self.exporter.clear()
        return finished


@pytest.fixture
async def traced(
    settings: Settings, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Traced]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    built: list[str] = []

    def in_memory(endpoint: str) -> TracerProvider:
        built.append(endpoint)
        return provider

    monkeypatch.setattr(otel, "tracer_provider", in_memory)
    app = create_app(
        settings.model_copy(update={"otel_exporter_otlp_endpoint": ENDPOINT}), engine=engine
    )
    assert built == [ENDPOINT]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Traced(client, exporter)
    provider.shutdown()


def server_span(spans: list[ReadableSpan]) -> ReadableSpan:
    (server,) = [span for span in spans if span.kind is SpanKind.SERVER]
    return server


async def test_one_request_is_one_server_span_with_a_child_span_per_statement(
    traced: Traced, engine: AsyncEngine, json_lines: JsonLines
) -> None:
    await f.catalog(engine)
    with count_statements(engine) as counted:
        answer = await gql(traced.client, "query Products { products { id name } }")
    assert answer["data"]["products"]
    spans = traced.spans()
    server = server_span(spans)
    assert server.name == "POST /graphql Products"
    assert server.attributes is not None
    assert server.attributes["graphql.operation.name"] == "Products"
    assert server.attributes["http.route"] == "/graphql"
    assert server.context is not None and server.parent is None
    statements = [span for span in spans if span.kind is SpanKind.CLIENT]
    # Loader batches run as tasks of their own: their statements are children all the same.
    (line,) = access(json_lines())
    assert len(statements) == counted.count == line["statements"] >= 2
    for span in statements:
        assert span.parent is not None and span.parent.span_id == server.context.span_id
        assert span.context is not None and span.context.trace_id == server.context.trace_id
        assert span.attributes is not None and "SELECT" in str(span.attributes["db.statement"])
    assert len(spans) == 1 + len(statements)  # no span per field, nor per ASGI message
    assert line["trace_id"] == format_trace_id(server.context.trace_id)
    assert server.attributes["conex.request_id"] == line["request_id"]


async def test_an_incoming_traceparent_is_continued(traced: Traced, json_lines: JsonLines) -> None:
    response = await traced.client.post(
        "/graphql",
        json={"query": "query Plans { supportPlans { tier } }"},
        headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"},
    )
    assert response.status_code == 200
    server = server_span(traced.spans())
    assert server.context is not None and format_trace_id(server.context.trace_id) == TRACE_ID
    assert server.parent is not None and format_span_id(server.parent.span_id) == PARENT_ID
    assert server.parent.is_remote
    (line,) = access(json_lines())
    assert line["trace_id"] == TRACE_ID


async def test_every_record_logged_during_a_request_carries_its_trace_id(
    traced: Traced, json_lines: JsonLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.domain import support

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(support, "support_channels", explode)
    await traced.client.post("/graphql", json={"query": "{ supportPlans { tier channels } }"})
    server = server_span(traced.spans())
    assert server.context is not None and server.name == "POST /graphql"  # no operation name
    lines = json_lines()
    (error,) = [line for line in lines if line["level"] == "error"]
    (line,) = access(lines)
    assert error["trace_id"] == line["trace_id"] == format_trace_id(server.context.trace_id)


async def test_spans_are_named_by_route_never_by_raw_path(traced: Traced) -> None:
    await traced.client.get("/documents/quote/12345")
    await traced.client.get("/no/such/page")
    document, unknown = (server_span([span]) for span in traced.spans())
    assert document.name == "GET /documents/{kind}/{pk}"
    assert unknown.name == "GET"


async def test_probes_metrics_and_statements_outside_requests_make_no_spans(
    traced: Traced, engine: AsyncEngine, json_lines: JsonLines
) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await traced.client.get(path)).status_code == 200
    async with engine.connect() as conn:  # as mail delivered in the background would
        await conn.execute(text("SELECT 1"))
    assert traced.spans() == []
    assert all("trace_id" not in line for line in access(json_lines()))


async def test_query_string_values_are_not_recorded(traced: Traced) -> None:
    secret = "query Plans { supportPlans { tier } }"
    response = await traced.client.get(
        "/graphql", params={"query": secret, "variables": '{"email": "nadia@example.com"}'}
    )
    assert response.status_code == 200
    server = server_span(traced.spans())
    assert server.attributes is not None
    assert server.attributes["http.url"] == (
        "http://testserver/graphql?query=REDACTED&variables=REDACTED"
    )
    recorded = json.dumps(dict(server.attributes))
    assert "supportPlans" not in recorded and "nadia" not in recorded
    assert server.name == "GET /graphql Plans"


async def test_credentials_are_never_captured_as_headers(
    settings: Settings, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST", ".*")
    exporter = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(otel, "tracer_provider", lambda _endpoint: provider)
    app = create_app(
        settings.model_copy(update={"otel_exporter_otlp_endpoint": ENDPOINT}), engine=engine
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await client.post(
            "/graphql",
            json={"query": "{ supportPlans { tier } }"},
            headers={"Authorization": "Bearer cnxs_not-to-be-seen", "X-Conex-Client": "web"},
        )
    (server,) = exporter.get_finished_spans()
    assert server.attributes is not None
    assert server.attributes["http.request.header.x_conex_client"] == ("web",)
    assert server.attributes["http.request.header.authorization"] == ("[REDACTED]",)
    assert "not-to-be-seen" not in json.dumps(dict(server.attributes))
    provider.shutdown()


async def test_without_the_setting_there_is_no_tracing(
    client: httpx.AsyncClient, json_lines: JsonLines
) -> None:
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app = client._transport.app  # type: ignore[attr-defined]
    assert all(m.cls is not OpenTelemetryMiddleware for m in app.user_middleware)
    await gql(client, "query Plans { supportPlans { tier } }")
    (line,) = access(json_lines())
    assert "trace_id" not in line


def test_without_the_setting_no_tracing_module_is_imported(tmp_path: Path) -> None:
    """The instrumentations, the exporter, the SDK's tracing and our module using them load
    only with the setting. (redis-py imports OpenTelemetry's API and the SDK's metrics when
    they are installed, whatever the gateway does: those are not counted.)"""
    script = f"""
import sys
from gateway.app import create_app
from gateway.settings import Settings

HEAVY = ("gateway.observability.otel", "opentelemetry.instrumentation",
         "opentelemetry.exporter", "opentelemetry.sdk.trace")

def loaded():
    return sorted(m for m in sys.modules if m.startswith(HEAVY))

settings = Settings(database_url="sqlite+aiosqlite:///{tmp_path}/x.sqlite3", secret_key="k" * 32)
create_app(settings)
print(len(loaded()))
create_app(settings.model_copy(update={{"otel_exporter_otlp_endpoint": "{ENDPOINT}"}}))
print(len(loaded()), "gateway.observability.otel" in loaded())
"""
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    without, with_tracing, ours = run.stdout.split()
    assert int(without) == 0
    assert int(with_tracing) > 10 and ours == "True"


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """An OTLP/HTTP collector on the loopback: the requests it received."""
    received: list[tuple[str, str, bytes]] = []
    handler = type("Handler", (_Collector,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


async def test_spans_are_exported_over_otlp_http_as_conex_gateway(
    settings: Settings,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    collector: tuple[str, list[tuple[str, str, bytes]]],
) -> None:
    url, received = collector
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    built: list[TracerProvider] = []
    real = otel.tracer_provider

    def keep(endpoint: str) -> TracerProvider:
        built.append(real(endpoint))
        return built[-1]

    monkeypatch.setattr(otel, "tracer_provider", keep)
    app = create_app(
        settings.model_copy(update={"otel_exporter_otlp_endpoint": url + "/"}), engine=engine
    )
    transport = httpx.ASGITransport(app=app)
    await f.catalog(engine)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await gql(client, "query Products { products { id } }")
    (provider,) = built
    assert provider.force_flush(10_000)
    provider.shutdown()
    (path, content_type, body) = received[0]
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    export = ExportTraceServiceRequest.FromString(body)
    (resource_spans,) = export.resource_spans
    attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert attributes["service.name"] == "conex-gateway"
    names = [span.name for scope in resource_spans.scope_spans for span in scope.spans]
    assert "POST /graphql Products" in names and len(names) >= 2  # the request and its SQL


def test_service_name_and_traces_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "conex-gateway-eu")
    provider = otel.tracer_provider(ENDPOINT)
    try:
        assert provider.resource.attributes["service.name"] == "conex-gateway-eu"
    finally:
        provider.shutdown()
    assert otel.traces_url("http://collector:4318") == "http://collector:4318/v1/traces"
    assert otel.traces_url("https://otlp.example/v1/traces") == "https://otlp.example/v1/traces"


def test_the_endpoint_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().otel_exporter_otlp_endpoint is None
    monkeypatch.setenv("CONEX_OTEL_EXPORTER_OTLP_ENDPOINT", "")
    assert load_settings().otel_exporter_otlp_endpoint is None
    monkeypatch.setenv("CONEX_OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    assert load_settings().otel_exporter_otlp_endpoint == "http://collector:4318"
    monkeypatch.setenv("CONEX_OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")
    with pytest.raises(SettingsError, match=r"^CONEX_OTEL_EXPORTER_OTLP_ENDPOINT: "):
        load_settings()
