"""Two payments of one quote at the same moment: exactly one order (R-QUOTE-2).

PostgreSQL only: the quote row lock is what serialises them there. SQLite has a single
writer and no row locks (the guarded UPDATE is its safeguard), so racing it tests nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from db.models import License, Order, Quote
from gateway.domain.enums import QuoteStatus
from tests.api.client import send
from tests.api.order.test_quote_record_payment import line, quote_of
from tests.api.world import World, gid, rows

FIELD = "quoteRecordPayment"


async def test_r_quote_2_concurrent_payments_make_exactly_one_order(
    client: Any, world: World, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL only (CONEX_TEST_DATABASE_URL)")
    for attempt in range(5):
        quote = await quote_of(world, line(world, quantity=3, total="11520.00"))
        variables = {
            "input": {"quoteId": gid("Quote", quote), "method": "CARD", "amount": "11520.00"}
        }
        bodies = await asyncio.gather(
            *(send(client, "RecordPayment", variables, world.staff_token) for _ in range(2))
        )
        results = sorted(
            "ok" if body["data"][FIELD]["order"] else body["data"][FIELD]["userErrors"][0]["code"]
            for body in bodies
        )
        assert results == ["QUOTE_NOT_OPEN", "ok"], (attempt, bodies)
        orders = await rows(world.engine, Order, Order.quote_id == quote)
        assert len(orders) == 1
        (paid,) = await rows(world.engine, Quote, Quote.id == quote)
        assert paid.status == QuoteStatus.PAID
    # 5 payments of 3 licenses each: no license was issued twice.
    assert len(await rows(world.engine, License)) == 15
