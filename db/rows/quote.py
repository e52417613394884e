"""Quotes and their lines as ``db.queries`` reads them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from gateway.domain.enums import Currency, LicenseType, QuoteLineKind, QuoteStatus, Tier


class QuoteRow(NamedTuple):
    """Every column of ``quotes``."""

    id: int
    number: str
    status: QuoteStatus
    currency: Currency
    organization_id: int
    billing_account_id: int
    technical_account_id: int
    partner_id: int | None
    is_reseller: bool
    po_number: str | None
    valid_until: dt.date
    version: int
    requires_sales_review: bool
    sync_with_sens: list[str]
    fx_rate: Decimal | None
    fx_margin: Decimal | None
    subtotal: Decimal
    discount_total: Decimal
    tax: Decimal
    total: Decimal
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


class QuoteLineRow(NamedTuple):
    """Every column of ``quote_lines``; its money is in its quote's currency."""

    id: int
    quote_id: int
    position: int
    kind: QuoteLineKind
    product_id: int
    tier: Tier
    license_type: LicenseType
    deployment_entity: str
    quantity: int
    license_id: int | None
    years: int | None
    maintenance_starts_on: dt.date | None
    maintenance_ends_on: dt.date | None
    unit_price: Decimal
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    # [{"kind": "PROMOTIONAL", "percent": "20", "amount": "100.00"}, …] in application order
    discounts: list[dict[str, Any]]


class QuoteLineInQuote(NamedTuple):
    """A line read on its own (the ``QuoteLine`` node), with its quote's currency: the
    columns of ``QuoteLineRow`` and then ``quote_currency``."""

    line: QuoteLineRow
    currency: Currency
