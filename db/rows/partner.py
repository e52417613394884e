"""Partners and API tokens as ``db.queries`` reads them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from gateway.domain.enums import TokenKind


class PartnerRow(NamedTuple):
    """Every column of ``partners``."""

    id: int
    name: str
    region: str
    country: str
    website: str | None
    discount_percent: Decimal


class ApiTokenRow(NamedTuple):
    """Every column of ``api_tokens`` but ``token_hash``: what a payload may be built from
    (R-SEC-3; ``db.queries.api_token.PUBLIC_TOKEN_COLUMNS``)."""

    id: int
    kind: TokenKind
    name: str
    prefix: str
    partner_id: int | None
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
