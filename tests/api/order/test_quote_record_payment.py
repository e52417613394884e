"""quoteRecordPayment (RecordPayment): R-PRICE-5, R-QUOTE-1/2, R-MAINT-2..5, R-UPG-1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from db.models import License, Order, OutgoingMail, Quote, order_licenses
from gateway.domain.dates import add_months
from gateway.domain.enums import Deployment, LicenseType, QuoteLineKind, QuoteStatus, Tier
from gateway.schema.relay import decode_id_of
from tests.api.client import Answer, ok, request_error, send, user_errors
from tests.api.world import World, audit_events, changes, dump, gid, one, rows, today

FIELD = "quoteRecordPayment"


def money(value: str) -> Decimal:
    return Decimal(value)


def line(world: World, deployment: Deployment = Deployment.SERVER, **values: Any) -> dict[str, Any]:
    """A quote line whose prices add up (the payment must match the quote's total)."""
    total = money(values.pop("total", "3840.00"))
    return world.line(
        deployment,
        **{
            "unit_price": total,
            "subtotal": total,
            "discount_total": money("0.00"),
            "total": total,
            "discounts": [],
            **values,
        },
    )


async def quote_of(world: World, *lines: dict[str, Any], **values: Any) -> int:
    total = sum((item["total"] for item in lines), money("0.00"))
    values.setdefault("technical", world.bob)
    return await world.quote(
        lines=list(lines), subtotal=total, discount_total=money("0.00"), total=total, **values
    )


async def pay(
    client: Any, token: str | None, quote: int | str, amount: str, **extra: Any
) -> Answer:
    quote_id = gid("Quote", quote) if isinstance(quote, int) else quote
    variables = {
        "input": {"quoteId": quote_id, "method": "BANK_TRANSFER", "amount": amount, **extra}
    }
    return await send(client, "RecordPayment", variables, token)


async def order_licenses_of(world: World, order_id: int) -> list[Any]:
    async with world.engine.connect() as conn:
        ids = (
            await conn.scalars(
                select(order_licenses.c.license_id).where(order_licenses.c.order_id == order_id)
            )
        ).all()
    return [await one(world.engine, License, pk) for pk in sorted(ids)]


# --- new licenses -------------------------------------------------------------------------


async def test_r_maint_2_new_lines_issue_licenses_from_the_payment_date(
    client: Any, world: World
) -> None:
    paid_on = today() - dt.timedelta(days=3)
    quote = await quote_of(
        world,
        line(world, quantity=2, total="7680.00", deployment_entity="Faculty of Letters"),
        po_number="PO-77",
        partner_id=world.partner,
    )
    body = await pay(
        client,
        world.staff_token,
        quote,
        "7680.00",
        reference="BT-2026-0042",
        paidAt=f"{paid_on.isoformat()}T09:30:00+01:00",
    )
    order = ok(body, FIELD)["order"]
    assert (order["number"], order["invoiceNumber"]) == ("O-500000", "INV-500000")
    assert order["paidAt"] == f"{paid_on.isoformat()}T08:30:00+00:00"
    starts, ends = paid_on, add_months(paid_on, 12)
    # R-SEC-3: staff see no license key, even here.
    assert order["licenses"] == [
        {
            "id": order["licenses"][i]["id"],
            "sen": f"SEN-L{5_000_000 + i:07d}",
            "tier": "PROFESSIONAL",
            "licenseKey": None,
            "maintenanceStartsOn": starts.isoformat(),
            "maintenanceEndsOn": ends.isoformat(),
        }
        for i in range(2)
    ]

    (row,) = await rows(world.engine, Order)
    assert row.po_number == "PO-77"
    assert (row.currency, row.total, row.payment_method, row.payment_reference) == (
        "EUR",
        money("7680.00"),
        "BANK_TRANSFER",
        "BT-2026-0042",
    )
    assert (row.partner_id, row.organization_id, row.quote_id) == (
        world.partner,
        world.organization,
        quote,
    )
    # R-ACC-4: the invoice prints the contacts as they are today.
    assert (row.billing_name, row.billing_email, row.technical_name, row.technical_email) == (
        "Alice Martin",
        "alice@example.com",
        "Bob",
        "bob@example.com",
    )
    issued = await order_licenses_of(world, row.id)
    assert len(issued) == 2
    for license in issued:
        assert license.license_key and license.license_key.startswith("AAAB")
        assert (license.billing_account_id, license.technical_account_id) == (
            world.alice,
            world.bob,
        )
        assert (license.organization_id, license.partner_id) == (world.organization, world.partner)
        assert license.deployment_entity == "Faculty of Letters"
        assert (license.purchased_on, license.purchase_amount, license.purchase_currency) == (
            paid_on,
            money("3840.00"),
            "EUR",
        )
        assert (license.maintenance_starts_on, license.maintenance_ends_on) == (starts, ends)
    assert issued[0].license_key != issued[1].license_key

    stored = await one(world.engine, Quote, quote)
    assert (stored.status, stored.version) == (QuoteStatus.PAID, 2)


async def test_r_price_5_keys_only_for_the_contacts_after_payment(
    client: Any, world: World
) -> None:
    quote = await quote_of(world, line(world))
    order = ok(await pay(client, world.staff_token, quote, "3840.00"), FIELD)["order"]
    license_id = order["licenses"][0]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on License { licenseKey } } }"
    for token, visible in ((world.alice_token, True), (world.bob_token, True)):
        found = await send(client, query=query, variables={"id": license_id}, token=token)
        assert bool(found["data"]["node"]["licenseKey"]) is visible
    staff = await send(client, query=query, variables={"id": license_id}, token=world.staff_token)
    assert staff["data"]["node"]["licenseKey"] is None


async def test_r_price_5_payment_is_audited_and_mailed_without_keys(
    client: Any, world: World
) -> None:
    quote = await quote_of(world, line(world, quantity=2, total="7680.00"))
    order = ok(await pay(client, world.staff_token, quote, "7680.00"), FIELD)["order"]
    events = await audit_events(world.engine, "quoteRecordPayment")
    kinds = sorted(e.entity_type for e in events)
    assert kinds == ["License", "License", "Order", "Quote"]
    (quote_event,) = [e for e in events if e.entity_type == "Quote"]
    assert changes(quote_event) == {"status": ("OPEN", "PAID"), "version": (1, 2)}
    (order_event,) = [e for e in events if e.entity_type == "Order"]
    assert changes(order_event)["total"] == (None, "7680.00 EUR")
    keys = [row.license_key for row in await rows(world.engine, License)]
    mails = await rows(world.engine, OutgoingMail)
    assert sorted(m.to_address for m in mails) == ["alice@example.com", "bob@example.com"]
    for mail in mails:
        assert order["number"] in mail.body
        assert "My Conex" in mail.body
        assert not any(key in mail.body for key in keys)


async def test_r_maint_2_cloud_subscription_runs_its_first_annual_term(
    client: Any, world: World
) -> None:
    quote = await quote_of(world, line(world, Deployment.CLOUD, total="1920.00"))
    order = ok(await pay(client, world.staff_token, quote, "1920.00"), FIELD)["order"]
    (license,) = order["licenses"]
    assert license["maintenanceStartsOn"] == today().isoformat()
    assert license["maintenanceEndsOn"] == add_months(today(), 12).isoformat()


async def test_r_cur_4_purchase_amount_per_license_is_rounded(client: Any, world: World) -> None:
    quote = await quote_of(world, line(world, quantity=3, total="100.00"))
    ok(await pay(client, world.staff_token, quote, "100.00"), FIELD)
    amounts = [row.purchase_amount for row in await rows(world.engine, License)]
    assert amounts == [money("33.33")] * 3


# --- upgrades and renewals -----------------------------------------------------------------


async def test_r_maint_3_upgrade_replaces_the_remaining_maintenance(
    client: Any, world: World
) -> None:
    pk = await world.license(
        tier=Tier.STARTER,
        purchase_amount=money("960.00"),
        maintenance_starts_on=today() - dt.timedelta(days=100),
        maintenance_ends_on=today() + dt.timedelta(days=600),
    )
    before = await one(world.engine, License, pk)
    quote = await quote_of(
        world,
        line(
            world,
            kind=QuoteLineKind.UPGRADE,
            tier=Tier.PROFESSIONAL,
            license_id=pk,
            total="2880.00",
        ),
    )
    order = ok(await pay(client, world.staff_token, quote, "2880.00"), FIELD)["order"]
    assert [item["sen"] for item in order["licenses"]] == [before.sen]
    after = await one(world.engine, License, pk)
    assert after.tier == Tier.PROFESSIONAL
    assert (after.maintenance_starts_on, after.maintenance_ends_on) == (
        today(),
        add_months(today(), 12),  # the 600 days left are replaced, not credited
    )
    assert after.license_key != before.license_key  # R-EVAL-4: a new key, same deployment
    assert after.purchase_amount == money("3840.00")  # what was paid, for R-UPG-3
    assert (after.sen, after.purchased_on) == (before.sen, before.purchased_on)
    (event,) = [
        e
        for e in await audit_events(world.engine, "quoteRecordPayment")
        if e.entity_type == "License"
    ]
    assert changes(event)["tier"] == ("STARTER", "PROFESSIONAL")
    assert changes(event)["licenseKey"] == ("[redacted]", "[reissued]")


async def test_r_eval_4_an_evaluation_becomes_a_purchase_by_a_new_paid_key(
    client: Any, world: World
) -> None:
    """R-EVAL-4: buying the product for the evaluated deployment issues a paid license whose
    key goes into the same installation (no reinstall); the evaluation itself is never
    renewed or upgraded into a purchase, and stays as it was."""
    evaluation = await world.license(
        tier=Tier.ENTERPRISE,
        license_type=LicenseType.EVALUATION,
        deployment_entity="Bibliothèque centrale",
        purchase_amount=None,
        purchased_on=None,
        maintenance_starts_on=None,
        maintenance_ends_on=None,
        evaluation_ends_on=today() + dt.timedelta(days=5),
    )
    before = await one(world.engine, License, evaluation)
    quote = await quote_of(world, line(world, deployment_entity="Bibliothèque centrale"))
    order = ok(await pay(client, world.staff_token, quote, "3840.00"), FIELD)["order"]
    order_pk = decode_id_of(order["id"], "Order")
    assert order_pk is not None
    (paid,) = await order_licenses_of(world, order_pk)
    assert (paid.product_id, paid.deployment_entity) == (before.product_id, "Bibliothèque centrale")
    assert paid.license_type == LicenseType.COMMERCIAL and paid.license_key
    assert paid.license_key != before.license_key and paid.sen != before.sen
    assert tuple(await one(world.engine, License, evaluation)) == tuple(before)

    renewal = await quote_of(
        world, line(world, kind=QuoteLineKind.RENEWAL, license_id=evaluation, total="960.00")
    )
    snapshot = await dump(world.engine)
    refused = await pay(client, world.staff_token, renewal, "960.00")
    assert user_errors(refused, FIELD) == [(["input", "quoteId"], "NOT_UPGRADABLE")]
    assert await dump(world.engine) == snapshot


async def test_r_upg_1_upgrade_no_longer_upward_at_payment_is_refused(
    client: Any, world: World
) -> None:
    pk = await world.license(tier=Tier.PROFESSIONAL)
    quote = await quote_of(
        world,
        line(
            world,
            kind=QuoteLineKind.UPGRADE,
            tier=Tier.PROFESSIONAL,
            license_id=pk,
            total="2880.00",
        ),
    )
    before = await dump(world.engine)
    body = await pay(client, world.staff_token, quote, "2880.00")
    assert user_errors(body, FIELD) == [(["input", "quoteId"], "UPGRADE_NOT_UPWARD")]
    assert await dump(world.engine) == before


async def renewal_quote(world: World, license_id: int, years: int = 1, **values: Any) -> int:
    return await quote_of(
        world,
        line(
            world,
            kind=QuoteLineKind.RENEWAL,
            license_id=license_id,
            years=years,
            total=values.pop("total", "1920.00"),
            **values,
        ),
    )


async def test_r_maint_4_early_renewal_extends_from_the_previous_end(
    client: Any, world: World
) -> None:
    start, end = today() - dt.timedelta(days=265), today() + dt.timedelta(days=100)
    pk = await world.license(maintenance_starts_on=start, maintenance_ends_on=end)
    before = await one(world.engine, License, pk)
    quote = await renewal_quote(world, pk, years=2, total="3840.00")
    order = ok(await pay(client, world.staff_token, quote, "3840.00"), FIELD)["order"]
    (license,) = order["licenses"]
    assert license["maintenanceEndsOn"] == add_months(end, 24).isoformat()
    after = await one(world.engine, License, pk)
    assert (after.maintenance_starts_on, after.maintenance_ends_on) == (start, add_months(end, 24))
    assert after.license_key != before.license_key
    assert after.tier == before.tier


async def test_r_maint_4_late_renewal_starts_at_the_old_expiry_not_the_payment(
    client: Any, world: World
) -> None:
    end = today() - dt.timedelta(days=50)
    pk = await world.license(maintenance_starts_on=add_months(end, -12), maintenance_ends_on=end)
    quote = await renewal_quote(world, pk)
    ok(await pay(client, world.staff_token, quote, "1920.00"), FIELD)
    after = await one(world.engine, License, pk)
    assert after.maintenance_ends_on == add_months(end, 12)


async def test_r_maint_4_renewal_is_computed_from_the_end_at_payment_time(
    client: Any, world: World
) -> None:
    """The line was quoted when the license ended sooner; another renewal was paid since."""
    quoted_end = today() + dt.timedelta(days=30)
    actual_end = add_months(quoted_end, 12)
    pk = await world.license(maintenance_ends_on=actual_end)
    quote = await renewal_quote(
        world,
        pk,
        maintenance_starts_on=quoted_end,
        maintenance_ends_on=add_months(quoted_end, 12),
    )
    ok(await pay(client, world.staff_token, quote, "1920.00"), FIELD)
    assert (await one(world.engine, License, pk)).maintenance_ends_on == add_months(actual_end, 12)


async def test_r_maint_5_renewal_beyond_3_years_is_refused_at_payment(
    client: Any, world: World
) -> None:
    pk = await world.license(maintenance_ends_on=add_months(today(), 30))
    quote = await renewal_quote(world, pk)
    before = await dump(world.engine)
    body = await pay(client, world.staff_token, quote, "1920.00")
    assert user_errors(body, FIELD) == [(["input", "quoteId"], "MAINTENANCE_LIMIT")]
    assert await dump(world.engine) == before


async def test_r_maint_5_cloud_renewal_clears_past_due(client: Any, world: World) -> None:
    end = today() - dt.timedelta(days=5)
    pk = await world.license(
        Deployment.CLOUD,
        past_due=True,
        maintenance_starts_on=add_months(end, -12),
        maintenance_ends_on=end,
    )
    quote = await quote_of(
        world,
        line(
            world,
            Deployment.CLOUD,
            kind=QuoteLineKind.RENEWAL,
            license_id=pk,
            years=1,
            total="1200.00",
        ),
    )
    ok(await pay(client, world.staff_token, quote, "1200.00"), FIELD)
    after = await one(world.engine, License, pk)
    assert (after.past_due, after.maintenance_ends_on) == (False, add_months(end, 12))


async def test_r_price_5_one_payment_for_new_upgrade_and_renewal_lines(
    client: Any, world: World
) -> None:
    upgraded = await world.license(tier=Tier.EXPRESS)
    renewed = await world.license()
    quote = await quote_of(
        world,
        line(world),
        line(
            world,
            kind=QuoteLineKind.UPGRADE,
            tier=Tier.ENTERPRISE,
            license_id=upgraded,
            total="5760.00",
        ),
        line(world, kind=QuoteLineKind.RENEWAL, license_id=renewed, years=1, total="1920.00"),
    )
    order = ok(await pay(client, world.staff_token, quote, "11520.00"), FIELD)["order"]
    assert len(order["licenses"]) == 3
    (row,) = await rows(world.engine, Order)
    ids = {license.id for license in await order_licenses_of(world, row.id)}
    assert {upgraded, renewed} < ids


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount", ["3839.99", "3840.01", "0", "-3840.00", "1920.00", "38400", "1" + "0" * 500]
)
async def test_r_price_5_amount_must_equal_the_total(
    client: Any, world: World, amount: str
) -> None:
    quote = await quote_of(world, line(world))
    before = await dump(world.engine)
    body = await pay(client, world.staff_token, quote, amount)
    assert user_errors(body, FIELD) == [(["input", "amount"], "PAYMENT_MISMATCH")]
    assert await dump(world.engine) == before


async def test_r_price_5_amount_with_more_zeros_is_the_same_amount(
    client: Any, world: World
) -> None:
    quote = await quote_of(world, line(world))
    ok(await pay(client, world.staff_token, quote, "3840.0000"), FIELD)


async def test_r_quote_2_a_quote_is_paid_once(client: Any, world: World) -> None:
    quote = await quote_of(world, line(world))
    ok(await pay(client, world.staff_token, quote, "3840.00"), FIELD)
    before = await dump(world.engine)
    body = await pay(client, world.staff_token, quote, "3840.00")
    assert user_errors(body, FIELD) == [(["input", "quoteId"], "QUOTE_NOT_OPEN")]
    assert await dump(world.engine) == before
    assert len(await rows(world.engine, Order)) == 1


@pytest.mark.parametrize(
    "values",
    [
        {"valid_until": dt.date(2026, 1, 1)},  # open, but expired by time (R-QUOTE-1)
        {"status": QuoteStatus.EXPIRED},
        {"status": QuoteStatus.DELETED},
    ],
)
async def test_r_quote_1_expired_or_deleted_quote_cannot_be_paid(
    client: Any, world: World, values: dict[str, Any]
) -> None:
    quote = await quote_of(world, line(world), **values)
    before = await dump(world.engine)
    body = await pay(client, world.staff_token, quote, "3840.00")
    assert user_errors(body, FIELD) == [(["input", "quoteId"], "QUOTE_NOT_OPEN")]
    assert await dump(world.engine) == before


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"paidAt": "2100-01-01T00:00:00Z"}, [(["input", "paidAt"], "INVALID")]),
        ({"paidAt": "2020-01-01T00:00:00Z"}, [(["input", "paidAt"], "INVALID")]),  # before quote
        ({"paidAt": "2026-11-20T10:00:00"}, [(["input", "paidAt"], "INVALID")]),  # no offset
        ({"reference": "r" * 10_000}, [(["input", "reference"], "TOO_LONG")]),
        ({"reference": "BT\u0007"}, [(["input", "reference"], "INVALID")]),
    ],
)
async def test_r_price_5_bad_payment_details_change_nothing(
    client: Any, world: World, extra: dict[str, Any], expected: Any
) -> None:
    quote = await quote_of(world, line(world))
    before = await dump(world.engine)
    body = await pay(client, world.staff_token, quote, "3840.00", **extra)
    assert user_errors(body, FIELD) == expected
    assert await dump(world.engine) == before


@pytest.mark.parametrize(
    "variables",
    [
        {"amount": "lots"},
        {"amount": None},
        {"method": "BITCOIN"},
        {"paidAt": "yesterday"},
        {"quoteId": None},
    ],
)
async def test_r_price_5_wrong_types_are_request_errors(
    client: Any, world: World, variables: dict[str, Any]
) -> None:
    quote = await quote_of(world, line(world))
    before = await dump(world.engine)
    input = {"quoteId": gid("Quote", quote), "method": "CARD", "amount": "3840.00", **variables}
    body = await send(client, "RecordPayment", {"input": input}, world.staff_token)
    assert body.get("errors") and body.get("data") is None
    assert await dump(world.engine) == before


@pytest.mark.parametrize("quote_id", ["", "Q-000001", "x" * 10_000])
async def test_r_quote_6_unknown_quote_is_not_found(
    client: Any, world: World, quote_id: str
) -> None:
    quote = await quote_of(world, line(world))
    before = await dump(world.engine)
    for wrong in (quote_id, gid("Quote", quote + 77), gid("Order", quote)):
        body = await pay(client, world.staff_token, wrong, "3840.00")
        assert user_errors(body, FIELD) == [(["input", "quoteId"], "NOT_FOUND")]
    assert await dump(world.engine) == before


@pytest.mark.parametrize("who", ["contact", "partner"])
async def test_r_price_5_only_staff_record_payments(client: Any, world: World, who: str) -> None:
    quote = await quote_of(world, line(world), partner_id=world.partner)
    token = world.alice_token if who == "contact" else world.partner_tokens["ALL"]
    before = await dump(world.engine)
    assert request_error(await pay(client, token, quote, "3840.00")) == "FORBIDDEN"
    assert await dump(world.engine) == before


async def test_r_price_5_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    quote = await quote_of(world, line(world))
    before = await dump(world.engine)
    assert request_error(await pay(client, None, quote, "3840.00")) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before
