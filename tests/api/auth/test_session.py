"""Sessions over HTTP: log in, use, refresh (rotation), re-use detection, log out."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import jwt
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Account, AuditEvent, RefreshToken
from gateway.auth.tokens import AUDIENCE, token_hash
from gateway.domain.enums import AccountStatus
from gateway.settings import Settings
from tests import factories as f
from tests.api.auth.support import (
    assert_forbidden,
    assert_unauthenticated,
    codes,
    count,
    log_in,
    sign_up,
)
from tests.api.client import send
from tests.api.world import World, rows


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> dict[str, Any]:
    data = (await send(client, "RefreshSession", {"refreshToken": refresh_token})).data
    payload: dict[str, Any] = data["tokenRefresh"]
    return payload


async def test_sign_up_log_in_use_refresh_reuse_revokes_the_family(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    signed_up = await sign_up(client, "Nadia@Example.com")
    assert signed_up["userErrors"] == []
    assert signed_up["account"]["email"] == "nadia@example.com"

    session = await log_in(client, "nadia@example.com")
    assert session["userErrors"] == []
    assert session["account"] == {
        "id": signed_up["account"]["id"],
        "email": "nadia@example.com",
        "name": "Nadia Haddad",
    }
    expires_at = dt.datetime.fromisoformat(session["expiresAt"])
    now = dt.datetime.now(dt.UTC)
    minutes = settings.access_token_minutes
    assert (
        now + dt.timedelta(minutes=minutes - 1) < expires_at <= now + dt.timedelta(minutes=minutes)
    )
    claims = jwt.decode(
        session["accessToken"], settings.signing_key(), ["HS256"], audience=AUDIENCE
    )
    family = claims["sid"]

    home = (await send(client, "AccountHome", token=session["accessToken"])).data
    assert home["viewer"]["account"]["email"] == "nadia@example.com"

    # Rotation: a new pair, the old refresh token marked rotated, same family.
    second = await refresh(client, session["refreshToken"])
    assert second["userErrors"] == []
    assert second["refreshToken"] != session["refreshToken"]
    assert (
        jwt.decode(second["accessToken"], settings.signing_key(), ["HS256"], audience=AUDIENCE)[
            "sid"
        ]
        == family
    )
    family_rows = await rows(engine, RefreshToken, RefreshToken.family == family)
    assert [(r.rotated_at is not None, r.revoked_at) for r in family_rows] == [
        (True, None),
        (False, None),
    ]
    # Existing access tokens of the family still work until the session ends.
    assert (await send(client, "AccountHome", token=session["accessToken"])).status == 200
    assert (await send(client, "AccountHome", token=second["accessToken"])).status == 200

    # The first refresh token again: stolen. The whole family is revoked, committed.
    reused = await refresh(client, session["refreshToken"])
    assert codes(reused) == [("INVALID_TOKEN", ("input", "refreshToken"))]
    assert reused["accessToken"] is None and reused["refreshToken"] is None
    assert await count(engine, RefreshToken, RefreshToken.revoked_at.is_(None)) == 0
    assert_unauthenticated(await send(client, "AccountHome", token=second["accessToken"]))
    assert_unauthenticated(await send(client, "AccountHome", token=session["accessToken"]))
    # ... and the latest refresh token is dead too.
    assert codes(await refresh(client, second["refreshToken"])) == [
        ("INVALID_TOKEN", ("input", "refreshToken"))
    ]
    actions = [r.action for r in await rows(engine, AuditEvent)]
    assert actions == ["signUp", "logIn", "tokenRefresh", "tokenRefresh"]


async def test_refresh_tokens_are_stored_hashed(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    session = await log_in(client, "nadia@example.com")
    (row,) = await rows(engine, RefreshToken)
    assert row.token_hash == token_hash(session["refreshToken"])
    assert session["refreshToken"] not in str(tuple(row))


async def test_refresh_expires_after_the_configured_days(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    await sign_up(client, "nadia@example.com")
    session = await log_in(client, "nadia@example.com")
    (row,) = await rows(engine, RefreshToken)
    lifetime = row.expires_at - row.created_at
    assert lifetime == dt.timedelta(days=settings.refresh_token_days)
    async with engine.begin() as conn:
        await conn.execute(
            update(RefreshToken).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    expired = await refresh(client, session["refreshToken"])
    assert codes(expired) == [("INVALID_TOKEN", ("input", "refreshToken"))]
    # An expired token is refused, not treated as re-use: the session is not revoked by it.
    assert await count(engine, RefreshToken, RefreshToken.revoked_at.is_not(None)) == 0


async def test_unknown_or_garbage_refresh_token_is_invalid(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    for token in ("", "nope", "x" * 10_000, "cnxp_" + "A" * 36):
        answer = await refresh(client, token)
        assert codes(answer) == [("INVALID_TOKEN", ("input", "refreshToken"))]
        assert answer["accessToken"] is None
    assert await count(engine, RefreshToken) == 0


async def test_r_acc_4_refresh_refused_once_the_account_is_closed(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    session = await log_in(client, "nadia@example.com")
    async with engine.begin() as conn:
        await conn.execute(update(Account).values(status=AccountStatus.CLOSED))
    assert codes(await refresh(client, session["refreshToken"])) == [
        ("INVALID_TOKEN", ("input", "refreshToken"))
    ]


async def test_log_out_ends_this_session_only(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    laptop = await log_in(client, "nadia@example.com")
    phone = await log_in(client, "nadia@example.com")

    out = (await send(client, "LogOut", token=laptop["accessToken"])).data
    assert out["logOut"]["userErrors"] == []

    assert_unauthenticated(await send(client, "AccountHome", token=laptop["accessToken"]))
    assert codes(await refresh(client, laptop["refreshToken"])) == [
        ("INVALID_TOKEN", ("input", "refreshToken"))
    ]
    # The phone's session is another family: untouched.
    assert (await send(client, "AccountHome", token=phone["accessToken"])).status == 200
    assert (await refresh(client, phone["refreshToken"]))["userErrors"] == []
    (event,) = await rows(engine, AuditEvent, AuditEvent.action == "logOut")
    assert event.principal_kind == "CUSTOMER" and event.entity_type == "Account"


async def test_log_out_refused_for_anonymous_staff_and_partners(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    assert_unauthenticated(await send(client, "LogOut"))
    assert_forbidden(await send(client, "LogOut", token=world.staff_token))
    assert_forbidden(await send(client, "LogOut", token=world.partner_tokens["ALL"]))
    assert await count(engine, RefreshToken, RefreshToken.revoked_at.is_not(None)) == 0


async def test_log_out_of_a_factory_session(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice = await f.account(engine, "alice@example.com")
    token = await f.customer_token(engine, alice, settings.signing_key())
    assert (await send(client, "LogOut", token=token)).data["logOut"]["userErrors"] == []
    assert_unauthenticated(await send(client, "AccountHome", token=token))


async def test_staff_and_partners_may_not_log_in_or_refresh(
    client: httpx.AsyncClient, world: World
) -> None:
    assert_forbidden(
        await send(client, "LogIn", {"email": "a@example.com", "password": "x"}, world.staff_token)
    )
    assert_forbidden(
        await send(client, "RefreshSession", {"refreshToken": "x"}, world.partner_tokens["ALL"])
    )


async def test_two_refreshes_racing_with_one_token_revoke_the_family(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    session = await log_in(client, "nadia@example.com")
    answers = await asyncio.gather(
        refresh(client, session["refreshToken"]), refresh(client, session["refreshToken"])
    )
    # One rotation wins, the other is a re-use: the family ends, the winner's tokens too.
    assert sorted(len(a["userErrors"]) for a in answers) == [0, 1]
    assert await count(engine, RefreshToken, RefreshToken.revoked_at.is_(None)) == 0
    (winner,) = [a for a in answers if not a["userErrors"]]
    assert_unauthenticated(await send(client, "AccountHome", token=winner["accessToken"]))
