"""The catalog: products, the price book, exchange rates and product releases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, ExactDecimal, Money, UTCDateTime
from db.models._columns import enum_type, fk, non_negative
from gateway.domain.enums import Currency, Deployment, PriceKind, Tier


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    deployment: Mapped[Deployment] = mapped_column(enum_type(Deployment, "deployment"), unique=True)


class Price(Base):
    """List price of a product in one tier and currency (EUR, USD; DZD is derived, R-CUR-3)."""

    __tablename__ = "prices"
    __table_args__ = (
        UniqueConstraint("product_id", "tier", "currency", "kind"),
        CheckConstraint("currency IN ('EUR', 'USD')", name="list_currency"),
        non_negative("amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = fk("products.id", ondelete="CASCADE")
    tier: Mapped[Tier] = mapped_column(enum_type(Tier, "tier"))
    currency: Mapped[Currency] = mapped_column(enum_type(Currency, "currency"))
    kind: Mapped[PriceKind] = mapped_column(enum_type(PriceKind, "price_kind"))
    amount: Mapped[Decimal] = mapped_column(Money())


class ExchangeRate(Base):
    """EUR→DZD rate with the currency fluctuation margin (R-CUR-3); the newest one applies."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        CheckConstraint("CAST(rate AS NUMERIC) > 0", name="rate_positive"),
        non_negative("margin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    base: Mapped[Currency] = mapped_column(enum_type(Currency, "base_currency"))
    target: Mapped[Currency] = mapped_column(enum_type(Currency, "target_currency"))
    rate: Mapped[Decimal] = mapped_column(ExactDecimal(18, 6))
    margin: Mapped[Decimal] = mapped_column(ExactDecimal(6, 4))
    effective_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class ProductRelease(Base):
    """A released version, for the support end-of-life policy (R-SUP-3)."""

    __tablename__ = "product_releases"
    __table_args__ = (
        UniqueConstraint("major", "minor"),
        CheckConstraint("major >= 0 AND minor >= 0", name="version_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    major: Mapped[int]
    minor: Mapped[int]
    released_on: Mapped[dt.date] = mapped_column(Date)
