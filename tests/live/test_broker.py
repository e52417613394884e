"""The in-process change broker (issue #15): committed changes to each listener that asked
for their entity, in commit order; a listener that falls behind is cut off, not the writer."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.queries.audit import insert_audit_events
from db.queries.changes import ChangeEventRow
from gateway.domain.enums import ChangeEntity, ChangeKind
from gateway.live.broker import ChangeBroker, ListenerOverflow, live_updates
from tests.api.live.test_change_events import audit_event

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def event(pk: int, entity: ChangeEntity = ChangeEntity.QUOTE) -> ChangeEventRow:
    return ChangeEventRow(pk, NOW, entity, pk * 10, ChangeKind.UPDATED)


async def test_each_listener_gets_the_events_of_its_entities_in_order() -> None:
    broker = ChangeBroker()
    with (
        broker.listen([ChangeEntity.QUOTE]) as quotes,
        broker.listen([ChangeEntity.LICENSE, ChangeEntity.QUOTE]) as both,
    ):
        broker.publish([event(1), event(2, ChangeEntity.LICENSE), event(3)])
        assert [await anext(quotes), await anext(quotes)] == [event(1), event(3)]
        assert [await anext(both) for _ in range(3)] == [
            event(1),
            event(2, ChangeEntity.LICENSE),
            event(3),
        ]
        assert broker.listener_count == 2
    assert broker.listener_count == 0
    broker.publish([event(4)])  # nobody listens: nothing happens


async def test_a_listener_that_falls_behind_is_cut_off_and_the_publisher_is_not() -> None:
    broker = ChangeBroker()
    with broker.listen([ChangeEntity.QUOTE], max_pending=2) as slow:
        broker.publish([event(1), event(2), event(3), event(4)])  # never blocks, never raises
        assert await anext(slow) == event(1)
        assert await anext(slow) == event(2)
        with pytest.raises(ListenerOverflow):
            await anext(slow)


async def test_a_closed_listener_ends_its_iteration() -> None:
    broker = ChangeBroker()
    received: list[ChangeEventRow] = []

    async def read(listener: object) -> None:
        async for item in listener:  # type: ignore[attr-defined]
            received.append(item)

    with broker.listen([ChangeEntity.ORDER]) as orders:
        task = asyncio.create_task(read(orders))
        broker.publish([event(5, ChangeEntity.ORDER)])
        await asyncio.sleep(0)
    await asyncio.wait_for(task, 1)
    assert received == [event(5, ChangeEntity.ORDER)]


async def test_live_updates_hands_committed_changes_to_the_broker_and_no_rolled_back_ones(
    engine: AsyncEngine,
) -> None:
    broker = ChangeBroker()
    sessions = create_session_factory(engine)
    change = [audit_event("License", 3, ChangeKind.ISSUED)]
    async with live_updates(engine, broker):
        with broker.listen([ChangeEntity.LICENSE]) as licenses:
            with pytest.raises(RuntimeError):
                async with sessions() as session, session.begin():
                    await insert_audit_events(session=session, events=change)
                    raise RuntimeError("rolled back")
            async with sessions() as session, session.begin():
                await insert_audit_events(session=session, events=change)
            got = await asyncio.wait_for(anext(licenses), 1)
            assert (got.entity_type, got.entity_id, got.kind) == (
                ChangeEntity.LICENSE,
                3,
                ChangeKind.ISSUED,
            )
            assert broker.published == 1
    async with sessions() as session, session.begin():
        await insert_audit_events(session=session, events=change)
    assert broker.published == 1  # the lifespan ended: no longer fed
