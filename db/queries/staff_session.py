"""Staff browser sessions (``gateway.auth.staff_session``): start one for a live staff token,
find the live session of a cookie's secret hash, end one. Every read joins the session to
its token, so a revoked or expired token ends its sessions with nothing to update here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import ApiToken, StaffSession
from db.queries.auth import LAST_USED_PRECISION
from gateway.domain.enums import TokenKind


@dataclass(frozen=True, slots=True)
class LiveStaffToken:
    """A staff token that is neither revoked nor expired."""

    id: int
    name: str
    expires_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LiveStaffSession:
    """A session that was not ended, has not expired, and whose staff token is live."""

    session_id: int
    token_id: int
    token_name: str
    expires_at: dt.datetime


def _token_is_live(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        ApiToken.kind == TokenKind.STAFF,
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
    )


async def _touch_token(
    conn: AsyncConnection, *, token_id: int, last_used_at: dt.datetime | None, now: dt.datetime
) -> None:
    """``token list`` shows a token's last use; a session's use is its token's (to the minute,
    as for a bearer token: no write per request)."""
    if last_used_at is None or now - last_used_at >= LAST_USED_PRECISION:
        await conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


async def live_staff_token(
    conn: AsyncConnection, *, token_hash: str, now: dt.datetime
) -> LiveStaffToken | None:
    row = (
        await conn.execute(
            select(ApiToken.id, ApiToken.name, ApiToken.expires_at, ApiToken.last_used_at).where(
                ApiToken.token_hash == token_hash, _token_is_live(now)
            )
        )
    ).first()
    if row is None:
        return None
    await _touch_token(conn, token_id=row.id, last_used_at=row.last_used_at, now=now)
    return LiveStaffToken(id=row.id, name=row.name, expires_at=row.expires_at)


async def insert_staff_session(
    conn: AsyncConnection,
    *,
    token_id: int,
    secret_hash: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    """A new session of the token; the token's ended and expired sessions go (the table holds
    no more rows than there are live sessions, plus those of tokens nobody signs in with)."""
    await conn.execute(
        delete(StaffSession).where(
            StaffSession.api_token_id == token_id,
            or_(StaffSession.ended_at.is_not(None), StaffSession.expires_at <= now),
        )
    )
    values: dict[str, Any] = {
        "api_token_id": token_id,
        "secret_hash": secret_hash,
        "created_at": now,
        "expires_at": expires_at,
    }
    inserted = await conn.execute(insert(StaffSession).values(**values).returning(StaffSession.id))
    return int(inserted.scalar_one())


async def live_staff_session(
    conn: AsyncConnection, *, secret_hash: str, now: dt.datetime
) -> LiveStaffSession | None:
    row = (
        await conn.execute(
            select(
                StaffSession.id,
                StaffSession.expires_at,
                ApiToken.id.label("token_id"),
                ApiToken.name,
                ApiToken.last_used_at,
            )
            .join(ApiToken, ApiToken.id == StaffSession.api_token_id)
            .where(
                StaffSession.secret_hash == secret_hash,
                StaffSession.ended_at.is_(None),
                StaffSession.expires_at > now,
                _token_is_live(now),
            )
        )
    ).first()
    if row is None:
        return None
    await _touch_token(conn, token_id=row.token_id, last_used_at=row.last_used_at, now=now)
    return LiveStaffSession(
        session_id=row.id, token_id=row.token_id, token_name=row.name, expires_at=row.expires_at
    )


async def end_staff_session(conn: AsyncConnection, *, secret_hash: str, now: dt.datetime) -> bool:
    """Sign-out: True when this ended a session that had not ended yet."""
    ended = await conn.execute(
        update(StaffSession)
        .where(StaffSession.secret_hash == secret_hash, StaffSession.ended_at.is_(None))
        .values(ended_at=now)
        .returning(StaffSession.id)
    )
    return ended.first() is not None
