"""An audit event (R-SEC-1) as ``db.queries`` reads it (every column of ``audit_events``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from gateway.domain.enums import ChangeKind, PrincipalKind


class AuditEventRow(NamedTuple):
    id: int
    at: dt.datetime
    principal_kind: PrincipalKind
    principal_id: str | None
    principal_name: str | None
    acting_partner_id: int | None
    action: str
    entity_type: str
    entity_id: int
    # [{"field": …, "before": …, "after": …}, …]
    changes: list[dict[str, Any]]
    change: ChangeKind | None  # a change to a quote, license or order (issue #15)
