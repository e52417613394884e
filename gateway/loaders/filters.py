"""Hashable filter values: part of loader keys, turned into SQL conditions here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from db.models import Account, License, Quote
from db.queries.filters import license_status_is, quote_status_is
from gateway.domain.enums import LicenseStatus, QuoteStatus


@dataclass(frozen=True, slots=True)
class LicenseFilter:
    status: LicenseStatus | None = None
    maintenance_ends_before: dt.date | None = None

    def conditions(self, today: dt.date) -> list[Any]:
        where: list[Any] = []
        if self.status is not None:
            where.append(license_status_is(self.status, today))
        if self.maintenance_ends_before is not None:
            where.append(License.maintenance_ends_on < self.maintenance_ends_before)
        return where


@dataclass(frozen=True, slots=True)
class QuoteFilter:
    status: QuoteStatus | None = None
    requires_sales_review: bool | None = None

    def conditions(self, today: dt.date) -> list[Any]:
        where: list[Any] = [quote_status_is(self.status, today)]
        if self.requires_sales_review is not None:
            where.append(Quote.requires_sales_review == self.requires_sales_review)
        return where


@dataclass(frozen=True, slots=True)
class AccountFilter:
    email: str | None = None

    def conditions(self) -> list[Any]:
        return [Account.email == self.email.strip().lower()] if self.email is not None else []


NO_LICENSE_FILTER = LicenseFilter()
NO_QUOTE_FILTER = QuoteFilter()
