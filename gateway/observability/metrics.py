"""Prometheus metrics and ``/metrics``.

Recorded once per ``/graphql`` request from its record (``AccessMiddleware`` calls
:func:`observe_request`), plus the log-in throttle's refusals and the engine's pool, whose
connections in use and waiting tasks move with its events (:func:`observe_engine`). With
several Uvicorn workers ``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory
under ``var/`` before they start: every worker writes its samples there and a scrape,
answered by any worker, adds them up (``MultiProcessCollector``); the pool gauges are summed
over the live workers (``livesum``), and a worker forgets the files of dead ones when it
starts (:func:`forget_dead_workers`: Uvicorn restarts a worker that died).

The outbox backlog is the database's, not a worker's: read when scraped, at most every
:data:`BACKLOG_CACHE_SECONDS` per worker (:class:`OutboxBacklogReader`).

In ``prod`` the page is for staff only (a staff token as ``Authorization: Bearer``); anyone
else gets 404, as if it did not exist.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from db.events import observe_pool
from db.queries.outbox_backlog import OutboxBacklog, outbox_backlog
from db.sessions import DATABASE_UNAVAILABLE, Engine
from gateway.auth.authenticate import Unauthenticated, authenticate
from gateway.observability.record import RequestRecord
from gateway.services import AppServices, services_of

log = logging.getLogger(__name__)

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
POOL_IN_USE = Gauge(
    "conex_db_pool_connections_in_use",
    "Database connections checked out of the pool now (summed over the workers).",
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "conex_db_pool_waiting",
    "Tasks waiting for a database connection now: none free, or a new one opening "
    "(summed over the workers).",
    multiprocess_mode="livesum",
)
#: How long a worker reuses the outbox backlog it read (a scrape every few seconds must
#: not cost a statement each time); and how long the read may take.
BACKLOG_CACHE_SECONDS = 5.0
BACKLOG_TIMEOUT_SECONDS = 2.0
_BACKLOG_UNREADABLE: tuple[type[BaseException], ...] = (*DATABASE_UNAVAILABLE, TimeoutError)

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


def observe_engine(engine: Engine) -> None:
    """The pool gauges follow ``engine``'s checkouts and waits (once per engine)."""
    observe_pool(engine, in_use=POOL_IN_USE.inc, waiting=POOL_WAITING.inc)


_LIVE_GAUGE_FILE = re.compile(r"^gauge_live\w+_(\d+)\.db$")


def forget_dead_workers() -> None:
    """In multiprocess mode: drop the live-gauge samples of workers that are gone, so that a
    worker killed while it held connections does not count them for ever."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory or not Path(directory).is_dir():
        return
    for path in Path(directory).iterdir():
        match = _LIVE_GAUGE_FILE.match(path.name)
        if match and not _alive(int(match.group(1))):
            mark_process_dead(int(match.group(1)), directory)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


class OutboxBacklogReader:
    """The outbox backlog of the app's database, read at most every ``ttl`` seconds."""

    def __init__(self, engine: Engine, *, ttl: float = BACKLOG_CACHE_SECONDS) -> None:
        self.engine = engine
        self.ttl = ttl
        self._read_at = -float("inf")
        self._backlog: OutboxBacklog | None = None

    async def read(self) -> OutboxBacklog | None:
        """The backlog, or None when the database did not answer (the page goes without it,
        and the next read waits ``ttl`` too: a scrape must not pile up on a dead database)."""
        if time.monotonic() - self._read_at < self.ttl:
            return self._backlog
        try:
            self._backlog = await asyncio.wait_for(self._query(), BACKLOG_TIMEOUT_SECONDS)
        except _BACKLOG_UNREADABLE:
            log.warning("metrics: the outbox backlog could not be read", exc_info=True)
            self._backlog = None
        self._read_at = time.monotonic()
        return self._backlog

    async def _query(self) -> OutboxBacklog:
        async with self.engine.connect() as conn:
            return await outbox_backlog(conn=conn)


class _BacklogCollector(Collector):
    def __init__(self, backlog: OutboxBacklog, now: float) -> None:
        self.backlog = backlog
        self.now = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        oldest = self.backlog.oldest_queued_at
        yield GaugeMetricFamily(
            "conex_mail_outbox_backlog",
            "Mail messages in the outbox not delivered yet (those given up on included).",
            value=self.backlog.unsent,
        )
        yield GaugeMetricFamily(
            "conex_mail_outbox_oldest_age_seconds",
            "Age of the oldest undelivered mail message; 0 when there is none.",
            value=max(0.0, self.now - oldest.timestamp()) if oldest is not None else 0.0,
        )


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


class MetricsPage:
    """``GET /metrics`` of one app: the process's (or every worker's) samples, then the
    outbox backlog of the app's database."""

    def __init__(self, services: AppServices) -> None:
        self.backlog = OutboxBacklogReader(services.engine)

    async def endpoint(self, request: Request) -> Response:
        services = services_of(request)
        if services.settings.env == "prod" and not await _is_staff(request):
            return Response("Not found.", status_code=404, media_type="text/plain")
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry = REGISTRY
        body = generate_latest(registry)
        backlog = await self.backlog.read()
        if backlog is not None:
            scraped = CollectorRegistry()
            scraped.register(_BacklogCollector(backlog, services.clock().timestamp()))
            body += generate_latest(scraped)
        return Response(body, media_type=CONTENT_TYPE_LATEST)
