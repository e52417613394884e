"""No N+1: the contract's queries issue the same number of SQL statements for 1 row as for 50.

Each number is pinned: a change that adds a statement per request must say so here.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.enums import QuoteStatus
from gateway.schema.relay import encode_id
from tests.api.client import send
from tests.api.world import World
from tests.helpers import count_statements


async def statements_for(
    client: Any, engine: Any, name: str, variables: dict[str, Any], token: str
) -> int:
    # An API token records its last use at most once a minute: take that write out first;
    # and read the catalog into the app's cache (gateway.loaders.CatalogCache) as a worker
    # that has been serving has it.
    assert (await send(client, query=WARM_UP, token=token)).status == 200
    with count_statements(engine) as counter:
        answer = await send(client, name, variables, token)
    assert answer.data  # HTTP 200, no errors
    return counter.count


WARM_UP = "{ viewer { kind } products { id } }"

# Statements per request: 1 to authenticate, then one per loader batch, page or count; the
# catalog comes from the app's cache (read again, 4 statements, once it is stale).
EXPECTED = {
    # token, account, tax ids, licenses page + count, organizations, contacts,
    # quotes page + count, quote lines (editability), orders page + count
    "AccountHome": 11,
    # token, quote, lines, partner, organization, contacts, lines' licenses
    "QuoteDetail": 6,
    # token, partner, quotes page + count, customers page + count, quotes' organizations,
    # licenses of the customers
    "PartnerHome": 8,
    # token, licenses page + count, organizations, contacts
    "ExpiringMaintenance": 5,
    # token, quotes page + count, organizations
    "QuotesNeedingReview": 4,
}


async def test_account_home_constant_in_licenses_quotes_and_orders(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    await world.add_licenses(1)
    await world.add_quotes(1)
    await world.add_orders(1)
    small = await statements_for(client, engine, "AccountHome", {}, world.alice_token)
    await world.add_licenses(49)
    await world.add_quotes(20, lines=3)
    await world.add_orders(20)
    large = await statements_for(client, engine, "AccountHome", {}, world.alice_token)
    assert small == large == EXPECTED["AccountHome"]


async def test_quote_detail_constant_in_lines(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    (one,) = await world.add_quotes(1, lines=1)
    (fifty,) = await world.add_quotes(1, lines=50)
    small = await statements_for(
        client, engine, "QuoteDetail", {"id": encode_id("Quote", one)}, world.alice_token
    )
    large = await statements_for(
        client, engine, "QuoteDetail", {"id": encode_id("Quote", fifty)}, world.alice_token
    )
    assert small == large == EXPECTED["QuoteDetail"]


async def test_partner_home_constant_in_customers_and_licenses(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    from tests import factories as f

    token = world.partner_tokens["ALL"]
    await world.add_licenses(1)
    await world.add_quotes(1)
    small = await statements_for(client, engine, "PartnerHome", {}, token)
    for _ in range(19):
        organization = await f.organization(engine, partner_id=world.partner)
        for _ in range(5):
            await f.license(
                engine,
                product_id=world.products[next(iter(world.products))],
                organization_id=organization,
                billing=world.bob,
                partner_id=world.partner,
            )
    await world.add_quotes(30)
    large = await statements_for(client, engine, "PartnerHome", {}, token)
    assert small == large == EXPECTED["PartnerHome"]


async def test_expiring_maintenance_constant_in_licenses(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    variables = {"before": "2099-01-01"}
    await world.add_licenses(1)
    small = await statements_for(
        client, engine, "ExpiringMaintenance", variables, world.staff_token
    )
    await world.add_licenses(60)
    large = await statements_for(
        client, engine, "ExpiringMaintenance", variables, world.staff_token
    )
    assert small == large == EXPECTED["ExpiringMaintenance"]


async def test_quotes_needing_review_constant_in_quotes(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    await world.add_quotes(1, requires_sales_review=True)
    small = await statements_for(client, engine, "QuotesNeedingReview", {}, world.staff_token)
    await world.add_quotes(60, requires_sales_review=True, status=QuoteStatus.OPEN)
    large = await statements_for(client, engine, "QuotesNeedingReview", {}, world.staff_token)
    assert small == large == EXPECTED["QuotesNeedingReview"]


@pytest.mark.parametrize("name", ["MobileLicenses", "MobileQuotes"])
async def test_mobile_lists_constant(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, name: str
) -> None:
    await world.add_licenses(1)
    await world.add_quotes(1)
    small = await statements_for(client, engine, name, {}, world.alice_token)
    await world.add_licenses(60)
    await world.add_quotes(30)
    large = await statements_for(client, engine, name, {}, world.alice_token)
    assert small == large


async def test_nodes_batches_ids_by_type(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    ids = [encode_id("License", pk) for pk in await world.add_licenses(30)]
    ids += [encode_id("Quote", pk) for pk in await world.add_quotes(20)]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    with count_statements(engine) as counter:
        response = await send(client, query=query, variables={"ids": ids}, token=world.alice_token)
    assert len([n for n in response["data"]["nodes"] if n]) == 50
    assert counter.count == 3  # session, licenses, quotes
