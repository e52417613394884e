"""Partner actions: staff create and revoke partner API tokens (R-SEC-2).

A token is shown once, in the create result; only its SHA-256 and its first 12 characters
(enough to recognise it in a list, far too few to use it) are stored (R-SEC-3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.queries import auth as queries
from db.rows import ApiTokenRow
from gateway.actions.unit import UnitOfWork
from gateway.auth.principal import Principal
from gateway.auth.tokens import new_opaque_token, token_hash
from gateway.domain.account import check_text
from gateway.domain.enums import PartnerScope, TokenKind
from gateway.domain.errors import DomainError, DomainErrors, ErrorCode, Refusals, not_found

DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365
DEFAULT_TOKEN_NAME = "partner token"
TOKEN_NAME_MAX = 200
PREFIX_LENGTH = 12


def _scopes(scopes: list[PartnerScope]) -> list[str]:
    """At least one; duplicates dropped, first order kept."""
    if not scopes:
        raise DomainError(
            ErrorCode.REQUIRED, "Give the token at least one scope", field=("scopes",)
        )
    return list(dict.fromkeys(PartnerScope(s).value for s in scopes))


def _lifetime(days: int | None) -> dt.timedelta:
    days = DEFAULT_LIFETIME_DAYS if days is None else days
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise DomainError(
            ErrorCode.INVALID,
            f"A token lives 1 to {MAX_LIFETIME_DAYS} days",
            field=("expiresInDays",),
        )
    return dt.timedelta(days=days)


def _name(name: str | None) -> str:
    if name is None:
        return DEFAULT_TOKEN_NAME
    return check_text(name, field=("name",), label="token name", max_length=TOKEN_NAME_MAX)


@dataclass(frozen=True, slots=True)
class CreatePartnerToken:
    partner_id: int | None  # None when the id named no partner
    scopes: list[PartnerScope]
    expires_in_days: int | None = None
    name: str | None = None


async def create_partner_token(
    *, uow: UnitOfWork, principal: Principal, command: CreatePartnerToken
) -> tuple[str, ApiTokenRow]:
    """The secret (shown once) and the stored token; every bad field at once, the partner
    first."""
    refusals = Refusals()
    scopes = refusals.check(lambda: _scopes(command.scopes))
    lifetime = refusals.check(lambda: _lifetime(command.expires_in_days))
    name = refusals.check(lambda: _name(command.name))
    partner_id = command.partner_id
    if partner_id is None or await queries.partner_name(uow.session, partner_id=partner_id) is None:
        refusals.errors.insert(0, not_found("partnerId", "partner"))
    refusals.raise_any()
    if partner_id is None or scopes is None or lifetime is None or name is None:
        raise DomainErrors(refusals.errors)  # unreachable: each None came with a refusal
    token = new_opaque_token(TokenKind.PARTNER)
    row = await queries.insert_partner_token(
        uow.session,
        partner_id=partner_id,
        name=name,
        prefix=token[:PREFIX_LENGTH],
        token_hash=token_hash(token),
        scopes=scopes,
        now=uow.now,
        expires_at=uow.now + lifetime,
    )
    uow.audit(
        "partnerTokenCreate",
        "PartnerToken",
        row.id,
        {
            "partnerId": (None, partner_id),
            "name": (None, row.name),
            "prefix": (None, row.prefix),
            "scopes": (None, list(row.scopes)),
            "expiresAt": (None, row.expires_at),
        },
    )
    return token, row


async def revoke_partner_token(
    *, uow: UnitOfWork, principal: Principal, token_id: int
) -> ApiTokenRow:
    """Idempotent: revoking a revoked token keeps its first revocation time."""
    revoked = await queries.revoke_partner_token(uow.session, token_id=token_id, now=uow.now)
    if revoked is None:
        raise not_found("id", "partner token")
    row, revoked_before = revoked
    uow.audit(
        "partnerTokenRevoke",
        "PartnerToken",
        token_id,
        {"revokedAt": (revoked_before, row.revoked_at)},
    )
    return row
