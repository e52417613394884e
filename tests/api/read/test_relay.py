"""Relay: global ids, node/nodes, cursors, page limits — and that they all honour the policy."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.schema.relay import decode_id, encode_cursor, encode_id
from tests.api.client import Answer, send
from tests.api.world import World


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> Answer:
    """``query`` sent as ``token``'s holder; the answer of an HTTP 200 (errors or not)."""
    answer = await send(client, query=query, variables=variables or {}, token=token)
    assert answer.status == 200, answer
    return answer


NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
LICENSES = """query($first: Int, $after: String, $last: Int, $before: String) {
  viewer { account { licenses(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } } } } } }"""


def test_global_ids_round_trip_and_are_opaque() -> None:
    gid = encode_id("License", 42)
    assert "License" not in gid and "42" not in gid
    assert decode_id(gid) == ("License", 42)
    for junk in ["", "!!!", encode_id("License", 0), "TGljZW5zZTpib2I", "bm9jb2xvbg"]:
        assert decode_id(junk) is None


async def test_node_resolves_every_type_for_staff(client: httpx.AsyncClient, world: World) -> None:
    (lic,) = await world.add_licenses(1)
    (order,) = await world.add_orders(1)
    ids = {
        "License": encode_id("License", lic),
        "Order": encode_id("Order", order),
        "Account": encode_id("Account", world.alice),
        "Organization": encode_id("Organization", world.organization),
        "Partner": encode_id("Partner", world.partner),
        "Product": encode_id("Product", next(iter(world.products.values()))),
    }
    for type_name, gid in ids.items():
        body = await gql(client, NODE, {"id": gid}, world.staff_token)
        assert body["data"]["node"] == {"__typename": type_name, "id": gid}


async def test_r_quote_6_other_peoples_ids_are_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    """IDOR: Bob asks for Alice's license, quote and order by id, by nodes, and by SEN."""
    (lic,) = await world.add_licenses(1)
    (quote,) = await world.add_quotes(1)
    (order,) = await world.add_orders(1)
    theirs = [encode_id("License", lic), encode_id("Quote", quote), encode_id("Order", order)]
    for gid in theirs:
        assert (await gql(client, NODE, {"id": gid}, world.bob_token))["data"]["node"] is None
        assert (await gql(client, NODE, {"id": gid}))["data"]["node"] is None
    body = await gql(client, NODES, {"ids": theirs}, world.bob_token)
    assert body["data"] == {"nodes": [None, None, None]} and "errors" not in body
    missing = await gql(client, NODE, {"id": encode_id("License", 999_999)}, world.bob_token)
    hidden = await gql(client, NODE, {"id": encode_id("License", lic)}, world.bob_token)
    assert missing == hidden  # the same answer: no existence leak
    sen_query = "query($sen: String!) { license(sen: $sen) { id } }"
    sen = (
        await gql(
            client,
            "query($id: ID!) { node(id: $id) { ... on License { sen } } }",
            {"id": theirs[0]},
            world.alice_token,
        )
    )["data"]["node"]["sen"]
    assert (await gql(client, sen_query, {"sen": sen}, world.bob_token))["data"]["license"] is None
    assert (await gql(client, sen_query, {"sen": sen}, world.alice_token))["data"]["license"][
        "id"
    ] == theirs[0]


async def test_nodes_keeps_order_and_refuses_more_than_100(
    client: httpx.AsyncClient, world: World
) -> None:
    a, b = await world.add_licenses(2)
    ids = [encode_id("License", b), "garbage", encode_id("License", a)]
    body = await gql(client, NODES, {"ids": ids}, world.alice_token)
    assert [n and n["id"] for n in body["data"]["nodes"]] == [ids[0], None, ids[2]]
    too_many = await gql(client, NODES, {"ids": ["x"] * 101}, world.alice_token)
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"


async def test_pages_forward_and_backward(client: httpx.AsyncClient, world: World) -> None:
    ids = [encode_id("License", pk) for pk in await world.add_licenses(7)]
    first = await gql(client, LICENSES, {"first": 3}, world.alice_token)
    page = first["data"]["viewer"]["account"]["licenses"]
    assert [e["node"]["id"] for e in page["edges"]] == ids[:3]
    assert page["totalCount"] == 7
    assert page["pageInfo"]["hasNextPage"] is True and page["pageInfo"]["hasPreviousPage"] is False
    second = await gql(
        client, LICENSES, {"first": 3, "after": page["pageInfo"]["endCursor"]}, world.alice_token
    )
    page2 = second["data"]["viewer"]["account"]["licenses"]
    assert [e["node"]["id"] for e in page2["edges"]] == ids[3:6]
    assert page2["pageInfo"]["hasPreviousPage"] is True
    last = await gql(client, LICENSES, {"last": 2}, world.alice_token)
    page3 = last["data"]["viewer"]["account"]["licenses"]
    assert [e["node"]["id"] for e in page3["edges"]] == ids[5:]
    assert (
        page3["pageInfo"]["hasPreviousPage"] is True and page3["pageInfo"]["hasNextPage"] is False
    )
    back = await gql(
        client, LICENSES, {"last": 2, "before": page3["pageInfo"]["startCursor"]}, world.alice_token
    )
    assert [e["node"]["id"] for e in back["data"]["viewer"]["account"]["licenses"]["edges"]] == ids[
        3:5
    ]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 101}, "PAGE_SIZE_TOO_LARGE"),
        ({"last": 1000}, "PAGE_SIZE_TOO_LARGE"),
        ({"first": -1}, "BAD_USER_INPUT"),
        ({"first": 1, "last": 1}, "BAD_USER_INPUT"),
        ({"first": 1, "after": "not-a-cursor"}, "BAD_USER_INPUT"),
        ({"first": 1, "after": encode_id("License", 1)}, "BAD_USER_INPUT"),
    ],
)
async def test_bad_page_arguments_are_typed_request_errors(
    client: httpx.AsyncClient, world: World, variables: dict[str, Any], code: str
) -> None:
    body = await gql(client, LICENSES, variables, world.alice_token)
    assert body["errors"][0]["extensions"]["code"] == code
    assert "Traceback" not in str(body)


async def test_page_of_100_is_allowed(client: httpx.AsyncClient, world: World) -> None:
    await world.add_licenses(3)
    body = await gql(client, LICENSES, {"first": 100, "after": encode_cursor(0)}, world.alice_token)
    assert len(body["data"]["viewer"]["account"]["licenses"]["edges"]) == 3


async def test_partner_scopes_limit_what_it_sees(client: httpx.AsyncClient, world: World) -> None:
    """R-SEC-2: a missing scope yields empty lists and nulls, never data."""
    (lic,) = await world.add_licenses(1)
    (quote,) = await world.add_quotes(1)
    query = """query($l: ID!, $q: ID!) { l: node(id: $l) { id } q: node(id: $q) { id }
      viewer { partner { quotes { totalCount } customers { totalCount } } } }"""
    variables = {"l": encode_id("License", lic), "q": encode_id("Quote", quote)}
    seen = {}
    for scope, token in world.partner_tokens.items():
        data = (await gql(client, query, variables, token))["data"]
        partner = data["viewer"]["partner"]
        seen[scope] = (
            data["l"] is not None,
            data["q"] is not None,
            partner["quotes"]["totalCount"],
            partner["customers"]["totalCount"],
        )
    assert seen == {
        # Partner.customers needs customers:read, even for organizations the token reaches
        # through its quotes or licenses.
        "QUOTES_READ": (False, True, 1, 0),
        "QUOTES_WRITE": (False, False, 0, 0),
        "ORDERS_READ": (False, False, 0, 0),
        "LICENSES_READ": (True, False, 0, 0),
        "LICENSES_WRITE": (False, False, 0, 0),
        "CUSTOMERS_READ": (False, False, 0, 1),
        "WEBHOOKS_WRITE": (False, False, 0, 0),
        "ALL": (True, True, 1, 1),
    }


async def test_another_partners_token_sees_nothing_of_ours(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    from gateway.domain.enums import PartnerScope, TokenKind
    from tests import factories as f

    other = await f.partner(engine, name="Elsewhere")
    token = await f.api_token(
        engine, TokenKind.PARTNER, partner_id=other, scopes=list(PartnerScope)
    )
    (lic,) = await world.add_licenses(1)
    assert (await gql(client, NODE, {"id": encode_id("License", lic)}, token))["data"][
        "node"
    ] is None
    home = await gql(
        client,
        "{ viewer { partner { name customers { totalCount } quotes { totalCount } } } }",
        token=token,
    )
    assert home["data"]["viewer"]["partner"] == {
        "name": "Elsewhere",
        "customers": {"totalCount": 0},
        "quotes": {"totalCount": 0},
    }


async def test_private_profile_fields_only_for_the_holder(
    client: httpx.AsyncClient, world: World
) -> None:
    """A co-contact sees Alice's name and email on a license, not her phone or tax ids."""
    from tests import factories as f

    pk = await f.license(
        world.engine,
        product_id=next(iter(world.products.values())),
        organization_id=world.organization,
        billing=world.alice,
        technical=world.bob,
    )
    query = """query($id: ID!) { node(id: $id) { ... on License {
      billingContact { account { email phone taxIds { value } publicityOptOut } } } } }"""
    seen_by_bob = (await gql(client, query, {"id": encode_id("License", pk)}, world.bob_token))[
        "data"
    ]
    assert seen_by_bob["node"]["billingContact"]["account"] == {
        "email": "alice@example.com",
        "phone": None,
        "taxIds": [],
        "publicityOptOut": None,
    }
