"""Staff browser sessions: a staff token exchanged for a short-lived cookie (issue #13).

A browser cannot send a staff token with a page load, so GraphiQL in prod signs staff in
at ``POST /staff/session`` (``gateway.http.staff_session``): the token is checked here and a
session of ``CONEX_STAFF_SESSION_MINUTES`` (never past the token's own expiry) is stored as
the SHA-256 of a random secret, which only the cookie holds. The session references its
token and every look-up joins the two, so revoking the token (``conex-gateway token revoke``)
or its expiry ends the session at once; signing out ends it too.

:func:`staff_session_principal` is the one look-up, a plain function of a connection, the
cookie's value and the time, so that any transport (HTTP now, GraphiQL's WebSocket later)
resolves the same principal as the bearer token would: ``principal.staff(token id, name)``.
Which requests may present the cookie (only with the ``X-Conex-Staff-Session`` header) is
the HTTP layer's rule, not this module's.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import TypeGuard

from db.queries import staff_session as queries
from db.sessions import Connection
from gateway.auth import principal as principals
from gateway.auth.principal import Principal
from gateway.auth.tokens import opaque_token_kind, token_hash
from gateway.domain.enums import TokenKind

# __Host-: the browser keeps it only if Secure, Path=/ and no Domain (no sub-domain can set
# or shadow it).
COOKIE_NAME = "__Host-conex-staff"
SECRET_BYTES = 32
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class StaffSignIn:
    """A started session: the cookie's secret (shown once, never stored), who and until when."""

    secret: str
    principal: Principal
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StaffSessionState:
    principal: Principal
    expires_at: dt.datetime


def is_well_formed(secret: str | None) -> TypeGuard[str]:
    """What ``secrets.token_urlsafe(32)`` makes; anything else is refused unread."""
    return secret is not None and _SECRET.fullmatch(secret) is not None


async def start_staff_session(
    conn: Connection, *, token: str, now: dt.datetime, minutes: int
) -> StaffSignIn | None:
    """A new session for a live staff token; None for anything else (malformed, unknown,
    revoked, expired, a partner token). Commits."""
    if opaque_token_kind(token) is not TokenKind.STAFF:
        return None  # the prefix and checksum are checked before any database look-up
    found = await queries.live_staff_token(conn, token_hash=token_hash(token), now=now)
    if found is None:
        await conn.commit()
        return None
    expires_at = now + dt.timedelta(minutes=minutes)
    if found.expires_at is not None:
        expires_at = min(expires_at, found.expires_at)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    await queries.insert_staff_session(
        conn, token_id=found.id, secret_hash=token_hash(secret), now=now, expires_at=expires_at
    )
    await conn.commit()
    return StaffSignIn(
        secret=secret, principal=principals.staff(found.id, found.name), expires_at=expires_at
    )


async def staff_session_state(
    conn: Connection, cookie: str | None, *, now: dt.datetime
) -> StaffSessionState | None:
    """The live session of a cookie's value, with its expiry; None when there is none.
    Commits (the token's last use)."""
    if not is_well_formed(cookie):
        return None
    found = await queries.live_staff_session(conn, secret_hash=token_hash(cookie), now=now)
    await conn.commit()
    if found is None:
        return None
    return StaffSessionState(
        principal=principals.staff(found.token_id, found.token_name), expires_at=found.expires_at
    )


async def staff_session_principal(
    conn: Connection, cookie: str | None, *, now: dt.datetime
) -> Principal | None:
    """The staff principal of a cookie's session (as its token's bearer would be), or None:
    no cookie, a malformed one, an unknown, ended or expired session, a revoked or expired
    token."""
    state = await staff_session_state(conn, cookie, now=now)
    return state.principal if state is not None else None


async def end_staff_session(conn: Connection, cookie: str | None, *, now: dt.datetime) -> bool:
    """Sign-out: True when a live session ended. Commits."""
    if not is_well_formed(cookie):
        return False
    ended = await queries.end_staff_session(conn, secret_hash=token_hash(cookie), now=now)
    await conn.commit()
    return ended
