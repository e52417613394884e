"""R-CUR-3 with two EUR→DZD rates of one ``effective_at``: every reader of the catalog takes the
same one (the later row, ``db.queries.catalog.DZD_RATE``), so one quote is priced one way
whether it is created, shown from the catalog or requested from a license."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ExchangeRate, License, Quote
from db.queries import catalog, license, quote
from db.queries.catalog import read_catalog
from gateway.app import create_app
from gateway.domain.dates import add_months
from gateway.domain.enums import Currency, Deployment, PriceKind, Tier
from gateway.domain.quote_pricing import FxRate
from tests import factories as f
from tests.api.client import ok, send
from tests.api.quote.support import create_input, line
from tests.api.world import World, gid, rows, today

D = Decimal
ALGERIA = {"name": "Université d'Alger", "country": "DZ", "academic": True}
EARLIER = FxRate(rate=D("150.000000"), margin=D("0.0200"))  # inserted first: the smaller id
LATER = FxRate(rate=D("160.000000"), margin=D("0.0400"))  # same effective_at, larger id: wins

UPGRADE_OPTIONS = """
query ($id: ID!) {
  node(id: $id) { ... on License { upgradeOptions { tier price { amount currency } } } }
}
"""


async def _tied_rates(world: World) -> int:
    """Two rates of one ``effective_at``, newer than the world's; the id of the earlier row."""
    at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    ids = []
    async with world.engine.begin() as conn:
        for fx in (EARLIER, LATER):
            inserted = await conn.execute(
                insert(ExchangeRate)
                .values(
                    base=Currency.EUR,
                    target=Currency.DZD,
                    rate=fx.rate,
                    margin=fx.margin,
                    effective_at=at,
                )
                .returning(ExchangeRate.id)
            )
            ids.append(int(inserted.scalar_one()))
    assert ids[0] < ids[1]
    return ids[0]


@pytest.fixture
async def uncached_client(settings: Any, engine: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the catalog read on every request (it must see a deleted rate at once)."""
    app = create_app(settings.model_copy(update={"catalog_cache_seconds": 0}), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _upgrade_options(client: httpx.AsyncClient, token: str, license_id: int) -> Any:
    body = await send(
        client, query=UPGRADE_OPTIONS, variables={"id": gid("License", license_id)}, token=token
    )
    assert "errors" not in body, body
    options = body["data"]["node"]["upgradeOptions"]
    assert options and {o["price"]["currency"] for o in options} == {"DZD"}
    return options


async def test_r_cur_3_a_tie_on_effective_at_prices_one_way_everywhere(
    client: Any, uncached_client: httpx.AsyncClient, world: World
) -> None:
    earlier_id = await _tied_rates(world)

    # The readers themselves: the loaders' catalog, the quote and the license mutations'.
    async with world.engine.connect() as conn:
        assert (await read_catalog(conn=conn)).rate == LATER
        assert await catalog.newest_dzd_rate(conn=conn) == LATER
    server = world.products[Deployment.SERVER]
    async with AsyncSession(world.engine) as session:
        assert await quote.newest_exchange_rate(session) == LATER
        renewal = await license.list_price(
            session,
            product_id=server,
            tier=Tier.STARTER,
            currency=Currency.DZD,
            kind=PriceKind.RENEWAL,
        )
        eur = await license.list_price(
            session,
            product_id=server,
            tier=Tier.STARTER,
            currency=Currency.EUR,
            kind=PriceKind.RENEWAL,
        )
    assert eur is not None
    assert renewal == (eur * LATER.rate * (1 + LATER.margin)).quantize(D("0.01"), ROUND_HALF_UP)

    # quoteCreate prices with it and stores it.
    created = await send(
        client,
        "CreateQuote",
        {
            "input": create_input(
                world,
                currency="DZD",
                organization=ALGERIA,
                lines=[line(world, tier="STARTER", license_type="ACADEMIC")],
            )
        },
        world.alice_token,
    )
    ok(created, "quoteCreate")
    (new_quote,) = await rows(world.engine, Quote)
    assert (new_quote.fx_rate, new_quote.fx_margin) == (LATER.rate, LATER.margin)

    # A renewal quote requested from a DZD license: the same rate.
    algiers = await f.organization(world.engine, name="Bibliothèque d'Alger", country="DZ")
    ends_on = today() + dt.timedelta(days=30)
    dzd_license = await world.license(
        organization_id=algiers,
        purchase_currency=Currency.DZD,
        maintenance_starts_on=add_months(ends_on, -12),
        maintenance_ends_on=ends_on,
    )
    (licensed,) = await rows(world.engine, License, License.id == dzd_license)
    renewed = await send(
        client,
        "RequestRenewal",
        {"input": {"sen": licensed.sen, "contactEmail": "alice@example.com"}},
        world.alice_token,
    )
    ok(renewed, "renewalQuoteRequest")
    renewal_quote = (await rows(world.engine, Quote, Quote.id != new_quote.id))[0]
    assert (renewal_quote.fx_rate, renewal_quote.fx_margin) == (LATER.rate, LATER.margin)

    # The license's upgrade prices (from the catalog loader) with the tie, then with the later
    # rate alone: the same.
    tied = await _upgrade_options(uncached_client, world.alice_token, dzd_license)
    async with world.engine.begin() as conn:
        await conn.execute(delete(ExchangeRate).where(ExchangeRate.id == earlier_id))
    assert await _upgrade_options(uncached_client, world.alice_token, dzd_license) == tied
