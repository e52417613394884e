"""Filter inputs of the connections."""

from __future__ import annotations

import datetime as dt

import strawberry

from gateway.domain.enums import LicenseStatus, QuoteStatus
from gateway.loaders.filters import AccountFilter, LicenseFilter, QuoteFilter


@strawberry.input(name="LicenseFilter")
class LicenseFilterInput:
    status: LicenseStatus | None = None
    maintenance_ends_before: dt.date | None = None

    def to_key(self) -> LicenseFilter:
        return LicenseFilter(self.status, self.maintenance_ends_before)


@strawberry.input(name="QuoteFilter")
class QuoteFilterInput:
    status: QuoteStatus | None = None
    requires_sales_review: bool | None = None

    def to_key(self) -> QuoteFilter:
        return QuoteFilter(self.status, self.requires_sales_review)


@strawberry.input(name="AccountFilter")
class AccountFilterInput:
    email: str | None = None

    def to_key(self) -> AccountFilter:
        return AccountFilter(self.email)


@strawberry.input(name="AuditEventFilter")
class AuditEventFilterInput:
    entity_id: strawberry.ID | None = None
    action: str | None = None
