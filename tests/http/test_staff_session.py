"""``/staff/session`` and the staff session cookie at ``/graphql`` (issue #13), on an app in
prod settings, over httpx (the browser test is ``tests/browser/test_staff_sign_in.py``).

The client's base URL is https: httpx's cookie jar, like a browser, sends a ``Secure``
cookie only over https."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.models import ApiToken, StaffSession
from db.queries.api_token import revoke_api_token
from gateway.app import create_app
from gateway.auth.ratelimit import STAFF_SIGN_IN_PER_ADDRESS
from gateway.auth.staff_session import COOKIE_NAME
from gateway.auth.tokens import new_opaque_token, token_hash
from gateway.domain.enums import TokenKind
from gateway.services import services_of
from gateway.settings import Settings, SettingsError, load_settings
from tests import factories as f

SESSION = "/staff/session"
HEADER = {"X-Conex-Staff-Session": "1"}
INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}
ACCOUNTS = {"query": "{ accounts(first: 1) { totalCount } }"}


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    app: Starlette
    clock: Clock
    engine: AsyncEngine

    async def sign_in(self, token: str, **headers: str) -> httpx.Response:
        return await self.client.post(SESSION, json={"token": token}, headers=headers)

    async def graphql(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        return await self.client.post("/graphql", json=body, headers=headers)

    async def signed_in_as(self, **headers: str) -> str | None:
        """``GET /staff/session``: the name of the staff signed in, None for nobody."""
        response = await self.client.get(SESSION, headers={**HEADER, **headers})
        assert response.status_code == 200, response.text
        staff: dict[str, str] | None = response.json()["staff"]
        return staff["name"] if staff is not None else None


MakeGateway = Callable[..., Any]


@pytest.fixture
async def gateway(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Callable[..., Any]]:
    """``await gateway(env="prod", …)``: an app with those settings and a client on it."""
    clients: list[httpx.AsyncClient] = []

    async def make(**changes: Any) -> Gateway:
        app = create_app(settings.model_copy(update={"env": "prod", **changes}), engine=engine)
        clock = Clock()
        services_of(app).clock = clock
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://testserver"
        )
        clients.append(client)
        return Gateway(client=client, app=app, clock=clock, engine=engine)

    yield make
    for client in clients:
        await client.aclose()


async def staff_token(engine: AsyncEngine, **values: Any) -> tuple[str, int]:
    token = await f.api_token(engine, TokenKind.STAFF, name=values.pop("name", "ops"), **values)
    async with engine.connect() as conn:
        token_id = (
            await conn.execute(select(ApiToken.id).where(ApiToken.token_hash == token_hash(token)))
        ).scalar_one()
    return token, token_id


def set_cookie(response: httpx.Response) -> SimpleCookie:
    (header,) = response.headers.get_list("set-cookie")
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(header)
    return cookie


def code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) <= {"errors", "data"}, body
    assert all(error["message"] for error in body["errors"])
    (found,) = {error["extensions"]["code"] for error in body["errors"]}
    assert isinstance(found, str)
    return found


async def sessions(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(*StaffSession.__table__.c))).all())


# --- sign-in ----------------------------------------------------------------------------------


async def test_sign_in_sets_a_host_only_secure_strict_http_only_cookie(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway(staff_session_minutes=90)
    token, token_id = await staff_token(engine, name="Ops Lead")

    response = await gw.sign_in(token)

    assert response.status_code == 200, response.text
    expires = gw.clock.now + dt.timedelta(minutes=90)
    assert response.json() == {"staff": {"name": "Ops Lead", "expiresAt": expires.isoformat()}}
    assert response.headers["cache-control"] == "no-store"
    header = response.headers["set-cookie"]
    morsel = set_cookie(response)[COOKIE_NAME]
    assert COOKIE_NAME.startswith("__Host-")
    assert morsel["path"] == "/" and morsel["domain"] == ""
    assert morsel["max-age"] == str(90 * 60)
    assert morsel["secure"] and morsel["httponly"]
    assert morsel["samesite"] == "Strict"
    assert "; Secure" in header and "; HttpOnly" in header and "SameSite=Strict" in header
    # Only the SHA-256 of the cookie's secret is stored, with the token it belongs to.
    (row,) = await sessions(engine)
    assert row.api_token_id == token_id
    assert row.secret_hash == token_hash(morsel.value)
    assert morsel.value not in str(tuple(row)) and token not in str(tuple(row))
    assert row.expires_at == expires


async def test_the_session_ends_with_its_token_expiry_if_that_comes_first(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway(staff_session_minutes=240)
    token, _ = await staff_token(engine, expires_at=gw.clock.now + dt.timedelta(minutes=30))
    response = await gw.sign_in(token)
    assert set_cookie(response)[COOKIE_NAME]["max-age"] == str(30 * 60)
    gw.clock.advance(minutes=31)
    assert code(await gw.graphql(ACCOUNTS, HEADER)) == "STAFF_SESSION_ENDED"


@pytest.mark.parametrize(
    "kind", ["malformed", "bad checksum", "unknown", "partner", "revoked", "expired"]
)
async def test_a_token_that_is_not_a_live_staff_token_is_refused_with_401(
    gateway: MakeGateway, engine: AsyncEngine, kind: str
) -> None:
    gw = await gateway()
    now = gw.clock.now
    if kind == "malformed":
        token = "hunter2"
    elif kind == "bad checksum":
        real = new_opaque_token(TokenKind.STAFF)
        token = real[:-1] + ("A" if real[-1] != "A" else "B")
    elif kind == "unknown":
        token = new_opaque_token(TokenKind.STAFF)
    elif kind == "partner":
        partner_id = await f.partner(engine)
        token = await f.api_token(engine, TokenKind.PARTNER, partner_id=partner_id)
    elif kind == "revoked":
        token, _ = await staff_token(engine, revoked_at=now - dt.timedelta(minutes=1))
    else:
        token, _ = await staff_token(engine, expires_at=now - dt.timedelta(seconds=1))

    response = await gw.sign_in(token)

    assert response.status_code == 401
    assert code(response) == "UNAUTHENTICATED"
    assert "not a live staff token" in response.json()["errors"][0]["message"].lower()
    assert "set-cookie" not in response.headers
    assert await sessions(engine) == []


@pytest.mark.parametrize(
    ("content_type", "body", "status", "expected"),
    [
        ("application/x-www-form-urlencoded", "token=cnxs_x", 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("text/plain", '{"token": "cnxs_x"}', 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("application/json", "{not json", 400, "BAD_REQUEST"),
        ("application/json", '{"token": 12}', 400, "BAD_REQUEST"),
        ("application/json", '["cnxs_x"]', 400, "BAD_REQUEST"),
        ("application/json", '{"token": "' + "x" * 5000 + '"}', 413, "PAYLOAD_TOO_LARGE"),
    ],
)
async def test_sign_in_takes_only_a_small_json_body(
    gateway: MakeGateway, content_type: str, body: str, status: int, expected: str
) -> None:
    """A cross-site form cannot send application/json (no login CSRF)."""
    gw = await gateway()
    response = await gw.client.post(SESSION, content=body, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert code(response) == expected


async def test_sign_in_attempts_are_rate_limited_per_address(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    token, _ = await staff_token(engine)
    for _ in range(3):  # successes give their slot back
        assert (await gw.sign_in(token)).status_code == 200
    wrong = new_opaque_token(TokenKind.STAFF)
    for _ in range(STAFF_SIGN_IN_PER_ADDRESS.max_attempts):
        assert (await gw.sign_in(wrong)).status_code == 401

    refused = await gw.sign_in(token)  # even the right token: the token is not looked at

    assert refused.status_code == 429
    assert code(refused) == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) > 0
    assert "set-cookie" not in refused.headers


async def test_sign_in_rate_limit_is_shared_through_redis(
    gateway: MakeGateway, engine: AsyncEngine, redis_url: str
) -> None:
    """Two workers (two apps) on one Redis share the counter."""
    first, second = await gateway(redis_url=redis_url), await gateway(redis_url=redis_url)
    wrong = new_opaque_token(TokenKind.STAFF)
    try:
        for n in range(STAFF_SIGN_IN_PER_ADDRESS.max_attempts):
            worker = first if n % 2 else second
            assert (await worker.sign_in(wrong)).status_code == 401
        token, _ = await staff_token(engine)
        assert code(await first.sign_in(token)) == "RATE_LIMITED"
        assert code(await second.sign_in(token)) == "RATE_LIMITED"
    finally:
        for worker in (first, second):
            redis = services_of(worker.app).redis
            assert redis is not None
            await redis.aclose()


async def test_a_new_sign_in_ends_the_browsers_previous_session(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    token, _ = await staff_token(engine)
    old = set_cookie(await gw.sign_in(token))[COOKIE_NAME].value
    await gw.sign_in(token)  # the jar sends the old cookie along
    gw.client.cookies.clear()
    stale = await gw.graphql(ACCOUNTS, {**HEADER, "Cookie": f"{COOKIE_NAME}={old}"})
    assert code(stale) == "STAFF_SESSION_ENDED"


# --- the cookie at /graphql -----------------------------------------------------------------


async def test_the_cookie_with_the_header_is_the_tokens_staff_principal(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    await f.account(engine)
    token, _ = await staff_token(engine, name="Ops Lead")
    await gw.sign_in(token)

    name = await gw.signed_in_as()
    introspection = await gw.graphql(INTROSPECTION, HEADER)
    accounts = await gw.graphql(ACCOUNTS, HEADER)
    by_get = await gw.client.get("/graphql", params=ACCOUNTS, headers=HEADER)
    bearer = await gw.graphql(ACCOUNTS, {"Authorization": f"Bearer {token}"})

    assert name == "Ops Lead"
    assert introspection.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    assert accounts.json()["data"] == bearer.json()["data"]
    assert accounts.json()["data"]["accounts"]["totalCount"] == 1
    assert by_get.json()["data"]["accounts"]["totalCount"] == 1


async def test_without_the_header_the_cookie_is_ignored(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    """What a cross-site form or link could send: the cookie alone. It is anonymous, and
    anonymous introspection is refused in prod."""
    gw = await gateway()
    await f.account(engine)
    token, _ = await staff_token(engine)
    await gw.sign_in(token)
    assert gw.client.cookies.get(COOKIE_NAME)

    introspection = await gw.graphql(INTROSPECTION, {})
    accounts = await gw.graphql(ACCOUNTS, {"X-Conex-Staff-Session": "yes"})
    status = await gw.client.get(SESSION)

    assert code(introspection) == "GRAPHQL_VALIDATION_FAILED"
    assert accounts.json()["data"] == {"accounts": {"totalCount": 0}}
    assert status.status_code == 400 and code(status) == "BAD_REQUEST"


async def test_the_header_without_a_cookie_is_anonymous(gateway: MakeGateway) -> None:
    gw = await gateway()
    response = await gw.graphql(INTROSPECTION, HEADER)
    assert code(response) == "GRAPHQL_VALIDATION_FAILED"
    status = await gw.client.get(SESSION, headers=HEADER)
    assert status.json() == {"staff": None} and "set-cookie" not in status.headers
    assert (await gw.client.head(SESSION, headers=HEADER)).status_code == 200
    put = await gw.client.put(SESSION, headers=HEADER)
    assert put.status_code == 405


async def test_a_bearer_token_wins_over_the_cookie(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    token, _ = await staff_token(engine)
    await gw.sign_in(token)
    response = await gw.graphql(INTROSPECTION, {**HEADER, "Authorization": "Bearer cnxs_nope"})
    assert response.status_code == 401 and code(response) == "UNAUTHENTICATED"


async def test_revoking_the_token_ends_its_sessions(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    token, token_id = await staff_token(engine)
    await gw.sign_in(token)
    assert (await gw.graphql(INTROSPECTION, HEADER)).status_code == 200

    async with engine.begin() as conn:  # what `conex-gateway token revoke --id N` runs
        await revoke_api_token(conn=conn, token_id=token_id, now=gw.clock.now)
    refused = await gw.graphql(INTROSPECTION, HEADER)

    assert refused.status_code == 401
    assert code(refused) == "STAFF_SESSION_ENDED"
    cleared = set_cookie(refused)[COOKIE_NAME]
    assert cleared.value == "" and cleared["max-age"] == "0"
    # The answer cleared the cookie: the next request is anonymous, not refused again.
    assert code(await gw.graphql(INTROSPECTION, HEADER)) == "GRAPHQL_VALIDATION_FAILED"


async def test_an_expired_session_is_refused(gateway: MakeGateway, engine: AsyncEngine) -> None:
    gw = await gateway(staff_session_minutes=60)
    token, _ = await staff_token(engine)
    await gw.sign_in(token)
    gw.clock.advance(minutes=59)
    assert await gw.signed_in_as() == "ops"
    gw.clock.advance(minutes=1)

    refused = await gw.graphql(ACCOUNTS, HEADER)
    cookie = {"Cookie": refused.request.headers["cookie"]}  # the jar dropped it
    status = await gw.client.get(SESSION, headers={**HEADER, **cookie})

    assert refused.status_code == 401 and code(refused) == "STAFF_SESSION_ENDED"
    assert "sign in again" in refused.json()["errors"][0]["message"]
    assert status.json() == {"staff": None}
    assert set_cookie(status)[COOKIE_NAME]["max-age"] == "0"


async def test_a_session_use_is_its_tokens_last_use(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    token, token_id = await staff_token(engine)
    await gw.sign_in(token)
    gw.clock.advance(minutes=5)
    await gw.graphql(ACCOUNTS, HEADER)
    async with engine.connect() as conn:
        last_used = (
            await conn.execute(select(ApiToken.last_used_at).where(ApiToken.id == token_id))
        ).scalar_one()
    assert last_used == gw.clock.now


# --- sign-out -------------------------------------------------------------------------------


async def test_sign_out_ends_the_session_and_clears_the_cookie(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    token, _ = await staff_token(engine)
    secret = set_cookie(await gw.sign_in(token))[COOKIE_NAME].value

    response = await gw.client.delete(SESSION, headers=HEADER)

    assert response.status_code == 200 and response.json() == {"signedOut": True}
    cleared = set_cookie(response)[COOKIE_NAME]
    assert cleared.value == "" and cleared["max-age"] == "0" and cleared["secure"]
    assert gw.client.cookies.get(COOKIE_NAME) is None
    (row,) = await sessions(engine)
    assert row.ended_at == gw.clock.now
    # The old cookie, kept by someone, no longer works.
    replay = await gw.graphql(INTROSPECTION, {**HEADER, "Cookie": f"{COOKIE_NAME}={secret}"})
    assert code(replay) == "STAFF_SESSION_ENDED"
    again = await gw.client.delete(SESSION, headers=HEADER)
    assert again.json() == {"signedOut": False}


async def test_sign_out_needs_the_header(gateway: MakeGateway, engine: AsyncEngine) -> None:
    gw = await gateway()
    token, _ = await staff_token(engine)
    await gw.sign_in(token)
    refused = await gw.client.delete(SESSION)
    assert refused.status_code == 400 and code(refused) == "BAD_REQUEST"
    assert await gw.signed_in_as() == "ops"


# --- the page and CORS ------------------------------------------------------------------------


async def test_a_prod_page_load_gets_the_sign_in_page_without_graphiql(
    gateway: MakeGateway, engine: AsyncEngine
) -> None:
    gw = await gateway()
    token, _ = await staff_token(engine)
    html = {"Accept": "text/html"}
    anonymous = await gw.client.get("/graphql", headers=html)
    await gw.sign_in(token)
    # A page load sends the cookie but cannot send the header: the same page.
    with_cookie = await gw.client.get("/graphql", headers=html)
    bearer = await gw.client.get("/graphql", headers={**html, "Authorization": f"Bearer {token}"})

    for page in (anonymous, with_cookie):
        assert page.status_code == 200
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        assert 'id="conex-sign-in-form"' in page.text
        scripts = [line for line in page.text.splitlines() if "<script src=" in line]
        assert len(scripts) == 1 and "/graphiql/conex/staff.js?v=" in scripts[0]
        assert page.text.count("<script") == 2  # and the settings' JSON data block
        assert "__schema" not in page.text and "queryType" not in page.text
    assert anonymous.text == with_cookie.text
    assert "graphiql.min.js" in bearer.text and "conex-sign-in-form" not in bearer.text
    assert (await gw.client.get("/graphiql/conex/staff.js")).status_code == 200


async def test_cors_never_lets_another_origin_use_the_session(gateway: MakeGateway) -> None:
    gw = await gateway(cors_origins=["https://web.conex.example"])
    preflight = await gw.client.options(
        "/graphql",
        headers={
            "Origin": "https://web.conex.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-conex-staff-session",
        },
    )
    assert preflight.status_code == 400
    assert "access-control-allow-credentials" not in preflight.headers
    simple = await gw.client.post(
        "/graphql", json=ACCOUNTS, headers={"Origin": "https://web.conex.example"}
    )
    assert "access-control-allow-credentials" not in simple.headers


async def test_dev_honours_the_session_too(gateway: MakeGateway, engine: AsyncEngine) -> None:
    gw = await gateway(env="dev")
    await f.account(engine)
    token, _ = await staff_token(engine)
    await gw.sign_in(token)
    accounts = await gw.graphql(ACCOUNTS, HEADER)
    assert accounts.json()["data"]["accounts"]["totalCount"] == 1


@pytest.mark.parametrize("minutes", ["4", "721", "forever"])
def test_the_session_lifetime_setting_is_checked(
    monkeypatch: pytest.MonkeyPatch, minutes: str
) -> None:
    monkeypatch.setenv("CONEX_STAFF_SESSION_MINUTES", minutes)
    with pytest.raises(SettingsError, match=r"^CONEX_STAFF_SESSION_MINUTES: "):
        load_settings()


def test_the_session_lifetime_defaults_to_four_hours() -> None:
    assert load_settings().staff_session_minutes == 240
