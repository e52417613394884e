"""Organizations: the licensees."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow
from db.models._columns import fk


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("length(country) = 2", name="country_alpha2"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    address: Mapped[str | None] = mapped_column(String(500))
    academic: Mapped[bool] = mapped_column(default=False)  # qualified academic, R-PRICE-2
    partner_id: Mapped[int | None] = fk("partners.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
