"""A bad access token is HTTP 401 with ``WWW-Authenticate`` and code UNAUTHENTICATED."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.auth.tokens import AUDIENCE, ISSUER
from gateway.settings import Settings
from tests import factories as f
from tests.api.auth.support import assert_unauthenticated
from tests.api.client import send


@pytest.fixture
async def claims(engine: AsyncEngine, settings: Settings) -> dict[str, Any]:
    """Claims of a live session: only what a test changes makes a token bad."""
    alice = await f.account(engine, "alice@example.com")
    token = await f.customer_token(engine, alice, settings.signing_key())
    return jwt.decode(token, options={"verify_signature": False})


def sign(claims: dict[str, Any], key: str, **changes: Any) -> str:
    return jwt.encode({**claims, **changes}, key, algorithm="HS256")


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def test_the_untouched_token_works(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any]
) -> None:
    data = (await send(client, "AccountHome", token=sign(claims, settings.signing_key()))).data
    assert data["viewer"]["account"]["email"] == "alice@example.com"


async def test_tampered_payload_keeps_an_invalid_signature(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any]
) -> None:
    header, _, signature = sign(claims, settings.signing_key()).split(".")
    forged = f"{header}.{b64({**claims, 'sub': '999'})}.{signature}"
    assert_unauthenticated(await send(client, "AccountHome", token=forged))


async def test_signed_with_another_key(client: httpx.AsyncClient, claims: dict[str, Any]) -> None:
    token = sign(claims, "an attacker's key, long enough for HS256 0123456789")
    assert_unauthenticated(await send(client, "AccountHome", token=token))


async def test_alg_none_is_refused(client: httpx.AsyncClient, claims: dict[str, Any]) -> None:
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert_unauthenticated(await send(client, "AccountHome", token=token))


async def test_wrong_audience(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any]
) -> None:
    token = sign(claims, settings.signing_key(), aud="partner-portal")
    assert_unauthenticated(await send(client, "AccountHome", token=token))


async def test_wrong_issuer(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any]
) -> None:
    token = sign(claims, settings.signing_key(), iss="someone-else")
    assert_unauthenticated(await send(client, "AccountHome", token=token))


async def test_expired_access_token(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any]
) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    token = sign(
        claims,
        settings.signing_key(),
        iat=int(past.timestamp()),
        exp=int((past + dt.timedelta(minutes=15)).timestamp()),
    )
    assert_unauthenticated(await send(client, "AccountHome", token=token))


async def test_missing_session_claim(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any]
) -> None:
    token = sign({k: v for k, v in claims.items() if k != "sid"}, settings.signing_key())
    assert_unauthenticated(await send(client, "AccountHome", token=token))


async def test_unknown_session_family(
    client: httpx.AsyncClient, settings: Settings, claims: dict[str, Any]
) -> None:
    token = sign(claims, settings.signing_key(), sid="00000000-0000-4000-8000-000000000000")
    assert_unauthenticated(await send(client, "AccountHome", token=token))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Bearer cnxp_short"],
)
async def test_malformed_authorization(client: httpx.AsyncClient, header: str) -> None:
    response = await send(
        client, query="{ viewer { account { id } } }", headers={"Authorization": header}
    )
    assert_unauthenticated(response)


def test_claims_name_this_gateway() -> None:
    assert (ISSUER, AUDIENCE) == ("conex-gateway", "my-conex")
