"""partnerUpdate (SetPartnerDiscount) and the partner discount on that partner's later quotes:
R-PRICE-6 (with R-PRICE-1/2/3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from db.models import Partner, Quote, QuoteLine
from gateway.domain.enums import Deployment
from tests.api.client import Answer, ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, one, rows

FIELD = "partnerUpdate"


async def set_discount(client: Any, token: str, partner: int | str, percent: Any) -> Answer:
    partner_id = gid("Partner", partner) if isinstance(partner, int) else partner
    variables = {"id": partner_id, "input": {"discountPercent": percent}}
    return await send(client, "SetPartnerDiscount", variables, token)


def new_line(world: World, entity: str = "Central Library") -> dict[str, Any]:
    return {
        "product": gid("Product", world.products[Deployment.SERVER]),
        "tier": "PROFESSIONAL",
        "licenseType": "COMMERCIAL",
        "deploymentEntity": entity,
    }


async def partner_quote(client: Any, world: World, *, academic: bool = False) -> dict[str, Any]:
    variables = {
        "input": {
            "currency": "EUR",
            "organization": {"name": "Université de Tours", "country": "FR", "academic": academic},
            "billingContactEmail": "alice@example.com",
            "technicalContactEmail": "alice@example.com",
            "lines": [{**new_line(world), "licenseType": "ACADEMIC" if academic else "COMMERCIAL"}],
        }
    }
    body = await send(client, "PartnerCreateQuote", variables, world.partner_tokens["ALL"])
    quote: dict[str, Any] = ok(body, "quoteCreate")["quote"]
    return quote


async def line_discounts(world: World, quote_gid: str) -> list[tuple[str, str | None, str]]:
    (quote,) = [q for q in await rows(world.engine, Quote) if gid("Quote", q.id) == quote_gid]
    (line,) = await rows(world.engine, QuoteLine, QuoteLine.quote_id == quote.id)
    return [(d["kind"], d["percent"], d["amount"]) for d in line.discounts]


async def test_r_price_6_staff_set_the_discount_and_it_is_audited(
    client: Any, world: World
) -> None:
    body = await set_discount(client, world.staff_token, world.partner, "12.5")
    partner = ok(body, FIELD)["partner"]
    assert partner == {
        "id": gid("Partner", world.partner),
        "name": "Atlas Solutions",
        "discountPercent": "12.50",
    }
    assert (await one(world.engine, Partner, world.partner)).discount_percent == Decimal("12.50")
    (event,) = await audit_events(world.engine, "partnerUpdate")
    assert (event.entity_type, event.entity_id, event.principal_kind) == (
        "Partner",
        world.partner,
        "STAFF",
    )
    assert changes(event) == {"discountPercent": ("0.00", "12.50")}


async def test_r_price_6_the_partners_next_quote_shows_its_own_discount_line(
    client: Any, world: World
) -> None:
    """After R-PRICE-1 (20 %) and R-PRICE-2 (academic 7 %), on what they left."""
    before = await partner_quote(client, world)
    ok(await set_discount(client, world.staff_token, world.partner, "10"), FIELD)
    after = await partner_quote(client, world)
    academic = await partner_quote(client, world, academic=True)
    assert await line_discounts(world, before["id"]) == [("PROMOTIONAL", "20", "960.00")]
    assert await line_discounts(world, after["id"]) == [
        ("PROMOTIONAL", "20", "960.00"),
        ("PARTNER", "10.00", "384.00"),
    ]
    assert after["total"] == {"amount": "3456.00", "currency": "EUR"}
    # 4800 - 20 % = 3840; - 7 % = 3571.20; - 10 % = 3214.08
    assert await line_discounts(world, academic["id"]) == [
        ("PROMOTIONAL", "20", "960.00"),
        ("ACADEMIC", "7", "268.80"),
        ("PARTNER", "10.00", "357.12"),
    ]
    # The quote's API shows it as a discount of its own.
    query = """query($id: ID!) {
      node(id: $id) { ... on Quote { lines { discounts { kind percent } } } }
    }"""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {"id": after["id"]}},
        headers={"Authorization": f"Bearer {world.alice_token}"},
    )
    (line,) = response.json()["data"]["node"]["lines"]
    assert line["discounts"] == [
        {"kind": "PROMOTIONAL", "percent": "20"},
        {"kind": "PARTNER", "percent": "10.00"},
    ]


async def test_r_price_6_a_quote_keeps_the_discount_it_was_created_with(
    client: Any, world: World
) -> None:
    """ "The quotes that partner creates afterwards": editing an older quote re-prices it with
    the discount it was created with, not the partner's new one."""
    ok(await set_discount(client, world.staff_token, world.partner, "10"), FIELD)
    quote = await partner_quote(client, world)
    ok(await set_discount(client, world.staff_token, world.partner, "25"), FIELD)
    variables = {
        "id": quote["id"],
        "expectedVersion": 1,
        "input": {"lines": [new_line(world, "Annex")]},
    }
    ok(await send(client, "EditQuote", variables, world.partner_tokens["ALL"]), "quoteUpdate")
    assert await line_discounts(world, quote["id"]) == [
        ("PROMOTIONAL", "20", "960.00"),
        ("PARTNER", "10.00", "384.00"),
    ]


@pytest.mark.parametrize(
    ("percent", "code"),
    [
        ("-1", "INVALID"),
        ("50.01", "INVALID"),
        ("12.345", "INVALID"),
        (None, "REQUIRED"),
        ("NaN", "INVALID"),
    ],
)
async def test_r_price_6_the_discount_is_0_to_50_percent(
    client: Any, world: World, percent: str | None, code: str
) -> None:
    snapshot = await dump(world.engine)
    body = await set_discount(client, world.staff_token, world.partner, percent)
    if "errors" in body:  # a value the Decimal scalar itself refuses
        assert code == "INVALID"
        assert await dump(world.engine) == snapshot
        return
    assert user_errors(body, FIELD) == [(["input", "discountPercent"], code)]
    assert await dump(world.engine) == snapshot


@pytest.mark.parametrize("percent", ["0", "50"])
async def test_r_price_6_bounds_are_allowed(client: Any, world: World, percent: str) -> None:
    body = await set_discount(client, world.staff_token, world.partner, percent)
    assert Decimal(ok(body, FIELD)["partner"]["discountPercent"]) == Decimal(percent)


async def test_r_price_6_only_staff_set_it_and_only_staff_and_the_partner_see_it(
    client: Any, world: World
) -> None:
    snapshot = await dump(world.engine)
    for token in (world.alice_token, world.partner_tokens["ALL"]):
        body = await set_discount(client, token, world.partner, "50")
        assert request_error(body) == "FORBIDDEN"
    unknown = await set_discount(client, world.staff_token, gid("Partner", 9999), "5")
    assert user_errors(unknown, FIELD) == [(["id"], "NOT_FOUND")]
    assert await dump(world.engine) == snapshot
    ok(await set_discount(client, world.staff_token, world.partner, "7"), FIELD)
    query = """{
      viewer { partner { discountPercent } }
      partners(first: 10) { edges { node { id discountPercent } } }
    }"""

    async def seen(token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        return response.json()["data"]

    partner_view = await seen(world.partner_tokens["QUOTES_READ"])
    assert partner_view["viewer"]["partner"] == {"discountPercent": "7.00"}
    atlas, bravo = gid("Partner", world.partner), gid("Partner", world.other_partner)

    def discounts(data: Any) -> dict[str, Any]:
        return {e["node"]["id"]: e["node"]["discountPercent"] for e in data["partners"]["edges"]}

    for viewer in (None, world.alice_token):  # the public directory shows no terms
        assert discounts(await seen(viewer)) == {atlas: None, bravo: None}
    assert discounts(await seen(world.staff_token)) == {atlas: "7.00", bravo: "0.00"}
