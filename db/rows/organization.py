"""An organization as ``db.queries`` reads it (every column of ``organizations``)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class OrganizationRow(NamedTuple):
    id: int
    name: str
    country: str
    address: str | None
    academic: bool
    partner_id: int | None
    created_at: dt.datetime
