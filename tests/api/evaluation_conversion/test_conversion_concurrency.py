"""Two quotes converting one evaluation, paid online at the same moment (R-EVAL-5, R-LIC-1).

Exactly one converts it; the other payment, charged by the processor, is refused when its
order would be issued (the evaluation is locked and checked again there) and refunded in
full: its quote stays open, no order, no second license on the deployment, no half state.
PostgreSQL only: the evaluation's row lock is what orders them; SQLite has one writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from db.engine import create_engine
from db.models import License, Order, Payment, Quote
from gateway.app import create_app
from gateway.domain.enums import LicenseType, PaymentStatus, QuoteStatus
from gateway.settings import Settings
from tests.api.client import ok, send
from tests.api.evaluation_conversion.support import converting_line, evaluation, quote_input
from tests.api.world import World, build_world, gid, one, rows
from tests.conftest import POSTGRES_URL, TEST_SECRET_KEY, truncate_postgres

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs CONEX_TEST_DATABASE_URL"),
]
ROUNDS = 4
PAY = "quotePay"


@pytest.fixture
async def pg(postgres_database: str, tmp_path: Path) -> AsyncIterator[tuple[Any, World]]:
    """Its own engine, with a pool large enough that both payments really run at once."""
    await truncate_postgres(postgres_database)
    engine = create_engine(postgres_database, pool_size=12, pool_timeout=30)
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


async def quote_converting(client: Any, world: World, eval_id: int, tier: str) -> dict[str, Any]:
    variables = {"input": quote_input(converting_line(world, eval_id, tier=tier))}
    body = await send(client, "CreateQuote", variables, world.alice_token)
    quote: dict[str, Any] = ok(body, "quoteCreate")["quote"]
    return quote


async def pay_online(client: Any, world: World, quote: dict[str, Any]) -> dict[str, Any]:
    variables = {
        "input": {
            "quoteId": quote["id"],
            "expectedVersion": quote["version"],
            "paymentToken": "pm_card_visa",
        }
    }
    body = await send(client, "PayQuote", variables, world.alice_token)
    result: dict[str, Any] = body["data"][PAY]
    return result


async def test_r_eval_5_concurrent_online_payments_convert_the_evaluation_once(
    pg: tuple[Any, World],
) -> None:
    client, world = pg
    for attempt in range(ROUNDS):
        eval_id = await evaluation(world)
        quotes = [
            await quote_converting(client, world, eval_id, tier)
            for tier in ("PROFESSIONAL", "EXPRESS")
        ]
        answers = await asyncio.gather(*(pay_online(client, world, q) for q in quotes))
        outcomes = sorted("paid" if a["order"] else a["userErrors"][0]["code"] for a in answers)
        assert outcomes == ["NOT_CONVERTIBLE", "paid"], (attempt, answers)
        (won, answer) = next((q, a) for q, a in zip(quotes, answers, strict=True) if a["order"])
        (lost,) = [q for q in quotes if q is not won]
        # The evaluation converted to the winner's license, once; its key withdrawn.
        converted = await one(world.engine, License, eval_id)
        (bought,) = answer["order"]["licenses"]
        assert gid("License", converted.converted_to_id or 0) == bought["id"]
        assert converted.license_key is None
        # The loser: open again, no order, its payment failed and refunded, nothing half-done.
        lost_pk = next(
            q.id for q in await rows(world.engine, Quote) if gid("Quote", q.id) == lost["id"]
        )
        assert (await one(world.engine, Quote, lost_pk)).status == QuoteStatus.OPEN
        assert await rows(world.engine, Order, Order.quote_id == lost_pk) == []
        (refused,) = await rows(world.engine, Payment, Payment.quote_id == lost_pk)
        assert refused.status == PaymentStatus.FAILED and refused.order_id is None
        assert refused.refund_id is not None and refused.refunded_at is not None
    # One deployment keeps one license: one paid license per evaluation, none twice.
    paid = await rows(world.engine, License, License.license_type != LicenseType.EVALUATION)
    assert len([p for p in paid if p.deployment_entity == "Main Campus"]) == ROUNDS
