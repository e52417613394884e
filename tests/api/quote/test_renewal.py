"""renewalQuoteRequest: R-MAINT-8 (SEN + contact email, nothing leaks), R-MAINT-4/5/6,
R-PRICE-1 (no promotion on Cloud renewals), R-CUR-2/3."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from db.models import License, Quote, QuoteLine
from gateway.domain.dates import add_months
from gateway.domain.enums import Currency, Deployment, LicenseType, PartnerScope
from tests import factories as f
from tests.api.client import Answer, ok, send, user_errors
from tests.api.quote.support import set_partner_discount, snapshot
from tests.api.world import World, audit_events, gid, mail_to, one, rows, today

D = Decimal
SECRET = [
    {
        "field": ["input", "sen"],
        "code": "NOT_FOUND",
        "message": "No license matches this SEN and contact email.",
    }
]


async def renew(
    client: Any, token: str | None, sen: str, email: str = "alice@example.com", **more: Any
) -> Answer:
    return await send(
        client, "RequestRenewal", {"input": {"sen": sen, "contactEmail": email, **more}}, token
    )


async def sen_of(world: World, license_id: int) -> str:
    row = await one(world.engine, License, license_id)
    return str(row.sen)


async def server_license(world: World, ends_on: dt.date, **values: Any) -> tuple[int, str]:
    license_id = await world.license(
        maintenance_starts_on=add_months(ends_on, -12), maintenance_ends_on=ends_on, **values
    )
    return license_id, await sen_of(world, license_id)


# --- R-MAINT-8 --------------------------------------------------------------------------------


async def test_r_maint_8_anonymous_request_creates_the_quote_and_mails_the_contacts(
    client: Any, world: World
) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=40), technical=world.bob)
    body = await renew(client, None, sen.lower(), "  BOB@example.com ")
    assert body["data"]["renewalQuoteRequest"] == {"quote": None, "userErrors": []}
    (quote,) = await rows(world.engine, Quote)
    assert (quote.billing_account_id, quote.technical_account_id) == (world.alice, world.bob)
    assert quote.organization_id == world.organization and quote.currency == Currency.EUR
    assert quote.is_reseller is False and quote.requires_sales_review is False
    for address in ("alice@example.com", "bob@example.com"):
        (mail,) = await mail_to(world.engine, address)
        assert quote.number in mail.body and mail.template == "renewal_quote"
    (event,) = await audit_events(world.engine, "renewalQuoteRequest")
    assert event.principal_kind == "ANONYMOUS" and event.entity_id == quote.id


async def test_r_maint_8_a_contact_signed_in_sees_the_quote(client: Any, world: World) -> None:
    ends = today() + dt.timedelta(days=40)
    _, sen = await server_license(world, ends)
    quote = ok(await renew(client, world.alice_token, sen), "renewalQuoteRequest")["quote"]
    assert quote["currency"] == "EUR" and quote["requiresSalesReview"] is False
    assert quote["lines"] == [
        {
            "kind": "RENEWAL",
            "years": 1,
            "maintenanceStartsOn": ends.isoformat(),
            "maintenanceEndsOn": add_months(ends, 12).isoformat(),
            "license": {"sen": sen},
        }
    ]
    assert quote["total"] == {"amount": "1920.00", "currency": "EUR"}  # 2400 − 20%


async def test_r_maint_8_signed_in_stranger_still_needs_a_contact_email(
    client: Any, world: World
) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=40))
    body = await renew(client, world.bob_token, sen, "bob@example.com")
    assert body["data"]["renewalQuoteRequest"]["userErrors"] == SECRET
    body = await renew(client, world.bob_token, sen, "alice@example.com")
    assert ok(body, "renewalQuoteRequest")["quote"] is None  # R-QUOTE-6: Bob may not see it
    assert len(await rows(world.engine, Quote)) == 1


async def test_r_maint_8_wrong_email_wrong_sen_or_evaluation_look_the_same(
    client: Any, world: World
) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=40))
    evaluation = await world.license(
        license_type=LicenseType.EVALUATION,
        evaluation_ends_on=today() + dt.timedelta(days=5),
        maintenance_starts_on=None,
        maintenance_ends_on=None,
    )
    evaluation_sen = await sen_of(world, evaluation)
    before = await snapshot(world.engine)
    attempts = [
        (sen, "bob@example.com"),  # an account, but not a contact of it
        (sen, "nobody@example.com"),
        ("SEN-L0000000", "alice@example.com"),
        ("S" * 10_000, "alice@example.com"),
        (evaluation_sen, "alice@example.com"),
    ]
    seen = set()
    for token in (None, world.bob_token):
        for asked_sen, email in attempts:
            response = await client.post(
                "/graphql",
                json={
                    "query": "mutation($i: RenewalQuoteRequestInput!) { renewalQuoteRequest"
                    "(input: $i) { quote { id number } userErrors { field code message } } }",
                    "variables": {"i": {"sen": asked_sen, "contactEmail": email}},
                },
                headers={"Authorization": f"Bearer {token}"} if token else {},
            )
            body = response.json()
            body.pop("extensions", None)  # the caller's own rate-limit budget
            seen.add((response.status_code, json.dumps(body, sort_keys=True)))
    assert len(seen) == 1
    ((status, text),) = seen
    assert status == 200
    assert json.loads(text)["data"]["renewalQuoteRequest"] == {"quote": None, "userErrors": SECRET}
    assert await snapshot(world.engine) == before


async def test_r_maint_8_malformed_input_refused_before_any_lookup(
    client: Any, world: World
) -> None:
    before = await snapshot(world.engine)
    body = await renew(client, None, "SEN-L0000000", "not an email", years=9)
    assert user_errors(body, "renewalQuoteRequest") == [
        (["input", "contactEmail"], "INVALID"),
        (["input", "years"], "INVALID"),
    ]
    assert await snapshot(world.engine) == before


# --- R-MAINT-4, R-MAINT-5, R-MAINT-1 ----------------------------------------------------------


async def _renewal_line(world: World) -> Any:
    (line,) = await rows(world.engine, QuoteLine)
    return line


async def test_r_maint_4_renewal_bought_early_starts_at_the_previous_end(
    client: Any, world: World
) -> None:
    ends = today() + dt.timedelta(days=300)
    license_id, sen = await server_license(world, ends)
    ok(await renew(client, None, sen, years=2), "renewalQuoteRequest")
    line = await _renewal_line(world)
    assert (line.maintenance_starts_on, line.maintenance_ends_on) == (ends, add_months(ends, 24))
    assert (line.kind, line.license_id, line.years) == ("RENEWAL", license_id, 2)
    assert line.unit_price == D("4800.00")  # two 12-month blocks at 2400


async def test_r_maint_4_lapsed_renewal_starts_at_the_old_expiry(client: Any, world: World) -> None:
    ended = today() - dt.timedelta(days=200)
    _, sen = await server_license(world, ended)
    ok(await renew(client, None, sen), "renewalQuoteRequest")
    line = await _renewal_line(world)
    assert (line.maintenance_starts_on, line.maintenance_ends_on) == (ended, add_months(ended, 12))


async def test_r_maint_5_three_years_beyond_today_is_the_limit(client: Any, world: World) -> None:
    at_limit = add_months(today(), 24)
    _, sen = await server_license(world, at_limit)
    ok(await renew(client, None, sen), "renewalQuoteRequest")
    line = await _renewal_line(world)
    assert line.maintenance_ends_on == add_months(today(), 36)

    _, sen = await server_license(world, at_limit + dt.timedelta(days=1))
    before = await snapshot(world.engine)
    body = await renew(client, None, sen)
    assert user_errors(body, "renewalQuoteRequest") == [(["input", "years"], "MAINTENANCE_LIMIT")]
    assert await snapshot(world.engine) == before


async def test_r_maint_5_three_years_at_once_only_from_today(client: Any, world: World) -> None:
    _, sen = await server_license(world, today())
    ok(await renew(client, None, sen, years=3), "renewalQuoteRequest")
    _, sen = await server_license(world, today() + dt.timedelta(days=1))
    body = await renew(client, None, sen, years=3)
    assert user_errors(body, "renewalQuoteRequest") == [(["input", "years"], "MAINTENANCE_LIMIT")]


async def test_r_maint_5_cloud_renews_12_months_at_a_time(client: Any, world: World) -> None:
    cloud = await world.license(
        Deployment.CLOUD,
        maintenance_starts_on=today() - dt.timedelta(days=300),
        maintenance_ends_on=today() + dt.timedelta(days=65),
    )
    sen = await sen_of(world, cloud)
    before = await snapshot(world.engine)
    body = await renew(client, None, sen, years=2)
    assert user_errors(body, "renewalQuoteRequest") == [(["input", "years"], "MAINTENANCE_LIMIT")]
    assert await snapshot(world.engine) == before
    ok(await renew(client, None, sen, years=1), "renewalQuoteRequest")


@pytest.mark.parametrize("years", [0, 4, -1])
async def test_r_maint_1_renewal_is_one_to_three_12_month_blocks(
    client: Any, world: World, years: int
) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=10))
    body = await renew(client, None, sen, years=years)
    assert user_errors(body, "renewalQuoteRequest") == [(["input", "years"], "INVALID")]


# --- Prices: R-PRICE-1..3, R-CUR-2/3 ----------------------------------------------------------


async def test_r_price_1_cloud_renewal_at_normal_price(client: Any, world: World) -> None:
    cloud = await world.license(
        Deployment.CLOUD,
        maintenance_starts_on=today() - dt.timedelta(days=300),
        maintenance_ends_on=today() + dt.timedelta(days=65),
    )
    quote = ok(
        await renew(client, world.alice_token, await sen_of(world, cloud)), "renewalQuoteRequest"
    )["quote"]
    assert quote["total"] == {"amount": "1200.00", "currency": "EUR"}
    line = await _renewal_line(world)
    assert line.discounts == [] and line.discount_total == D("0.00")


async def test_r_price_2_academic_renewal_stacks_with_promotion(client: Any, world: World) -> None:
    campus = await f.organization(world.engine, name="Campus", country="FR", academic=True)
    _, sen = await server_license(
        world,
        today() + dt.timedelta(days=30),
        organization_id=campus,
        license_type=LicenseType.ACADEMIC,
    )
    ok(await renew(client, None, sen), "renewalQuoteRequest")
    line = await _renewal_line(world)
    assert [(d["kind"], d["amount"]) for d in line.discounts] == [
        ("PROMOTIONAL", "480.00"),
        ("ACADEMIC", "134.40"),
    ]
    assert line.total == D("1785.60")


async def test_r_quote_5_r_price_6_customer_renewal_of_a_resold_license_records_its_partner(
    client: Any, world: World
) -> None:
    """R-PRICE-6: the partner's discount applies to the quotes that partner creates; the
    customer's own renewal records the partner (R-QUOTE-5) but is priced without it."""
    await set_partner_discount(world.engine, world.partner, "5")
    _, sen = await server_license(world, today() + dt.timedelta(days=30), partner_id=world.partner)
    ok(await renew(client, None, sen), "renewalQuoteRequest")
    (quote,) = await rows(world.engine, Quote)
    assert quote.partner_id == world.partner and quote.is_reseller is False
    assert quote.total == D("1920.00")  # 2400 − 20%; no partner discount (R-PRICE-6)
    assert quote.partner_discount_percent == D("0")
    (line,) = await rows(world.engine, QuoteLine, QuoteLine.quote_id == quote.id)
    assert "PARTNER" not in [d["kind"] for d in line.discounts]
    read = world.partner_tokens[PartnerScope.QUOTES_READ.value]
    node = await send(client, "QuoteDetail", {"id": gid("Quote", quote.id)}, read)
    assert node["data"]["node"]["partner"]["id"] == gid("Partner", world.partner)


async def test_r_quote_5_partner_requesting_with_quotes_write_is_the_reseller(
    client: Any, world: World
) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=30))
    body = await renew(client, world.partner_tokens["ALL"], sen)
    assert ok(body, "renewalQuoteRequest")["quote"] is not None
    (quote,) = await rows(world.engine, Quote)
    assert quote.partner_id == world.partner and quote.is_reseller is True


async def test_r_price_6_the_partners_own_renewal_quote_gets_its_discount(
    client: Any, world: World
) -> None:
    await set_partner_discount(world.engine, world.partner, "5")
    _, sen = await server_license(world, today() + dt.timedelta(days=30), partner_id=world.partner)
    ok(await renew(client, world.partner_tokens["ALL"], sen), "renewalQuoteRequest")
    (quote,) = await rows(world.engine, Quote)
    assert quote.is_reseller is True and quote.partner_discount_percent == D("5")
    assert quote.total == D("1824.00")  # R-PRICE-3/6: 2400 − 20% − 5%


async def test_r_cur_2_dzd_renewal_only_for_an_algerian_licensee(client: Any, world: World) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=30))
    before = await snapshot(world.engine)
    body = await renew(client, None, sen, currency="DZD")
    assert user_errors(body, "renewalQuoteRequest") == [
        (["input", "currency"], "CURRENCY_NOT_ALLOWED")
    ]
    assert await snapshot(world.engine) == before


async def test_r_cur_3_dzd_renewal_stores_rate_and_margin(client: Any, world: World) -> None:
    algiers = await f.organization(world.engine, name="Bibliothèque d'Alger", country="DZ")
    _, sen = await server_license(
        world,
        today() + dt.timedelta(days=30),
        organization_id=algiers,
        purchase_currency=Currency.DZD,
    )
    quote = ok(await renew(client, world.alice_token, sen), "renewalQuoteRequest")["quote"]
    assert quote["currency"] == "DZD"
    assert quote["total"]["amount"] == "289421.76"  # 2400 × 146.35 × 1.03 − 20%
    (row,) = await rows(world.engine, Quote)
    assert (row.fx_rate, row.fx_margin) == (D("146.35"), D("0.03"))


async def test_currency_defaults_to_the_purchase_currency_else_usd(
    client: Any, world: World
) -> None:
    _, usd = await server_license(
        world, today() + dt.timedelta(days=30), purchase_currency=Currency.USD
    )
    _, unknown = await server_license(
        world, today() + dt.timedelta(days=30), purchase_currency=None, purchase_amount=None
    )
    _, dzd_in_france = await server_license(
        world, today() + dt.timedelta(days=30), purchase_currency=Currency.DZD
    )
    for sen in (usd, unknown, dzd_in_france):
        ok(await renew(client, None, sen), "renewalQuoteRequest")
    assert [q.currency for q in await rows(world.engine, Quote)] == [Currency.USD] * 3


# --- R-MAINT-6 --------------------------------------------------------------------------------


async def test_r_maint_6_co_terming_flags_the_quote_for_sales_review(
    client: Any, world: World
) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=30))
    _, other = await server_license(
        world, today() + dt.timedelta(days=90), billing=world.bob, technical=world.alice
    )
    body = await renew(client, world.alice_token, sen, syncWithSens=[other.lower(), other])
    assert ok(body, "renewalQuoteRequest")["quote"]["requiresSalesReview"] is True
    (quote,) = await rows(world.engine, Quote)
    assert quote.sync_with_sens == [other]


async def test_r_maint_6_only_licenses_of_the_same_contacts_can_be_synced(
    client: Any, world: World
) -> None:
    _, sen = await server_license(world, today() + dt.timedelta(days=30))
    _, bobs = await server_license(world, today() + dt.timedelta(days=90), billing=world.bob)
    before = await snapshot(world.engine)
    body = await renew(client, None, sen, syncWithSens=[bobs, "SEN-L0000000", sen])
    errors = body["data"]["renewalQuoteRequest"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "syncWithSens", "0"], "INVALID"),
        (["input", "syncWithSens", "1"], "INVALID"),
        (["input", "syncWithSens", "2"], "INVALID"),
    ]
    assert len({e["message"] for e in errors}) == 1  # existing or not: the same answer
    assert await snapshot(world.engine) == before
