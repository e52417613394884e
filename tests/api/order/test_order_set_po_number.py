"""orderSetPoNumber (SetOrderPoNumber): R-QUOTE-4 on an invoice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from db.models import Order
from gateway.domain.enums import QuoteStatus
from tests import factories as f
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, one

FIELD = "orderSetPoNumber"


async def an_order(world: World, **values: Any) -> int:
    quote = await world.quote(status=QuoteStatus.PAID)
    values.setdefault("billing", world.alice)
    return await f.order(world.engine, quote_id=quote, organization_id=world.organization, **values)


async def set_po(client: Any, token: str | None, order_id: str, po: str | None) -> Any:
    return await send(client, "SetOrderPoNumber", {"id": order_id, "poNumber": po}, token)


async def test_r_quote_4_contact_sets_the_po_number_of_an_invoice(
    client: Any, world: World
) -> None:
    pk = await an_order(world)
    body = await set_po(client, world.alice_token, gid("Order", pk), "  PO-2026/118 ")
    assert ok(body, FIELD)["order"] == {"id": gid("Order", pk), "poNumber": "PO-2026/118"}
    assert (await one(world.engine, Order, pk)).po_number == "PO-2026/118"
    (event,) = await audit_events(world.engine, "orderSetPoNumber")
    assert (event.entity_type, event.entity_id) == ("Order", pk)
    assert changes(event) == {"poNumber": (None, "PO-2026/118")}


async def test_r_quote_4_po_number_changes_any_time_and_clears(client: Any, world: World) -> None:
    pk = await an_order(world, po_number="PO-1")
    body = await set_po(client, world.alice_token, gid("Order", pk), "PO-2")
    assert ok(body, FIELD)["order"]["poNumber"] == "PO-2"
    for cleared in ("", "   ", None):
        body = await set_po(client, world.alice_token, gid("Order", pk), cleared)
        assert ok(body, FIELD)["order"]["poNumber"] is None


async def test_r_quote_4_technical_contact_and_staff_may_set_it(client: Any, world: World) -> None:
    pk = await an_order(world, billing=world.bob)
    async with world.engine.begin() as conn:
        await conn.execute(
            update(Order).where(Order.id == pk).values(technical_account_id=world.alice)
        )
    ok(await set_po(client, world.alice_token, gid("Order", pk), "PO-A"), FIELD)
    ok(await set_po(client, world.staff_token, gid("Order", pk), "PO-S"), FIELD)
    events = await audit_events(world.engine, "orderSetPoNumber")
    assert [e.principal_kind for e in events] == ["CUSTOMER", "STAFF"]


@pytest.mark.parametrize(
    ("po", "code"),
    [
        ("P" * 65, "TOO_LONG"),
        ("x" * 10_000, "TOO_LONG"),
        ("PO\n1", "INVALID"),
        ("\u0007", "INVALID"),
    ],
)
async def test_r_quote_4_bad_po_number_changes_nothing(
    client: Any, world: World, po: str, code: str
) -> None:
    pk = await an_order(world, po_number="PO-1")
    before = await dump(world.engine)
    body = await set_po(client, world.alice_token, gid("Order", pk), po)
    assert user_errors(body, FIELD) == [(["poNumber"], code)]
    assert await dump(world.engine) == before


async def test_r_quote_6_unrelated_customer_gets_not_found(client: Any, world: World) -> None:
    pk = await an_order(world)
    before = await dump(world.engine)
    for order_id in (gid("Order", pk), gid("Order", pk + 40), gid("Quote", pk), "!"):
        body = await set_po(client, world.bob_token, order_id, "PO-B")
        assert user_errors(body, FIELD) == [(["id"], "NOT_FOUND")]
    assert await dump(world.engine) == before


async def test_r_quote_4_partners_do_not_write_orders(client: Any, world: World) -> None:
    pk = await an_order(world, partner_id=world.partner)
    before = await dump(world.engine)
    body = await set_po(client, world.partner_tokens["ALL"], gid("Order", pk), "PO-P")
    assert request_error(body) == "FORBIDDEN"
    assert await dump(world.engine) == before


async def test_r_quote_4_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    pk = await an_order(world)
    before = await dump(world.engine)
    assert request_error(await set_po(client, None, gid("Order", pk), "PO")) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before
