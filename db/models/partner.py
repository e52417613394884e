"""Official Solution Partners and API tokens (partner and staff)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, ExactDecimal, UTCDateTime, utcnow
from db.models._columns import enum_type, fk
from gateway.domain.enums import TokenKind


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        # R-PRICE-3: a configurable partner discount, default 0%.
        CheckConstraint(
            "CAST(discount_percent AS NUMERIC) >= 0 AND CAST(discount_percent AS NUMERIC) <= 100",
            name="discount_percent_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region: Mapped[str] = mapped_column(String(40), index=True)
    country: Mapped[str] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(300))
    discount_percent: Mapped[Decimal] = mapped_column(ExactDecimal(5, 2), default=Decimal("0.00"))


class ApiToken(Base):
    """An opaque bearer token (``cnxp_`` partner, ``cnxs_`` staff); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'PARTNER') = (partner_id IS NOT NULL)", name="partner_iff_partner_token"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TokenKind] = mapped_column(enum_type(TokenKind, "token_kind"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    partner_id: Mapped[int | None] = fk("partners.id", nullable=True, ondelete="CASCADE")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
