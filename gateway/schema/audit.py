"""The audit log (R-SEC-1) and staff metrics."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import strawberry

from db.rows import AuditEventRow
from gateway.domain.enums import Currency, PrincipalKind
from gateway.schema.relay import Node, encode_id


@strawberry.type(description="Who did it: the principal as it was when the event happened.")
class AuditPrincipal:
    kind: PrincipalKind
    id: str | None
    name: str | None


@strawberry.type(description="One changed field: before and after, JSON-encoded.")
class FieldChange:
    field: str
    before: str | None
    after: str | None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


@strawberry.type
class AuditEvent(Node):
    at: dt.datetime
    action: str
    entity_id: strawberry.ID
    principal: AuditPrincipal
    acting_partner_id: strawberry.ID | None
    changes: list[FieldChange]

    @classmethod
    def from_row(cls, row: AuditEventRow) -> AuditEvent:
        return cls(
            id=encode_id("AuditEvent", row.id),
            at=row.at,
            action=row.action,
            entity_id=encode_id(row.entity_type, row.entity_id),
            principal=AuditPrincipal(
                kind=row.principal_kind, id=row.principal_id, name=row.principal_name
            ),
            acting_partner_id=(
                encode_id("Partner", row.acting_partner_id) if row.acting_partner_id else None
            ),
            changes=[
                FieldChange(
                    field=c["field"], before=_json(c.get("before")), after=_json(c.get("after"))
                )
                for c in row.changes or []
            ],
        )


@strawberry.type(description="Revenue of paid orders in one currency.")
class RevenueFigure:
    currency: Currency
    amount: Decimal
    order_count: int


@strawberry.type(description="Open quotes in one currency.")
class OpenQuotesFigure:
    currency: Currency
    count: int
    total: Decimal
