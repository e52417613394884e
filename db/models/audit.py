"""Audit events (R-SEC-1) and idempotency keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow
from db.models._columns import enum_type
from gateway.domain.enums import ChangeKind, PrincipalKind


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    principal_kind: Mapped[PrincipalKind] = mapped_column(
        enum_type(PrincipalKind, "principal_kind")
    )
    principal_id: Mapped[str | None] = mapped_column(String(100))
    principal_name: Mapped[str | None] = mapped_column(String(254))
    acting_partner_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column()
    # [{"field": "poNumber", "before": "PO-1", "after": "PO-2"}, …]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Set when the event is also a change to a quote, license or order (issue #15): what
    # subscriptions and partner webhooks announce, after the commit (db.queries.changes).
    change: Mapped[ChangeKind | None] = mapped_column(enum_type(ChangeKind, "change_kind"))

    # the AuditTrail query filters by one entity
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal_key", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_key: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
