"""Prometheus metrics and ``/metrics``.

Recorded once per ``/graphql`` request from its record (``AccessMiddleware`` calls
:func:`observe_request`), plus the log-in throttle's refusals; the pool gauge is read from the
engine when scraped. With several Uvicorn workers ``serve`` points ``PROMETHEUS_MULTIPROC_DIR``
at a fresh directory under ``var/`` before they start: every worker writes its samples there
and a scrape, answered by any worker, adds them up (``MultiProcessCollector``). The pool gauge
is then the answering worker's.

In ``prod`` the page is for staff only (a staff token as ``Authorization: Bearer``); anyone
else gets 404, as if it did not exist.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from db.events import pool_checked_out
from gateway.auth.authenticate import Unauthenticated, authenticate
from gateway.observability.record import RequestRecord
from gateway.services import services_of

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: Distinct operation names kept as label values per process; later ones count as "other".
MAX_OPERATIONS = 200

REQUESTS = Counter(
    "conex_graphql_requests",
    "GraphQL requests by operation name, client kind and HTTP status.",
    ["operation", "client", "status"],
)
LATENCY = Histogram(
    "conex_graphql_request_duration_seconds",
    "Time to answer a GraphQL request, by operation name.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0),
)
ERRORS = Counter("conex_graphql_errors", "GraphQL errors by extensions.code.", ["code"])
STATEMENTS = Histogram(
    "conex_sql_statements_per_request",
    "SQL statements one GraphQL request sent.",
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)
RATE_LIMITED = Counter(
    "conex_rate_limit_refusals",
    "Requests refused by a rate limit: the cost bucket or log-in throttling.",
    ["limit"],
)
REPLAYS = Counter("conex_idempotency_replays", "Responses replayed for a repeated Idempotency-Key.")

_operations: set[str] = set()


def _operation_label(name: str | None) -> str:
    if name is None:
        return "anonymous"
    if name in _operations or len(_operations) < MAX_OPERATIONS:
        _operations.add(name)
        return name
    return "other"


def observe_request(record: RequestRecord, duration: float) -> None:
    if record.path != "/graphql" or record.method not in ("GET", "POST"):
        return
    operation = _operation_label(record.operation)
    REQUESTS.labels(operation, record.principal_kind, str(record.status)).inc()
    LATENCY.labels(operation).observe(duration)
    STATEMENTS.observe(record.statements)
    for code in record.error_codes:
        ERRORS.labels(code).inc()
    if "RATE_LIMITED" in record.error_codes:
        RATE_LIMITED.labels("cost").inc()
    if record.replayed:
        REPLAYS.inc()


def prepare_multiprocess(*, workers: int, directory: Path) -> None:
    """Before several workers start: an empty directory for their samples, named in the
    environment they inherit (prometheus-client reads it when it is imported)."""
    if workers < 2:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(directory)


def log_in_throttled() -> None:
    RATE_LIMITED.labels("log-in").inc()


class _PoolCollector(Collector):
    def __init__(self, request: Request) -> None:
        self.engine = services_of(request).engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        in_use = pool_checked_out(self.engine)
        if in_use is not None:
            gauge = GaugeMetricFamily(
                "conex_db_pool_connections_in_use",
                "Database connections checked out of this worker's pool now.",
            )
            gauge.add_metric([], in_use)
            yield gauge


async def _is_staff(request: Request) -> bool:
    services = services_of(request)
    try:
        principal = await authenticate(
            request.headers.get("authorization"),
            engine=services.engine,
            key=services.settings.signing_key(),
            now=services.clock(),
        )
    except Unauthenticated:
        return False
    return principal.is_staff


async def metrics_endpoint(request: Request) -> Response:
    if services_of(request).settings.env == "prod" and not await _is_staff(request):
        return Response("Not found.", status_code=404, media_type="text/plain")
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    pool = CollectorRegistry()
    pool.register(_PoolCollector(request))
    body = generate_latest(registry) + generate_latest(pool)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
