"""The audit trail (R-SEC-1): events written in the transaction of the change they record,
and read by the loaders and the ``auditEvents`` connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent
from db.queries.batch import by_id_statement
from db.queries.changes import ChangeEventRow, written
from gateway.domain.enums import ChangeEntity


async def insert_audit_events(
    *, session: AsyncSession, events: Sequence[dict[str, Any]]
) -> list[ChangeEventRow]:
    """One statement for every event of the unit of work. Events that are changes to a quote,
    license or order (``change`` set) are noted for announcement after the commit, with the
    ids the INSERT returns (db.queries.changes), and returned (partner webhooks queue their
    deliveries from them in the same transaction)."""
    if not events:
        return []
    if not any(e.get("change") for e in events):
        await session.execute(insert(AuditEvent), list(events))
        return []
    statement = insert(AuditEvent).returning(AuditEvent.id, sort_by_parameter_order=True)
    ids = (await session.execute(statement, list(events))).scalars().all()
    changes = [
        ChangeEventRow(pk, e["at"], ChangeEntity(e["entity_type"]), e["entity_id"], e["change"])
        for pk, e in zip(ids, events, strict=True)
        if e.get("change")
    ]
    written(session, changes)
    return changes


def audit_event_by_id_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    return by_id_statement(AuditEvent, visible)


def audit_events_where(
    *,
    visible: ColumnElement[bool],
    entity: tuple[str, int] | None,
    unknown_entity: bool,
    action: str | None,
) -> list[ColumnElement[bool]]:
    """The ``auditEvents`` filters: an entity (type, id) and an action; ``unknown_entity``
    when the entity id given named nothing (then nothing matches)."""
    where = [visible]
    if unknown_entity:
        where.append(AuditEvent.id.is_(None))
    elif entity is not None:
        where += [AuditEvent.entity_type == entity[0], AuditEvent.entity_id == entity[1]]
    if action is not None:
        where.append(AuditEvent.action == action)
    return where
