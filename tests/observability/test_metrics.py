"""/metrics: counters move with requests; the pool gauges with its checkouts and waits, summed
over the workers; the outbox backlog read when scraped, cached; staff only in prod."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from db.models import OutgoingMail
from gateway.app import create_app
from gateway.domain.enums import TokenKind
from gateway.observability.metrics import OutboxBacklogReader, observe_engine
from gateway.services import services_of
from gateway.settings import Settings
from tests import factories as f
from tests.api.auth.support import sign_up
from tests.helpers import count_statements, gql


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_requests_latency_statements_and_errors_are_counted(
    client: httpx.AsyncClient,
) -> None:
    labels = {"operation": "Products", "client": "anonymous", "status": "200"}
    before = sample("conex_graphql_requests_total", **labels)
    latency = sample("conex_graphql_request_duration_seconds_count", operation="Products")
    statements = sample("conex_sql_statements_per_request_sum")
    errors = sample("conex_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED")
    await gql(client, "query Products { products { id } }")
    await gql(client, "{ prodcts { id } }")
    assert sample("conex_graphql_requests_total", **labels) == before + 1
    assert sample("conex_graphql_request_duration_seconds_count", operation="Products") == (
        latency + 1
    )
    assert sample("conex_sql_statements_per_request_sum") >= statements + 1
    assert sample("conex_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == errors + 1
    page = await client.get("/metrics")
    assert page.status_code == 200
    assert "conex_graphql_requests_total{" in page.text
    assert 'operation="Products"' in page.text
    assert "conex_db_pool_connections_in_use " in page.text
    assert "conex_db_pool_waiting " in page.text
    assert "conex_mail_outbox_backlog 0.0" in page.text
    assert "conex_mail_outbox_oldest_age_seconds 0.0" in page.text


async def test_log_in_throttling_is_counted(client: httpx.AsyncClient) -> None:
    before = sample("conex_rate_limit_refusals_total", limit="log-in")
    await sign_up(client, "nadia@example.com")
    login = "mutation LogIn($i: LogInInput!) { logIn(input: $i) { userErrors { code } } }"
    for _ in range(6):
        await gql(client, login, {"i": {"email": "nadia@example.com", "password": "wrong pw!"}})
    assert sample("conex_rate_limit_refusals_total", limit="log-in") == before + 1


async def test_prod_serves_metrics_to_staff_only(engine: AsyncEngine, settings: Settings) -> None:
    app = create_app(
        settings.model_copy(update={"env": "prod", "secret_key": "k" * 32}), engine=engine
    )
    staff = await f.api_token(engine, TokenKind.STAFF, name="ops")
    customer_account = await f.account(engine, "c@example.com")
    customer = await f.customer_token(engine, customer_account, "k" * 32)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/metrics")).status_code == 404
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 404
        as_customer = await client.get("/metrics", headers={"Authorization": f"Bearer {customer}"})
        assert as_customer.status_code == 404
        page = await client.get("/metrics", headers={"Authorization": f"Bearer {staff}"})
    assert page.status_code == 200 and "conex_graphql_requests_total" in page.text


def test_serve_with_workers_prepares_a_multiprocess_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.observability.metrics import MULTIPROC_ENV, prepare_multiprocess

    monkeypatch.setenv(MULTIPROC_ENV, "")  # so that the test leaves it unset, as it was
    monkeypatch.delenv(MULTIPROC_ENV)
    stale = tmp_path / "metrics"
    stale.mkdir()
    (stale / "counter_123.db").write_bytes(b"old")
    prepare_multiprocess(workers=1, directory=stale)
    assert MULTIPROC_ENV not in __import__("os").environ
    prepare_multiprocess(workers=2, directory=stale)
    assert __import__("os").environ[MULTIPROC_ENV] == str(stale)
    assert list(stale.iterdir()) == []  # last run's samples are not added to this run's


async def test_pool_connections_in_use_follow_checkouts(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    before = sample("conex_db_pool_connections_in_use")
    async with engine.connect(), engine.connect():
        assert sample("conex_db_pool_connections_in_use") == before + 2
        page = await client.get("/metrics")
    assert f"conex_db_pool_connections_in_use {before + 2}" in page.text
    assert sample("conex_db_pool_connections_in_use") == before
    await gql(client, "query Products { products { id } }")
    assert sample("conex_db_pool_connections_in_use") == before  # every one went back


async def test_tasks_waiting_for_a_connection_are_counted(database_url: str) -> None:
    engine = create_async_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=10)
    observe_engine(engine)
    observe_engine(engine)  # once per engine: a second app on it counts nothing twice
    waiting, in_use = sample("conex_db_pool_waiting"), sample("conex_db_pool_connections_in_use")
    try:
        held = await engine.connect()
        assert sample("conex_db_pool_connections_in_use") == in_use + 1
        assert sample("conex_db_pool_waiting") == waiting  # a connection came at once

        async def second() -> None:
            async with engine.connect():
                assert sample("conex_db_pool_connections_in_use") == in_use + 1

        queued = asyncio.create_task(second())
        for _ in range(200):  # bounded: ~2 s
            if sample("conex_db_pool_waiting") == waiting + 1:
                break
            await asyncio.sleep(0.01)
        assert sample("conex_db_pool_waiting") == waiting + 1
        await held.close()
        await asyncio.wait_for(queued, 5)
        assert sample("conex_db_pool_waiting") == waiting
        assert sample("conex_db_pool_connections_in_use") == in_use
    finally:
        await engine.dispose()


WORKER = """
import asyncio, os, sys
from sqlalchemy.ext.asyncio import create_async_engine
from gateway.observability.metrics import forget_dead_workers, observe_engine

async def main(url, hold, then):
    engine = create_async_engine(url)
    observe_engine(engine)
    conns = [await engine.connect() for _ in range(hold)]
    if then == "die":
        os._exit(0)  # as a killed worker: its connections never go back
    if then == "report":
        from prometheus_client import CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector
        def in_use():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            for line in generate_latest(registry).decode().splitlines():
                if line.startswith("conex_db_pool_connections_in_use "):
                    return line.split()[1]
        print(in_use())
        forget_dead_workers()
        print(in_use())
    for conn in conns:
        await conn.close()
    await engine.dispose()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
"""


def test_pool_gauges_add_up_over_live_workers(tmp_path: Path) -> None:
    """``serve --workers``: each worker writes its gauges, a scrape sums the live ones; the
    samples of a worker that died (killed while it held connections) are forgotten."""
    samples = tmp_path / "metrics"
    samples.mkdir()
    database = f"sqlite+aiosqlite:///{tmp_path}/pool.sqlite3"
    env = {**__import__("os").environ, "PROMETHEUS_MULTIPROC_DIR": str(samples)}

    def worker(hold: int, then: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", WORKER, database, str(hold), then],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    died = worker(3, "die")
    assert died.returncode == 0, died.stderr
    (dead_file,) = samples.glob("gauge_livesum_*.db")
    reporting = worker(2, "report")
    assert reporting.returncode == 0, reporting.stderr
    assert reporting.stdout.split() == ["5.0", "2.0"]  # with the dead one's 3, then without
    assert not dead_file.exists()


async def queue_mail(engine: AsyncEngine, **values: Any) -> None:
    row = {"to_address": "nadia@example.com", "subject": "Hello", "body": "…", "template": "t"}
    async with engine.begin() as conn:
        await conn.execute(insert(OutgoingMail).values(**{**row, **values}))


async def test_the_outbox_backlog_counts_undelivered_mail(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    services_of(client._transport.app).clock = lambda: now  # type: ignore[attr-defined]
    await queue_mail(engine, created_at=now - dt.timedelta(minutes=10))
    await queue_mail(engine, created_at=now - dt.timedelta(minutes=3), attempts=9)
    await queue_mail(engine, created_at=now - dt.timedelta(hours=2), sent_at=now)
    page = (await client.get("/metrics")).text
    assert "conex_mail_outbox_backlog 2.0" in page  # the sent one is not counted
    assert "conex_mail_outbox_oldest_age_seconds 600.0" in page


async def test_the_backlog_is_read_at_most_every_few_seconds(engine: AsyncEngine) -> None:
    reader = OutboxBacklogReader(engine, ttl=60)
    await queue_mail(engine)
    first = await reader.read()
    assert first is not None and first.unsent == 1
    assert first.oldest_queued_at is not None and first.oldest_queued_at.tzinfo is not None
    await queue_mail(engine)
    with count_statements(engine) as counted:
        cached = await reader.read()
    assert cached == first and counted.count == 0
    reader.ttl = 0
    fresh = await reader.read()
    assert fresh is not None and fresh.unsent == 2


async def test_an_unreadable_backlog_leaves_it_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.sqlite3")
    try:
        assert await OutboxBacklogReader(engine).read() is None
    finally:
        await engine.dispose()
    assert "outbox backlog could not be read" in caplog.text
