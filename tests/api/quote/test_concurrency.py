"""Concurrent writes on PostgreSQL (R-QUOTE-7, gap-free numbers), through the ASGI app.

Runs only with ``CONEX_TEST_DATABASE_URL``: SQLite serialises writers on one file lock, so
only PostgreSQL shows what the versioned UPDATE and the counter row lock are worth.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from db.engine import create_engine
from db.models import Account, AuditEvent, OutgoingMail, Quote, QuoteLine
from gateway.app import create_app
from gateway.domain.enums import AccountStatus
from gateway.settings import Settings
from tests.api.client import Answer, send, user_errors
from tests.api.quote.support import create_input, line
from tests.api.world import World, build_world, gid, one, rows
from tests.conftest import POSTGRES_URL, TEST_SECRET_KEY, truncate_postgres

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs CONEX_TEST_DATABASE_URL"),
]
CONCURRENT = 20


@pytest.fixture
async def pg(postgres_database: str, tmp_path: Path) -> AsyncIterator[tuple[Any, World]]:
    """Its own engine, with a pool large enough that every request really runs at once."""
    await truncate_postgres(postgres_database)
    engine = create_engine(postgres_database, pool_size=2 * CONCURRENT + 5, pool_timeout=30)
    settings = Settings(
        env="dev",
        database_url=postgres_database,
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        redis_url=None,
    )
    world = await build_world(engine, settings.signing_key())
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client, world
    await engine.dispose()


async def _events(world: World, quote_id: int) -> int:
    async with world.engine.connect() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "Quote", AuditEvent.entity_id == quote_id)
        )
    return int(count or 0)


def _outcomes(bodies: list[Answer], field: str) -> list[str]:
    outcomes = []
    for body in bodies:
        errors = user_errors(body, field)
        outcomes.append("ok" if not errors else errors[0][1])
    return sorted(outcomes)


async def test_r_quote_7_concurrent_po_numbers_one_wins_the_rest_are_stale(
    pg: tuple[Any, World],
) -> None:
    client, world = pg
    quote_id = await world.quote(lines=[world.line()])
    bodies = await asyncio.gather(
        *(
            send(
                client,
                "SetQuotePoNumber",
                {"id": gid("Quote", quote_id), "poNumber": f"PO-{n}", "expectedVersion": 1},
                world.alice_token,
            )
            for n in range(CONCURRENT)
        )
    )
    assert _outcomes(bodies, "quoteSetPoNumber") == ["STALE_VERSION"] * (CONCURRENT - 1) + ["ok"]
    row = await one(world.engine, Quote, quote_id)
    assert row.version == 2
    winner = next(b for b in bodies if not b["data"]["quoteSetPoNumber"]["userErrors"])
    assert row.po_number == winner["data"]["quoteSetPoNumber"]["quote"]["poNumber"]
    assert await _events(world, quote_id) == 1


async def test_r_quote_7_concurrent_edits_one_wins_the_rest_are_stale(
    pg: tuple[Any, World],
) -> None:
    client, world = pg
    quote_id = await world.quote(lines=[world.line()])
    currencies = ["USD", "EUR"] * (CONCURRENT // 2)
    bodies = await asyncio.gather(
        *(
            send(
                client,
                "EditQuote",
                {
                    "id": gid("Quote", quote_id),
                    "expectedVersion": 1,
                    "input": {
                        "currency": currency,
                        "lines": [line(world, tier="STARTER", entity=f"Branch {n}")],
                    },
                },
                world.alice_token,
            )
            for n, currency in enumerate(currencies)
        )
    )
    assert _outcomes(bodies, "quoteUpdate") == ["STALE_VERSION"] * (CONCURRENT - 1) + ["ok"]
    row = await one(world.engine, Quote, quote_id)
    assert row.version == 2
    assert await _events(world, quote_id) == 1
    (only,) = await rows(world.engine, QuoteLine, QuoteLine.quote_id == quote_id)
    (winner,) = [n for n, b in enumerate(bodies) if not b["data"]["quoteUpdate"]["userErrors"]]
    assert only.deployment_entity == f"Branch {winner}"  # the winner's line, not a mix
    assert row.currency == currencies[winner]


async def test_concurrent_quote_creation_draws_unique_gap_free_numbers(
    pg: tuple[Any, World],
) -> None:
    client, world = pg
    bodies = await asyncio.gather(
        *(
            send(client, "CreateQuote", {"input": create_input(world)}, world.alice_token)
            for _ in range(CONCURRENT)
        )
    )
    numbers = sorted(b["data"]["quoteCreate"]["quote"]["number"] for b in bodies)
    assert numbers == [f"Q-{n:06d}" for n in range(500_000, 500_000 + CONCURRENT)]
    assert len(await rows(world.engine, Quote)) == CONCURRENT


async def test_concurrent_quotes_naming_one_new_contact_share_one_invited_account(
    pg: tuple[Any, World],
) -> None:
    """Every quote naming the same unknown email at once succeeds, and the email gets one
    invited account and one invitation: the losers of the insert find the winner's row."""
    client, world = pg
    bodies = await asyncio.gather(
        *(
            send(
                client,
                "CreateQuote",
                {"input": create_input(world, technicalContactEmail="New.Colleague@example.org")},
                world.alice_token,
            )
            for _ in range(CONCURRENT)
        )
    )
    assert _outcomes(bodies, "quoteCreate") == ["ok"] * CONCURRENT
    (invited,) = await rows(world.engine, Account, Account.email == "new.colleague@example.org")
    assert invited.status == AccountStatus.INVITED
    quotes = await rows(world.engine, Quote, Quote.technical_account_id == invited.id)
    assert len(quotes) == CONCURRENT
    invitations = await rows(
        world.engine,
        OutgoingMail,
        OutgoingMail.to_address == "new.colleague@example.org",
        OutgoingMail.template == "contact_invitation",
    )
    assert len(invitations) == 1
