"""Partner webhook endpoints and deliveries as ``db.queries.webhook`` reads them."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from gateway.domain.enums import WebhookDeliveryStatus, WebhookEvent


class WebhookEndpointRow(NamedTuple):
    """Every column of ``webhook_endpoints`` (``secret_salt`` signs nothing without
    ``CONEX_SECRET_KEY``)."""

    id: int
    partner_id: int
    token_id: int | None
    scopes: list[str]
    url: str
    events: str  # ",QUOTE_PAID,ORDER_CREATED,"
    secret_salt: str
    alert_email: str | None
    created_at: dt.datetime
    failing_since: dt.datetime | None
    disabled_at: dt.datetime | None

    @property
    def event_list(self) -> list[WebhookEvent]:
        return [WebhookEvent(e) for e in self.events.split(",") if e]


class WebhookDeliveryRow(NamedTuple):
    """Every column of ``webhook_deliveries``."""

    id: int
    endpoint_id: int
    audit_event_id: int
    event: WebhookEvent
    entity_type: str
    entity_id: int
    status: WebhookDeliveryStatus
    attempts: int
    created_at: dt.datetime
    next_try_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    response_status: int | None
    last_error: str | None

    @property
    def webhook_id(self) -> str:
        """The ``webhook-id`` header: one per event × endpoint, the same on every try."""
        return f"msg_{self.audit_event_id}_{self.endpoint_id}"
