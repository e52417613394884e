"""Online payments of quotes (R-PAY-*): each attempt, its processor reference and outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Money, UTCDateTime
from db.models._columns import enum_type, fk, non_negative
from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus, PrincipalKind

# R-PAY-2, R-PAY-4: at most one payment of a quote in progress or succeeded, whoever races.
ACTIVE = "status IN ('PROCESSING', 'REQUIRES_ACTION', 'SUCCEEDED')"


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        non_negative("amount"),
        Index(
            "uq_payments_quote_active",
            "quote_id",
            unique=True,
            sqlite_where=text(ACTIVE),
            postgresql_where=text(ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = fk("quotes.id")
    status: Mapped[PaymentStatus] = mapped_column(enum_type(PaymentStatus, "payment_status"))
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod, "payment_method"))
    amount: Mapped[Decimal] = mapped_column(Money())  # the quote's total when it started
    currency: Mapped[Currency] = mapped_column(enum_type(Currency, "currency"))
    processor: Mapped[str] = mapped_column(String(20))  # "stripe", "dev"
    # The processor's reference (a PaymentIntent id); never the payer's token (R-PAY-1).
    processor_payment_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Only while REQUIRES_ACTION, for the payer's client to authenticate; cleared after.
    client_secret: Mapped[str | None] = mapped_column(String(255))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    failure_message: Mapped[str | None] = mapped_column(String(500))
    order_id: Mapped[int | None] = fk("orders.id", nullable=True)
    payer_kind: Mapped[PrincipalKind] = mapped_column(enum_type(PrincipalKind, "principal_kind"))
    payer_account_id: Mapped[int | None] = fk("accounts.id", nullable=True)
    payer_token_id: Mapped[int | None] = fk("api_tokens.id", nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # A payment that succeeded after it had failed, on a quote no longer payable: refunded
    # whole through the processor (its refund id), once.
    refund_id: Mapped[str | None] = mapped_column(String(255))
    refunded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
