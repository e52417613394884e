"""The HTTP surface outside GraphQL itself: health, readiness, authentication errors."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import ApiToken
from gateway.app import create_app
from gateway.auth.tokens import new_opaque_token, token_hash
from gateway.domain.enums import TokenKind
from gateway.services import services_of
from gateway.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import gql


def closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def staff_token(engine: AsyncEngine, *, revoked: bool = False) -> str:
    token = new_opaque_token(TokenKind.STAFF)
    async with engine.begin() as conn:
        await conn.execute(
            insert(ApiToken).values(
                kind=TokenKind.STAFF,
                name="ops",
                prefix=token[:12],
                token_hash=token_hash(token),
                scopes=[],
                revoked_at=dt.datetime.now(dt.UTC) if revoked else None,
            )
        )
    return token


async def test_healthz_answers_without_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/conex",
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        db_pool_timeout=1,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", timeout=10
        ) as client:
            response = await client.get("/readyz")
    finally:
        await services_of(app).engine.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def readyz_with_redis(
    settings: Settings, engine: AsyncEngine, redis_url: str
) -> httpx.Response:
    app = create_app(settings.model_copy(update={"redis_url": redis_url}), engine=engine)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", timeout=10
        ) as client:
            return await client.get("/readyz")
    finally:
        redis = services_of(app).redis
        assert redis is not None
        await redis.aclose()


async def test_readyz_checks_redis_when_configured(
    settings: Settings, engine: AsyncEngine, redis_url: str
) -> None:
    response = await readyz_with_redis(settings, engine, redis_url)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


async def test_readyz_is_503_naming_redis_when_it_does_not_answer(
    settings: Settings, engine: AsyncEngine
) -> None:
    response = await readyz_with_redis(settings, engine, f"redis://127.0.0.1:{closed_port()}/0")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unreachable"}


async def test_readyz_without_redis_checks_only_the_database(client: httpx.AsyncClient) -> None:
    assert "redis" not in (await client.get("/readyz")).json()


async def test_graphiql_is_served_to_a_browser(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_anonymous_and_staff_requests_run(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    anonymous = await gql(client, "{ __typename }")
    assert anonymous["data"] == {"__typename": "Query"}, anonymous
    token = await staff_token(engine)
    staff = await gql(client, "{ __typename }", token=token)
    assert staff["data"] == {"__typename": "Query"}, staff


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-token",
        "Bearer cnxs_tooshort",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    ],
)
async def test_a_bad_bearer_token_is_401(client: httpx.AsyncClient, authorization: str) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": authorization}
    )
    assert_unauthenticated(response)


async def test_an_unknown_well_formed_token_is_401(client: httpx.AsyncClient) -> None:
    unknown = new_opaque_token(TokenKind.STAFF)  # checksum fine, never stored
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {unknown}"}
    )
    assert_unauthenticated(response)


async def test_a_revoked_token_is_401(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    token = await staff_token(engine, revoked=True)
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert_unauthenticated(response)


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
