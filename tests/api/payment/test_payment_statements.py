"""SQL statements of the payment reads: a payment's quote and order come through their
loaders, one statement per level however many payments (no N+1)."""

from __future__ import annotations

from typing import Any

from tests.api.client import ok
from tests.api.payment.support import (
    FIELD,
    PAYMENT_STATUS,
    RECENT_PAYMENTS,
    pay,
    post,
    quote_to_pay,
)
from tests.api.world import World, gid
from tests.helpers import count_statements

# token, the page, its count, the quotes of the page
RECENT_PAYMENTS_STATEMENTS = 4
# the session, the payment, its quote, its order
PAYMENT_STATUS_STATEMENTS = 4


async def _paid(client: Any, world: World, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        quote = await quote_to_pay(world, technical=world.alice)
        ids.append(ok(await pay(client, world.alice_token, quote), FIELD)["payment"]["id"])
    return ids


async def _statements(
    client: Any, world: World, query: str, variables: dict[str, Any], token: str
) -> int:
    await post(client, "{ viewer { kind } }", {}, token)  # the token's last use, recorded
    with count_statements(world.engine) as counter:
        body = await post(client, query, variables, token)
    assert "errors" not in body, body
    return counter.count


async def test_recent_payments_reads_quotes_in_one_batch(client: Any, world: World) -> None:
    await _paid(client, world, 2)
    few = await _statements(client, world, RECENT_PAYMENTS, {}, world.staff_token)
    await _paid(client, world, 5)
    many = await _statements(client, world, RECENT_PAYMENTS, {}, world.staff_token)
    assert few == many == RECENT_PAYMENTS_STATEMENTS


async def test_payment_status_is_four_statements(client: Any, world: World) -> None:
    (payment,) = await _paid(client, world, 1)
    count = await _statements(client, world, PAYMENT_STATUS, {"id": payment}, world.alice_token)
    assert count == PAYMENT_STATUS_STATEMENTS


async def test_nodes_of_many_payments_batch_their_quotes_and_orders(
    client: Any, world: World
) -> None:
    ids = await _paid(client, world, 4)
    query = (
        "query($ids: [ID!]!) { nodes(ids: $ids) "
        "{ ... on Payment { quote { number } order { number } } } }"
    )
    count = await _statements(client, world, query, {"ids": ids}, world.alice_token)
    assert count == PAYMENT_STATUS_STATEMENTS
    assert gid("Payment", 1) in ids
