"""API tokens (staff and partner) as a whole: the one INSERT every kind is created with, and
what the command line lists and revokes. Only a token's SHA-256 is ever stored (R-SEC-3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import ApiToken
from db.rows import ApiTokenRow
from gateway.domain.enums import TokenKind

# Everything but the hash: what a payload may be built from (R-SEC-3).
PUBLIC_TOKEN_COLUMNS = [c for c in ApiToken.__table__.c if c.name != "token_hash"]


async def insert_api_token(
    db: AsyncSession | AsyncConnection,
    *,
    kind: TokenKind,
    name: str,
    prefix: str,
    token_hash: str,
    scopes: list[str],
    partner_id: int | None = None,
    now: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
) -> ApiTokenRow:
    """A new token; returns its public columns. ``now`` defaults to the database's clock."""
    values: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "prefix": prefix,
        "token_hash": token_hash,
        "partner_id": partner_id,
        "scopes": scopes,
        "expires_at": expires_at,
    }
    if now is not None:
        values["created_at"] = now
    stmt = insert(ApiToken).values(**values).returning(*PUBLIC_TOKEN_COLUMNS)
    return ApiTokenRow._make((await db.execute(stmt)).one())


@dataclass(frozen=True, slots=True)
class TokenListing:
    """What ``conex-gateway token list`` shows of a token (never its secret)."""

    id: int
    kind: TokenKind
    prefix: str
    name: str
    partner_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


async def list_api_tokens(*, conn: AsyncConnection) -> list[TokenListing]:
    stmt = select(
        ApiToken.id,
        ApiToken.kind,
        ApiToken.prefix,
        ApiToken.name,
        ApiToken.partner_id,
        ApiToken.created_at,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
    ).order_by(ApiToken.id)
    return [TokenListing(*row) for row in (await conn.execute(stmt)).all()]


@dataclass(frozen=True, slots=True)
class Revoked:
    """The outcome of revoking a token: its name if this revoked it, else when it already
    was (both None: no such token)."""

    name: str | None
    already_revoked_at: dt.datetime | None


async def revoke_api_token(*, conn: AsyncConnection, token_id: int, now: dt.datetime) -> Revoked:
    """Revoke any token by id; revoking it again keeps the first time."""
    revoked = await conn.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.name)
    )
    name = revoked.scalar()
    if name is not None:
        return Revoked(name=name, already_revoked_at=None)
    found = await conn.execute(select(ApiToken.revoked_at).where(ApiToken.id == token_id))
    return Revoked(name=None, already_revoked_at=found.scalar())
