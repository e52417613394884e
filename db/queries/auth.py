"""Look-ups that turn a bearer token into a principal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import Account, ApiToken, Partner, RefreshToken
from gateway.domain.enums import AccountStatus, TokenKind

LAST_USED_PRECISION = dt.timedelta(minutes=1)


async def live_session_account(
    conn: AsyncConnection, *, account_id: int, session_family: str
) -> tuple[int, str] | None:
    """The account of a live session: active account, family not revoked by logOut/re-use."""
    live_family = exists().where(
        RefreshToken.family == session_family,
        RefreshToken.account_id == account_id,
        RefreshToken.revoked_at.is_(None),
    )
    row = (
        await conn.execute(
            select(Account.id, Account.name).where(
                Account.id == account_id, Account.status == AccountStatus.ACTIVE, live_family
            )
        )
    ).first()
    return (row.id, row.name) if row else None


@dataclass(frozen=True, slots=True)
class UsableToken:
    id: int
    kind: TokenKind
    name: str
    partner_id: int | None
    partner_name: str | None
    scopes: list[str]


async def usable_api_token(
    conn: AsyncConnection, *, token_hash: str, now: dt.datetime
) -> UsableToken | None:
    """A token that is neither revoked nor expired, with its partner's name."""
    row = (
        await conn.execute(
            select(
                ApiToken.id,
                ApiToken.kind,
                ApiToken.name,
                ApiToken.partner_id,
                ApiToken.scopes,
                ApiToken.expires_at,
                ApiToken.revoked_at,
                ApiToken.last_used_at,
                Partner.name.label("partner_name"),
            )
            .outerjoin(Partner, Partner.id == ApiToken.partner_id)
            .where(ApiToken.token_hash == token_hash)
        )
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        await conn.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        await conn.commit()
    return UsableToken(
        id=row.id,
        kind=TokenKind(row.kind),
        name=row.name,
        partner_id=row.partner_id,
        partner_name=row.partner_name,
        scopes=list(row.scopes or []),
    )
