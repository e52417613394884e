"""The staff session look-up as a plain function of a connection, a cookie's value and the
time (what GraphiQL's WebSocket will call too, issue #15): the principal the token's bearer
would be, or None."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import ApiToken, StaffSession
from gateway.auth.authenticate import authenticate
from gateway.auth.staff_session import (
    end_staff_session,
    staff_session_principal,
    start_staff_session,
)
from gateway.auth.tokens import token_hash
from gateway.domain.enums import TokenKind
from gateway.settings import Settings
from tests import factories as f

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


async def test_the_cookie_resolves_to_the_principal_of_its_token(
    engine: AsyncEngine, settings: Settings
) -> None:
    token = await f.api_token(engine, TokenKind.STAFF, name="Ops Lead")
    async with engine.connect() as conn:
        started = await start_staff_session(conn, token=token, now=NOW, minutes=60)
        assert started is not None
        found = await staff_session_principal(conn, started.secret, now=NOW)
    bearer = await authenticate(
        f"Bearer {token}", engine=engine, key=settings.signing_key(), now=NOW
    )
    assert found == bearer == started.principal
    assert found is not None and found.is_staff and found.name == "Ops Lead"


@pytest.mark.parametrize("cookie", [None, "", "short", "x" * 43 + "!", "A" * 43])
async def test_no_malformed_or_unknown_cookie_is_anyone(
    engine: AsyncEngine, cookie: str | None
) -> None:
    async with engine.connect() as conn:
        assert await staff_session_principal(conn, cookie, now=NOW) is None


async def test_a_session_lives_until_it_expires_or_ends(engine: AsyncEngine) -> None:
    token = await f.api_token(engine, TokenKind.STAFF)
    async with engine.connect() as conn:
        started = await start_staff_session(conn, token=token, now=NOW, minutes=60)
        assert started is not None
        secret = started.secret
        assert started.expires_at == NOW + dt.timedelta(minutes=60)
        almost = NOW + dt.timedelta(minutes=59, seconds=59)
        assert await staff_session_principal(conn, secret, now=almost) is not None
        assert await staff_session_principal(conn, secret, now=started.expires_at) is None
        assert await end_staff_session(conn, secret, now=NOW) is True
        assert await staff_session_principal(conn, secret, now=NOW) is None
        assert await end_staff_session(conn, secret, now=NOW) is False


async def test_a_revoked_or_expired_token_ends_its_sessions(engine: AsyncEngine) -> None:
    token = await f.api_token(engine, TokenKind.STAFF, expires_at=NOW + dt.timedelta(hours=8))
    async with engine.connect() as conn:
        first = await start_staff_session(conn, token=token, now=NOW, minutes=60)
        assert first is not None
        later = NOW + dt.timedelta(hours=8)
        second = await start_staff_session(conn, token=token, now=later, minutes=60)
        assert second is None  # the token has expired: no new session
    async with engine.begin() as conn:
        await conn.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == token_hash(token))
            .values(revoked_at=NOW + dt.timedelta(minutes=1))
        )
    async with engine.connect() as conn:
        at = NOW + dt.timedelta(minutes=2)
        assert await staff_session_principal(conn, first.secret, now=at) is None


async def test_a_partner_token_starts_no_session(engine: AsyncEngine) -> None:
    partner_id = await f.partner(engine)
    token = await f.api_token(engine, TokenKind.PARTNER, partner_id=partner_id)
    async with engine.connect() as conn:
        assert await start_staff_session(conn, token=token, now=NOW, minutes=60) is None
        assert (await conn.execute(select(StaffSession.id))).all() == []


async def test_ended_and_expired_sessions_are_deleted_at_the_tokens_next_sign_in(
    engine: AsyncEngine,
) -> None:
    token = await f.api_token(engine, TokenKind.STAFF)
    async with engine.connect() as conn:
        ended = await start_staff_session(conn, token=token, now=NOW, minutes=60)
        live = await start_staff_session(conn, token=token, now=NOW, minutes=120)
        assert ended is not None and live is not None
        await end_staff_session(conn, ended.secret, now=NOW)
        await start_staff_session(conn, token=token, now=NOW + dt.timedelta(minutes=61), minutes=5)
        hashes = set((await conn.execute(select(StaffSession.secret_hash))).scalars())
    assert token_hash(ended.secret) not in hashes
    assert token_hash(live.secret) in hashes and len(hashes) == 2
