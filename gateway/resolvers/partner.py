"""Partner mutations."""

from __future__ import annotations

from gateway.resolvers.mutate import pending
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import PartnerTokenCreateInput


async def partner_token_create(
    info: Info, input: PartnerTokenCreateInput
) -> p.PartnerTokenCreatePayload:
    raise pending("partnerTokenCreate")


async def partner_token_revoke(info: Info, token_id: str) -> p.PartnerTokenRevokePayload:
    raise pending("partnerTokenRevoke")
