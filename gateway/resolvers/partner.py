"""Partner mutations: staff create and revoke partner API tokens (see actions.partner) and
set a partner's discount (actions.partner_terms)."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.actions import partner as actions
from gateway.actions.partner_terms import set_partner_discount
from gateway.actions.unit import UnitOfWork
from gateway.domain.errors import at
from gateway.domain.partner import check_partner_discount
from gateway.resolvers.mutate import mutate, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info, require_staff
from gateway.schema.mutation_inputs import PartnerTokenCreateInput, PartnerUpdateInput
from gateway.schema.partner import Partner, PartnerTokenInfo
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


async def partner_update(
    info: Info, id: strawberry.ID, input: PartnerUpdateInput
) -> p.PartnerPayload:
    """R-PRICE-6: staff set a partner's discount (see actions.partner_terms)."""
    require_staff(info)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "Partner", "id")
        percent = at(
            ("input", "discountPercent"), lambda: check_partner_discount(input.discount_percent)
        )
        row = await set_partner_discount(
            uow=uow, principal=uow.principal, partner_id=pk, percent=percent
        )
        return {"partner": Partner.from_row(row)}

    return await mutate(info, p.PartnerPayload, work)
