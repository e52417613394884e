"""Quotes and their lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, ExactDecimal, Money, UTCDateTime, utcnow
from db.models._columns import enum_type, fk, non_negative
from gateway.domain.enums import Currency, LicenseType, QuoteLineKind, QuoteStatus, Tier


class Quote(Base):
    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("length(number) >= 3", name="number_present"),
        # R-CUR-3: a DZD quote stores the rate and margin it used.
        CheckConstraint(
            "currency != 'DZD' OR (fx_rate IS NOT NULL AND fx_margin IS NOT NULL)",
            name="dzd_has_rate",
        ),
        non_negative("subtotal"),
        non_negative("discount_total"),
        non_negative("tax"),
        non_negative("total"),
        Index("ix_quotes_status_review", "status", "requires_sales_review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[QuoteStatus] = mapped_column(
        enum_type(QuoteStatus, "quote_status"), default=QuoteStatus.OPEN
    )
    currency: Mapped[Currency] = mapped_column(enum_type(Currency, "currency"))
    organization_id: Mapped[int] = fk("organizations.id")
    billing_account_id: Mapped[int] = fk("accounts.id")
    technical_account_id: Mapped[int] = fk("accounts.id")
    partner_id: Mapped[int | None] = fk("partners.id", nullable=True, ondelete="SET NULL")
    is_reseller: Mapped[bool] = mapped_column(default=False)  # R-QUOTE-5
    po_number: Mapped[str | None] = mapped_column(String(64))  # R-QUOTE-4
    valid_until: Mapped[dt.date] = mapped_column(Date)  # R-QUOTE-1
    version: Mapped[int] = mapped_column(default=1)  # R-QUOTE-7
    requires_sales_review: Mapped[bool] = mapped_column(Boolean, default=False)  # R-MAINT-6
    sync_with_sens: Mapped[list[str]] = mapped_column(JSON, default=list)
    # R-PRICE-6: the partner's discount when the quote was created; re-pricing keeps it.
    partner_discount_percent: Mapped[Decimal] = mapped_column(
        ExactDecimal(5, 2), default=Decimal("0.00")
    )
    fx_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 6))
    fx_margin: Mapped[Decimal | None] = mapped_column(ExactDecimal(6, 4))
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount_total: Mapped[Decimal] = mapped_column(Money())
    tax: Mapped[Decimal] = mapped_column(Money())  # R-PRICE-4: always 0
    total: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[QuoteLine]] = relationship(lazy="raise", order_by="QuoteLine.position")


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 1 AND quantity <= 1000", name="quantity_range"),
        CheckConstraint("kind = 'NEW' OR license_id IS NOT NULL", name="license_for_existing"),
        CheckConstraint("years IS NULL OR (years >= 1 AND years <= 3)", name="years_range"),
        CheckConstraint("license_type != 'EVALUATION'", name="not_evaluation"),
        CheckConstraint(
            "converts_evaluation_id IS NULL OR (kind = 'NEW' AND quantity = 1)",
            name="converts_on_new_line",
        ),
        non_negative("unit_price"),
        non_negative("subtotal"),
        non_negative("discount_total"),
        non_negative("total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = fk("quotes.id", ondelete="CASCADE")
    position: Mapped[int]
    kind: Mapped[QuoteLineKind] = mapped_column(enum_type(QuoteLineKind, "quote_line_kind"))
    product_id: Mapped[int] = fk("products.id")
    tier: Mapped[Tier] = mapped_column(enum_type(Tier, "tier"))
    license_type: Mapped[LicenseType] = mapped_column(enum_type(LicenseType, "license_type"))
    deployment_entity: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    license_id: Mapped[int | None] = fk("licenses.id", nullable=True)
    converts_evaluation_id: Mapped[int | None] = fk("licenses.id", nullable=True)  # R-EVAL-5
    years: Mapped[int | None]
    maintenance_starts_on: Mapped[dt.date | None] = mapped_column(Date)
    maintenance_ends_on: Mapped[dt.date | None] = mapped_column(Date)
    unit_price: Mapped[Decimal] = mapped_column(Money())
    subtotal: Mapped[Decimal] = mapped_column(Money())
    discount_total: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    # [{"kind": "PROMOTIONAL", "percent": "20", "amount": "100.00"}, …] in application order
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
