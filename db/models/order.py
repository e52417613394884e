"""Orders: paid quotes, with the licenses they issued or extended."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Money, UTCDateTime
from db.models._columns import enum_type, fk, non_negative
from gateway.domain.enums import Currency, PaymentMethod

order_licenses = Table(
    "order_licenses",
    Base.metadata,
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("license_id", ForeignKey("licenses.id", ondelete="CASCADE"), primary_key=True),
)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (non_negative("total"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    invoice_number: Mapped[str] = mapped_column(String(20), unique=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"), unique=True)
    organization_id: Mapped[int] = fk("organizations.id")
    partner_id: Mapped[int | None] = fk("partners.id", nullable=True, ondelete="SET NULL")
    paid_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_type(PaymentMethod, "payment_method")
    )
    payment_reference: Mapped[str | None] = mapped_column(String(200))
    po_number: Mapped[str | None] = mapped_column(String(64))  # R-QUOTE-4
    currency: Mapped[Currency] = mapped_column(enum_type(Currency, "currency"))
    total: Mapped[Decimal] = mapped_column(Money())
    billing_account_id: Mapped[int] = fk("accounts.id")
    technical_account_id: Mapped[int] = fk("accounts.id")
    # R-ACC-4: the invoice keeps the contacts as printed, even after an account closes.
    billing_name: Mapped[str] = mapped_column(String(200))
    billing_email: Mapped[str] = mapped_column(String(254))
    technical_name: Mapped[str] = mapped_column(String(200))
    technical_email: Mapped[str] = mapped_column(String(254))
