"""Partner webhook endpoints (issue #15, R-LIVE-2): a partner with webhooks:write registers
and deletes its own; the signing secret is in the create result only.

The secret is not stored: it is derived from ``CONEX_SECRET_KEY`` and the endpoint's random
salt (``gateway.domain.webhook.signing_secret``), which the deliverer derives again to sign.
"""

from __future__ import annotations

import secrets

from db.queries import webhook as queries
from db.rows import WebhookEndpointRow
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain.errors import not_found
from gateway.domain.webhook import EndpointCreate, check_endpoint_room, signing_secret


async def create_webhook_endpoint(
    *, uow: UnitOfWork, principal: Principal, command: EndpointCreate, secret_key: str
) -> tuple[str, WebhookEndpointRow]:
    """The signing secret (shown once) and the endpoint."""
    assert principal.partner_id is not None and policy.may_manage_webhooks(principal)
    existing = await queries.count_endpoints(session=uow.session, partner_id=principal.partner_id)
    check_endpoint_room(existing)
    salt = secrets.token_hex(32)
    row = await queries.insert_endpoint(
        session=uow.session,
        values=dict(
            partner_id=principal.partner_id,
            token_id=principal.token_id,
            scopes=sorted(s.value for s in principal.scopes),
            url=command.url,
            events=command.events_column,
            secret_salt=salt,
            alert_email=command.alert_email,
            created_at=uow.now,
        ),
    )
    uow.audit(
        "webhookEndpointCreate",
        "WebhookEndpoint",
        row.id,
        {"url": (None, row.url), "events": (None, [e.value for e in command.events])},
    )
    return signing_secret(secret_key, salt), row


async def delete_webhook_endpoint(
    *, uow: UnitOfWork, principal: Principal, endpoint_id: int
) -> WebhookEndpointRow:
    """Its own endpoint only: another's is "not found" (R-SEC-2). Its log goes with it."""
    row = await queries.delete_endpoint(
        session=uow.session,
        endpoint_id=endpoint_id,
        visible=policy.webhook_endpoint_visible(principal),
    )
    if row is None or not policy.may_manage_webhooks(principal):
        raise not_found("id", "webhook endpoint")
    uow.audit("webhookEndpointDelete", "WebhookEndpoint", row.id, {"url": (row.url, None)})
    return row
