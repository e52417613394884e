"""Partner webhooks (R-LIVE-2): endpoints, and the deliveries their deliverers claim and record
(``gateway.integrations.webhooks``).

Deliveries are made in the mutation's own transaction (:func:`enqueue_deliveries`, from the
unit of work's change events): one row per change × matching endpoint of the partner that
resold the object, so a rolled-back mutation leaves none, and no cursor over the audit trail
can skip an event that commits out of id order. Claiming is the outbox's (``db.queries.mail``):
the due ids picked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), then a conditional UPDATE
moves their ``next_try_at`` to the claim's end and returns them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import (
    ApiToken,
    License,
    Order,
    OutgoingMail,
    Quote,
    WebhookDelivery,
    WebhookEndpoint,
)
from db.queries.batch import children_of, columns_of, grouped_statement, select_columns
from db.queries.changes import ChangeEventRow
from db.rows import WebhookDeliveryRow, WebhookEndpointRow
from gateway.domain.changes import webhook_event
from gateway.domain.enums import ChangeEntity, WebhookDeliveryStatus

DELIVERIES_OF_ENDPOINTS = children_of(
    WebhookDelivery, WebhookDelivery.endpoint_id, WebhookDeliveryRow._make, descending=True
)
_RESELLER = {
    ChangeEntity.QUOTE: (Quote.partner_id, Quote.id),
    ChangeEntity.LICENSE: (License.partner_id, License.id),
    ChangeEntity.ORDER: (Order.partner_id, Order.id),
}


def endpoints_of_partners_statement(*, visible: ColumnElement[bool]) -> Select[Any]:
    """A partner's endpoints, oldest first, those ``visible`` lets through."""
    query = select_columns(WebhookEndpoint).where(visible)
    return grouped_statement(query, WebhookEndpoint.partner_id, [WebhookEndpoint.id])


async def insert_endpoint(*, session: AsyncSession, values: dict[str, Any]) -> WebhookEndpointRow:
    statement = insert(WebhookEndpoint).values(values).returning(*columns_of(WebhookEndpoint))
    return WebhookEndpointRow._make((await session.execute(statement)).one())


async def count_endpoints(*, session: AsyncSession, partner_id: int) -> int:
    statement = select(func.count()).where(WebhookEndpoint.partner_id == partner_id)
    return int((await session.execute(statement)).scalar_one())


async def delete_endpoint(
    *, session: AsyncSession, endpoint_id: int, visible: ColumnElement[bool]
) -> WebhookEndpointRow | None:
    """Delete it (and its delivery log) if ``visible`` lets it through; what was deleted."""
    statement = (
        delete(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, visible)
        .returning(*columns_of(WebhookEndpoint))
    )
    row = (await session.execute(statement)).one_or_none()
    return WebhookEndpointRow._make(row) if row else None


async def enqueue_deliveries(*, session: AsyncSession, changes: Sequence[ChangeEventRow]) -> None:
    """One statement: a delivery per change × live endpoint of the object's reseller that
    subscribed to the change's event (none for an object no partner resold)."""
    selects = []
    for change in changes:
        event = webhook_event(change.entity_type, change.kind)
        if event is None:
            continue
        partner_col, id_col = _RESELLER[change.entity_type]
        reseller = select(partner_col).where(id_col == change.entity_id).scalar_subquery()
        selects.append(
            select(
                WebhookEndpoint.id,
                literal(change.id, Integer),
                literal(event.value, String),
                literal(change.entity_type.value, String),
                literal(change.entity_id, Integer),
                literal(WebhookDeliveryStatus.PENDING.value, String),
                literal(0, Integer),
                literal(change.occurred_at, WebhookDelivery.created_at.type),
            ).where(
                WebhookEndpoint.partner_id == reseller,
                WebhookEndpoint.disabled_at.is_(None),
                WebhookEndpoint.events.contains(f",{event.value},", autoescape=True),
            )
        )
    if not selects:
        return
    source = selects[0] if len(selects) == 1 else union_all(*selects)
    columns = ["endpoint_id", "audit_event_id", "event", "entity_type", "entity_id"]
    columns += ["status", "attempts", "created_at"]
    await session.execute(insert(WebhookDelivery).from_select(columns, source))


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        WebhookDelivery.status == WebhookDeliveryStatus.PENDING,
        or_(WebhookDelivery.next_try_at.is_(None), WebhookDelivery.next_try_at <= now),
    )


async def claim_due_deliveries(
    *, conn: AsyncConnection, now: dt.datetime, claim_until: dt.datetime, limit: int
) -> list[WebhookDeliveryRow]:
    """Claim up to ``limit`` of the oldest due deliveries until ``claim_until`` (commit at
    once: the claim holds no lock); oldest first."""
    candidates = select(WebhookDelivery.id).where(_due(now)).order_by(WebhookDelivery.id)
    candidates = candidates.limit(limit)
    if conn.dialect.name == "postgresql":  # locked until the claim commits
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list((await conn.execute(candidates)).scalars())
    if not ids:
        return []
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids), _due(now))
        .values(next_try_at=claim_until)
        .returning(*columns_of(WebhookDelivery))
    )
    claimed = [WebhookDeliveryRow._make(row) for row in (await conn.execute(statement)).all()]
    return sorted(claimed, key=lambda row: row.id)


async def endpoints_by_id(
    *, conn: AsyncConnection, ids: Sequence[int]
) -> dict[int, WebhookEndpointRow]:
    statement = select_columns(WebhookEndpoint).where(WebhookEndpoint.id.in_(list(ids)))
    rows = [WebhookEndpointRow._make(row) for row in (await conn.execute(statement)).all()]
    return {row.id: row for row in rows}


async def live_token_scopes(
    *, conn: AsyncConnection, token_id: int | None, now: dt.datetime
) -> list[str] | None:
    """The scopes of the token that registered an endpoint, now; None when it is revoked,
    expired or gone (then nothing more is delivered to what it set up)."""
    if token_id is None:
        return None
    statement = select(ApiToken.scopes).where(
        ApiToken.id == token_id,
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
    )
    scopes: list[str] | None = (await conn.execute(statement)).scalar_one_or_none()
    return scopes


async def record_delivery(
    *,
    conn: AsyncConnection,
    delivery_id: int,
    status: WebhookDeliveryStatus,
    now: dt.datetime,
    tried: bool,
    response_status: int | None = None,
    error: str | None = None,
    retry_at: dt.datetime | None = None,
) -> None:
    """One try (``tried``: a request was attempted) or a decision without one (skipped)."""
    values: dict[str, Any] = {
        "status": status,
        "next_try_at": retry_at if status is WebhookDeliveryStatus.PENDING else None,
        "last_error": error,
    }
    if tried:
        values |= {
            "attempts": WebhookDelivery.attempts + 1,
            "last_attempt_at": now,
            "response_status": response_status,
        }
    statement = update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(values)
    await conn.execute(statement)


async def mark_endpoint(
    *, conn: AsyncConnection, endpoint_id: int, ok: bool, now: dt.datetime
) -> dt.datetime | None:
    """A success clears ``failing_since``; a failure sets it if unset. Its value after."""
    value: Any = None if ok else func.coalesce(WebhookEndpoint.failing_since, now)
    statement = (
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(failing_since=value)
        .returning(WebhookEndpoint.failing_since)
    )
    found = (await conn.execute(statement)).one_or_none()
    return found[0] if found else None


async def disable_endpoint(
    *, conn: AsyncConnection, endpoint_id: int, now: dt.datetime, mail: dict[str, Any] | None
) -> bool:
    """Disable it (once: False if it already was), fail its pending deliveries and queue
    ``mail`` to the partner, in the caller's transaction."""
    statement = (
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.disabled_at.is_(None))
        .values(disabled_at=now)
        .returning(WebhookEndpoint.id)
    )
    if (await conn.execute(statement)).one_or_none() is None:
        return False
    await conn.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status == WebhookDeliveryStatus.PENDING,
        )
        .values(status=WebhookDeliveryStatus.FAILED, next_try_at=None, last_error="disabled")
    )
    if mail is not None:
        await conn.execute(insert(OutgoingMail).values(mail))
    return True
