"""End to end (issue #15): two ``conex-gateway serve`` processes sharing one database and one
Redis, as two hosts are. A mutation sent over HTTP to the first reaches a ``QuoteChanges``
subscriber (a real graphql-transport-ws client) of the second, once (R-LIVE-1: re-read under
the subscriber's principal, so it shows the new PO number)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import redis.asyncio
from websockets.asyncio.client import connect

from gateway.live.redis_fanout import channel_name
from tests.api.client import ok, send
from tests.api.live.served import PROTOCOL, Subscriber
from tests.api.world import World, gid
from tests.conftest import TEST_SECRET_KEY
from tests.live_contract import document
from tests.served import Served, serve

WAIT = 30.0  # seconds: two processes start on a loaded machine


@contextlib.contextmanager
def two_hosts(
    database_url: str, redis_url: str, prefix: str, tmp_path: Path
) -> Iterator[tuple[Served, Served]]:
    shared = {
        "CONEX_DATABASE_URL": database_url,
        "CONEX_SECRET_KEY": TEST_SECRET_KEY,  # the world's tokens are signed with it
        "CONEX_REDIS_URL": redis_url,
        "CONEX_REDIS_CHANNEL_PREFIX": prefix,
        "CONEX_MAIL_DELIVERY": "worker",
    }
    with (
        serve(None, tmp_path / "one", settings=shared) as one,
        serve(None, tmp_path / "two", settings=shared) as two,
    ):
        yield one, two


async def listening(client: redis.asyncio.Redis, prefix: str, expected: int) -> None:
    async with asyncio.timeout(WAIT):
        while True:
            ((_, count),) = await client.pubsub_numsub(channel_name(prefix))
            if count == expected:
                return
            await asyncio.sleep(0.1)


async def test_r_live_1_a_mutation_on_one_process_reaches_a_subscriber_on_the_other(
    world: World,
    database_url: str,
    redis_url: str,
    redis_client: redis.asyncio.Redis,
    tmp_path: Path,
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    prefix = f"test-{uuid.uuid4().hex}"
    with two_hosts(database_url, redis_url, prefix, tmp_path) as (one, two):
        await listening(redis_client, prefix, 2)  # each process's reader is subscribed
        ws_two = two.url.replace("http://", "ws://") + "/graphql"
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=WAIT) as http_one,
            connect(ws_two, subprotocols=[PROTOCOL]) as ws,
        ):
            alice = Subscriber(ws)
            ack = await alice.init({"Authorization": f"Bearer {world.alice_token}"})
            assert ack == {"type": "connection_ack"}, ack
            await alice.subscribe("1", document("QuoteChanges"))
            await alice.nothing(0.5)  # listening before the write
            variables = {"id": gid("Quote", quote_id), "poNumber": "PO-E2E", "expectedVersion": 1}
            answer = await send(http_one, "SetQuotePoNumber", variables, world.alice_token)
            ok(answer, "quoteSetPoNumber")
            message = await alice.receive(wait=WAIT)
            assert message["type"] == "next", message
            changed = message["payload"]["data"]["quoteChanged"]
            assert changed["kind"] == "UPDATED"
            assert changed["quote"]["id"] == gid("Quote", quote_id)
            assert changed["quote"]["poNumber"] == "PO-E2E"
            await alice.nothing(1.0)  # once
