"""IDOR: customer B with customer A's ids, and SEN look-ups with the wrong email.

Every answer must be the one an id (or SEN) that does not exist gets, byte for byte, and
nothing may change (R-QUOTE-6, R-MAINT-8, R-SEC-2).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.client import Answer, send
from tests.api.matrix.ops import NO_SUCH, gid, without_throttle
from tests.api.world import ANONYMOUS, BOB, EMAILS, World, dump

# Alice's things (and the objects around them) that bob has no business with.
ALICES = [
    "alice",
    "carol",
    "ORG",
    "LIC",
    "CLOUD",
    "LIC_DIRECT",
    "Q_OPEN",
    "Q_DIRECT",
    "Q_PAID",
    "ORDER",
    "EVENT",
    "SPARE_TOKEN",
]
NODE = """
query ($id: ID!) {
  node(id: $id) {
    id
    ... on Account { email phone }
    ... on License { sen licenseKey }
    ... on Quote { number poNumber }
    ... on Order { number invoiceNumber }
    ... on Organization { name }
    ... on AuditEvent { action }
    ... on PartnerTokenInfo { prefix }
  }
}
"""
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }"


def missing(world: World, label: str) -> str:
    return gid(world.objects[label][0], NO_SUCH)


async def ask(
    client: httpx.AsyncClient, operation: str, variables: dict[str, Any], token: str | None
) -> Answer:
    """The contract's ``operation`` as ``token``'s holder: an HTTP 200."""
    answer = await send(client, operation, variables, token)
    assert answer.status == 200, answer
    return answer


@pytest.mark.parametrize("label", ALICES)
async def test_r_quote_6_node_with_someone_elses_id_is_null_like_a_missing_one(
    label: str, world: World, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    bob = world.tokens[BOB]
    before = await dump(engine)
    theirs = await send(client, query=NODE, variables={"id": world.gid(label)}, token=bob)
    nobodys = await send(client, query=NODE, variables={"id": missing(world, label)}, token=bob)
    assert without_throttle(theirs) == without_throttle(nobodys)
    assert theirs["data"] == {"node": None}
    assert await dump(engine) == before


async def test_r_quote_6_nodes_with_someone_elses_ids_are_nulls_like_missing_ones(
    world: World, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    bob = world.tokens[BOB]
    theirs = await send(
        client, query=NODES, variables={"ids": [world.gid(x) for x in ALICES]}, token=bob
    )
    nobodys = await send(
        client, query=NODES, variables={"ids": [missing(world, x) for x in ALICES]}, token=bob
    )
    assert without_throttle(theirs) == without_throttle(nobodys)
    assert theirs["data"] == {"nodes": [None] * len(ALICES)}
    # Bob's own order comes back among them: the nulls are not a broken query.
    mixed = await send(
        client,
        query=NODES,
        variables={"ids": [world.gid("ORDER"), world.gid("ORDER_BOB")]},
        token=bob,
    )
    assert mixed["data"] == {"nodes": [None, {"id": world.gid("ORDER_BOB"), "__typename": "Order"}]}


# (operation, variables naming one of alice's objects, the id argument to swap for a missing one)
MUTATIONS: list[tuple[str, str, Any]] = [
    ("SetQuotePoNumber", "Q_DIRECT", lambda i: {"id": i, "poNumber": "X", "expectedVersion": 1}),
    ("MobileSetPoNumber", "Q_DIRECT", lambda i: {"id": i, "poNumber": "X", "expectedVersion": 1}),
    (
        "EditQuote",
        "Q_DIRECT",
        lambda i: {"id": i, "expectedVersion": 1, "input": {"currency": "USD"}},
    ),
    ("DeleteQuote", "Q_DIRECT", lambda i: {"id": i}),
    ("DeleteQuote", "Q_PAID", lambda i: {"id": i}),
    ("SetOrderPoNumber", "ORDER", lambda i: {"id": i, "poNumber": "X"}),
    ("ChangeLicenseContacts", "LIC_DIRECT", lambda i: {"id": i, "billing": EMAILS[BOB]}),
    ("ChangeLicenseContacts", "CLOUD", lambda i: {"id": i, "technical": EMAILS[BOB]}),
    ("UpdateCloudCard", "CLOUD", lambda i: {"licenseId": i, "paymentToken": "tok_visa_1111"}),
    # an id of another type is no better
    ("DeleteQuote", "LIC", lambda i: {"id": i}),
    ("SetOrderPoNumber", "Q_OPEN", lambda i: {"id": i, "poNumber": "X"}),
]


@pytest.mark.parametrize(
    ("name", "label", "variables"),
    MUTATIONS,
    ids=[f"{name}-{label}" for name, label, _ in MUTATIONS],
)
async def test_r_quote_6_mutation_with_someone_elses_id_is_not_found_like_a_missing_one(
    name: str,
    label: str,
    variables: Any,
    world: World,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
) -> None:
    bob = world.tokens[BOB]
    before = await dump(engine)
    theirs = await ask(client, name, variables(world.gid(label)), bob)
    assert await dump(engine) == before
    nobodys = await ask(client, name, variables(missing(world, label)), bob)
    assert without_throttle(theirs) == without_throttle(nobodys)
    (payload,) = theirs["data"].values()
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]


SEN_REQUESTS = [
    ("RequestRenewal", {}),
    ("RequestUpgrade", {"toTier": "ENTERPRISE"}),
]


@pytest.mark.parametrize(("name", "extra"), SEN_REQUESTS, ids=[n for n, _ in SEN_REQUESTS])
@pytest.mark.parametrize("principal", [ANONYMOUS, BOB])
@pytest.mark.parametrize(
    ("sen_of", "email"),
    [
        ("LIC", EMAILS[BOB]),  # a real SEN, an email that is no contact of it
        ("LIC_DIRECT", EMAILS["carol_billing_only"]),  # a contact of other licenses, not this
        ("LIC", "nobody@example.com"),  # an email with no account at all
        (None, EMAILS["alice"]),  # a contact's email, a SEN that does not exist
    ],
    ids=["bob-email", "carol-email-other-license", "unknown-email", "unknown-sen"],
)
async def test_r_maint_8_sen_request_with_a_wrong_email_or_sen_shows_and_changes_nothing(
    name: str,
    extra: dict[str, Any],
    principal: str,
    sen_of: str | None,
    email: str,
    world: World,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
) -> None:
    token = world.tokens[principal]
    sen = world.sens[sen_of] if sen_of else "SEN-L9876543"
    before = await dump(engine)
    body = await ask(client, name, {"input": {"sen": sen, "contactEmail": email, **extra}}, token)
    assert await dump(engine) == before  # no quote, no mail, no audit
    reference = await ask(
        client,
        name,
        {"input": {"sen": "SEN-L0000000", "contactEmail": "nobody@example.com", **extra}},
        token,
    )
    assert without_throttle(body) == without_throttle(reference)
    (payload,) = body["data"].values()
    assert payload["quote"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]


async def test_r_sec_2_license_by_sen_for_someone_else_is_null_like_a_missing_one(
    world: World, client: httpx.AsyncClient
) -> None:
    bob = world.tokens[BOB]
    for label in ("LIC", "CLOUD", "LIC_DIRECT"):
        theirs = await ask(client, "PartnerLicense", {"sen": world.sens[label]}, bob)
        assert theirs["data"] == {"license": None}
        nobodys = await ask(client, "PartnerLicense", {"sen": "SEN-L9876543"}, bob)
        assert without_throttle(theirs) == without_throttle(nobodys)
