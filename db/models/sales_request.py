"""Sales requests: what a customer asks sales for, and staff's answer (R-REQ-1, R-REQ-2)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow
from db.models._columns import enum_type, fk
from gateway.domain.enums import SalesRequestKind, SalesRequestStatus


class SalesRequest(Base):
    __tablename__ = "sales_requests"
    __table_args__ = (
        # Answered once: a resolution and its time exactly when it is no longer open.
        CheckConstraint(
            "(status = 'OPEN') = (resolved_at IS NULL) "
            "AND (status = 'OPEN') = (resolution IS NULL)",
            name="resolved_when_closed",
        ),
        CheckConstraint("length(message) >= 1", name="message_present"),
        Index("ix_sales_requests_status_id", "status", "id"),  # the staff queue
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[SalesRequestKind] = mapped_column(
        enum_type(SalesRequestKind, "sales_request_kind")
    )
    status: Mapped[SalesRequestStatus] = mapped_column(
        enum_type(SalesRequestStatus, "sales_request_status"), default=SalesRequestStatus.OPEN
    )
    account_id: Mapped[int] = fk("accounts.id")
    license_id: Mapped[int | None] = fk("licenses.id", nullable=True)
    quote_id: Mapped[int | None] = fk("quotes.id", nullable=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(254))  # the staff token's name
