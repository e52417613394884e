"""licenseAssign (AssignLicense): R-ACC-7, Consent to Assign."""

from __future__ import annotations

from typing import Any

import pytest

from db.models import License
from tests import factories as f
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, mail_to, one

FIELD = "licenseAssign"


async def assign(client: Any, token: str | None, license_id: str, organization_id: str) -> Any:
    variables = {"licenseId": license_id, "organizationId": organization_id}
    return await send(client, "AssignLicense", variables, token)


async def test_r_acc_7_staff_assign_a_license_to_another_organization(
    client: Any, world: World
) -> None:
    pk = await world.license()
    target = await f.organization(world.engine, name="Université Lyon 2")
    body = await assign(client, world.staff_token, gid("License", pk), gid("Organization", target))
    license = ok(body, FIELD)["license"]
    assert license["organization"] == {
        "id": gid("Organization", target),
        "name": "Université Lyon 2",
    }
    assert (await one(world.engine, License, pk)).organization_id == target
    (event,) = await audit_events(world.engine, "licenseAssign")
    assert (event.entity_type, event.entity_id, event.principal_kind) == ("License", pk, "STAFF")
    assert changes(event) == {
        "organization": (gid("Organization", world.organization), gid("Organization", target)),
        "organizationName": ("Bibliothèque de Lyon", "Université Lyon 2"),
    }
    assert len(await mail_to(world.engine, "alice@example.com")) == 1


async def test_r_acc_7_unknown_license_and_organization_are_not_found(
    client: Any, world: World
) -> None:
    pk = await world.license()
    before = await dump(world.engine)
    body = await assign(
        client, world.staff_token, gid("License", pk + 50), gid("Organization", 777)
    )
    assert user_errors(body, FIELD) == [
        (["input", "licenseId"], "NOT_FOUND"),
        (["input", "organizationId"], "NOT_FOUND"),
    ]
    body = await assign(client, world.staff_token, gid("Organization", pk), "x" * 10_000)
    assert user_errors(body, FIELD) == [
        (["input", "licenseId"], "NOT_FOUND"),
        (["input", "organizationId"], "NOT_FOUND"),
    ]
    body = await assign(
        client, world.staff_token, gid("License", pk), gid("Organization", world.organization + 9)
    )
    assert user_errors(body, FIELD) == [(["input", "organizationId"], "NOT_FOUND")]
    assert await dump(world.engine) == before


@pytest.mark.parametrize("who", ["contact", "partner"])
async def test_r_acc_7_staff_only(client: Any, world: World, who: str) -> None:
    pk = await world.license(partner_id=world.partner)
    target = await f.organization(world.engine, partner_id=world.partner)
    token = world.alice_token if who == "contact" else world.partner_tokens["ALL"]
    before = await dump(world.engine)
    body = await assign(client, token, gid("License", pk), gid("Organization", target))
    assert request_error(body) == "FORBIDDEN"
    assert await dump(world.engine) == before


async def test_r_acc_7_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    pk = await world.license()
    before = await dump(world.engine)
    body = await assign(client, None, gid("License", pk), gid("Organization", world.organization))
    assert request_error(body) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before
