"""quoteDelete (R-QUOTE-2) and quoteSetPoNumber (R-QUOTE-4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from db.models import Quote
from gateway.domain.enums import Deployment, PartnerScope, QuoteStatus, Tier, TokenKind
from tests import factories as f
from tests.api.client import Answer, ok, request_error, send, user_errors
from tests.api.quote.support import snapshot
from tests.api.world import World, audit_events, changes, gid, one, today


async def delete(client: Any, token: str | None, quote_id: int) -> Answer:
    return await send(client, "DeleteQuote", {"id": gid("Quote", quote_id)}, token)


async def set_po(
    client: Any, token: str | None, quote_id: int, po: str | None, version: int = 1
) -> Answer:
    variables = {"id": gid("Quote", quote_id), "poNumber": po, "expectedVersion": version}
    return await send(client, "SetQuotePoNumber", variables, token)


# --- R-QUOTE-2 --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["billing", "technical", "partner", "staff"])
async def test_r_quote_2_open_quote_deleted_by_those_who_may_act_on_it(
    client: Any, world: World, who: str
) -> None:
    quote_id = await world.quote(
        lines=[world.line()], billing=world.bob, technical=world.alice, partner_id=world.partner
    )
    token = {
        "billing": world.bob_token,
        "technical": world.alice_token,
        "partner": world.partner_tokens["ALL"],
        "staff": world.staff_token,
    }[who]
    body = await delete(client, token, quote_id)
    assert ok(body, "quoteDelete")["deletedQuoteId"] == gid("Quote", quote_id)
    row = await one(world.engine, Quote, quote_id)
    assert row.status == QuoteStatus.DELETED and row.deleted_at is not None
    assert row.version == 2
    (event,) = await audit_events(world.engine, "quoteDelete")
    assert changes(event)["status"] == ("OPEN", "DELETED")


async def test_r_quote_2_deleting_a_sales_only_quote_is_allowed(client: Any, world: World) -> None:
    quote_id = await world.quote(lines=[world.line(Deployment.CLOUD, tier=Tier.ENTERPRISE)])
    ok(await delete(client, world.alice_token, quote_id), "quoteDelete")


@pytest.mark.parametrize(
    "status", [QuoteStatus.PAID, QuoteStatus.DELETED, QuoteStatus.EXPIRED, "past-valid-until"]
)
async def test_r_quote_2_only_open_quotes_are_deleted(
    client: Any, world: World, status: Any
) -> None:
    values: dict[str, Any] = {"status": status}
    if status == "past-valid-until":
        values = {"valid_until": today() - dt.timedelta(days=1)}
    quote_id = await world.quote(lines=[world.line()], **values)
    before = await snapshot(world.engine)
    body = await delete(client, world.alice_token, quote_id)
    assert user_errors(body, "quoteDelete") == [(["id"], "QUOTE_NOT_OPEN")]
    assert await snapshot(world.engine) == before


async def test_r_quote_6_delete_by_others_is_not_found(client: Any, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()], partner_id=world.partner)
    other_partner = await world_partner_token(world)
    before = await snapshot(world.engine)
    for token in (
        world.bob_token,
        world.partner_tokens[PartnerScope.QUOTES_READ.value],
        world.partner_tokens[PartnerScope.QUOTES_WRITE.value],
        other_partner,
    ):
        assert user_errors(await delete(client, token, quote_id), "quoteDelete") == [
            (["id"], "NOT_FOUND")
        ]
    assert request_error(await delete(client, None, quote_id)) == "UNAUTHENTICATED"
    body = await send(client, "DeleteQuote", {"id": "garbage"}, world.alice_token)
    assert user_errors(body, "quoteDelete") == [(["id"], "NOT_FOUND")]
    assert await snapshot(world.engine) == before


async def world_partner_token(world: World) -> str:
    other = await f.partner(world.engine, name="Other Partner")
    return await f.api_token(
        world.engine, TokenKind.PARTNER, partner_id=other, scopes=list(PartnerScope)
    )


# --- R-QUOTE-4 --------------------------------------------------------------------------------


async def test_r_quote_4_po_number_of_64_characters_accepted(client: Any, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    po = "P" * 64
    quote = ok(await set_po(client, world.alice_token, quote_id, po), "quoteSetPoNumber")["quote"]
    assert quote == {"id": gid("Quote", quote_id), "poNumber": po, "version": 2}


@pytest.mark.parametrize(
    ("po", "code"),
    [("P" * 65, "TOO_LONG"), ("PO\x071", "INVALID"), ("PO\n1", "INVALID"), ("PO\x7f", "INVALID")],
    ids=["65 characters", "NUL", "newline", "DEL"],
)
async def test_r_quote_4_po_number_too_long_or_with_control_characters_refused(
    client: Any, world: World, po: str, code: str
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    before = await snapshot(world.engine)
    body = await set_po(client, world.alice_token, quote_id, po)
    assert user_errors(body, "quoteSetPoNumber") == [(["poNumber"], code)]
    assert await snapshot(world.engine) == before


async def test_r_quote_4_po_number_allowed_on_a_sales_only_quote(client: Any, world: World) -> None:
    quote_id = await world.quote(lines=[world.line(Deployment.DATA_CENTER, tier=Tier.ENTERPRISE)])
    ok(await set_po(client, world.alice_token, quote_id, "PO-DC"), "quoteSetPoNumber")


async def test_r_quote_7_po_number_with_stale_version_refused(client: Any, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    ok(await set_po(client, world.alice_token, quote_id, "PO-1"), "quoteSetPoNumber")
    before = await snapshot(world.engine)
    body = await set_po(client, world.alice_token, quote_id, "PO-2", version=1)
    assert user_errors(body, "quoteSetPoNumber") == [(["expectedVersion"], "STALE_VERSION")]
    assert await snapshot(world.engine) == before
