"""Partner webhook endpoints and their delivery log (issue #15, R-LIVE-2)."""

from __future__ import annotations

import datetime as dt

import strawberry

from db.queries.pages import PageRequest
from db.rows import WebhookDeliveryRow, WebhookEndpointRow
from gateway.domain.enums import WebhookDeliveryStatus, WebhookEvent
from gateway.loaders.webhook import DELIVERIES_OF_ENDPOINT
from gateway.schema.info import Info, paged
from gateway.schema.relay import Connection, Node, connection, encode_id


@strawberry.type(description="One event sent (or to be sent) to one endpoint.")
class WebhookDelivery(Node):
    event_id: str = strawberry.field(
        description="The webhook-id header: the same on every try, for the receiver to "
        "deduplicate by."
    )
    event: WebhookEvent
    status: WebhookDeliveryStatus
    attempts: int
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    response_status: int | None = strawberry.field(
        description="The HTTP status of the last try; null when it got no answer."
    )
    last_error: str | None

    @classmethod
    def from_row(cls, row: WebhookDeliveryRow) -> WebhookDelivery:
        return cls(
            id=encode_id("WebhookDelivery", row.id),
            event_id=row.webhook_id,
            event=row.event,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            last_attempt_at=row.last_attempt_at,
            response_status=row.response_status,
            last_error=row.last_error,
        )


@strawberry.type(description="A partner's HTTPS receiver of signed events (R-LIVE-2).")
class WebhookEndpoint(Node):
    pk: strawberry.Private[int]
    url: str
    events: list[WebhookEvent]
    created_at: dt.datetime
    disabled_at: dt.datetime | None = strawberry.field(
        description="Set when it had failed for 24 hours: nothing more is sent to it."
    )

    @classmethod
    def from_row(cls, row: WebhookEndpointRow) -> WebhookEndpoint:
        return cls(
            id=encode_id("WebhookEndpoint", row.id),
            pk=row.id,
            url=row.url,
            events=row.event_list,
            created_at=row.created_at,
            disabled_at=row.disabled_at,
        )

    @connection(description="What was sent to it, newest first.")
    async def deliveries(self, info: Info, page: PageRequest) -> Connection[WebhookDelivery]:
        build = WebhookDelivery.from_row
        return await paged(info, DELIVERIES_OF_ENDPOINT, self.pk, page, None, build)
