"""Partner webhook endpoints and their deliveries (issue #15, R-LIVE-2)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow
from db.models._columns import enum_type, fk
from gateway.domain.enums import WebhookDeliveryStatus, WebhookEvent


class WebhookEndpoint(Base):
    """A partner's HTTPS receiver. ``events`` is ``,QUOTE_PAID,ORDER_CREATED,`` (commas at both
    ends, so that one ``LIKE '%,EVENT,%'`` matches an event in SQL on every backend).

    The signing secret is not stored: it is derived from ``CONEX_SECRET_KEY`` and
    ``secret_salt`` (HMAC-SHA256, ``gateway.domain.webhook.signing_secret``), so the
    database alone cannot sign, and nothing needs decrypting."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = fk("partners.id", ondelete="CASCADE")
    # The token that created it: its scopes are what the payloads are read with.
    token_id: Mapped[int | None] = fk("api_tokens.id", nullable=True, ondelete="SET NULL")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(String(200))
    secret_salt: Mapped[str] = mapped_column(String(64))
    alert_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The first failure since the last success; 24 hours of them disable the endpoint.
    failing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One event (a change's audit event) to one endpoint; its ``webhook-id`` is
    ``msg_<audit_event_id>_<endpoint_id>``, the same on every try."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "audit_event_id", name="uq_webhook_deliveries_event"),
        Index("ix_webhook_deliveries_due", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = fk("webhook_endpoints.id", ondelete="CASCADE")
    audit_event_id: Mapped[int] = fk("audit_events.id", ondelete="CASCADE", index=False)
    event: Mapped[WebhookEvent] = mapped_column(enum_type(WebhookEvent, "webhook_event"))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column()
    status: Mapped[WebhookDeliveryStatus] = mapped_column(
        enum_type(WebhookDeliveryStatus, "webhook_delivery_status"),
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Not tried before: a deliverer's claim while it sends, or the back-off after a failure.
    next_try_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(500))
