"""Licenses: perpetual Server and Data Center licenses, Cloud subscriptions, evaluations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Money, UTCDateTime, utcnow
from db.models._columns import enum_type, fk
from gateway.domain.enums import Currency, LicenseType, Tier


class License(Base):
    __tablename__ = "licenses"
    __table_args__ = (
        CheckConstraint(
            "(license_type = 'EVALUATION') = (evaluation_ends_on IS NOT NULL)",
            name="evaluation_has_end",
        ),
        CheckConstraint(
            "maintenance_ends_on IS NULL OR maintenance_starts_on IS NULL "
            "OR maintenance_ends_on > maintenance_starts_on",
            name="maintenance_period_ordered",
        ),
        CheckConstraint("card_last4 IS NULL OR length(card_last4) = 4", name="card_last4_len"),
        CheckConstraint("CAST(purchase_amount AS NUMERIC) >= 0", name="purchase_non_negative"),
        # R-EVAL-5: only an evaluation is converted, and then it has a conversion time.
        CheckConstraint(
            "converted_to_id IS NULL OR license_type = 'EVALUATION'", name="converts_evaluation"
        ),
        CheckConstraint(
            "(converted_to_id IS NULL) = (converted_at IS NULL)", name="converted_at_with_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sen: Mapped[str] = mapped_column(String(20), unique=True)
    product_id: Mapped[int] = fk("products.id")
    tier: Mapped[Tier] = mapped_column(enum_type(Tier, "tier"))
    license_type: Mapped[LicenseType] = mapped_column(enum_type(LicenseType, "license_type"))
    organization_id: Mapped[int] = fk("organizations.id")
    deployment_entity: Mapped[str] = mapped_column(String(200))  # R-LIC-1
    billing_account_id: Mapped[int] = fk("accounts.id")
    technical_account_id: Mapped[int] = fk("accounts.id")
    partner_id: Mapped[int | None] = fk("partners.id", nullable=True, ondelete="SET NULL")
    license_key: Mapped[str | None] = mapped_column(Text)  # R-SEC-3, R-PRICE-5
    purchased_on: Mapped[dt.date | None] = mapped_column(Date)
    # What was paid for the license, for upgrade credit within 30 days (R-UPG-3).
    purchase_amount: Mapped[Decimal | None] = mapped_column(Money())
    purchase_currency: Mapped[Currency | None] = mapped_column(enum_type(Currency, "currency"))
    evaluation_ends_on: Mapped[dt.date | None] = mapped_column(Date)  # R-EVAL-1
    maintenance_starts_on: Mapped[dt.date | None] = mapped_column(Date)
    # Server/Data Center: end of maintenance; Cloud: end of the paid subscription term.
    maintenance_ends_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # Cloud subscriptions only (R-ACC-6): processor token, brand and last 4 digits.
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    card_token: Mapped[str | None] = mapped_column(String(200))
    past_due: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # R-EVAL-5: the paid license that replaced this evaluation on its deployment (R-LIC-1:
    # a paid license replaces at most one).
    converted_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("licenses.id", ondelete="RESTRICT"), unique=True
    )
    converted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
