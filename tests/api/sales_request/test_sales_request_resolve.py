"""Staff's queue (OpenSalesRequests) and salesRequestResolve (ResolveSalesRequest): R-REQ-1."""

from __future__ import annotations

from typing import Any

from db.models import License, Quote, SalesRequest
from gateway.schema.relay import decode_id_of
from tests.api.client import ok, request_error, user_errors
from tests.api.sales_request.support import (
    RESOLVE,
    license_id,
    my_requests,
    opened,
    queue,
    quote_id,
    resolve,
)
from tests.api.world import World, audit_events, changes, dump, gid, mail_to, one


async def test_r_req_1_staff_see_the_open_requests_oldest_first(client: Any, world: World) -> None:
    license_pk, quote_pk = await world.license(), await world.quote()
    first = await opened(client, world, "CONSENT_TO_ASSIGN", **license_id(license_pk))
    second = await opened(client, world, "TAX_EXEMPTION", **quote_id(quote_pk))
    answered = await opened(client, world, "OTHER")
    ok(await resolve(client, world.staff_token, answered["id"], "RESOLVED", "Done."), RESOLVE)

    found = await queue(client, world.staff_token)
    assert found["totalCount"] == 2
    assert found["pageInfo"]["hasNextPage"] is False
    nodes = [edge["node"] for edge in found["edges"]]
    assert [n["id"] for n in nodes] == [first["id"], second["id"]]
    sen = (await one(world.engine, License, license_pk)).sen
    number = (await one(world.engine, Quote, quote_pk)).number
    assert nodes[0]["account"] == {"id": gid("Account", world.alice), "email": "alice@example.com"}
    assert nodes[0]["license"] == {
        "id": gid("License", license_pk),
        "sen": sen,
        "tier": "PROFESSIONAL",
    }
    assert nodes[0]["quote"] is None
    assert nodes[1]["quote"] == {"id": gid("Quote", quote_pk), "number": number}
    assert nodes[1]["message"] == "Please call me back."


async def test_r_req_1_staff_resolve_with_a_message_to_the_customer(
    client: Any, world: World
) -> None:
    request = await opened(client, world, "QUOTE_CHANGE", **quote_id(await world.quote()))
    body = await resolve(
        client, world.staff_token, request["id"], "RESOLVED", "  Quote Q-7 now has 3 sites.  "
    )
    answered = ok(body, RESOLVE)["salesRequest"]
    assert answered["status"] == "RESOLVED"
    assert answered["resolution"] == "Quote Q-7 now has 3 sites."
    assert answered["resolvedAt"] is not None
    pk = decode_id_of(request["id"], "SalesRequest")
    assert pk is not None
    row = await one(world.engine, SalesRequest, pk)
    assert (row.status, row.resolved_by) == ("RESOLVED", "ops")  # the staff token's name
    (event,) = await audit_events(world.engine, "salesRequestResolve")
    assert (event.entity_type, event.entity_id, event.principal_kind) == (
        "SalesRequest",
        pk,
        "STAFF",
    )
    assert changes(event)["status"] == ("OPEN", "RESOLVED")
    assert changes(event)["resolution"] == (None, "Quote Q-7 now has 3 sites.")
    mails = {m.template: m for m in await mail_to(world.engine, "alice@example.com")}
    assert set(mails) == {"sales_request_opened", "sales_request_resolved"}
    assert "Quote Q-7 now has 3 sites." in mails["sales_request_resolved"].body
    # The customer reads the answer in its list.
    (edge,) = (await my_requests(client, world.alice_token))["edges"]
    assert (edge["node"]["status"], edge["node"]["resolution"]) == (
        "RESOLVED",
        "Quote Q-7 now has 3 sites.",
    )


async def test_r_req_1_staff_decline_and_an_answer_is_given_once(client: Any, world: World) -> None:
    request = await opened(client, world, "OTHER")
    declined = ok(
        await resolve(client, world.staff_token, request["id"], "DECLINED", "Not offered."),
        RESOLVE,
    )["salesRequest"]
    assert declined["status"] == "DECLINED"
    (mail,) = [
        m
        for m in await mail_to(world.engine, "alice@example.com")
        if m.template == "sales_request_declined"
    ]
    assert "declined" in mail.subject
    snapshot = await dump(world.engine)
    again = await resolve(client, world.staff_token, request["id"], "RESOLVED", "Changed my mind")
    assert user_errors(again, RESOLVE) == [(["id"], "NOT_OPEN")]
    assert await dump(world.engine) == snapshot


async def test_r_req_1_a_resolution_is_resolved_or_declined_with_words(
    client: Any, world: World
) -> None:
    request = await opened(client, world, "OTHER")
    snapshot = await dump(world.engine)
    body = await resolve(client, world.staff_token, request["id"], "OPEN", " ")
    assert user_errors(body, RESOLVE) == [
        (["input", "status"], "INVALID"),
        (["input", "resolution"], "REQUIRED"),
    ]
    unknown = await resolve(client, world.staff_token, gid("SalesRequest", 999), "RESOLVED", "x")
    assert user_errors(unknown, RESOLVE) == [(["id"], "NOT_FOUND")]
    assert await dump(world.engine) == snapshot


async def test_r_req_1_only_staff_see_the_queue_and_answer(client: Any, world: World) -> None:
    request = await opened(client, world, "OTHER")
    snapshot = await dump(world.engine)
    for token in (world.alice_token, world.partner_tokens["ALL"]):
        body = await resolve(client, token, request["id"], "RESOLVED", "Self-service!")
        assert request_error(body) == "FORBIDDEN"
    # The root list is policy-filtered: a partner sees none, the customer only its own.
    assert (await queue(client, world.partner_tokens["ALL"]))["totalCount"] == 0
    assert (await queue(client, world.bob_token))["totalCount"] == 0
    assert (await queue(client, world.alice_token))["totalCount"] == 1
    assert await dump(world.engine) == snapshot


async def test_r_req_1_the_customer_reads_the_audit_trail_of_its_requests(
    client: Any, world: World
) -> None:
    request = await opened(client, world, "OTHER")
    ok(await resolve(client, world.staff_token, request["id"], "RESOLVED", "Done."), RESOLVE)
    query = """query($id: ID!) {
      auditEvents(first: 10, filter: {entityId: $id}) { edges { node { action } } }
    }"""

    async def actions(token: str) -> list[str]:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": {"id": request["id"]}},
            headers={"Authorization": f"Bearer {token}"},
        )
        return [e["node"]["action"] for e in response.json()["data"]["auditEvents"]["edges"]]

    assert sorted(await actions(world.alice_token)) == ["salesRequestCreate", "salesRequestResolve"]
    assert await actions(world.bob_token) == []
