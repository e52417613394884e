"""Change events (issue #15): written in the mutation's transaction, announced after its
commit, nothing for a refused or rolled-back mutation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import AuditEvent, License, Order, Quote
from db.queries.audit import insert_audit_events
from db.queries.changes import ChangeEventRow, change_events_after, on_changes_committed
from gateway.domain.changes import webhook_event
from gateway.domain.enums import ChangeEntity, ChangeKind, PrincipalKind, WebhookEvent
from tests.api.client import ok, send, user_errors
from tests.api.world import World, gid, rows

Seen = list[tuple[ChangeEntity, int, ChangeKind]]


def listen(engine: AsyncEngine) -> tuple[Seen, Any]:
    seen: Seen = []

    def heard(events: Sequence[ChangeEventRow]) -> None:
        seen.extend((e.entity_type, e.entity_id, e.kind) for e in events)

    return seen, on_changes_committed(engine, heard)


async def stored(engine: AsyncEngine) -> Seen:
    async with create_session_factory(engine)() as session:
        events = await change_events_after(session=session, after_id=0, limit=100)
    return [(e.entity_type, e.entity_id, e.kind) for e in events]


async def test_a_committed_mutation_writes_and_announces_its_change(
    client: Any, world: World
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    seen, stop = listen(world.engine)
    try:
        variables = {"id": gid("Quote", quote_id), "poNumber": "PO-1", "expectedVersion": 1}
        ok(await send(client, "SetQuotePoNumber", variables, world.alice_token), "quoteSetPoNumber")
    finally:
        stop()
    assert seen == [(ChangeEntity.QUOTE, quote_id, ChangeKind.UPDATED)]
    assert await stored(world.engine) == seen


async def test_a_refused_mutation_writes_and_announces_nothing(client: Any, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    seen, stop = listen(world.engine)
    try:
        variables = {"id": gid("Quote", quote_id), "poNumber": "PO-1", "expectedVersion": 7}
        body = await send(client, "SetQuotePoNumber", variables, world.alice_token)
        assert user_errors(body, "quoteSetPoNumber")
    finally:
        stop()
    assert seen == [] and await stored(world.engine) == []


async def test_a_payment_announces_the_paid_quote_its_order_and_issued_licenses(
    client: Any, world: World
) -> None:
    quote_id = await world.quote(lines=[world.line(quantity=2)])
    (quote,) = await rows(world.engine, Quote, Quote.id == quote_id)
    before = {row.id for row in await rows(world.engine, License)}
    seen, stop = listen(world.engine)
    try:
        variables = {
            "input": {
                "quoteId": gid("Quote", quote_id),
                "method": "BANK_TRANSFER",
                "amount": str(Decimal(quote.total)),
            }
        }
        ok(await send(client, "RecordPayment", variables, world.staff_token), "quoteRecordPayment")
    finally:
        stop()
    (order,) = await rows(world.engine, Order)
    issued = [row.id for row in await rows(world.engine, License) if row.id not in before]
    assert sorted(seen) == sorted(
        [
            (ChangeEntity.QUOTE, quote_id, ChangeKind.PAID),
            (ChangeEntity.ORDER, order.id, ChangeKind.CREATED),
            *((ChangeEntity.LICENSE, pk, ChangeKind.ISSUED) for pk in issued),
        ]
    )
    assert len(issued) == 2


def audit_event(entity: str, pk: int, change: ChangeKind | None) -> dict[str, Any]:
    return dict(
        at=dt.datetime.now(dt.UTC),
        principal_kind=PrincipalKind.STAFF,
        principal_id="1",
        principal_name="staff",
        acting_partner_id=None,
        action="test",
        entity_type=entity,
        entity_id=pk,
        changes=[],
        change=change,
    )


async def test_a_rolled_back_transaction_announces_nothing_and_only_changes_are_announced(
    engine: AsyncEngine,
) -> None:
    seen, stop = listen(engine)
    sessions = create_session_factory(engine)
    try:
        with pytest.raises(RuntimeError):
            async with sessions() as session, session.begin():
                events = [audit_event("License", 7, ChangeKind.UPDATED)]
                await insert_audit_events(session=session, events=events)
                raise RuntimeError("the mutation failed")
        assert seen == []
        async with sessions() as session, session.begin():
            events = [
                audit_event("Account", 1, None),
                audit_event("License", 7, ChangeKind.UPDATED),
                audit_event("Quote", 8, ChangeKind.CREATED),
            ]
            await insert_audit_events(session=session, events=events)
    finally:
        stop()
    assert seen == [
        (ChangeEntity.LICENSE, 7, ChangeKind.UPDATED),
        (ChangeEntity.QUOTE, 8, ChangeKind.CREATED),
    ]
    assert len(await rows(engine, AuditEvent)) == 3
    assert await stored(engine) == seen


def test_each_change_maps_to_the_contracts_webhook_event_or_none() -> None:
    assert webhook_event(ChangeEntity.QUOTE, ChangeKind.PAID) is WebhookEvent.QUOTE_PAID
    assert webhook_event(ChangeEntity.LICENSE, ChangeKind.ISSUED) is WebhookEvent.LICENSE_ISSUED
    assert webhook_event(ChangeEntity.ORDER, ChangeKind.CREATED) is WebhookEvent.ORDER_CREATED
    assert webhook_event(ChangeEntity.QUOTE, ChangeKind.DELETED) is None
    assert webhook_event(ChangeEntity.ORDER, ChangeKind.UPDATED) is None
