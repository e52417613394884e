"""An online payment as ``db.queries`` reads it (every column of ``payments``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus, PrincipalKind
from gateway.domain.payment import IN_PROGRESS


class PaymentRow(NamedTuple):
    id: int
    quote_id: int
    status: PaymentStatus
    method: PaymentMethod
    amount: Decimal
    currency: Currency
    processor: str
    processor_payment_id: str | None
    client_secret: str | None
    card_brand: str | None
    card_last4: str | None
    failure_message: str | None
    order_id: int | None
    payer_kind: PrincipalKind
    payer_account_id: int | None
    payer_token_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    refund_id: str | None
    refunded_at: dt.datetime | None

    @property
    def in_progress(self) -> bool:
        """R-PAY-4: processing or awaiting the payer's authentication."""
        return self.status in IN_PROGRESS
