"""A sales request as ``db.queries`` reads it (every column of ``sales_requests``), and what
the checks of a new request read of its subject and requester (R-REQ-1, R-REQ-2)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from gateway.domain.enums import (
    AccountStatus,
    LicenseType,
    SalesRequestKind,
    SalesRequestStatus,
    Tier,
)


class SalesRequestRow(NamedTuple):
    id: int
    number: str
    kind: SalesRequestKind
    status: SalesRequestStatus
    account_id: int
    license_id: int | None
    quote_id: int | None
    message: str
    created_at: dt.datetime
    resolution: str | None
    resolved_at: dt.datetime | None
    resolved_by: str | None


class LicenseSubject(NamedTuple):
    """A license a request is about, as the checks read it."""

    id: int
    sen: str
    product_id: int
    tier: Tier
    license_type: LicenseType


class QuoteSubject(NamedTuple):
    id: int
    number: str


class Requester(NamedTuple):
    id: int
    email: str
    name: str
    status: AccountStatus

    @property
    def closed(self) -> bool:
        """R-ACC-4: a closed account's address may belong to someone else now."""
        return self.status == AccountStatus.CLOSED
