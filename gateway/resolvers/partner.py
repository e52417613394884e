"""Partner mutations: staff create and revoke partner API tokens (R-SEC-2).

A token is shown once, in the create payload; only its SHA-256 and its first 12 characters
(enough to recognise it in a list, far too few to use it) are stored (R-SEC-3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.queries import auth as queries
from gateway.actions.unit import UnitOfWork
from gateway.auth.guards import require_staff
from gateway.auth.tokens import new_opaque_token, token_hash
from gateway.domain.account import check_text
from gateway.domain.enums import PartnerScope, TokenKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.resolvers.mutate import DomainErrors, mutate, not_found, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import PartnerTokenCreateInput
from gateway.schema.partner import PartnerTokenInfo

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


async def partner_token_create(
    info: Info, input: PartnerTokenCreateInput
) -> p.PartnerTokenCreatePayload:
    require_staff(info)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        errors: list[DomainError] = []
        values: dict[str, Any] = {}
        for key, check in (
            ("scopes", lambda: _scopes(input.scopes)),
            ("lifetime", lambda: _lifetime(input.expires_in_days)),
            ("name", lambda: _name(input.name)),
        ):
            try:
                values[key] = check()
            except DomainError as error:
                errors.append(error)
        try:
            partner_id = require_id(input.partner_id, "Partner", "partnerId")
            if await queries.partner_name(unit.session, partner_id=partner_id) is None:
                raise not_found("partnerId", "partner")
        except DomainError as error:
            errors.insert(0, error)
        if errors:
            raise DomainErrors(errors)
        token = new_opaque_token(TokenKind.PARTNER)
        row = await queries.insert_partner_token(
            unit.session,
            partner_id=partner_id,
            name=values["name"],
            prefix=token[:PREFIX_LENGTH],
            token_hash=token_hash(token),
            scopes=values["scopes"],
            now=unit.now,
            expires_at=unit.now + values["lifetime"],
        )
        unit.audit(
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
        return {"token": token, "token_info": PartnerTokenInfo.from_row(row)}

    return await mutate(info, p.PartnerTokenCreatePayload, work, field_prefix=("input",))


async def partner_token_revoke(info: Info, token_id: str) -> p.PartnerTokenRevokePayload:
    """Idempotent: revoking a revoked token keeps its first revocation time."""
    require_staff(info)

    async def work(unit: UnitOfWork) -> dict[str, Any]:
        pk = require_id(token_id, "PartnerToken", "id")
        revoked = await queries.revoke_partner_token(unit.session, token_id=pk, now=unit.now)
        if revoked is None:
            raise not_found("id", "partner token")
        row, revoked_before = revoked
        unit.audit(
            "partnerTokenRevoke",
            "PartnerToken",
            pk,
            {"revokedAt": (revoked_before, row.revoked_at)},
        )
        return {"token_info": PartnerTokenInfo.from_row(row)}

    return await mutate(info, p.PartnerTokenRevokePayload, work)
