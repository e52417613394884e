"""CORS: exact origins from CONEX_CORS_ORIGINS, preflights, exposed headers, no credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import Settings, SettingsError, load_settings

WEB = "https://my.conex.example"
PORTAL = "https://partners.conex.example:8443"


@pytest.fixture
async def cors_client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"cors_origins": [WEB, PORTAL]}), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    }


async def test_preflight_from_an_allowed_origin_is_answered(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/graphql", headers=preflight(WEB))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == WEB
    allowed = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "idempotency-key", "x-request-id"):
        assert header in allowed
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers


async def test_preflight_from_another_origin_gets_no_allow_origin(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.options("/graphql", headers=preflight("https://evil.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_post_from_an_allowed_origin_carries_allow_origin_and_exposed_headers(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": PORTAL}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    exposed = response.headers["access-control-expose-headers"].lower()
    for header in ("x-request-id", "retry-after", "idempotent-replayed"):
        assert header in exposed
    assert "access-control-allow-credentials" not in response.headers


async def test_a_post_from_another_origin_carries_no_allow_origin(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_no_origin_is_allowed_by_default(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight(WEB))
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"{WEB}, {PORTAL}", [WEB, PORTAL]),
        (f'["{WEB}"]', [WEB]),
        ("", []),
        ("HTTPS://My.Conex.Example", [WEB]),
    ],
)
def test_origins_are_read_comma_separated_or_as_json(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: Any
) -> None:
    monkeypatch.setenv("CONEX_CORS_ORIGINS", value)
    assert load_settings().cors_origins == expected


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://*.conex.example",
        "https://my.conex.example/",
        "my.conex.example",
        "https://my.conex.example/app",
        "ftp://my.conex.example",
        "https://h:port",
        "[1",
    ],
)
def test_a_bad_origin_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CONEX_CORS_ORIGINS", value)
    with pytest.raises(SettingsError, match=r"^CONEX_CORS_ORIGINS: "):
        load_settings()
