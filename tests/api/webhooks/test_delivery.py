"""R-LIVE-2: deliveries to a real receiver on loopback — signed (verified with the
``standardwebhooks`` library), retried with back-off after 500s, deduplicated by webhook-id,
read under the partner's principal, given up and the endpoint disabled (and its partner
mailed) after 24 hours of failures, refused in prod for a private address."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
from typing import Any

from sqlalchemy import update

from db.models import ApiToken, OutgoingMail, Quote, WebhookDelivery, WebhookEndpoint
from gateway.domain.enums import WebhookDeliveryStatus
from gateway.integrations.webhook_http import Address
from gateway.integrations.webhooks import Transport, deliver_batch, inline_webhook_delivery
from gateway.settings import Settings
from tests.api.client import ok, send
from tests.api.webhooks.documents import create_endpoint, endpoints
from tests.api.webhooks.receiver import receiver
from tests.api.world import World, gid, rows

EVENTS = ["QUOTE_UPDATED", "QUOTE_PAID", "ORDER_CREATED", "LICENSE_ISSUED"]


async def touch(client: Any, world: World, quote_id: int, version: int = 1) -> None:
    """A change Atlas hears of: Alice sets the PO number of a quote Atlas resold."""
    variables = {
        "id": gid("Quote", quote_id),
        "poNumber": f"PO-{version}",
        "expectedVersion": version,
    }
    ok(await send(client, "SetQuotePoNumber", variables, world.alice_token), "quoteSetPoNumber")


async def deliveries(world: World) -> list[Any]:
    return await rows(world.engine, WebhookDelivery)


async def make_due(world: World) -> None:
    """The back-off has passed (the receiver verifies timestamps against the real clock, so
    the retry runs now rather than on a clock moved forward)."""
    async with world.engine.begin() as conn:
        await conn.execute(update(WebhookDelivery).values(next_try_at=None))


async def test_r_live_2_a_delivery_is_signed_and_carries_what_the_partner_may_read(
    client: Any, world: World, settings: Settings
) -> None:
    with receiver() as hook:
        created = await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        hook.secret = created["signingSecret"]
        (quote_id,) = await world.add_quotes(1)
        await touch(client, world, quote_id)
        assert await deliver_batch(world.engine, settings) == (1, 1)
    (request,) = hook.requests
    assert request.verified
    (delivery,) = await deliveries(world)
    assert request.headers["webhook-id"] == f"msg_{delivery.audit_event_id}_{delivery.endpoint_id}"
    assert request.headers["webhook-signature"].startswith("v1,")
    body = json.loads(request.body)
    assert body["type"] == "quote.updated"
    assert body["data"]["id"] == gid("Quote", quote_id) and body["data"]["poNumber"] == "PO-1"
    assert delivery.status == WebhookDeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.response_status == 200
    (listed,) = await endpoints(client, world.partner_tokens["ALL"])
    (edge,) = listed["deliveries"]["edges"]
    assert edge["node"]["status"] == "DELIVERED" and edge["node"]["responseStatus"] == 200


async def test_r_live_2_500s_are_retried_with_backoff_and_deduplicated_by_webhook_id(
    client: Any, world: World, settings: Settings
) -> None:
    with receiver() as hook:
        created = await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        hook.secret = created["signingSecret"]
        hook.statuses = [500, 500]
        (quote_id,) = await world.add_quotes(1)
        await touch(client, world, quote_id)
        before = dt.datetime.now(dt.UTC)
        assert await deliver_batch(world.engine, settings) == (1, 0)
        (failed,) = await deliveries(world)
        assert failed.status == WebhookDeliveryStatus.PENDING and failed.response_status == 500
        # The first back-off: 10 s, jittered between half and all of it.
        wait = failed.next_try_at - before
        assert dt.timedelta(seconds=4) < wait <= dt.timedelta(seconds=11)
        assert await deliver_batch(world.engine, settings) == (0, 0)  # not due yet
        await make_due(world)
        assert await deliver_batch(world.engine, settings) == (1, 0)
        (second,) = await deliveries(world)
        wait = second.next_try_at - second.last_attempt_at  # doubled: 20 s, jittered
        assert dt.timedelta(seconds=10) <= wait <= dt.timedelta(seconds=20)
        await make_due(world)
        assert await deliver_batch(world.engine, settings) == (1, 1)
        # A redelivery (a deliverer that died before recording) is the same webhook-id.
        async with world.engine.begin() as conn:
            await conn.execute(update(WebhookDelivery).values(status="PENDING", next_try_at=None))
        assert await deliver_batch(world.engine, settings) == (1, 1)
    assert [r.verified for r in hook.requests] == [True] * 4
    assert len({r.headers["webhook-id"] for r in hook.requests}) == 1
    assert len(hook.processed) == 1  # the receiver handled the event once
    (done,) = await deliveries(world)
    assert done.status == WebhookDeliveryStatus.DELIVERED and done.attempts == 4
    (endpoint,) = await rows(world.engine, WebhookEndpoint)
    assert endpoint.failing_since is None  # a success clears the failures


async def test_r_live_2_an_endpoint_failing_for_24_hours_is_disabled_and_the_partner_mailed(
    client: Any, world: World, settings: Settings
) -> None:
    with receiver() as hook:
        token = world.partner_tokens["ALL"]
        await create_endpoint(client, token, hook.url, EVENTS, alertEmail="Ops@Atlas.example")
        hook.statuses = [503] * 10
        (quote_id,) = await world.add_quotes(1)
        await touch(client, world, quote_id)
        (queued,) = await deliveries(world)
        start = queued.created_at + dt.timedelta(seconds=1)
        assert await deliver_batch(world.engine, settings, now=start) == (1, 0)
        later = start + dt.timedelta(hours=23)
        assert await deliver_batch(world.engine, settings, now=later) == (1, 0)
        (endpoint,) = await rows(world.engine, WebhookEndpoint)
        assert endpoint.disabled_at is None and endpoint.failing_since == start
        assert await rows(world.engine, OutgoingMail) == []
        await touch(client, world, quote_id, version=2)  # a second event, queued before
        end = start + dt.timedelta(hours=24, minutes=1)
        assert await deliver_batch(world.engine, settings, now=end) == (2, 0)
    (endpoint,) = await rows(world.engine, WebhookEndpoint)
    assert endpoint.disabled_at == end
    assert {d.status for d in await deliveries(world)} == {WebhookDeliveryStatus.FAILED}
    (mail,) = await rows(world.engine, OutgoingMail)
    assert mail.to_address == "ops@atlas.example" and hook.url in mail.body
    assert mail.template == "webhook_endpoint_disabled"
    (listed,) = await endpoints(client, token)
    assert listed["disabledAt"] is not None
    await touch(client, world, quote_id, version=3)
    assert len(await deliveries(world)) == 2  # nothing more for a disabled endpoint
    assert await deliver_batch(world.engine, settings, now=end) == (0, 0)


async def test_r_live_2_a_delivery_is_given_up_after_24_hours(
    client: Any, world: World, settings: Settings
) -> None:
    with receiver() as hook:
        await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        hook.statuses = [500] * 5
        (quote_id,) = await world.add_quotes(1)
        await touch(client, world, quote_id)
        (queued,) = await deliveries(world)
        # The endpoint itself has not failed for 24 hours (its first failure is now).
        assert await deliver_batch(
            world.engine, settings, now=queued.created_at + dt.timedelta(hours=25)
        ) == (1, 0)
    (given_up,) = await deliveries(world)
    assert given_up.status == WebhookDeliveryStatus.FAILED and given_up.attempts == 1
    (endpoint,) = await rows(world.engine, WebhookEndpoint)
    assert endpoint.disabled_at is None


async def test_r_live_2_what_the_partner_may_no_longer_read_is_not_sent(
    client: Any, world: World, settings: Settings
) -> None:
    with receiver() as hook:
        await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        (quote_id,) = await world.add_quotes(1)
        await touch(client, world, quote_id)
        async with world.engine.begin() as conn:  # the quote moves to another reseller
            await conn.execute(update(Quote).values(partner_id=world.other_partner))
        assert await deliver_batch(world.engine, settings) == (1, 0)
    assert hook.requests == []
    (skipped,) = await deliveries(world)
    assert skipped.status == WebhookDeliveryStatus.SKIPPED and skipped.attempts == 0


async def test_r_live_2_nothing_more_is_sent_once_the_registering_token_is_revoked(
    client: Any, world: World, settings: Settings
) -> None:
    """A leaked token revoked ends what it set up: its endpoint gets nothing more (deny by
    default), though the partner's other tokens still work."""
    with receiver() as hook:
        await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        (quote_id,) = await world.add_quotes(1)
        await touch(client, world, quote_id)
        (endpoint,) = await rows(world.engine, WebhookEndpoint)
        async with world.engine.begin() as conn:
            await conn.execute(
                update(ApiToken)
                .where(ApiToken.id == endpoint.token_id)
                .values(revoked_at=dt.datetime.now(dt.UTC))
            )
        assert await deliver_batch(world.engine, settings) == (1, 0)
    assert hook.requests == []
    (skipped,) = await deliveries(world)
    assert skipped.status == WebhookDeliveryStatus.SKIPPED and skipped.attempts == 0


async def test_r_live_2_prod_refuses_a_host_that_resolves_to_a_private_address(
    client: Any, world: World, settings: Settings
) -> None:
    with receiver() as hook:
        await create_endpoint(
            client, world.partner_tokens["ALL"], "https://hooks.atlas.example/x", EVENTS
        )
        (quote_id,) = await world.add_quotes(1)
        await touch(client, world, quote_id)
        asked: list[str] = []

        async def rebinding(host: str, port: int) -> list[Address]:
            asked.append(host)  # resolved at delivery time, to the loopback receiver
            return [ipaddress.ip_address("127.0.0.1")]

        settings.env = "prod"
        assert await deliver_batch(
            world.engine, settings, transport=Transport(resolve=rebinding)
        ) == (1, 0)
    assert asked == ["hooks.atlas.example"] and hook.requests == []
    (refused,) = await deliveries(world)
    assert refused.status == WebhookDeliveryStatus.PENDING and refused.response_status is None
    assert refused.last_error is not None and refused.last_error.startswith("refused:")


async def test_r_live_2_inline_delivery_is_woken_by_the_commit(
    client: Any, world: World, settings: Settings
) -> None:
    with receiver() as hook:
        created = await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        hook.secret = created["signingSecret"]
        (quote_id,) = await world.add_quotes(1)
        async with inline_webhook_delivery(world.engine, settings):
            await touch(client, world, quote_id)
            for _ in range(100):
                if hook.requests:
                    break
                await asyncio.sleep(0.05)
        assert [r.verified for r in hook.requests] == [True]


async def test_r_live_2_two_deliverers_never_send_one_delivery_twice(
    client: Any, world: World, settings: Settings, backend: str
) -> None:
    with receiver() as hook:
        await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        quotes = await world.add_quotes(12)
        for quote_id in quotes:
            await touch(client, world, quote_id)
        assert len(await deliveries(world)) == 12

        async def drain() -> int:
            total = 0
            while True:
                claimed, sent = await deliver_batch(world.engine, settings, limit=3)
                total += sent
                if claimed == 0:
                    return total

        results = await asyncio.gather(drain(), drain())
    assert sum(results) == 12, backend
    assert len(hook.requests) == 12
    assert len({r.headers["webhook-id"] for r in hook.requests}) == 12
    assert {d.attempts for d in await deliveries(world)} == {1}
