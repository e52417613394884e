"""The WebSocket transport of subscriptions (issue #15): graphql-transport-ws's close codes,
authentication in connection_init, the caps, the message size, the query limits and cost,
the safelist, and the staff cookie only from the gateway's own origin."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from db.models import Quote
from db.queries.changes import ChangeEventRow
from gateway.auth.staff_session import COOKIE_NAME, start_staff_session
from gateway.domain.enums import ChangeEntity, ChangeKind
from gateway.live.broker import MAX_PENDING
from gateway.security.persisted import build_manifest, sha256
from gateway.services import services_of
from gateway.settings import Settings
from tests.api.live.served import PROTOCOL, Subscriber, served, subscriber
from tests.api.world import World, gid, rows
from tests.live_contract import LIVE, document

QUOTES = document("QuoteChanges")


async def test_a_bad_token_is_closed_4403(world: World, settings: Settings) -> None:
    async with served(settings, world.engine) as live, subscriber(live, init=False) as sub:
        await sub.send({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        assert await sub.closed() == 4403


async def test_no_credential_is_closed_4403(world: World, settings: Settings) -> None:
    async with served(settings, world.engine) as live, subscriber(live, init=False) as sub:
        await sub.send({"type": "connection_init", "payload": {}})
        assert await sub.closed() == 4403


async def test_the_authorization_key_is_case_insensitive(world: World, settings: Settings) -> None:
    async with served(settings, world.engine) as live, subscriber(live, init=False) as sub:
        ack = await sub.init({"authorization": f"Bearer {world.alice_token}"})
        assert ack["type"] == "connection_ack"


async def test_no_connection_init_is_closed_4408(world: World, settings: Settings) -> None:
    async with (
        served(settings, world.engine, ws_init_timeout=0.3) as live,
        subscriber(live, init=False) as sub,
    ):
        assert await sub.closed() == 4408


async def test_subscribe_before_the_ack_is_closed_4401(world: World, settings: Settings) -> None:
    async with served(settings, world.engine) as live, subscriber(live, init=False) as sub:
        await sub.subscribe("1", QUOTES)
        assert await sub.closed() == 4401


async def test_a_second_init_is_closed_4429(world: World, settings: Settings) -> None:
    async with served(settings, world.engine) as live, subscriber(live, world.alice_token) as sub:
        await sub.send({"type": "connection_init", "payload": {}})
        assert await sub.closed() == 4429


async def test_a_reused_id_is_closed_4409(world: World, settings: Settings) -> None:
    async with served(settings, world.engine) as live, subscriber(live, world.alice_token) as sub:
        await sub.subscribe("1", QUOTES)
        await sub.subscribe("1", QUOTES)
        assert await sub.closed() == 4409


async def error_codes(sub: Subscriber, sid: str = "1") -> list[str]:
    message = await sub.receive()
    assert message["type"] == "error" and message["id"] == sid, message
    return [e["extensions"]["code"] for e in message["payload"]]


async def test_too_many_subscriptions_per_connection(world: World, settings: Settings) -> None:
    async with (
        served(settings, world.engine, ws_max_subscriptions=1) as live,
        subscriber(live, world.alice_token) as sub,
    ):
        await sub.subscribe("1", QUOTES)
        await sub.subscribe("2", QUOTES)
        assert await error_codes(sub, "2") == ["TOO_MANY_SUBSCRIPTIONS"]


async def test_too_many_subscriptions_per_principal(world: World, settings: Settings) -> None:
    async with (
        served(settings, world.engine, ws_max_subscriptions_per_principal=1) as live,
        subscriber(live, world.alice_token) as first,
        subscriber(live, world.alice_token) as second,
        subscriber(live, world.bob_token) as bob,
    ):
        await first.subscribe("1", QUOTES)
        await first.nothing(0.2)
        await second.subscribe("1", QUOTES)
        assert await error_codes(second) == ["TOO_MANY_SUBSCRIPTIONS"]
        await bob.subscribe("1", QUOTES)
        await bob.nothing(0.3)  # another principal's own allowance


async def test_a_message_too_large_is_closed_1009(world: World, settings: Settings) -> None:
    async with (
        served(settings, world.engine, ws_max_message_bytes=2048) as live,
        subscriber(live, world.alice_token) as sub,
    ):
        await sub.subscribe("1", QUOTES + " " * 4096)
        assert await sub.closed() == 1009


async def test_a_too_deep_document_is_refused(world: World, settings: Settings) -> None:
    deep = "subscription { quoteChanged { quote { lines { product { name } } } } }"
    async with (
        served(settings, world.engine, max_depth=3) as live,
        subscriber(live, world.alice_token) as sub,
    ):
        await sub.subscribe("1", deep)
        assert await error_codes(sub) == ["MAX_DEPTH_EXCEEDED"]


async def test_a_too_costly_document_is_refused(world: World, settings: Settings) -> None:
    costly = "subscription { quoteChanged { quote { lines { product { name } } } } }"
    async with (
        served(settings, world.engine, max_query_cost=10) as live,
        subscriber(live, world.alice_token) as sub,
    ):
        await sub.subscribe("1", costly)
        assert await error_codes(sub) == ["QUERY_TOO_COMPLEX"]


async def test_queries_go_over_http_only(world: World, settings: Settings) -> None:
    async with served(settings, world.engine) as live, subscriber(live, world.alice_token) as sub:
        await sub.subscribe("1", "{ viewer { kind } }")
        assert await error_codes(sub) == ["OPERATION_NOT_ALLOWED"]


async def test_an_unexpected_error_is_a_code_without_its_text(
    world: World, settings: Settings
) -> None:
    async with served(settings, world.engine) as live, subscriber(live, world.alice_token) as sub:
        await sub.subscribe("1", "subscription { quoteChanged { nope } }")
        message = await sub.receive()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Traceback" not in json.dumps(message)


async def test_a_safelisted_client_runs_only_published_documents_by_hash(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    manifest = build_manifest(LIVE)
    path = tmp_path / "safelist.json"
    path.write_text(json.dumps(manifest))
    digest = next(
        d for d, e in manifest["operations"].items() if e["name"] == "PartnerQuoteChanges"
    )
    token = world.partner_tokens["ALL"]
    options = {"safelist_enforced": True, "safelist_path": path}
    async with served(settings, world.engine, **options) as live, subscriber(live, token) as sub:
        await sub.subscribe("1", "subscription { quoteChanged { kind } }")
        assert await error_codes(sub) == ["OPERATION_NOT_SAFELISTED"]
        persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
        await sub.send({"id": "2", "type": "subscribe", "payload": {"extensions": persisted}})
        await sub.nothing(0.3)  # accepted: listening
        assert sha256(manifest["operations"][digest]["query"]) == digest


@pytest.mark.parametrize("same_origin", [True, False])
async def test_the_staff_cookie_counts_only_from_the_gateways_own_origin(
    world: World, settings: Settings, same_origin: bool
) -> None:
    async with served(settings, world.engine) as live:
        async with world.engine.connect() as conn:
            now = dt.datetime.now(dt.UTC)
            signed_in = await start_staff_session(
                conn, token=world.staff_token, now=now, minutes=60
            )
        assert signed_in is not None
        cookie = signed_in.secret
        origin = live.url if same_origin else "http://127.0.0.1:1"
        headers = {"Origin": origin, "Cookie": f"{COOKIE_NAME}={cookie}"}
        try:
            async with connect(
                live.ws_url, subprotocols=[PROTOCOL], additional_headers=headers
            ) as ws:
                sub = Subscriber(ws)
                await sub.send({"type": "connection_init", "payload": {}})
                if same_origin:
                    assert (await sub.receive())["type"] == "connection_ack"
                else:
                    assert await sub.closed() == 4403
        except InvalidStatus as refused:  # a foreign origin may be refused at the handshake
            assert not same_origin and refused.response.status_code == 403


async def test_the_server_pings_an_acknowledged_connection(
    world: World, settings: Settings
) -> None:
    async with (
        served(settings, world.engine, ws_ping_interval=0.2) as live,
        subscriber(live, world.alice_token) as sub,
    ):
        raw = await asyncio.wait_for(sub.ws.recv(), 5)
    assert json.loads(raw) == {"type": "ping"}


async def test_mutations_go_over_http_only(world: World, settings: Settings) -> None:
    quote_id = await world.quote(lines=[world.line()])
    mutation = (
        'mutation M($id: ID!) { quoteSetPoNumber(id: $id, poNumber: "X", expectedVersion: 1) '
        "{ userErrors { code } } }"
    )
    async with served(settings, world.engine) as live, subscriber(live, world.alice_token) as sub:
        await sub.subscribe("1", mutation, variables={"id": gid("Quote", quote_id)})
        assert await error_codes(sub) == ["OPERATION_NOT_ALLOWED"]
    (quote,) = await rows(world.engine, Quote, Quote.id == quote_id)
    assert quote.po_number is None and quote.version == 1


async def test_an_unknown_persisted_hash_is_persisted_query_not_found(
    world: World, settings: Settings
) -> None:
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    async with served(settings, world.engine) as live, subscriber(live, world.alice_token) as sub:
        await sub.send({"id": "1", "type": "subscribe", "payload": {"extensions": persisted}})
        assert await error_codes(sub) == ["PERSISTED_QUERY_NOT_FOUND"]
        persisted["persistedQuery"]["sha256Hash"] = sha256(QUOTES)
        payload = {"query": QUOTES, "extensions": persisted}
        await sub.send({"id": "2", "type": "subscribe", "payload": payload})
        await sub.nothing(0.3)  # registered (APQ), and listening


async def test_a_completed_subscription_frees_its_place(world: World, settings: Settings) -> None:
    async with (
        served(settings, world.engine, ws_max_subscriptions_per_principal=1) as live,
        subscriber(live, world.alice_token) as sub,
    ):
        await sub.subscribe("1", QUOTES)
        await sub.send({"id": "1", "type": "complete"})
        await sub.nothing(0.3)
        await sub.subscribe("2", QUOTES)
        await sub.nothing(0.3)  # no TOO_MANY_SUBSCRIPTIONS


async def test_a_subscriber_too_far_behind_gets_subscription_overflow(
    world: World, settings: Settings
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    async with served(settings, world.engine) as live, subscriber(live, world.alice_token) as sub:
        await sub.subscribe("1", QUOTES)
        await sub.nothing(0.3)
        now = dt.datetime.now(dt.UTC)
        flood = [
            ChangeEventRow(n, now, ChangeEntity.QUOTE, quote_id, ChangeKind.UPDATED)
            for n in range(MAX_PENDING + 1)
        ]
        services_of(live.app).changes.publish(flood)  # at once: the subscriber cannot keep up
        while (message := await sub.receive())["type"] == "next":
            pass
    assert message["type"] == "error", message
    assert [e["extensions"]["code"] for e in message["payload"]] == ["SUBSCRIPTION_OVERFLOW"]
