"""upgradeQuoteRequest: R-MAINT-8 (access), R-UPG-1 (upward), R-UPG-3 (price), R-MAINT-3."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from db.models import License, Quote, QuoteLine
from gateway.domain.enums import Currency, Deployment, LicenseType, Tier
from tests import factories as f
from tests.api.client import Answer, ok, send, user_errors
from tests.api.quote.support import snapshot
from tests.api.quote.test_renewal import SECRET
from tests.api.world import World, audit_events, mail_to, one, rows, today

D = Decimal


async def upgrade(
    client: Any,
    token: str | None,
    sen: str,
    to_tier: str = "ENTERPRISE",
    email: str = "alice@example.com",
    **more: Any,
) -> Answer:
    variables = {"input": {"sen": sen, "contactEmail": email, "toTier": to_tier, **more}}
    return await send(client, "RequestUpgrade", variables, token)


async def bought(world: World, days_ago: int, **values: Any) -> str:
    """A Server Professional license bought ``days_ago`` for 3840 EUR."""
    purchased = today() - dt.timedelta(days=days_ago)
    license_id = await world.license(
        purchased_on=purchased,
        maintenance_starts_on=purchased,
        maintenance_ends_on=purchased + dt.timedelta(days=365),
        **values,
    )
    return str((await one(world.engine, License, license_id)).sen)


async def test_r_maint_8_anonymous_upgrade_request_mails_the_contacts(
    client: Any, world: World
) -> None:
    sen = await bought(world, 100, technical=world.bob)
    body = await upgrade(client, None, sen, email="bob@example.com")
    assert body["data"]["upgradeQuoteRequest"] == {"quote": None, "userErrors": []}
    (quote,) = await rows(world.engine, Quote)
    for address in ("alice@example.com", "bob@example.com"):
        (mail,) = await mail_to(world.engine, address)
        assert quote.number in mail.subject and mail.template == "upgrade_quote"
    (event,) = await audit_events(world.engine, "upgradeQuoteRequest")
    assert event.principal_kind == "ANONYMOUS"


async def test_r_maint_8_upgrade_refusals_reveal_nothing(client: Any, world: World) -> None:
    sen = await bought(world, 100)
    evaluation = await world.license(
        license_type=LicenseType.EVALUATION,
        tier=Tier.ENTERPRISE,
        evaluation_ends_on=today() + dt.timedelta(days=5),
    )
    evaluation_sen = str((await one(world.engine, License, evaluation)).sen)
    before = await snapshot(world.engine)
    answers = []
    for asked_sen, email in (
        (sen, "bob@example.com"),
        ("SEN-L9999999", "alice@example.com"),
        (evaluation_sen, "alice@example.com"),
    ):
        body = await upgrade(client, None, asked_sen, email=email)
        answers.append(body["data"])
    assert answers == [{"upgradeQuoteRequest": {"quote": None, "userErrors": SECRET}}] * 3
    assert await snapshot(world.engine) == before


# --- R-UPG-1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("to_tier", ["PROFESSIONAL", "EXPRESS", "STARTER"])
async def test_r_upg_1_same_or_lower_tier_refused(client: Any, world: World, to_tier: str) -> None:
    sen = await bought(world, 100)
    before = await snapshot(world.engine)
    body = await upgrade(client, world.alice_token, sen, to_tier)
    assert user_errors(body, "upgradeQuoteRequest") == [(["input", "toTier"], "UPGRADE_NOT_UPWARD")]
    assert await snapshot(world.engine) == before


async def test_r_upg_1_data_center_has_nothing_above_enterprise(client: Any, world: World) -> None:
    license_id = await world.license(Deployment.DATA_CENTER, tier=Tier.ENTERPRISE)
    sen = str((await one(world.engine, License, license_id)).sen)
    body = await upgrade(client, world.alice_token, sen)
    assert user_errors(body, "upgradeQuoteRequest") == [(["input", "toTier"], "UPGRADE_NOT_UPWARD")]


# --- R-UPG-3, R-MAINT-3 -----------------------------------------------------------------------


async def test_r_upg_3_within_30_days_full_credit_for_what_was_paid(
    client: Any, world: World
) -> None:
    sen = await bought(world, 30)  # the 30th day still counts
    quote = ok(await upgrade(client, world.alice_token, sen), "upgradeQuoteRequest")["quote"]
    assert quote["total"] == {"amount": "4608.00", "currency": "EUR"}  # (9600 − 3840) − 20%
    (line,) = await rows(world.engine, QuoteLine)
    assert line.unit_price == D("9600.00")
    assert [(d["kind"], d["amount"]) for d in line.discounts] == [
        ("UPGRADE_CREDIT", "3840.00"),
        ("PROMOTIONAL", "1152.00"),
    ]


async def test_r_upg_3_after_30_days_difference_of_list_prices(client: Any, world: World) -> None:
    sen = await bought(world, 31)
    quote = ok(await upgrade(client, world.alice_token, sen), "upgradeQuoteRequest")["quote"]
    assert quote["total"] == {"amount": "3840.00", "currency": "EUR"}  # (9600 − 4800) − 20%
    (line,) = await rows(world.engine, QuoteLine)
    assert line.unit_price == D("4800.00")
    assert [d["kind"] for d in line.discounts] == ["PROMOTIONAL"]


async def test_r_upg_3_credit_only_in_the_currency_that_was_paid(client: Any, world: World) -> None:
    sen = await bought(world, 5)
    body = await upgrade(client, world.alice_token, sen, currency="USD")
    quote = ok(body, "upgradeQuoteRequest")["quote"]
    assert quote["total"] == {"amount": "4224.00", "currency": "USD"}  # (10560 − 5280) − 20%


async def test_r_upg_3_academic_discount_after_promotion(client: Any, world: World) -> None:
    campus = await f.organization(world.engine, name="Campus", country="FR", academic=True)
    sen = await bought(world, 100, organization_id=campus, license_type=LicenseType.ACADEMIC)
    ok(await upgrade(client, None, sen, "ENTERPRISE"), "upgradeQuoteRequest")
    (line,) = await rows(world.engine, QuoteLine)
    assert [(d["kind"], d["amount"]) for d in line.discounts] == [
        ("PROMOTIONAL", "960.00"),
        ("ACADEMIC", "268.80"),
    ]


async def test_r_maint_3_upgrade_line_maintenance_starts_at_payment(
    client: Any, world: World
) -> None:
    sen = await bought(world, 100, tier=Tier.STARTER)
    quote = ok(await upgrade(client, world.alice_token, sen, "EXPRESS"), "upgradeQuoteRequest")[
        "quote"
    ]
    assert quote["lines"] == [
        {
            "kind": "UPGRADE",
            "tier": "EXPRESS",
            "maintenanceStartsOn": None,
            "maintenanceEndsOn": None,
            "license": {"sen": sen, "tier": "STARTER"},
        }
    ]
    (row,) = await rows(world.engine, Quote)
    assert row.currency == Currency.EUR and row.requires_sales_review is False


async def test_r_upg_2_one_upgrade_line_for_one_license(client: Any, world: World) -> None:
    sen = await bought(world, 100, tier=Tier.STARTER)
    ok(await upgrade(client, world.alice_token, sen, "PROFESSIONAL"), "upgradeQuoteRequest")
    (line,) = await rows(world.engine, QuoteLine)
    assert (line.kind, line.quantity, line.tier) == ("UPGRADE", 1, Tier.PROFESSIONAL)
    assert line.deployment_entity == "Central Library"  # R-LIC-1: the same deployment


async def test_r_cur_2_dzd_upgrade_refused_outside_algeria(client: Any, world: World) -> None:
    sen = await bought(world, 100)
    before = await snapshot(world.engine)
    body = await upgrade(client, world.alice_token, sen, currency="DZD")
    assert user_errors(body, "upgradeQuoteRequest") == [
        (["input", "currency"], "CURRENCY_NOT_ALLOWED")
    ]
    assert await snapshot(world.engine) == before
