"""Partner webhook endpoints (R-LIVE-2): a partner with webhooks:write creates and deletes its
own (see actions.webhook); the signing secret is in the create payload only."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from gateway.actions import webhook as actions
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain.enums import PrincipalKind
from gateway.domain.webhook import parse_endpoint_create
from gateway.resolvers.mutate import mutate, require_id
from gateway.schema import payloads as p
from gateway.schema.info import Info, require
from gateway.schema.mutation_inputs import WebhookEndpointCreateInput
from gateway.schema.webhook import WebhookEndpoint


def _manager(info: Info) -> Principal:
    principal = require(info, PrincipalKind.PARTNER)
    if not policy.may_manage_webhooks(principal):
        raise GraphQLError(
            "This token lacks the WEBHOOKS_WRITE scope.", extensions={"code": "FORBIDDEN"}
        )
    return principal


async def webhook_endpoint_create(
    info: Info, input: WebhookEndpointCreateInput
) -> p.WebhookEndpointCreatePayload:
    """R-LIVE-2: https in prod; events only on what the token may read."""
    principal = _manager(info)
    settings = info.context.settings

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        command = parse_endpoint_create(
            url=input.url,
            events=input.events,
            alert_email=input.alert_email,
            scopes=principal.scopes,
            prod=settings.env == "prod",
        )
        secret, row = await actions.create_webhook_endpoint(
            uow=uow, principal=principal, command=command, secret_key=settings.signing_key()
        )
        return {"endpoint": WebhookEndpoint.from_row(row), "signing_secret": secret}

    return await mutate(info, p.WebhookEndpointCreatePayload, work)


async def webhook_endpoint_delete(info: Info, id: strawberry.ID) -> p.WebhookEndpointDeletePayload:
    """Its own endpoint only (another's is NOT_FOUND); its delivery log goes with it."""
    principal = _manager(info)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        pk = require_id(id, "WebhookEndpoint", "id")
        await actions.delete_webhook_endpoint(uow=uow, principal=principal, endpoint_id=pk)
        return {"deleted_endpoint_id": id}

    return await mutate(info, p.WebhookEndpointDeletePayload, work)
