"""cloudSubscriptionUpdateCard (UpdateCloudCard): R-ACC-6."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from db.models import AuditEvent, License, OutgoingMail
from gateway.domain.dates import add_months
from gateway.domain.enums import Currency, Deployment, LicenseType, Tier
from tests import factories as f
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, one, rows, today

FIELD = "cloudSubscriptionUpdateCard"


async def cloud(world: World, **values: Any) -> int:
    defaults: dict[str, Any] = dict(
        card_brand="visa", card_last4="4242", card_token="tok_visa_4242", past_due=False
    )
    return await world.license(Deployment.CLOUD, **{**defaults, **values})


async def past_due(world: World, **values: Any) -> int:
    ended = today() - dt.timedelta(days=10)
    return await cloud(
        world,
        past_due=True,
        maintenance_starts_on=add_months(ended, -12),
        maintenance_ends_on=ended,
        **values,
    )


async def update(client: Any, token: str | None, license_id: str, payment_token: str) -> Any:
    variables = {"licenseId": license_id, "paymentToken": payment_token}
    return await send(client, "UpdateCloudCard", variables, token)


async def test_r_acc_6_site_admin_changes_the_card_charged_next_billing_date(
    client: Any, world: World
) -> None:
    pk = await cloud(world)
    before = await one(world.engine, License, pk)
    body = await update(client, world.alice_token, gid("License", pk), "tok_mastercard_4444")
    license = ok(body, FIELD)["license"]
    assert license == {
        "id": gid("License", pk),
        "pastDue": False,
        "paymentCard": {"brand": "mastercard", "last4": "4444"},
    }
    row = await one(world.engine, License, pk)
    assert (row.card_token, row.card_brand, row.card_last4) == (
        "tok_mastercard_4444",
        "mastercard",
        "4444",
    )
    assert row.maintenance_ends_on == before.maintenance_ends_on  # nothing charged now
    (event,) = await audit_events(world.engine, "cloudSubscriptionUpdateCard")
    assert changes(event) == {
        "paymentCard": ("visa ending 4242", "mastercard ending 4444"),
    }


async def test_r_sec_3_card_token_never_in_audit_or_mail(client: Any, world: World) -> None:
    pk = await past_due(world)
    ok(await update(client, world.alice_token, gid("License", pk), "tok_amex_0005"), FIELD)
    for event in await rows(world.engine, AuditEvent):
        assert "tok_" not in json.dumps(event.changes)
    for mail in await rows(world.engine, OutgoingMail):
        assert "tok_" not in mail.body


async def test_r_acc_6_past_due_subscription_is_charged_when_the_card_changes(
    client: Any, world: World
) -> None:
    pk = await past_due(world)
    before = await one(world.engine, License, pk)
    body = await update(client, world.alice_token, gid("License", pk), "tok_visa_1881")
    assert ok(body, FIELD)["license"]["pastDue"] is False
    row = await one(world.engine, License, pk)
    assert row.past_due is False
    # R-MAINT-4: the paid term starts where the unpaid one ended.
    assert row.maintenance_ends_on == add_months(before.maintenance_ends_on, 12)
    assert row.maintenance_starts_on == before.maintenance_starts_on
    (event,) = await audit_events(world.engine, "cloudSubscriptionUpdateCard")
    # Cloud Professional RENEWAL in EUR: 1200.00, no promotion on a Cloud renewal (R-PRICE-1).
    assert changes(event)["charged"] == (None, "1200.00 EUR")
    assert changes(event)["pastDue"] == (True, False)


@pytest.mark.parametrize(
    ("currency", "academic", "charged"),
    [
        (Currency.USD, False, "1320.00 USD"),
        (Currency.EUR, True, "1140.00 EUR"),  # R-PRICE-2: 5% off Cloud for academics
        (Currency.DZD, False, "180888.60 DZD"),  # R-CUR-3: 1200 × 146.35 × 1.03
    ],
)
async def test_r_acc_6_charge_is_the_renewal_price_in_the_purchase_currency(
    client: Any, world: World, currency: Currency, academic: bool, charged: str
) -> None:
    organization = await f.organization(world.engine, academic=academic, country="DZ")
    pk = await past_due(
        world,
        purchase_currency=currency,
        organization_id=organization,
        license_type=LicenseType.ACADEMIC if academic else LicenseType.COMMERCIAL,
        tier=Tier.PROFESSIONAL,
    )
    ok(await update(client, world.alice_token, gid("License", pk), "tok_visa_4242"), FIELD)
    (event,) = await audit_events(world.engine, "cloudSubscriptionUpdateCard")
    assert changes(event)["charged"] == (None, charged)


@pytest.mark.parametrize(
    "token",
    ["", "tok_discover_1234", "tok_visa_42", "tok_visa_4242 ", "4242424242424242", "x" * 10_000],
)
async def test_r_acc_6_bad_token_is_declined_and_changes_nothing(
    client: Any, world: World, token: str
) -> None:
    pk = await past_due(world)
    before = await dump(world.engine)
    body = await update(client, world.alice_token, gid("License", pk), token)
    assert user_errors(body, FIELD) == [(["input", "paymentToken"], "PAYMENT_DECLINED")]
    assert await dump(world.engine) == before


async def test_r_acc_6_declined_charge_keeps_the_old_card_and_past_due(
    client: Any, world: World
) -> None:
    pk = await past_due(world)
    before = await dump(world.engine)
    body = await update(client, world.alice_token, gid("License", pk), "tok_visa_0002")
    assert user_errors(body, FIELD) == [(["input", "paymentToken"], "PAYMENT_DECLINED")]
    assert await dump(world.engine) == before


async def test_r_acc_6_server_license_is_not_cloud(client: Any, world: World) -> None:
    pk = await world.license(Deployment.SERVER)
    before = await dump(world.engine)
    body = await update(client, world.alice_token, gid("License", pk), "tok_visa_4242")
    assert user_errors(body, FIELD) == [(["input", "licenseId"], "NOT_CLOUD")]
    assert await dump(world.engine) == before


async def test_r_acc_6_cloud_evaluation_has_no_card(client: Any, world: World) -> None:
    pk = await world.license(
        Deployment.CLOUD,
        license_type=LicenseType.EVALUATION,
        tier=Tier.ENTERPRISE,
        evaluation_ends_on=today() + dt.timedelta(days=5),
        maintenance_starts_on=None,
        maintenance_ends_on=None,
    )
    before = await dump(world.engine)
    body = await update(client, world.alice_token, gid("License", pk), "tok_visa_4242")
    assert user_errors(body, FIELD) == [(["input", "licenseId"], "INVALID")]
    assert await dump(world.engine) == before


async def test_r_acc_6_staff_may_change_the_card(client: Any, world: World) -> None:
    pk = await cloud(world)
    body = await update(client, world.staff_token, gid("License", pk), "tok_amex_0005")
    assert ok(body, FIELD)["license"]["paymentCard"] == {"brand": "amex", "last4": "0005"}


async def test_r_acc_6_technical_contact_is_a_site_admin_too(client: Any, world: World) -> None:
    pk = await cloud(world, billing=world.bob, technical=world.alice)
    ok(await update(client, world.alice_token, gid("License", pk), "tok_amex_0005"), FIELD)


async def test_r_quote_6_unrelated_customer_gets_not_found(client: Any, world: World) -> None:
    pk = await cloud(world)
    before = await dump(world.engine)
    for license_id in (gid("License", pk), gid("License", pk + 99), gid("Order", pk), "?"):
        body = await update(client, world.bob_token, license_id, "tok_visa_4242")
        assert user_errors(body, FIELD) == [(["input", "licenseId"], "NOT_FOUND")]
    assert await dump(world.engine) == before


async def test_r_acc_6_partners_never_handle_cards(client: Any, world: World) -> None:
    pk = await cloud(world, partner_id=world.partner)
    before = await dump(world.engine)
    body = await update(client, world.partner_tokens["ALL"], gid("License", pk), "tok_visa_4242")
    assert request_error(body) == "FORBIDDEN"
    assert await dump(world.engine) == before


async def test_r_acc_6_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    pk = await cloud(world)
    before = await dump(world.engine)
    body = await update(client, None, gid("License", pk), "tok_visa_4242")
    assert request_error(body) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before
