"""quoteCreate: who may create, what is validated, how it is priced and what is written."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import insert

from db.models import Account, AuditEvent, ExchangeRate, Organization, Quote, QuoteLine
from gateway.domain.enums import AccountStatus, Currency, Deployment, PartnerScope
from tests.api.client import Answer, ok, payload, request_error, send, user_errors
from tests.api.quote.support import create_input, line, set_partner_discount, snapshot
from tests.api.world import World, audit_events, changes, gid, mail_to, one, rows, today

D = Decimal
ALGERIA = {"name": "Université d'Alger", "country": "DZ", "academic": True}


async def create(client: Any, world: World, token: str | None, **overrides: Any) -> Answer:
    return await send(client, "CreateQuote", {"input": create_input(world, **overrides)}, token)


async def detail(client: Any, token: str, quote_id: str) -> dict[str, Any]:
    body = await send(client, "QuoteDetail", {"id": quote_id}, token)
    node: dict[str, Any] = body["data"]["node"]
    return node


async def created(client: Any, world: World, token: str, **overrides: Any) -> dict[str, Any]:
    quote: dict[str, Any] = ok(await create(client, world, token, **overrides), "quoteCreate")[
        "quote"
    ]
    return quote


# --- R-QUOTE-1, R-MAINT-2, R-SEC-1: what a new quote is ---------------------------------------


async def test_r_quote_1_new_quote_open_valid_30_days_version_1(client: Any, world: World) -> None:
    quote = await created(client, world, world.alice_token, poNumber="  PO-7  ")
    assert quote["status"] == "OPEN"
    assert quote["validUntil"] == (today() + dt.timedelta(days=30)).isoformat()
    assert quote["version"] == 1
    assert quote["number"] == "Q-500000"
    assert quote["poNumber"] == "PO-7"
    assert quote["selfServiceEditable"] is True
    row = (await rows(world.engine, Quote))[0]
    assert row.created_at == row.updated_at
    assert row.is_reseller is False and row.partner_id is None
    assert row.billing_account_id == row.technical_account_id == world.alice


async def test_r_maint_2_new_lines_start_maintenance_at_payment(client: Any, world: World) -> None:
    quote = await created(client, world, world.alice_token)
    node = await detail(client, world.alice_token, quote["id"])
    (only,) = node["lines"]
    assert only["kind"] == "NEW"
    assert only["maintenanceStartsOn"] is None and only["maintenanceEndsOn"] is None
    assert only["years"] is None and only["license"] is None


async def test_r_sec_1_create_is_audited_and_contacts_get_mail(client: Any, world: World) -> None:
    quote = await created(client, world, world.alice_token, technicalContactEmail="bob@example.com")
    (event,) = await audit_events(world.engine, "quoteCreate")
    assert event.entity_type == "Quote" and gid("Quote", event.entity_id) == quote["id"]
    assert event.principal_kind == "CUSTOMER" and event.principal_id == str(world.alice)
    changed = changes(event)
    assert changed["number"] == (None, quote["number"])
    assert changed["technicalContact"] == (None, "bob@example.com")
    for address in ("alice@example.com", "bob@example.com"):
        (mail,) = await mail_to(world.engine, address)
        assert quote["number"] in mail.subject and mail.template == "quote_created"


async def test_unknown_contact_gets_an_invited_account_and_an_invitation(
    client: Any, world: World
) -> None:
    quote = await created(
        client, world, world.alice_token, technicalContactEmail="  New.Tech@Example.ORG "
    )
    (invited,) = await rows(world.engine, Account, Account.email == "new.tech@example.org")
    assert invited.status == AccountStatus.INVITED and invited.country == "FR"
    node = await detail(client, world.alice_token, quote["id"])
    assert node["technicalContact"]["account"]["email"] == "new.tech@example.org"
    templates = sorted(m.template for m in await mail_to(world.engine, "new.tech@example.org"))
    assert templates == ["contact_invitation", "quote_created"]


# --- Pricing: R-PRICE-1..4, R-CUR-1..4 --------------------------------------------------------


async def test_r_price_1_promotional_20_percent_on_every_plan(client: Any, world: World) -> None:
    quote = await created(
        client,
        world,
        world.staff_token,
        lines=[
            line(world, Deployment.SERVER, tier="STARTER"),
            line(world, Deployment.CLOUD, tier="EXPRESS"),
            line(world, Deployment.DATA_CENTER, tier="ENTERPRISE"),
        ],
    )
    node = await detail(client, world.staff_token, quote["id"])
    for ln, list_price in zip(node["lines"], ("1200.00", "1200.00", "28800.00"), strict=True):
        assert ln["unitPrice"]["amount"] == list_price
        (promo,) = ln["discounts"]
        assert promo["kind"] == "PROMOTIONAL" and D(promo["percent"]) == 20
        assert D(ln["total"]["amount"]) == D(list_price) * D("0.8")


async def test_r_price_2_academic_after_promotional_server_7_cloud_5(
    client: Any, world: World
) -> None:
    quote = await created(
        client,
        world,
        world.alice_token,
        organization=ALGERIA,
        currency="EUR",
        lines=[
            line(world, Deployment.SERVER, tier="STARTER", license_type="ACADEMIC"),
            line(world, Deployment.CLOUD, tier="STARTER", license_type="ACADEMIC"),
            line(world, Deployment.SERVER, tier="STARTER", license_type="COMMERCIAL"),
        ],
    )
    node = await detail(client, world.alice_token, quote["id"])
    assert node["organization"]["academic"] is True
    server, cloud, commercial = node["lines"]
    assert [(d["kind"], d["percent"], d["amount"]["amount"]) for d in server["discounts"]] == [
        ("PROMOTIONAL", "20", "240.00"),
        ("ACADEMIC", "7", "67.20"),  # 7% of 960
    ]
    assert server["total"]["amount"] == "892.80"
    assert [(d["kind"], d["amount"]["amount"]) for d in cloud["discounts"]] == [
        ("PROMOTIONAL", "120.00"),
        ("ACADEMIC", "24.00"),  # 5% of 480
    ]
    assert [d["kind"] for d in commercial["discounts"]] == ["PROMOTIONAL"]


async def test_r_price_2_academic_lines_need_an_academic_organization(
    client: Any, world: World
) -> None:
    before = await snapshot(world.engine)
    body = await create(
        client, world, world.alice_token, lines=[line(world, license_type="ACADEMIC")]
    )
    assert user_errors(body, "quoteCreate") == [(["input", "lines", "0", "licenseType"], "INVALID")]
    assert await snapshot(world.engine) == before


async def test_r_price_3_partner_quote_gets_the_configured_partner_discount(
    client: Any, world: World
) -> None:
    await set_partner_discount(world.engine, world.partner, "10")
    body = await send(
        client, "PartnerCreateQuote", {"input": create_input(world)}, world.partner_tokens["ALL"]
    )
    quote = ok(body, "quoteCreate")["quote"]
    assert quote["total"] == {"amount": "3456.00", "currency": "EUR"}  # 4800 − 20% − 10%
    (stored,) = await rows(world.engine, QuoteLine)
    assert [d["kind"] for d in stored.discounts] == ["PROMOTIONAL", "PARTNER"]
    assert stored.discounts[1] == {"kind": "PARTNER", "percent": "10.00", "amount": "384.00"}


async def test_r_price_3_no_reseller_discount_for_a_customer_reseller(
    client: Any, world: World
) -> None:
    await set_partner_discount(world.engine, world.partner, "10")
    body = await create(client, world, world.alice_token, isReseller=True)
    quote = ok(body, "quoteCreate")["quote"]
    assert quote["total"]["amount"] == "3840.00"
    (row,) = await rows(world.engine, Quote)
    assert row.is_reseller is True and row.partner_id is None


async def test_r_price_4_no_tax_totals_are_the_sum_of_lines(client: Any, world: World) -> None:
    quote = await created(
        client,
        world,
        world.alice_token,
        lines=[line(world, tier="STARTER", quantity=3), line(world, tier="EXPRESS")],
    )
    node = await detail(client, world.alice_token, quote["id"])
    assert node["tax"] == {"amount": "0.00", "currency": "EUR"}
    assert node["subtotal"]["amount"] == "6000.00"
    assert node["discountTotal"]["amount"] == "1200.00"
    assert node["total"]["amount"] == "4800.00"
    assert sum(D(ln["total"]["amount"]) for ln in node["lines"]) == D("4800.00")
    assert [ln["quantity"] for ln in node["lines"]] == [3, 1]


async def test_r_cur_1_usd_quote_priced_from_the_usd_price_book(client: Any, world: World) -> None:
    quote = await created(client, world, world.alice_token, currency="USD")
    assert quote["total"] == {"amount": "4224.00", "currency": "USD"}  # 5280 − 20%
    node = await detail(client, world.alice_token, quote["id"])
    assert node["exchangeRate"] is None


async def test_r_cur_2_dzd_refused_outside_algeria(client: Any, world: World) -> None:
    before = await snapshot(world.engine)
    body = await create(client, world, world.alice_token, currency="DZD")
    assert user_errors(body, "quoteCreate") == [(["input", "currency"], "CURRENCY_NOT_ALLOWED")]
    assert await snapshot(world.engine) == before


async def test_r_cur_3_dzd_quote_of_an_algerian_licensee_stores_rate_and_margin(
    client: Any, world: World
) -> None:
    quote = await created(
        client,
        world,
        world.alice_token,
        currency="DZD",
        organization=ALGERIA,
        lines=[line(world, tier="STARTER", license_type="ACADEMIC")],
    )
    node = await detail(client, world.alice_token, quote["id"])
    assert node["exchangeRate"] == {
        "base": "EUR",
        "target": "DZD",
        "rate": "146.350000",
        "margin": "0.0300",
    }
    (ln,) = node["lines"]
    assert ln["unitPrice"] == {"amount": "180888.60", "currency": "DZD"}  # 1200 × 146.35 × 1.03
    (row,) = await rows(world.engine, Quote)
    assert (row.fx_rate, row.fx_margin) == (D("146.35"), D("0.03"))


async def test_r_cur_4_rounded_half_up_at_line_level_with_the_newest_rate(
    client: Any, world: World
) -> None:
    async with world.engine.begin() as conn:
        await conn.execute(
            insert(ExchangeRate).values(
                base=Currency.EUR,
                target=Currency.DZD,
                rate=D("146.123457"),
                margin=D("0.0325"),
                effective_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
            )
        )
    quote = await created(
        client,
        world,
        world.alice_token,
        currency="DZD",
        organization=ALGERIA,
        lines=[line(world, tier="EXPRESS", license_type="ACADEMIC", quantity=3)],
    )
    cent = D("0.01")
    unit = (D("2400") * D("146.123457") * D("1.0325")).quantize(cent, ROUND_HALF_UP)
    subtotal = unit * 3
    promo = (subtotal * D("0.2")).quantize(cent, ROUND_HALF_UP)
    academic = ((subtotal - promo) * D("0.07")).quantize(cent, ROUND_HALF_UP)
    node = await detail(client, world.alice_token, quote["id"])
    (ln,) = node["lines"]
    assert D(ln["unitPrice"]["amount"]) == unit
    assert [D(d["amount"]["amount"]) for d in ln["discounts"]] == [promo, academic]
    assert D(node["total"]["amount"]) == subtotal - promo - academic
    assert node["exchangeRate"]["rate"] == "146.123457"


# --- R-QUOTE-5, R-QUOTE-6: who may create -----------------------------------------------------


async def test_r_quote_5_partner_quote_records_partner_and_is_reseller(
    client: Any, world: World
) -> None:
    body = await send(
        client, "PartnerCreateQuote", {"input": create_input(world)}, world.partner_tokens["ALL"]
    )
    quote = ok(body, "quoteCreate")["quote"]
    assert quote["isReseller"] is True
    assert quote["partner"] == {"id": gid("Partner", world.partner), "name": "Atlas Solutions"}
    (row,) = await rows(world.engine, Quote)
    organization = await one(world.engine, Organization, row.organization_id)
    assert organization.partner_id == world.partner  # among the partner's customers


async def test_r_quote_5_partner_with_write_but_not_read_creates_but_sees_nothing(
    client: Any, world: World
) -> None:
    token = world.partner_tokens[PartnerScope.QUOTES_WRITE.value]
    body = await send(client, "PartnerCreateQuote", {"input": create_input(world)}, token)
    assert ok(body, "quoteCreate")["quote"] is None  # R-SEC-2: no quotes:read, no data
    (row,) = await rows(world.engine, Quote)
    assert row.partner_id == world.partner and row.is_reseller is True


@pytest.mark.parametrize(
    "scope", [s for s in PartnerScope if s is not PartnerScope.QUOTES_WRITE], ids=str
)
async def test_partner_without_quotes_write_is_refused(
    client: Any, world: World, scope: PartnerScope
) -> None:
    before = await snapshot(world.engine)
    body = await create(client, world, world.partner_tokens[scope.value])
    assert request_error(body) == "FORBIDDEN"
    assert await snapshot(world.engine) == before


async def test_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    before = await snapshot(world.engine)
    body = await create(client, world, None)
    assert request_error(body) == "UNAUTHENTICATED" and body.status == 401
    assert await snapshot(world.engine) == before


async def test_staff_creates_for_anyone(client: Any, world: World) -> None:
    quote = await created(
        client,
        world,
        world.staff_token,
        billingContactEmail="bob@example.com",
        technicalContactEmail="bob@example.com",
    )
    (row,) = await rows(world.engine, Quote)
    assert row.billing_account_id == world.bob and gid("Quote", row.id) == quote["id"]
    (event,) = await audit_events(world.engine, "quoteCreate")
    assert event.principal_kind == "STAFF"


async def test_r_quote_6_customer_must_name_themselves_a_contact(client: Any, world: World) -> None:
    before = await snapshot(world.engine)
    body = await create(
        client,
        world,
        world.alice_token,
        billingContactEmail="bob@example.com",
        technicalContactEmail="carol@example.com",
    )
    assert user_errors(body, "quoteCreate") == [(["input", "billingContactEmail"], "INVALID")]
    assert await snapshot(world.engine) == before
    assert ok(
        await create(client, world, world.alice_token, technicalContactEmail="ALICE@example.com"),
        "quoteCreate",
    )["quote"]


async def test_r_quote_5_customer_reseller_creates_for_others_and_cannot_see_it(
    client: Any, world: World
) -> None:
    body = await create(
        client,
        world,
        world.alice_token,
        isReseller=True,
        billingContactEmail="bob@example.com",
        technicalContactEmail="bob@example.com",
    )
    assert ok(body, "quoteCreate")["quote"] is None  # R-QUOTE-6: not a contact
    (row,) = await rows(world.engine, Quote)
    assert row.is_reseller is True and row.billing_account_id == world.bob
    assert len(await mail_to(world.engine, "bob@example.com")) == 1


# --- Organizations ----------------------------------------------------------------------------


async def test_organization_reused_only_when_the_caller_sees_the_same_one(
    client: Any, world: World
) -> None:
    await created(client, world, world.alice_token)
    await created(client, world, world.alice_token)
    bob = dict(billingContactEmail="bob@example.com", technicalContactEmail="bob@example.com")
    await created(client, world, world.bob_token, **bob)
    quotes = await rows(world.engine, Quote)
    first, second, bobs = (q.organization_id for q in quotes)
    assert first == second  # Alice's own organization, seen through her first quote
    assert bobs != first  # Bob cannot see Alice's: he gets his own
    assert first != world.organization  # the world's one is not Alice's to see


# --- R-LIC-1 and every kind of bad input: typed errors, nothing written -----------------------


BAD_INPUTS: list[tuple[str, dict[str, Any], list[tuple[list[str], str]]]] = [
    ("no lines", {"lines": []}, [(["input", "lines"], "REQUIRED")]),
    ("51 lines", {"lines": "51"}, [(["input", "lines"], "INVALID")]),
    (
        "empty organization name",
        {"organization": {"name": "  ", "country": "FR"}},
        [(["input", "organization", "name"], "REQUIRED")],
    ),
    (
        "10 000-character organization name",
        {"organization": {"name": "x" * 10_000, "country": "FR"}},
        [(["input", "organization", "name"], "TOO_LONG")],
    ),
    (
        "control characters in the name",
        {"organization": {"name": "Lib\x07rary", "country": "FR"}},
        [(["input", "organization", "name"], "INVALID")],
    ),
    (
        "unknown country",
        {"organization": {"name": "Lib", "country": "ZZ"}},
        [(["input", "organization", "country"], "INVALID")],
    ),
    (
        "bad email",
        {"billingContactEmail": "alice@"},
        [(["input", "billingContactEmail"], "INVALID")],
    ),
    (
        "10 000-character email",
        {"technicalContactEmail": "a" * 10_000 + "@example.com"},
        [(["input", "technicalContactEmail"], "INVALID")],
    ),
    ("PO number of 65", {"poNumber": "P" * 65}, [(["input", "poNumber"], "TOO_LONG")]),
    ("PO number with a tab", {"poNumber": "PO\t1"}, [(["input", "poNumber"], "INVALID")]),
    (
        "unknown product",
        {"lines": [{"product": "UHJvZHVjdDo5OTk", "tier": "STARTER"}]},
        [(["input", "lines", "0", "product"], "NOT_FOUND")],
    ),
    (
        "a quote id as product",
        {"lines": [{"product": "UXVvdGU6MQ", "tier": "STARTER"}]},
        [(["input", "lines", "0", "product"], "NOT_FOUND")],
    ),
    (
        "Data Center below Enterprise",
        {"lines": [{"deployment": "DATA_CENTER", "tier": "PROFESSIONAL"}]},
        [(["input", "lines", "0", "tier"], "INVALID")],
    ),
    (
        "an evaluation line",
        {"lines": [{"licenseType": "EVALUATION"}]},
        [(["input", "lines", "0", "licenseType"], "INVALID")],
    ),
    (
        "no deployment entity",
        {"lines": [{"deploymentEntity": ""}]},
        [(["input", "lines", "0", "deploymentEntity"], "REQUIRED")],
    ),
    (
        "201-character deployment entity",
        {"lines": [{"deploymentEntity": "x" * 201}]},
        [(["input", "lines", "0", "deploymentEntity"], "TOO_LONG")],
    ),
    (
        "quantity 0",
        {"lines": [{"quantity": 0}]},
        [(["input", "lines", "0", "quantity"], "INVALID")],
    ),
    (
        "negative quantity",
        {"lines": [{"quantity": -5}]},
        [(["input", "lines", "0", "quantity"], "INVALID")],
    ),
    (
        "quantity 1001",
        {"lines": [{"quantity": 1001}]},
        [(["input", "lines", "0", "quantity"], "INVALID")],
    ),
    (
        "every field of two lines at once",
        {
            "lines": [
                {"quantity": 0, "deploymentEntity": "Faculty\nof Law"},
                {"product": "nope", "licenseType": "EVALUATION"},
            ]
        },
        [
            (["input", "lines", "0", "deploymentEntity"], "INVALID"),
            (["input", "lines", "0", "quantity"], "INVALID"),
            (["input", "lines", "1", "product"], "NOT_FOUND"),
            (["input", "lines", "1", "licenseType"], "INVALID"),
        ],
    ),
]


def _bad_input(world: World, overrides: dict[str, Any]) -> dict[str, Any]:
    value = dict(overrides)
    if value.get("lines") == "51":
        value["lines"] = [line(world)] * 51
    elif "lines" in value:
        lines = []
        for changed in value["lines"]:
            changed = dict(changed)
            deployment = Deployment(changed.pop("deployment", "SERVER"))
            lines.append({**line(world, deployment), **changed})
        value["lines"] = lines
    return create_input(world, **value)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [pytest.param(o, e, id=name) for name, o, e in BAD_INPUTS],
)
async def test_r_lic_1_bad_input_is_refused_field_by_field_and_writes_nothing(
    client: Any, world: World, overrides: dict[str, Any], expected: list[Any]
) -> None:
    before = await snapshot(world.engine)
    body = await send(
        client, "CreateQuote", {"input": _bad_input(world, overrides)}, world.alice_token
    )
    assert user_errors(body, "quoteCreate") == expected
    assert payload(body, "quoteCreate")["quote"] is None
    assert await snapshot(world.engine) == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"currency": "GBP"},
        {"lines": [{"quantity": "three"}]},
        {"lines": None},
        {"organization": None},
        {"lines": [{"tier": "PLATINUM"}]},
    ],
    ids=["unknown currency", "quantity not an int", "lines null", "no organization", "bad tier"],
)
async def test_wrongly_typed_input_is_a_request_error_and_writes_nothing(
    client: Any, world: World, overrides: dict[str, Any]
) -> None:
    before = await snapshot(world.engine)
    value = create_input(world)
    for key, changed in overrides.items():
        if isinstance(changed, list):
            value[key] = [{**line(world), **changed[0]}]
        else:
            value[key] = changed
    body = await send(client, "CreateQuote", {"input": value}, world.alice_token)
    assert body["errors"] and body.get("data") is None
    assert await snapshot(world.engine) == before


async def test_invalid_quotes_draw_no_number(client: Any, world: World) -> None:
    await create(client, world, world.alice_token, lines=[])
    quote = await created(client, world, world.alice_token)
    assert quote["number"] == "Q-500000"  # gap-free: the refused one gave nothing away
    assert len(await rows(world.engine, AuditEvent)) == 1
