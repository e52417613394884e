"""The catalog cache (gateway.loaders.CatalogCache): read once per ``catalog_cache_seconds``
per app, fresh again once that has passed; 0 reads it on every request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.models import Price, Product
from db.queries.catalog import Catalog, CatalogPrice, CatalogProduct
from gateway.app import create_app
from gateway.domain.enums import Currency, Deployment, PriceKind, Tier
from gateway.schema.catalog import product_of
from gateway.services import services_of
from gateway.settings import Settings
from tests.api.client import send
from tests.api.world import World
from tests.helpers import count_statements

PRODUCTS = "{ products { name listPrices { tier price { amount currency } } } }"
CATALOG_STATEMENTS = 4  # products, prices, releases, the DZD rate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _products(client: Any, engine: Any) -> tuple[int, list[dict[str, Any]]]:
    with count_statements(engine) as counter:
        answer = await send(client, query=PRODUCTS)
    return counter.count, answer.data["products"]


def _server_starter_eur(products: list[dict[str, Any]]) -> str:
    (server,) = [p for p in products if p["name"] == "Conex Books Server"]
    (price,) = [
        p["price"]["amount"]
        for p in server["listPrices"]
        if p["tier"] == "STARTER" and p["price"]["currency"] == "EUR"
    ]
    return str(price)


async def _raise_server_starter_eur(engine: Any, amount: Decimal) -> None:
    async with engine.begin() as conn:
        server = (await conn.execute(Product.__table__.select())).all()
        (server_id,) = [row.id for row in server if row.name == "Conex Books Server"]
        await conn.execute(
            update(Price)
            .where(
                Price.product_id == server_id,
                Price.tier == Tier.STARTER,
                Price.currency == Currency.EUR,
                Price.kind == PriceKind.NEW,
            )
            .values(amount=amount)
        )


async def test_catalog_read_once_then_again_when_stale(
    app: Starlette, client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    clock = Clock()
    services_of(app).catalog_cache._clock = clock
    seconds = services_of(app).catalog_cache.seconds
    assert seconds == 60  # the default (CONEX_CATALOG_CACHE_SECONDS)

    cold, before = await _products(client, engine)
    assert cold == CATALOG_STATEMENTS
    await _raise_server_starter_eur(engine, Decimal("999.00"))

    clock.now += seconds - 1  # still fresh: no statement, the old price
    warm, cached = await _products(client, engine)
    assert (warm, _server_starter_eur(cached)) == (0, _server_starter_eur(before))
    assert _server_starter_eur(before) != "999.00"

    clock.now += 1  # stale: read again, the new price
    again, fresh = await _products(client, engine)
    assert (again, _server_starter_eur(fresh)) == (CATALOG_STATEMENTS, "999.00")


@pytest.fixture
async def uncached_client(
    settings: Settings, engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"catalog_cache_seconds": 0}), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_catalog_cache_off_reads_it_on_every_request(
    uncached_client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    first, _ = await _products(uncached_client, engine)
    await _raise_server_starter_eur(engine, Decimal("999.00"))
    second, products = await _products(uncached_client, engine)
    assert first == second == CATALOG_STATEMENTS
    assert _server_starter_eur(products) == "999.00"


def test_the_cached_catalog_is_plain_data_and_its_products_are_built_once_per_catalog() -> None:
    server = CatalogProduct(
        id=1, code="server", name="Conex Books Server", deployment=Deployment.SERVER
    )
    price = CatalogPrice(
        product_id=1,
        tier=Tier.STARTER,
        currency=Currency.EUR,
        kind=PriceKind.NEW,
        amount=Decimal("1200.00"),
    )
    first, second = (Catalog([server], [price], [], None) for _ in range(2))
    assert not hasattr(first, "memo")  # the schema's objects live in gateway.schema.catalog
    product = product_of(first, 1)
    assert product_of(first, 1) is product
    assert product_of(second, 1) is not product
    assert [(p.tier, p.price.amount) for p in product.list_prices] == [
        (Tier.STARTER, Decimal("1200.00"))
    ]
