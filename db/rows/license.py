"""A license as ``db.queries`` reads it (every column of ``licenses``), and the part of one
the evaluation-conversion rules read (R-EVAL-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from gateway.domain.enums import Currency, LicenseType, Tier


class LicenseRow(NamedTuple):
    id: int
    sen: str
    product_id: int
    tier: Tier
    license_type: LicenseType
    organization_id: int
    deployment_entity: str
    billing_account_id: int
    technical_account_id: int
    partner_id: int | None
    license_key: str | None
    purchased_on: dt.date | None
    purchase_amount: Decimal | None
    purchase_currency: Currency | None
    evaluation_ends_on: dt.date | None
    maintenance_starts_on: dt.date | None
    maintenance_ends_on: dt.date | None
    card_brand: str | None
    card_last4: str | None
    card_token: str | None
    past_due: bool
    created_at: dt.datetime
    converted_to_id: int | None
    converted_at: dt.datetime | None


class EvaluationRow(NamedTuple):
    """The columns of a license the conversion rules read (``db.queries.conversion``)."""

    id: int
    sen: str
    product_id: int
    organization_id: int
    deployment_entity: str
    license_type: LicenseType
    evaluation_ends_on: dt.date | None
    converted_to_id: int | None
    billing_account_id: int
    technical_account_id: int
