"""A Cloud subscription's billing address as ``db.queries`` reads it (every column of
``billing_addresses``)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from gateway.domain.billing_address import Address


class BillingAddressRow(NamedTuple):
    id: int
    license_id: int
    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    region: str | None
    country: str
    created_at: dt.datetime

    def as_address(self) -> Address:
        return Address(
            self.line1, self.line2, self.city, self.postal_code, self.region, self.country
        )
