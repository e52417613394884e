"""/metrics: counters move with requests; staff only in prod."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.domain.enums import TokenKind
from gateway.settings import Settings
from tests import factories as f
from tests.api.auth.support import sign_up
from tests.helpers import gql


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
    assert "conex_db_pool_connections_in_use 0.0" in page.text  # read when scraped: none now


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

    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    stale = tmp_path / "metrics"
    stale.mkdir()
    (stale / "counter_123.db").write_bytes(b"old")
    prepare_multiprocess(workers=1, directory=stale)
    assert MULTIPROC_ENV not in __import__("os").environ
    prepare_multiprocess(workers=2, directory=stale)
    assert __import__("os").environ[MULTIPROC_ENV] == str(stale)
    assert list(stale.iterdir()) == []  # last run's samples are not added to this run's
