"""Partner mutations: staff create and revoke partner API tokens (see actions.partner)."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.actions import partner as actions
from gateway.actions.unit import UnitOfWork
from gateway.resolvers.mutate import mutate, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info, require_staff
from gateway.schema.mutation_inputs import PartnerTokenCreateInput
from gateway.schema.partner import PartnerTokenInfo
from gateway.schema.relay import decode_id_of


async def partner_token_create(
    info: Info, input: PartnerTokenCreateInput
) -> p.PartnerTokenCreatePayload:
    """R-SEC-2, R-SEC-3: the token is in this payload only."""
    require_staff(info)
    command = actions.CreatePartnerToken(
        partner_id=decode_id_of(input.partner_id, "Partner"),
        scopes=input.scopes,
        expires_in_days=input.expires_in_days,
        name=input.name,
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        token, row = await actions.create_partner_token(
            uow=uow, principal=uow.principal, command=command
        )
        return {"token": token, "token_info": PartnerTokenInfo.from_row(row)}

    return await mutate(info, p.PartnerTokenCreatePayload, work, field_prefix=("input",))


async def partner_token_revoke(info: Info, id: strawberry.ID) -> p.PartnerTokenRevokePayload:
    """Idempotent (see actions.partner.revoke_partner_token)."""
    require_staff(info)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "PartnerToken", "id")
        row = await actions.revoke_partner_token(uow=uow, principal=uow.principal, token_id=pk)
        return {"token_info": PartnerTokenInfo.from_row(row)}

    return await mutate(info, p.PartnerTokenRevokePayload, work)
