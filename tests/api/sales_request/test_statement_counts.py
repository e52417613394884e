"""No N+1 in the self-service reads (issue #14): the contract's sales request lists, and the
new license relations (``convertedTo``, ``billingAddress``), issue as many SQL statements for
1 row as for 30. Each number is pinned, as in ``tests/api/read/test_statement_counts.py``."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import insert, update

from db.models import BillingAddress, License, SalesRequest
from gateway.domain.enums import Deployment, LicenseType, SalesRequestKind, SalesRequestStatus, Tier
from tests.api.world import World, gid
from tests.helpers import count_statements
from tests.selfservice_contract import request

WARM_UP = {"query": "{ viewer { kind } products { id } }"}
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
_numbers = itertools.count(1)

# Statements per request: 1 to authenticate, then one per loader batch, page or count.
EXPECTED = {
    # token, account, sales requests page + count
    "MySalesRequests": 4,
    # token, page + count, the requests' accounts, licenses and quotes
    "OpenSalesRequests": 6,
    # token, the license, what converted it
    "EvaluationOutcome": 3,
    # token, licenses page, what converted them, their billing addresses
    "LicenseRelations": 4,
}
LICENSE_RELATIONS = """{
  licenses(first: 50) {
    edges { node { status convertedTo { sen licenseKey } billingAddress { city } } }
  }
}"""


async def statements_for(client: Any, world: World, body: dict[str, Any], token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.post("/graphql", json=WARM_UP, headers=headers)).status_code == 200
    with count_statements(world.engine) as counter:
        response = await client.post("/graphql", json=body, headers=headers)
    answer = response.json()
    assert response.status_code == 200 and "errors" not in answer, answer
    return counter.count


async def add_requests(world: World, count: int, *, account: int) -> None:
    rows = []
    for n in range(count):
        license_id = await world.license(billing=account)
        quote_id = await world.quote(billing=account)
        rows.append(
            dict(
                number=f"SR-{next(_numbers):06d}",
                kind=SalesRequestKind.OTHER,
                status=SalesRequestStatus.OPEN,
                account_id=account,
                license_id=license_id if n % 2 == 0 else None,
                quote_id=quote_id if n % 3 == 0 else None,
                message="Please call me back.",
                created_at=NOW,
            )
        )
    async with world.engine.begin() as conn:
        await conn.execute(insert(SalesRequest), rows)


async def add_converted(world: World, count: int) -> list[int]:
    """``count`` Cloud evaluations converted by paid subscriptions with billing addresses."""
    evaluations = []
    for n in range(count):
        paid = await world.license(Deployment.CLOUD, deployment_entity=f"Site {n}")
        evaluation = await world.license(
            Deployment.CLOUD,
            deployment_entity=f"Site {n}",
            tier=Tier.ENTERPRISE,
            license_type=LicenseType.EVALUATION,
            maintenance_starts_on=None,
            maintenance_ends_on=None,
            evaluation_ends_on=NOW.date(),
            license_key=None,
        )
        async with world.engine.begin() as conn:
            await conn.execute(
                update(License)
                .where(License.id == evaluation)
                .values(converted_to_id=paid, converted_at=NOW)
            )
            await conn.execute(
                insert(BillingAddress).values(
                    license_id=paid, line1="1 Main St", city="Oran", country="DZ", created_at=NOW
                )
            )
        evaluations.append(evaluation)
    return evaluations


async def test_my_sales_requests_constant_in_requests(client: Any, world: World) -> None:
    await add_requests(world, 1, account=world.alice)
    body = request("MySalesRequests")
    small = await statements_for(client, world, body, world.alice_token)
    await add_requests(world, 29, account=world.alice)
    large = await statements_for(client, world, body, world.alice_token)
    assert small == large == EXPECTED["MySalesRequests"]


async def test_open_sales_requests_constant_in_requests(client: Any, world: World) -> None:
    await add_requests(world, 1, account=world.alice)
    body = request("OpenSalesRequests")
    small = await statements_for(client, world, body, world.staff_token)
    await add_requests(world, 15, account=world.alice)
    await add_requests(world, 14, account=world.bob)
    large = await statements_for(client, world, body, world.staff_token)
    assert small == large == EXPECTED["OpenSalesRequests"]


async def test_evaluation_outcome(client: Any, world: World) -> None:
    (evaluation,) = await add_converted(world, 1)
    body = request("EvaluationOutcome", {"id": gid("License", evaluation)})
    count = await statements_for(client, world, body, world.alice_token)
    assert count == EXPECTED["EvaluationOutcome"]


async def test_converted_to_and_billing_address_are_batched(client: Any, world: World) -> None:
    await add_converted(world, 1)
    body = {"query": LICENSE_RELATIONS}
    small = await statements_for(client, world, body, world.alice_token)
    await add_converted(world, 20)
    large = await statements_for(client, world, body, world.alice_token)
    assert small == large == EXPECTED["LicenseRelations"]
