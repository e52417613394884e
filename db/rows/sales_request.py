"""A sales request as ``db.queries`` reads it (every column of ``sales_requests``)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from gateway.domain.enums import SalesRequestKind, SalesRequestStatus


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
