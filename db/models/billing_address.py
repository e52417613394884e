"""Billing addresses of Cloud subscriptions (R-ACC-8), kept as a history: each change is a new
row, the newest is the address now, and an invoice prints the one in force when it was paid."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow
from db.models._columns import fk


class BillingAddress(Base):
    __tablename__ = "billing_addresses"
    __table_args__ = (
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        Index("ix_billing_addresses_license_created", "license_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    license_id: Mapped[int] = fk("licenses.id", ondelete="CASCADE", index=False)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
