"""SQL statements per request of every operation ``make bench`` measures (bench/run.py).

Not timed: the numbers are pinned, at the benchmark's data shape (bench/fixtures.py: an
account with 20 licenses, 10 open quotes of 10 lines and 10 orders; a full page of 50 for
MobileLicenses; 100 rows for ExpiringMaintenance) and at a tiny one, so that a change which
adds a statement per request — or one per row — says so here, and the benchmark's table
(bench/RESULTS.md) keeps meaning the same thing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from db.models import Quote
from gateway.app import create_app
from gateway.auth.passwords import hash_password
from gateway.schema.relay import encode_id
from gateway.security.persisted import sha256
from tests import factories as f
from tests.benchmark.conftest import World
from tests.contract import request
from tests.helpers import count_statements

# Statements per request (authentication included), as bench/RESULTS.md shows them, the
# catalog cached as a running worker has it (gateway.loaders.CatalogCache): a request that
# finds it stale reads it again, 4 statements more (test_a_cold_catalog_costs_4_statements).
PINNED = {
    # session, account, tax ids, licenses page + count, quotes page + count, orders page +
    # count, organizations, quote lines (editability)
    "AccountHome": 11,
    # session, license, organization, orders of the license, contacts
    "LicenseDetail": 5,
    # session, quote, lines, partner, organization, contacts
    "QuoteDetail": 6,
    # session, account, licenses page; sent by hash (APQ) once registered
    "MobileLicenses": 3,
    # token, licenses page + count, organizations, contacts
    "ExpiringMaintenance": 5,
    # session, the quote (locked), its payment in progress (R-PAY-4), the versioned UPDATE …
    # RETURNING, the audit event (with its change, RETURNING its id), the partner webhook
    # deliveries of that change (R-LIVE-2: one INSERT … SELECT in the same transaction)
    "SetQuotePoNumber": 6,
    # the account, the new session, the audit event
    "LogIn": 3,
}
CATALOG_STATEMENTS = 4  # products, prices, releases, the DZD rate
PASSWORD = "correct horse battery staple"
# Before each counted request: records the API token's use (at most once a minute) and
# reads the catalog into the app's cache, as a worker that has been serving has it.
WARM_UP = {"query": "{ viewer { kind } products { id } }"}


async def _send(
    client: Any, engine: Any, body: dict[str, Any], token: str | None
) -> tuple[int, dict[str, Any]]:
    """The statements one request issued, and its ``data`` (no request or field errors)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # An API token records its last use at most once a minute: take that write out first.
    warm = await client.post("/graphql", json=WARM_UP, headers=headers)
    assert warm.status_code == 200
    with count_statements(engine) as counter:
        response = await client.post("/graphql", json=body, headers=headers)
    answer = response.json()
    assert response.status_code == 200, answer
    assert "errors" not in answer, answer["errors"]
    assert answer["data"], answer
    return counter.count, answer["data"]


async def _count(client: Any, engine: Any, body: dict[str, Any], token: str | None) -> int:
    count, _ = await _send(client, engine, body, token)
    return count


async def _bench_shape(
    world: World, *, licenses: int, quotes: int, lines: int, orders: int
) -> None:
    await world.add_licenses(licenses)
    await world.add_quotes(quotes, lines=lines)
    await world.add_orders(orders)


async def _mobile_licenses(client: Any, engine: Any, token: str) -> int:
    """Sent as the app sends it: the hash alone, once the text was registered (APQ)."""
    query = request("MobileLicenses")["query"]
    assert isinstance(query, str)
    persisted = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}}
    headers = {"Authorization": f"Bearer {token}"}
    registered = await client.post("/graphql", json={**persisted, "query": query}, headers=headers)
    assert "errors" not in registered.json()
    return await _count(client, engine, {**persisted, "operationName": "MobileLicenses"}, token)


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(dict(licenses=1, quotes=1, lines=1, orders=1), id="tiny"),
        pytest.param(dict(licenses=20, quotes=10, lines=10, orders=10), id="bench"),
    ],
)
async def test_read_operations_pinned_at_every_size(
    client: Any, engine: Any, world: World, shape: dict[str, int]
) -> None:
    await _bench_shape(world, **shape)
    home = world.alice_token
    license_id = world.licenses[-1]  # issued by the last order: LicenseDetail lists the order
    quote_id = world.quotes[0]  # open, with `lines` lines
    counted = {
        "AccountHome": await _count(client, engine, request("AccountHome"), home),
        "LicenseDetail": await _count(
            client,
            engine,
            request("LicenseDetail", {"id": encode_id("License", license_id)}),
            home,
        ),
        "QuoteDetail": await _count(
            client, engine, request("QuoteDetail", {"id": encode_id("Quote", quote_id)}), home
        ),
        "MobileLicenses": await _mobile_licenses(client, engine, home),
        "ExpiringMaintenance": await _count(
            client,
            engine,
            request("ExpiringMaintenance", {"before": "2099-01-01"}),
            world.staff_token,
        ),
    }
    assert counted == {name: PINNED[name] for name in counted}


async def test_mobile_licenses_pinned_with_a_full_page(
    client: Any, engine: Any, world: World
) -> None:
    await world.add_licenses(60)  # as bench.fleet@example.com: 50 on the page, more after
    assert await _mobile_licenses(client, engine, world.alice_token) == PINNED["MobileLicenses"]


async def test_expiring_maintenance_pinned_with_100_rows(
    client: Any, engine: Any, world: World
) -> None:
    await world.add_licenses(120)
    body = request("ExpiringMaintenance", {"before": "2099-01-01"})
    count, data = await _send(client, engine, body, world.staff_token)
    assert len(data["licenses"]["edges"]) == 100
    assert count == PINNED["ExpiringMaintenance"]


async def test_set_quote_po_number_pinned(client: Any, engine: Any, world: World) -> None:
    (quote_id,) = await world.add_quotes(1)
    for attempt in range(2):  # each write on the version the previous one left
        async with engine.connect() as conn:
            version = await conn.scalar(select(Quote.version).where(Quote.id == quote_id))
        body = request(
            "SetQuotePoNumber",
            {
                "id": encode_id("Quote", quote_id),
                "poNumber": f"PO-{attempt}",
                "expectedVersion": version,
            },
        )
        count, data = await _send(client, engine, body, world.alice_token)
        payload = data["quoteSetPoNumber"]
        assert payload["userErrors"] == []
        assert payload["quote"] == {
            "id": encode_id("Quote", quote_id),
            "poNumber": f"PO-{attempt}",
            "version": version + 1,
        }
        assert count == PINNED["SetQuotePoNumber"]


async def test_log_in_pinned(client: Any, engine: Any, world: World) -> None:
    await f.account(
        engine, "carol@example.com", name="Carol", password_hash=hash_password(PASSWORD)
    )
    body = request("LogIn", {"email": "carol@example.com", "password": PASSWORD})
    count, data = await _send(client, engine, body, None)
    assert data["logIn"]["userErrors"] == []
    assert data["logIn"]["accessToken"]
    assert count == PINNED["LogIn"]


async def test_a_cold_catalog_costs_4_statements(settings: Any, engine: Any, world: World) -> None:
    """With the catalog cache off (CONEX_CATALOG_CACHE_SECONDS=0), or on the request that
    finds it stale, the operations that show a product or a license status read the catalog:
    4 statements more, still constant in the rows."""
    await _bench_shape(world, licenses=20, quotes=10, lines=10, orders=10)
    app = create_app(settings.model_copy(update={"catalog_cache_seconds": 0}), engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        home = world.alice_token
        license_id = world.licenses[-1]
        counted = {
            "AccountHome": await _count(client, engine, request("AccountHome"), home),
            "LicenseDetail": await _count(
                client,
                engine,
                request("LicenseDetail", {"id": encode_id("License", license_id)}),
                home,
            ),
            "MobileLicenses": await _mobile_licenses(client, engine, home),
        }
    assert counted == {name: PINNED[name] + CATALOG_STATEMENTS for name in counted}
