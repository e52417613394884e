"""evaluationStart (StartEvaluation): R-EVAL-1..3."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from db.models import License, Organization
from gateway.domain.enums import Deployment
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, mail_to, one, rows, today

FIELD = "evaluationStart"


def evaluation(product: str, **overrides: Any) -> dict[str, Any]:
    return {
        "input": {
            "product": product,
            "organization": {"name": "Médiathèque de Tlemcen", "country": "dz"},
            "deploymentEntity": "Reading room",
            **overrides,
        }
    }


async def start(client: Any, token: str | None, variables: dict[str, Any]) -> Any:
    return await send(client, "StartEvaluation", variables, token)


async def test_r_eval_1_r_eval_2_server_evaluation_for_10_days_at_enterprise(
    client: Any, world: World
) -> None:
    product = gid("Product", world.products[Deployment.SERVER])
    license = ok(await start(client, world.alice_token, evaluation(product)), FIELD)["license"]
    assert license["status"] == "EVALUATION"
    assert license["tier"] == "ENTERPRISE"
    assert license["licenseType"] == "EVALUATION"
    assert license["evaluationEndsOn"] == (today() + dt.timedelta(days=10)).isoformat()
    assert license["backupsIncluded"] is None  # not Cloud
    assert license["licenseKey"]  # evaluation keys are given at once, to the contact
    assert license["sen"] == "SEN-L5000000"  # from the gap-free sequence

    (row,) = await rows(world.engine, License, License.sen == license["sen"])
    assert (row.billing_account_id, row.technical_account_id) == (world.alice, world.alice)
    assert row.maintenance_starts_on is None and row.maintenance_ends_on is None
    assert row.purchased_on is None and row.purchase_amount is None
    assert row.deployment_entity == "Reading room"
    organization = await one(world.engine, Organization, row.organization_id)
    assert (organization.name, organization.country, organization.academic) == (
        "Médiathèque de Tlemcen",
        "DZ",
        False,
    )
    events = await audit_events(world.engine, "evaluationStart")
    assert {(e.entity_type, e.entity_id) for e in events} == {
        ("License", row.id),
        ("Organization", organization.id),
    }
    (license_event,) = [e for e in events if e.entity_type == "License"]
    assert changes(license_event)["tier"] == (None, "ENTERPRISE")
    assert "licenseKey" not in changes(license_event)
    (mail,) = await mail_to(world.engine, "alice@example.com")
    assert row.license_key not in mail.body


async def test_r_eval_3_cloud_evaluation_has_no_backups(client: Any, world: World) -> None:
    product = gid("Product", world.products[Deployment.CLOUD])
    license = ok(await start(client, world.alice_token, evaluation(product)), FIELD)["license"]
    assert license["backupsIncluded"] is False
    assert license["tier"] == "ENTERPRISE"
    assert license["status"] == "EVALUATION"


async def test_r_eval_1_data_center_is_not_evaluated_self_service(
    client: Any, world: World
) -> None:
    product = gid("Product", world.products[Deployment.DATA_CENTER])
    before = await dump(world.engine)
    body = await start(client, world.alice_token, evaluation(product))
    assert user_errors(body, FIELD) == [(["input", "product"], "INVALID")]
    assert await dump(world.engine) == before


async def test_r_sec_3_evaluation_key_only_for_its_contacts(client: Any, world: World) -> None:
    product = gid("Product", world.products[Deployment.SERVER])
    license = ok(await start(client, world.alice_token, evaluation(product)), FIELD)["license"]
    query = "query($id: ID!) { node(id: $id) { ... on License { sen licenseKey } } }"

    staff = await send(
        client, query=query, variables={"id": license["id"]}, token=world.staff_token
    )
    assert staff["data"]["node"] == {"sen": license["sen"], "licenseKey": None}
    bob = await send(client, query=query, variables={"id": license["id"]}, token=world.bob_token)
    assert bob["data"]["node"] is None


@pytest.mark.parametrize(
    "product",
    ["", "nonsense", "x" * 10_000, gid("Product", 999), gid("License", 1)],
)
async def test_r_eval_1_unknown_product_is_not_found(
    client: Any, world: World, product: str
) -> None:
    before = await dump(world.engine)
    body = await start(client, world.alice_token, evaluation(product))
    assert user_errors(body, FIELD) == [(["input", "product"], "NOT_FOUND")]
    assert await dump(world.engine) == before


LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"deploymentEntity": ""}, [(["input", "deploymentEntity"], "REQUIRED")]),
        ({"deploymentEntity": LONG}, [(["input", "deploymentEntity"], "TOO_LONG")]),
        (
            {"organization": {"name": "", "country": "FR"}},
            [(["input", "organization", "name"], "REQUIRED")],
        ),
        (
            {"organization": {"name": LONG, "country": "FR"}},
            [(["input", "organization", "name"], "TOO_LONG")],
        ),
        (
            {"organization": {"name": "L", "country": "ZZ"}},
            [(["input", "organization", "country"], "INVALID")],
        ),
        (
            {"organization": {"name": "\u0007", "country": LONG}, "deploymentEntity": " "},
            [
                (["input", "organization", "name"], "INVALID"),
                (["input", "organization", "country"], "INVALID"),
                (["input", "deploymentEntity"], "REQUIRED"),
            ],
        ),
    ],
)
async def test_r_eval_1_bad_input_changes_nothing(
    client: Any, world: World, overrides: dict[str, Any], expected: Any
) -> None:
    product = gid("Product", world.products[Deployment.SERVER])
    before = await dump(world.engine)
    body = await start(client, world.alice_token, evaluation(product, **overrides))
    assert user_errors(body, FIELD) == expected
    assert await dump(world.engine) == before


async def test_r_eval_1_wrong_types_are_request_errors(client: Any, world: World) -> None:
    product = gid("Product", world.products[Deployment.SERVER])
    before = await dump(world.engine)
    body = await start(
        client, world.alice_token, evaluation(product, organization={"name": "L", "country": 7})
    )
    assert body.get("errors") and body.get("data") is None
    assert await dump(world.engine) == before


async def test_r_eval_1_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    product = gid("Product", world.products[Deployment.SERVER])
    before = await dump(world.engine)
    assert request_error(await start(client, None, evaluation(product))) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before


@pytest.mark.parametrize("who", ["staff", "partner"])
async def test_r_eval_1_only_customers_start_evaluations(
    client: Any, world: World, who: str
) -> None:
    token = world.staff_token if who == "staff" else world.partner_tokens["ALL"]
    product = gid("Product", world.products[Deployment.SERVER])
    before = await dump(world.engine)
    assert request_error(await start(client, token, evaluation(product))) == "FORBIDDEN"
    assert await dump(world.engine) == before
