"""An order as ``db.queries`` reads it (every column of ``orders``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from gateway.domain.enums import Currency, PaymentMethod


class OrderRow(NamedTuple):
    id: int
    number: str
    invoice_number: str
    quote_id: int
    organization_id: int
    partner_id: int | None
    paid_at: dt.datetime
    payment_method: PaymentMethod
    payment_reference: str | None
    po_number: str | None
    currency: Currency
    total: Decimal
    billing_account_id: int
    technical_account_id: int
    # R-ACC-4: the contacts as the invoice prints them.
    billing_name: str
    billing_email: str
    technical_name: str
    technical_email: str
