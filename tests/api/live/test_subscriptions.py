"""Subscriptions over WebSocket (issue #15, R-LIVE-1): real graphql-transport-ws clients on a
served app; each change is delivered only to those who may read the object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.settings import Settings
from tests import live_contract
from tests.api.client import ok, send
from tests.api.live.served import Live, served, subscriber
from tests.api.world import World, gid


@pytest.fixture
async def live(world: World, settings: Settings) -> AsyncIterator[Live]:
    async with served(settings, world.engine) as running:
        yield running


def document(name: str) -> str:
    return live_contract.document(name)


async def set_po(live: Live, world: World, quote_id: int, token: str, version: int = 1) -> Any:
    variables = {"id": gid("Quote", quote_id), "poNumber": "PO-7", "expectedVersion": version}
    return await send(live.http, "SetQuotePoNumber", variables, token)


async def test_r_live_1_quote_changes_receives_a_committed_change(live: Live, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    async with subscriber(live, world.alice_token) as alice:
        await alice.subscribe("1", document("QuoteChanges"))
        await alice.nothing(0.3)
        ok(await set_po(live, world, quote_id, world.alice_token), "quoteSetPoNumber")
        message = await alice.receive()
    assert message["type"] == "next" and message["id"] == "1", message
    change = message["payload"]["data"]["quoteChanged"]
    assert change["kind"] == "UPDATED"
    assert change["quote"]["id"] == gid("Quote", quote_id)
    assert change["quote"]["poNumber"] == "PO-7" and change["quote"]["version"] == 2
