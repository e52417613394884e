"""upgradeQuoteRequest with syncWithSens (FAQ Upgrading 5): R-MAINT-9."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.models import License, Quote
from gateway.domain.dates import add_months
from gateway.domain.enums import LicenseType, Tier
from tests.api.client import Answer, ok, send, user_errors
from tests.api.world import World, audit_events, changes, dump, one, rows, today

FIELD = "upgradeQuoteRequest"


async def sen_of(world: World, license_id: int) -> str:
    return str((await one(world.engine, License, license_id)).sen)


async def upgrade(
    client: Any,
    token: str | None,
    sen: str,
    sync: list[str] | None,
    email: str = "alice@example.com",
) -> Answer:
    variables: dict[str, Any] = {
        "input": {"sen": sen, "contactEmail": email, "toTier": "ENTERPRISE", "syncWithSens": sync}
    }
    return await send(client, "RequestUpgrade", variables, token)


async def test_r_maint_9_co_terming_flags_the_upgrade_quote_for_sales_review(
    client: Any, world: World
) -> None:
    upgraded = await world.license()
    others = [await world.license(deployment_entity=e) for e in ("Annex", "Archives")]
    sync = [(await sen_of(world, pk)).lower() for pk in others]  # SENs as typed, any case
    body = await upgrade(client, world.alice_token, await sen_of(world, upgraded), sync)
    quote = ok(body, FIELD)["quote"]
    (row,) = await rows(world.engine, Quote)
    assert row.requires_sales_review is True
    assert row.sync_with_sens == [s.upper() for s in sync]
    (event,) = await audit_events(world.engine, "upgradeQuoteRequest")
    assert changes(event)["syncWithSens"] == (None, [s.upper() for s in sync])
    # R-MAINT-3: the upgrade line still starts at payment, for 12 months.
    (line,) = quote["lines"]
    assert (line["maintenanceStartsOn"], line["maintenanceEndsOn"]) == (None, None)

    before = [tuple(await one(world.engine, License, pk)) for pk in others]
    paid_on = today()
    variables = {
        "input": {
            "quoteId": quote["id"],
            "method": "BANK_TRANSFER",
            "amount": quote["total"]["amount"],
        }
    }
    order = ok(
        await send(client, "RecordPayment", variables, world.staff_token), "quoteRecordPayment"
    )
    (paid,) = order["order"]["licenses"]
    assert paid["tier"] == "ENTERPRISE"
    assert paid["maintenanceStartsOn"] == paid_on.isoformat()
    assert paid["maintenanceEndsOn"] == add_months(paid_on, 12).isoformat()
    # Co-terming the others is for sales: the payment leaves them as they were.
    assert [tuple(await one(world.engine, License, pk)) for pk in others] == before


async def test_r_maint_9_without_co_terming_no_review(client: Any, world: World) -> None:
    body = await upgrade(
        client, world.alice_token, await sen_of(world, await world.license()), None
    )
    ok(body, FIELD)
    (row,) = await rows(world.engine, Quote)
    assert (row.requires_sales_review, row.sync_with_sens) == (False, [])


async def test_r_maint_9_only_other_paid_licenses_of_the_caller(client: Any, world: World) -> None:
    """Each SEN must be another paid license of the contact asking (whose email was given);
    anything else gets one INVALID answer whether it exists or not, and nothing is written."""
    upgraded = await world.license(technical=world.bob)
    bobs_only = await world.license(billing=world.bob, deployment_entity="Bob's")
    evaluation = await world.license(
        tier=Tier.ENTERPRISE,
        license_type=LicenseType.EVALUATION,
        maintenance_starts_on=None,
        maintenance_ends_on=None,
        evaluation_ends_on=today() + dt.timedelta(days=3),
    )
    sen = await sen_of(world, upgraded)
    snapshot = await dump(world.engine)
    sync = [sen, await sen_of(world, bobs_only), await sen_of(world, evaluation), "SEN-L0000000"]
    body = await upgrade(client, world.alice_token, sen, sync)
    assert user_errors(body, FIELD) == [
        (["input", "syncWithSens", str(i)], "INVALID") for i in range(4)
    ]
    # Bob, the technical contact, may co-term his own license, not Alice's.
    alices = await world.license(deployment_entity="Alice's")
    body = await upgrade(client, None, sen, [await sen_of(world, alices)], email="bob@example.com")
    assert user_errors(body, FIELD) == [(["input", "syncWithSens", "0"], "INVALID")]
    assert (await rows(world.engine, Quote)) == []
    assert len((await dump(world.engine))["quotes"]) == len(snapshot["quotes"])
    body = await upgrade(
        client, None, sen, [await sen_of(world, bobs_only)], email="bob@example.com"
    )
    assert body["data"][FIELD] == {"quote": None, "userErrors": []}  # anonymous: mailed
    (row,) = await rows(world.engine, Quote)
    assert row.requires_sales_review is True
