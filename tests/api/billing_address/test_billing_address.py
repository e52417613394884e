"""cloudSubscriptionUpdateBillingAddress (UpdateCloudBillingAddress), License.billingAddress and
the invoices that print it: R-ACC-8."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from db.models import BillingAddress, OutgoingMail
from gateway.domain.enums import Deployment, LicenseType, Tier
from tests import factories as f
from tests.api.client import Answer, ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, mail_to, rows, today
from tests.pdftext import pdf_text

FIELD = "cloudSubscriptionUpdateBillingAddress"
ADDRESS = {
    "line1": " 2 rue Didouche Mourad ",
    "line2": "",
    "city": "Alger",
    "postalCode": "16000",
    "region": None,
    "country": "dz",
}


async def update(client: Any, token: str | None, license_id: int, **address: Any) -> Answer:
    variables = {"licenseId": gid("License", license_id), "address": {**ADDRESS, **address}}
    return await send(client, "UpdateCloudBillingAddress", variables, token)


async def cloud(world: World, **values: Any) -> int:
    return await world.license(Deployment.CLOUD, card_brand="visa", card_last4="4242", **values)


async def test_r_acc_8_a_contact_changes_the_billing_address(client: Any, world: World) -> None:
    license_id = await cloud(world, technical=world.bob)
    license = ok(await update(client, world.alice_token, license_id), FIELD)["license"]
    assert license == {
        "id": gid("License", license_id),
        "billingAddress": {
            "line1": "2 rue Didouche Mourad",
            "line2": None,
            "city": "Alger",
            "postalCode": "16000",
            "region": None,
            "country": "DZ",
        },
    }
    (event,) = await audit_events(world.engine, FIELD)
    assert (event.entity_type, event.entity_id) == ("License", license_id)
    assert changes(event) == {"billingAddress": (None, "2 rue Didouche Mourad, 16000 Alger, DZ")}
    for email in ("alice@example.com", "bob@example.com"):  # both contacts are told
        (mail,) = await mail_to(world.engine, email)
        assert mail.template == "cloud_billing_address_updated"
        assert "16000 Alger" in mail.body
    # Bob, the technical contact, changes it again: the newest is the address; both are kept.
    again = await update(client, world.bob_token, license_id, line1="5 rue Larbi Ben M'hidi")
    assert ok(again, FIELD)["license"]["billingAddress"]["line1"] == "5 rue Larbi Ben M'hidi"
    assert len(await rows(world.engine, BillingAddress)) == 2
    second = (await audit_events(world.engine, FIELD))[1]
    assert changes(second)["billingAddress"][0] == "2 rue Didouche Mourad, 16000 Alger, DZ"


async def test_r_acc_8_only_a_paid_cloud_subscription_has_one(client: Any, world: World) -> None:
    server = await world.license()
    evaluation = await world.license(
        Deployment.CLOUD,
        tier=Tier.ENTERPRISE,
        license_type=LicenseType.EVALUATION,
        maintenance_starts_on=None,
        maintenance_ends_on=None,
        evaluation_ends_on=today() + dt.timedelta(days=4),
    )
    snapshot = await dump(world.engine)
    refused = await update(client, world.alice_token, server)
    assert user_errors(refused, FIELD) == [(["input", "licenseId"], "NOT_CLOUD")]
    refused = await update(client, world.alice_token, evaluation)
    assert user_errors(refused, FIELD) == [(["input", "licenseId"], "INVALID")]
    assert await dump(world.engine) == snapshot


async def test_r_acc_8_only_its_contacts_and_staff(client: Any, world: World) -> None:
    license_id = await cloud(world, partner_id=world.partner)
    snapshot = await dump(world.engine)
    refused = await update(client, world.bob_token, license_id)
    assert user_errors(refused, FIELD) == [(["input", "licenseId"], "NOT_FOUND")]
    assert request_error(await update(client, None, license_id)) == "UNAUTHENTICATED"
    partner = await update(client, world.partner_tokens["ALL"], license_id)
    assert request_error(partner) == "FORBIDDEN"
    assert await dump(world.engine) == snapshot
    ok(await update(client, world.staff_token, license_id), FIELD)
    # The address is shown to the contacts and staff, not to the reselling partner.
    query = "query($id: ID!) { node(id: $id) { ... on License { billingAddress { city } } } }"

    async def seen(token: str) -> Any:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": {"id": gid("License", license_id)}},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.json()["data"]["node"]

    assert await seen(world.alice_token) == {"billingAddress": {"city": "Alger"}}
    assert await seen(world.staff_token) == {"billingAddress": {"city": "Alger"}}
    assert await seen(world.partner_tokens["LICENSES_READ"]) == {"billingAddress": None}


async def test_r_acc_8_every_bad_field_at_once(client: Any, world: World) -> None:
    license_id = await cloud(world)
    snapshot = await dump(world.engine)
    refused = await update(
        client, world.alice_token, license_id, line1=" ", city="x" * 101, country="XX"
    )
    assert user_errors(refused, FIELD) == [
        (["input", "address", "line1"], "REQUIRED"),
        (["input", "address", "city"], "TOO_LONG"),
        (["input", "address", "country"], "INVALID"),
    ]
    assert await dump(world.engine) == snapshot
    assert await rows(world.engine, OutgoingMail) == []


async def invoice_text(client: Any, world: World, order_id: int) -> str:
    query = "query($id: ID!) { node(id: $id) { ... on Order { pdfUrl } } }"
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {"id": gid("Order", order_id)}},
        headers={"Authorization": f"Bearer {world.alice_token}"},
    )
    parts = urlsplit(response.json()["data"]["node"]["pdfUrl"])
    pdf = await client.get(f"{parts.path}?{parts.query}")
    assert pdf.status_code == 200
    return " ".join(pdf_text(pdf.content).split())


async def test_r_acc_8_later_invoices_print_the_address(client: Any, world: World) -> None:
    """An invoice prints the address the subscription had when it was paid: not on one paid
    before the change, on every one paid after."""
    license_id = await cloud(world)
    now = dt.datetime.now(dt.UTC)

    async def order(paid_at: dt.datetime) -> int:
        quote = await world.quote(lines=[world.line(Deployment.CLOUD)])
        return await f.order(
            world.engine,
            quote_id=quote,
            organization_id=world.organization,
            billing=world.alice,
            license_ids=[license_id],
            paid_at=paid_at,
        )

    earlier = await order(now - dt.timedelta(days=30))
    ok(await update(client, world.alice_token, license_id), FIELD)
    later = await order(now + dt.timedelta(seconds=5))
    assert "Billing address 2 rue Didouche Mourad, 16000 Alger, DZ" in await invoice_text(
        client, world, later
    )
    assert "Billing address" not in await invoice_text(client, world, earlier)
