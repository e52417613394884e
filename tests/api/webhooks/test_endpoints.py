"""R-LIVE-2: partner webhook endpoints — who may register, read and delete them, what they
refuse, and which changes become deliveries (in the mutation's own transaction)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from db.models import WebhookDelivery, WebhookEndpoint
from gateway.domain.enums import PartnerScope, TokenKind, WebhookDeliveryStatus
from tests import factories as f
from tests.api.client import ok, send, user_errors
from tests.api.webhooks.documents import CREATE, DELETE, create_endpoint, endpoints
from tests.api.world import World, gid, rows

URL = "https://hooks.atlas.example/conex"
ALL_EVENTS = [
    "QUOTE_CREATED",
    "QUOTE_UPDATED",
    "QUOTE_PAID",
    "ORDER_CREATED",
    "LICENSE_ISSUED",
    "LICENSE_UPDATED",
]
STAFF_READ = """
query ($id: ID!) { node(id: $id) { ... on Partner { webhookEndpoints { id url } } } }
"""


async def bravo_token(world: World) -> str:
    scopes = list(PartnerScope)
    return await f.api_token(
        world.engine, TokenKind.PARTNER, partner_id=world.other_partner, scopes=scopes
    )


async def test_r_live_2_a_partner_registers_an_endpoint_and_sees_the_secret_once(
    client: Any, world: World
) -> None:
    token = world.partner_tokens["ALL"]
    created = await create_endpoint(client, token, URL, ["QUOTE_PAID", "QUOTE_PAID"])
    assert created["endpoint"]["url"] == URL
    assert created["endpoint"]["events"] == ["QUOTE_PAID"]
    assert created["signingSecret"].startswith("whsec_")
    (row,) = await rows(world.engine, WebhookEndpoint)
    assert row.partner_id == world.partner and row.events == ",QUOTE_PAID,"
    stored = " ".join(str(v) for v in tuple(row))
    assert created["signingSecret"][6:] not in stored  # derived, never stored
    listed = await endpoints(client, token)
    assert [e["id"] for e in listed] == [created["endpoint"]["id"]]
    assert listed[0]["disabledAt"] is None and listed[0]["deliveries"]["edges"] == []
    assert "signingSecret" not in str(listed)


async def test_r_live_2_webhooks_write_is_required(client: Any, world: World) -> None:
    variables = {"input": {"url": URL, "events": ["QUOTE_PAID"]}}
    for token in (world.partner_tokens["QUOTES_READ"], world.alice_token, world.staff_token):
        body = await send(client, "PartnerCreateWebhook", variables, token, query=CREATE)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    body = await send(client, "PartnerCreateWebhook", variables, None, query=CREATE)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    # Without the scope a partner reads no endpoints either.
    await create_endpoint(client, world.partner_tokens["ALL"], URL, ["QUOTE_PAID"])
    assert await endpoints(client, world.partner_tokens["QUOTES_READ"]) == []
    assert await rows(world.engine, WebhookEndpoint, WebhookEndpoint.url != URL) == []


async def test_r_live_2_an_event_needs_the_scope_that_reads_its_object(
    client: Any, world: World
) -> None:
    variables = {"input": {"url": URL, "events": ["QUOTE_PAID", "ORDER_CREATED"]}}
    token = world.partner_tokens["WEBHOOKS_WRITE"]
    body = await send(client, "PartnerCreateWebhook", variables, token, query=CREATE)
    assert user_errors(body, "webhookEndpointCreate") == [(["input", "events"], "SCOPE_REQUIRED")]
    assert await rows(world.engine, WebhookEndpoint) == []


@pytest.mark.parametrize(
    ("url", "events", "expected"),
    [
        ("ftp://hooks.example/x", ["QUOTE_PAID"], [(["input", "url"], "INVALID")]),
        ("not a url", ["QUOTE_PAID"], [(["input", "url"], "INVALID")]),
        ("https://user:pw@hooks.example/", ["QUOTE_PAID"], [(["input", "url"], "INVALID")]),
        ("https://hooks.example/" + "x" * 2000, ["QUOTE_PAID"], [(["input", "url"], "TOO_LONG")]),
        (URL, [], [(["input", "events"], "REQUIRED")]),
    ],
)
async def test_r_live_2_bad_input_is_refused_with_nothing_written(
    client: Any, world: World, url: str, events: list[str], expected: list[Any]
) -> None:
    variables = {"input": {"url": url, "events": events}}
    body = await send(
        client, "PartnerCreateWebhook", variables, world.partner_tokens["ALL"], query=CREATE
    )
    assert user_errors(body, "webhookEndpointCreate") == expected
    assert body["data"]["webhookEndpointCreate"]["signingSecret"] is None
    assert await rows(world.engine, WebhookEndpoint) == []


async def test_r_live_2_an_unknown_event_is_a_validation_error(client: Any, world: World) -> None:
    variables = {"input": {"url": URL, "events": ["QUOTE_EXPLODED"]}}
    body = await send(
        client, "PartnerCreateWebhook", variables, world.partner_tokens["ALL"], query=CREATE
    )
    assert (body["errors"] and "data" not in body) or body.get("data") is None
    assert await rows(world.engine, WebhookEndpoint) == []


async def test_r_live_2_at_most_ten_endpoints_per_partner(client: Any, world: World) -> None:
    token = world.partner_tokens["ALL"]
    for n in range(10):
        await create_endpoint(client, token, f"{URL}/{n}", ["QUOTE_PAID"])
    variables = {"input": {"url": URL, "events": ["QUOTE_PAID"]}}
    body = await send(client, "PartnerCreateWebhook", variables, token, query=CREATE)
    assert user_errors(body, "webhookEndpointCreate") == [(["input", "url"], "TOO_MANY_ENDPOINTS")]
    assert len(await rows(world.engine, WebhookEndpoint)) == 10


async def test_r_live_2_a_partner_never_sees_or_deletes_another_partners_endpoints(
    client: Any, world: World
) -> None:
    atlas = world.partner_tokens["ALL"]
    created = await create_endpoint(client, atlas, URL, ["QUOTE_PAID"])
    bravo = await bravo_token(world)
    assert await endpoints(client, bravo) == []
    endpoint_id = created["endpoint"]["id"]
    body = await send(client, "PartnerDeleteWebhook", {"id": endpoint_id}, bravo, query=DELETE)
    assert user_errors(body, "webhookEndpointDelete") == [(["id"], "NOT_FOUND")]
    read = await send(
        client, query=STAFF_READ, variables={"id": gid("Partner", world.partner)}, token=bravo
    )
    assert read.data["node"]["webhookEndpoints"] == []
    staff = await send(
        client,
        query=STAFF_READ,
        variables={"id": gid("Partner", world.partner)},
        token=world.staff_token,
    )
    assert [e["id"] for e in staff.data["node"]["webhookEndpoints"]] == [endpoint_id]
    # Its owner deletes it, once.
    body = await send(client, "PartnerDeleteWebhook", {"id": endpoint_id}, atlas, query=DELETE)
    assert ok(body, "webhookEndpointDelete")["deletedEndpointId"] == endpoint_id
    assert await rows(world.engine, WebhookEndpoint) == []
    body = await send(client, "PartnerDeleteWebhook", {"id": endpoint_id}, atlas, query=DELETE)
    assert user_errors(body, "webhookEndpointDelete") == [(["id"], "NOT_FOUND")]


async def test_r_live_2_prod_takes_https_and_public_addresses_only(
    client: Any, world: World, settings: Any
) -> None:
    settings.env = "prod"
    token = world.partner_tokens["ALL"]
    cases = {
        "http://hooks.atlas.example/": "HTTPS_REQUIRED",
        "https://10.0.0.7/hook": "ADDRESS_NOT_ALLOWED",
        "https://[::ffff:127.0.0.1]/hook": "ADDRESS_NOT_ALLOWED",
        "https://169.254.169.254/latest": "ADDRESS_NOT_ALLOWED",
    }
    for url, code in cases.items():
        variables = {"input": {"url": url, "events": ["QUOTE_PAID"]}}
        body = await send(client, "PartnerCreateWebhook", variables, token, query=CREATE)
        assert user_errors(body, "webhookEndpointCreate") == [(["input", "url"], code)], url
    assert await rows(world.engine, WebhookEndpoint) == []


async def test_r_live_2_a_change_to_what_the_partner_resold_becomes_one_delivery_per_endpoint(
    client: Any, world: World
) -> None:
    token = world.partner_tokens["ALL"]
    updates = await create_endpoint(client, token, URL + "/a", ["QUOTE_UPDATED"])
    await create_endpoint(client, token, URL + "/b", ["QUOTE_PAID"])  # not this event
    await create_endpoint(client, await bravo_token(world), URL, ALL_EVENTS)  # not its quote
    (resold,) = await world.add_quotes(1)
    direct = await world.quote(lines=[world.line()])  # no partner
    for quote_id in (resold, direct):
        variables = {"id": gid("Quote", quote_id), "poNumber": "PO-9", "expectedVersion": 1}
        ok(await send(client, "SetQuotePoNumber", variables, world.alice_token), "quoteSetPoNumber")
    (delivery,) = await rows(world.engine, WebhookDelivery)
    assert (delivery.entity_type, delivery.entity_id, delivery.event) == (
        "Quote",
        resold,
        "QUOTE_UPDATED",
    )
    assert delivery.status == WebhookDeliveryStatus.PENDING
    listed = {e["url"]: e for e in await endpoints(client, token)}
    (edge,) = listed[updates["endpoint"]["url"]]["deliveries"]["edges"]
    assert edge["node"]["eventId"] == f"msg_{delivery.audit_event_id}_{delivery.endpoint_id}"
    assert edge["node"]["status"] == "PENDING" and edge["node"]["attempts"] == 0
    assert listed[URL + "/b"]["deliveries"]["edges"] == []


async def test_r_live_2_a_refused_mutation_queues_no_delivery(client: Any, world: World) -> None:
    await create_endpoint(client, world.partner_tokens["ALL"], URL, ALL_EVENTS)
    (resold,) = await world.add_quotes(1)
    variables = {"id": gid("Quote", resold), "poNumber": "PO-9", "expectedVersion": 7}
    body = await send(client, "SetQuotePoNumber", variables, world.alice_token)
    assert user_errors(body, "quoteSetPoNumber")
    assert await rows(world.engine, WebhookDelivery) == []


async def test_r_live_2_a_disabled_endpoint_gets_no_new_deliveries(
    client: Any, world: World
) -> None:
    await create_endpoint(client, world.partner_tokens["ALL"], URL, ALL_EVENTS)
    async with world.engine.begin() as conn:
        await conn.execute(update(WebhookEndpoint).values(disabled_at=f.NOW))
    (resold,) = await world.add_quotes(1)
    variables = {"id": gid("Quote", resold), "poNumber": "PO-9", "expectedVersion": 1}
    ok(await send(client, "SetQuotePoNumber", variables, world.alice_token), "quoteSetPoNumber")
    assert await rows(world.engine, WebhookDelivery) == []
