"""Customer sessions: a short-lived access token (JWT) and a rotating opaque refresh token.

A session is a *family* of refresh tokens sharing one id, which access tokens carry as
``sid``. Every refresh rotates: the used token gets ``rotated_at`` and a new one joins the
family, which therefore always has exactly one current token. A rotated (or revoked) token
presented again means it was copied: the whole family is revoked, so the thief's and the
owner's tokens all stop working (``authenticate`` refuses access tokens of a family with no
un-revoked token). Only the SHA-256 of a refresh token is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from db.queries import auth as queries
from db.sessions import Session
from gateway.auth.tokens import issue_access_token, new_secret, token_hash
from gateway.domain.enums import AccountStatus
from gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class IssuedSession:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime  # of the access token
    family: str


@dataclass(frozen=True, slots=True)
class Rotation:
    """What presenting a refresh token did: a new pair, or nothing (unknown, expired,
    revoked, closed account), or (re-use) the revocation of its whole family."""

    issued: IssuedSession | None = None
    account_id: int | None = None
    account_name: str | None = None
    revoked_family: str | None = None


async def _issue(
    session: Session, *, account_id: int, family: str, settings: Settings, now: dt.datetime
) -> IssuedSession:
    refresh_token = new_secret()
    await queries.insert_refresh_token(
        session,
        account_id=account_id,
        family=family,
        token_hash=token_hash(refresh_token),
        now=now,
        expires_at=now + dt.timedelta(days=settings.refresh_token_days),
    )
    access_token, expires_at = issue_access_token(
        account_id=account_id,
        session_family=family,
        key=settings.signing_key(),
        now=now,
        minutes=settings.access_token_minutes,
    )
    return IssuedSession(access_token, refresh_token, expires_at, family)


async def start_session(
    session: Session, *, account_id: int, settings: Settings, now: dt.datetime
) -> IssuedSession:
    """Log-in: a new family."""
    return await _issue(
        session, account_id=account_id, family=str(uuid.uuid4()), settings=settings, now=now
    )


async def rotate_session(
    session: Session, *, refresh_token: str, settings: Settings, now: dt.datetime
) -> Rotation:
    found = await queries.refresh_token_by_hash(session, token_hash=token_hash(refresh_token))
    if found is None or found.revoked_at is not None:
        return Rotation()
    if found.rotated_at is not None:
        return await _revoke_reused(session, found.account_id, found.family, now)
    if found.expires_at <= now or found.account_status != AccountStatus.ACTIVE:
        return Rotation()
    if not await queries.mark_refresh_token_rotated(session, token_id=found.id, now=now):
        # A concurrent refresh used it between our read and our write: re-use all the same.
        return await _revoke_reused(session, found.account_id, found.family, now)
    issued = await _issue(
        session, account_id=found.account_id, family=found.family, settings=settings, now=now
    )
    return Rotation(issued=issued, account_id=found.account_id, account_name=found.account_name)


async def _revoke_reused(
    session: Session, account_id: int, family: str, now: dt.datetime
) -> Rotation:
    await queries.revoke_session_family(session, family=family, now=now)
    return Rotation(account_id=account_id, revoked_family=family)


async def end_session(session: Session, *, family: str, now: dt.datetime) -> int:
    """Log-out: the family's tokens are revoked, its access tokens refused from now on."""
    return await queries.revoke_session_family(session, family=family, now=now)


async def end_all_sessions(
    session: Session, *, account_id: int, now: dt.datetime, keep_family: str | None = None
) -> int:
    """After a password reset or change, or when the account closes: every session of the
    account ends but ``keep_family`` (the one changing the password); how many were live."""
    return await queries.revoke_account_sessions(
        session, account_id=account_id, now=now, keep_family=keep_family
    )
