"""Authentication SQL: bearer token → principal, sign-up/log-in, sessions (refresh-token
families), password-reset tokens and partner API tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import Account, ApiToken, Partner, PasswordResetToken, RefreshToken
from db.queries.api_token import PUBLIC_TOKEN_COLUMNS, insert_api_token
from db.queries.decode import maybe
from db.rows import AccountRow, ApiTokenRow, PasswordResetTokenRow, RefreshTokenRow
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


# --- accounts: sign-up, log-in and password reset ---------------------------------------------


async def account_for_log_in(session: AsyncSession, *, email: str) -> AccountRow | None:
    """The account (active or invited) that owns this lower-case email; closed ones are gone."""
    found = await session.execute(
        select(*Account.__table__.c).where(
            Account.email == email, Account.status != AccountStatus.CLOSED
        )
    )
    return maybe(AccountRow._make, found.first())


async def insert_account(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    country: str,
    password_hash: str,
    now: dt.datetime,
) -> AccountRow:
    inserted = await session.execute(
        insert(Account)
        .values(
            email=email,
            name=name,
            country=country,
            password_hash=password_hash,
            status=AccountStatus.ACTIVE,
            created_at=now,
        )
        .returning(*Account.__table__.c)
    )
    return AccountRow._make(inserted.one())


async def set_password_hash(
    session: AsyncSession, *, account_id: int, password_hash: str, activate: bool = False
) -> None:
    """A new password hash; ``activate`` also makes an invited account active."""
    values: dict[str, Any] = {"password_hash": password_hash}
    if activate:
        values["status"] = AccountStatus.ACTIVE
    await session.execute(update(Account).where(Account.id == account_id).values(**values))


async def insert_password_reset_token(
    session: AsyncSession,
    *,
    account_id: int,
    token_hash: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    await session.execute(
        insert(PasswordResetToken).values(
            account_id=account_id, token_hash=token_hash, created_at=now, expires_at=expires_at
        )
    )


# Its columns are those of ``PasswordResetTokenRow``.
USABLE_PASSWORD_RESET_TOKEN = select(
    PasswordResetToken.id,
    PasswordResetToken.account_id,
    Account.email,
    Account.name,
    Account.status,
).join(Account, Account.id == PasswordResetToken.account_id)


async def usable_password_reset_token(
    session: AsyncSession, *, token_hash: str, now: dt.datetime
) -> PasswordResetTokenRow | None:
    """An unused, unexpired reset token of an active or invited account, with the account's
    email and status."""
    found = await session.execute(
        USABLE_PASSWORD_RESET_TOKEN.where(
            PasswordResetToken.token_hash == token_hash,
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
            Account.status != AccountStatus.CLOSED,
        )
    )
    return maybe(PasswordResetTokenRow._make, found.first())


async def use_password_reset_token(
    session: AsyncSession, *, token_id: int, account_id: int, now: dt.datetime
) -> bool:
    """Mark this token used (False if another request used it first) and every other
    outstanding token of the account with it: one reset ends them all."""
    used = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    if _rowcount(used) != 1:
        return False
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.account_id == account_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    return True


# --- sessions: refresh-token families ---------------------------------------------------------


async def insert_refresh_token(
    session: AsyncSession,
    *,
    account_id: int,
    family: str,
    token_hash: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    await session.execute(
        insert(RefreshToken).values(
            account_id=account_id,
            family=family,
            token_hash=token_hash,
            created_at=now,
            expires_at=expires_at,
        )
    )


# Its columns are those of ``RefreshTokenRow``.
REFRESH_TOKEN = select(
    RefreshToken.id,
    RefreshToken.account_id,
    RefreshToken.family,
    RefreshToken.expires_at,
    RefreshToken.rotated_at,
    RefreshToken.revoked_at,
    Account.status.label("account_status"),
    Account.name.label("account_name"),
).join(Account, Account.id == RefreshToken.account_id)


async def refresh_token_by_hash(
    session: AsyncSession, *, token_hash: str
) -> RefreshTokenRow | None:
    """A refresh token, whatever its state, with its account's status and name (locked on
    PostgreSQL so two refreshes with one token are serialised)."""
    found = await session.execute(
        REFRESH_TOKEN.where(RefreshToken.token_hash == token_hash).with_for_update(of=RefreshToken)
    )
    return maybe(RefreshTokenRow._make, found.first())


async def mark_refresh_token_rotated(
    session: AsyncSession, *, token_id: int, now: dt.datetime
) -> bool:
    """Compare-and-set: False when the token was rotated or revoked in the meantime."""
    result = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == token_id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(rotated_at=now)
    )
    return _rowcount(result) == 1


async def revoke_session_family(session: AsyncSession, *, family: str, now: dt.datetime) -> int:
    """End a session: every token of the family, so its access tokens stop working too."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return _rowcount(result)


async def revoke_account_sessions(
    session: AsyncSession, *, account_id: int, now: dt.datetime, keep_family: str | None = None
) -> int:
    """End every session (refresh-token family) of the account but ``keep_family``; returns
    how many families were live."""
    live = [RefreshToken.account_id == account_id, RefreshToken.revoked_at.is_(None)]
    if keep_family is not None:
        live.append(RefreshToken.family != keep_family)
    count = (
        await session.execute(select(func.count(distinct(RefreshToken.family))).where(*live))
    ).scalar_one()
    await session.execute(update(RefreshToken).where(*live).values(revoked_at=now))
    return int(count)


# --- partner tokens ---------------------------------------------------------------------------


async def partner_name(session: AsyncSession, *, partner_id: int) -> str | None:
    return (
        await session.execute(select(Partner.name).where(Partner.id == partner_id))
    ).scalar_one_or_none()


async def insert_partner_token(
    session: AsyncSession,
    *,
    partner_id: int,
    name: str,
    prefix: str,
    token_hash: str,
    scopes: list[str],
    now: dt.datetime,
    expires_at: dt.datetime,
) -> ApiTokenRow:
    return await insert_api_token(
        session,
        kind=TokenKind.PARTNER,
        name=name,
        prefix=prefix,
        token_hash=token_hash,
        partner_id=partner_id,
        scopes=scopes,
        now=now,
        expires_at=expires_at,
    )


async def revoke_partner_token(
    session: AsyncSession, *, token_id: int, now: dt.datetime
) -> tuple[ApiTokenRow, dt.datetime | None] | None:
    """Revoke a partner token; revoking it again keeps the first time.

    Returns the row after the change and its ``revoked_at`` before; None for no such token.
    """
    partner_token = (ApiToken.id == token_id, ApiToken.kind == TokenKind.PARTNER)
    before = (await session.execute(select(ApiToken.revoked_at).where(*partner_token))).first()
    if before is None:
        return None
    await session.execute(
        update(ApiToken).where(*partner_token, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    row = (await session.execute(select(*PUBLIC_TOKEN_COLUMNS).where(*partner_token))).one()
    return ApiTokenRow._make(row), before.revoked_at


def _rowcount(result: Any) -> int:
    return int(result.rowcount)
