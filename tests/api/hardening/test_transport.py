"""Transport rules: JSON-only POSTs (CSRF), mutations only over POST, body size, batching,
request ids, timeouts, an exhausted pool, error masking and introspection in prod."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.enums import TokenKind
from gateway.settings import Settings
from tests import factories as f
from tests.helpers import ClientWith

LOG_OUT = "mutation { logOut { userErrors { code } } }"


def code(response: httpx.Response) -> str:
    found: str = response.json()["errors"][0]["extensions"]["code"]
    return found


async def test_get_mutation_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": LOG_OUT})
    assert response.status_code == 405
    assert code(response) == "METHOD_NOT_ALLOWED"


async def test_a_subscription_over_http_gets_a_clear_request_error(
    client: httpx.AsyncClient,
) -> None:
    for send in (
        client.post("/graphql", json={"query": "subscription { quoteChanged { kind } }"}),
        client.get("/graphql", params={"query": "subscription S { quoteChanged { kind } }"}),
    ):
        response = await send
        assert response.status_code == 400
        assert code(response) == "SUBSCRIPTION_OVER_HTTP"
        message = response.json()["errors"][0]["message"]
        assert "served over WebSocket" in message and "not over HTTP" in message
        assert "Mutations are sent" not in message


async def test_get_query_works(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await f.catalog(engine)
    response = await client.get("/graphql", params={"query": "{ products { name } }"})
    assert response.status_code == 200
    assert len(response.json()["data"]["products"]) == 3


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/x-www-form-urlencoded",
            "query=mutation%20%7B%20logOut%20%7B%20userErrors%20%7B%20code%20%7D%20%7D%20%7D",
        ),
        ("text/plain", json.dumps({"query": LOG_OUT})),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
async def test_csrf_non_json_posts_are_refused(
    client: httpx.AsyncClient, content_type: str, body: str
) -> None:
    """A browser form (or a "simple" cross-site request) cannot send application/json."""
    response = await client.post("/graphql", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert code(response) == "UNSUPPORTED_MEDIA_TYPE"


async def test_oversized_body_is_refused(client_with: ClientWith) -> None:
    async with client_with(max_body_bytes=2048) as client:
        padding = "#" + "x" * 4000 + "\n"
        response = await client.post(
            "/graphql", json={"query": padding + "{ supportPlans { tier } }"}
        )
    assert response.status_code == 413
    assert code(response) == "PAYLOAD_TOO_LARGE"


async def test_bad_json_and_missing_query(client: httpx.AsyncClient) -> None:
    bad = await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400 and code(bad) == "BAD_REQUEST"
    empty = await client.post("/graphql", json={})
    assert empty.status_code == 400 and code(empty) == "BAD_REQUEST"
    wrong = await client.post(
        "/graphql", json={"query": "{ supportPlans { tier } }", "variables": [1]}
    )
    assert wrong.status_code == 400 and code(wrong) == "BAD_REQUEST"


async def test_batching_is_off_unless_configured(
    client: httpx.AsyncClient, client_with: ClientWith
) -> None:
    batch = [{"query": "{ supportPlans { tier } }"}] * 2
    refused = await client.post("/graphql", json=batch)
    assert refused.status_code == 400 and code(refused) == "BATCHING_DISABLED"
    async with client_with(max_batch_operations=2) as allowed:
        ok = await allowed.post("/graphql", json=batch)
        assert ok.status_code == 200 and len(ok.json()) == 2
        too_many = await allowed.post("/graphql", json=batch * 2)
        assert code(too_many) == "MAX_BATCH_EXCEEDED"


async def test_every_response_has_a_request_id(client: httpx.AsyncClient) -> None:
    ok = await client.post("/graphql", json={"query": "{ supportPlans { tier } }"})
    assert len(ok.headers["X-Request-Id"]) == 32
    mine = await client.post(
        "/graphql", json={"query": "{ nope }"}, headers={"X-Request-Id": "abc-123-def"}
    )
    assert mine.headers["X-Request-Id"] == "abc-123-def"
    unauthenticated = await client.post(
        "/graphql", json={"query": "{ viewer { kind } }"}, headers={"Authorization": "Bearer nope"}
    )
    assert unauthenticated.status_code == 401 and unauthenticated.headers["X-Request-Id"]


async def test_parse_and_validation_errors_have_codes(client: httpx.AsyncClient) -> None:
    syntax = await client.post("/graphql", json={"query": "{ products { "})
    assert code(syntax) == "GRAPHQL_PARSE_FAILED"
    unknown = await client.post("/graphql", json={"query": "{ prodcts { id } }"})
    assert code(unknown) == "GRAPHQL_VALIDATION_FAILED"
    assert "Did you mean" in unknown.json()["errors"][0]["message"]  # dev: suggestions help


async def test_prod_masks_errors_and_suggestions(
    client_with: ClientWith, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with client_with(env="prod") as client:
        unknown = await client.post("/graphql", json={"query": "{ prodcts { id } }"})
        assert "Did you mean" not in unknown.json()["errors"][0]["message"]

        from gateway.domain import support  # what gateway.schema.query reads support from

        def explode(*_: Any, **__: Any) -> Any:
            raise RuntimeError("password=hunter2 SELECT * FROM accounts")

        monkeypatch.setattr(support, "support_channels", explode)
        response = await client.post(
            "/graphql", json={"query": "{ supportPlans { tier channels } }"}
        )
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == response.headers["X-Request-Id"]
    assert "hunter2" not in response.text and "SELECT" not in response.text
    assert "Traceback" not in response.text


async def test_prod_introspection_and_graphiql_are_staff_only(
    client_with: ClientWith, engine: AsyncEngine
) -> None:
    staff = await f.api_token(engine, TokenKind.STAFF)
    introspection = {"query": "{ __schema { queryType { name } } }"}
    html = {"Accept": "text/html"}
    async with client_with(env="prod") as client:
        refused = await client.post("/graphql", json=introspection)
        assert code(refused) == "GRAPHQL_VALIDATION_FAILED"
        allowed = await client.post(
            "/graphql", json=introspection, headers={"Authorization": f"Bearer {staff}"}
        )
        assert allowed.json()["data"]["__schema"]["queryType"]["name"] == "Query"
        # Anyone else gets the sign-in page (tests/http/test_staff_session.py), no GraphiQL.
        sign_in = await client.get("/graphql", headers=html)
        assert sign_in.status_code == 200 and "conex-sign-in-form" in sign_in.text
        assert '<script src="/graphiql/graphiql-' not in sign_in.text
        page = await client.get("/graphql", headers={**html, "Authorization": f"Bearer {staff}"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    async with client_with(env="dev") as client:
        assert (await client.get("/graphql", headers=html)).status_code == 200


async def test_slow_request_times_out(
    client_with: ClientWith, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.schema import query as query_module

    async def slow(*_: Any, **__: Any) -> Any:
        await asyncio.sleep(5)

    monkeypatch.setattr(query_module, "resolve_node", slow)
    async with client_with(request_timeout=0.2) as client:
        response = await client.post("/graphql", json={"query": '{ node(id: "eA") { id } }'})
    assert response.status_code == 504
    assert code(response) == "TIMEOUT"


async def test_exhausted_pool_fails_fast_with_503(settings: Settings, tmp_path: Path) -> None:
    """All connections taken: the next request answers 503 with Retry-After, not a queue."""
    import httpx

    from db.engine import create_engine
    from gateway.app import create_app

    engine = create_engine(str(settings.database_url), pool_size=1, pool_timeout=0.2)
    if engine.dialect.name == "sqlite":
        from sqlalchemy.pool import AsyncAdaptedQueuePool

        await engine.dispose()
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(
            str(settings.database_url),
            poolclass=AsyncAdaptedQueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=0.2,
        )
    app = create_app(settings, engine=engine)
    held = await engine.connect()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.post("/graphql", json={"query": "{ products { id } }"})
    finally:
        await held.close()
        await engine.dispose()
    assert response.status_code == 503
    assert code(response) == "SERVICE_UNAVAILABLE"
    assert response.headers["Retry-After"] == "1"


async def test_nul_characters_are_refused_before_the_database(client: httpx.AsyncClient) -> None:
    query = "query($r: String) { partners(region: $r) { totalCount } }"
    response = await client.post("/graphql", json={"query": query, "variables": {"r": "EM\x00EA"}})
    assert response.status_code == 400
    assert code(response) == "BAD_REQUEST"
