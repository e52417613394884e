"""Every query of the contract, run as its client sends it, against known rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.models import Account
from gateway.domain.enums import Currency, Deployment, LicenseType, QuoteStatus, Tier
from gateway.schema.relay import encode_id
from gateway.services import services_of
from tests import factories as f
from tests.api.client import send
from tests.api.world import World
from tests.contract import document, operations

TODAY = dt.datetime.now(dt.UTC).date()


async def run(
    client: httpx.AsyncClient,
    name: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    return (await send(client, name, variables, token)).data


def test_every_contract_query_is_covered_here() -> None:
    queries = {name for name, client in operations().items() if f"query {name}" in document(client)}
    covered = {
        "AccountHome",
        "MoreLicenses",
        "LicenseDetail",
        "QuoteDetail",
        "OrderDetail",
        "Catalog",
        "PartnerDirectory",
        "MobileLicenses",
        "MobileQuotes",
        "MobileQuote",
        "PartnerHome",
        "PartnerLicense",
        "QuotesNeedingReview",
        "ExpiringMaintenance",
        "AccountLookup",
        "Metrics",
        "AuditTrail",
    }
    assert queries == covered


async def test_account_home_shows_own_profile_licenses_quotes_orders(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(Account).where(Account.id == world.alice).values(phone="+33 1 23")
        )
    await f.tax_id(engine, world.alice, "VAT", "FR12345678901")
    await world.add_licenses(3)
    await world.add_quotes(2)
    await world.add_orders(1)
    data = await run(client, "AccountHome", token=world.alice_token)
    account = data["viewer"]["account"]
    assert account["email"] == "alice@example.com"
    assert account["phone"] == "+33 1 23"
    assert account["taxIds"] == [{"kind": "VAT", "value": "FR12345678901"}]
    assert account["licenses"]["totalCount"] == 4  # 3 + the one the order issued
    first = account["licenses"]["edges"][0]["node"]
    assert first["status"] == "ACTIVE"
    assert first["billingContact"] == {
        "role": "BILLING",
        "account": {
            "id": encode_id("Account", world.alice),
            "email": "alice@example.com",
            "name": "Alice Martin",
        },
    }
    assert first["supportPlan"] == {
        "tier": "PROFESSIONAL",
        "channels": ["EMAIL", "KNOWLEDGE_BASE", "TICKETS", "LIVE_CHAT"],
    }
    assert first["organization"]["country"] == "FR"
    assert account["quotes"]["totalCount"] == 2  # OPEN only; the paid one is an order
    assert account["orders"]["totalCount"] == 1
    order = account["orders"]["edges"][0]["node"]
    assert order["total"] == {"amount": "3840.00", "currency": "EUR"}


async def test_more_licenses_pages_forward_with_stable_cursors(
    client: httpx.AsyncClient, world: World
) -> None:
    ids = await world.add_licenses(45)
    home = await run(client, "AccountHome", token=world.alice_token)
    page = home["viewer"]["account"]["licenses"]
    seen = [edge["node"]["id"] for edge in page["edges"]]
    while page["pageInfo"]["hasNextPage"]:
        more = await run(
            client, "MoreLicenses", {"after": page["pageInfo"]["endCursor"]}, world.alice_token
        )
        page = more["viewer"]["account"]["licenses"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
    assert seen == [encode_id("License", pk) for pk in ids]


async def test_license_detail_computed_fields(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    (pk,) = await world.add_licenses(
        1,
        tier=Tier.STARTER,
        purchased_on=TODAY - dt.timedelta(days=10),
        purchase_amount=Decimal("960.00"),
    )
    data = await run(client, "LicenseDetail", {"id": encode_id("License", pk)}, world.alice_token)
    node = data["node"]
    assert node["licenseKey"] is not None  # R-PRICE-5: the contact of a paid license
    assert node["backupsIncluded"] is None  # R-EVAL-3: a Server license has no hosted backups
    assert node["customizationEligible"] is False  # R-LIC-3: Starter is not Enterprise
    assert node["paymentCard"] is None and node["pastDue"] is False
    # R-UPG-1: the three higher tiers; R-UPG-3 within 30 days: list price minus what was paid,
    # then R-PRICE-1 20% and R-PRICE-2 7% (academic organization, but a COMMERCIAL license: no 7%).
    options = {o["tier"]: o["price"] for o in node["upgradeOptions"]}
    assert list(options) == ["EXPRESS", "PROFESSIONAL", "ENTERPRISE"]
    assert options["EXPRESS"] == {"amount": "1152.00", "currency": "EUR"}  # (2400 − 960) × 0.8


async def test_r_sec_3_license_key_hidden_from_everyone_but_its_contacts(
    client: httpx.AsyncClient, world: World
) -> None:
    (pk,) = await world.add_licenses(1)
    gid = encode_id("License", pk)
    staff = await run(client, "LicenseDetail", {"id": gid}, world.staff_token)
    assert staff["node"]["sen"] and staff["node"]["licenseKey"] is None
    partner = await run(client, "LicenseDetail", {"id": gid}, world.partner_tokens["ALL"])
    assert partner["node"]["licenseKey"] is None


async def test_quote_detail_lines_totals_contacts(client: httpx.AsyncClient, world: World) -> None:
    (pk,) = await world.add_quotes(1, lines=2, po_number="PO-7", is_reseller=True)
    data = await run(client, "QuoteDetail", {"id": encode_id("Quote", pk)}, world.alice_token)
    quote = data["node"]
    assert quote["status"] == "OPEN" and quote["poNumber"] == "PO-7" and quote["isReseller"]
    assert quote["selfServiceEditable"] is True and quote["editBlockedReason"] is None
    assert quote["partner"]["name"] == "Atlas Solutions"
    assert quote["organization"] == {
        "id": encode_id("Organization", world.organization),
        "name": "Bibliothèque de Lyon",
        "country": "FR",
        "academic": False,
    }
    assert [line["kind"] for line in quote["lines"]] == ["NEW", "NEW"]
    line = quote["lines"][0]
    assert line["product"]["deployment"] == "SERVER" and line["license"] is None
    assert line["discounts"] == [
        {"kind": "PROMOTIONAL", "percent": "20", "amount": {"amount": "960.00", "currency": "EUR"}}
    ]
    assert quote["tax"] == {"amount": "0.00", "currency": "EUR"}  # R-PRICE-4
    assert quote["exchangeRate"] is None


async def test_r_quote_1_open_quote_past_valid_until_reads_expired(
    client: httpx.AsyncClient, world: World
) -> None:
    (pk,) = await world.add_quotes(1, valid_until=TODAY - dt.timedelta(days=1))
    quote = (await run(client, "QuoteDetail", {"id": encode_id("Quote", pk)}, world.alice_token))[
        "node"
    ]
    assert quote["status"] == "EXPIRED"
    assert quote["selfServiceEditable"] is False and quote["editBlockedReason"] == "EXPIRED"
    mobile = await run(client, "MobileQuotes", token=world.alice_token)
    assert mobile["viewer"]["account"]["quotes"]["edges"] == []  # not OPEN any more


async def test_r_quote_3_cloud_quote_is_contact_sales(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    pk = await f.quote(
        engine,
        organization_id=world.organization,
        billing=world.alice,
        lines=[{"product_id": world.products[Deployment.CLOUD]}],
    )
    quote = (await run(client, "QuoteDetail", {"id": encode_id("Quote", pk)}, world.alice_token))[
        "node"
    ]
    assert quote["selfServiceEditable"] is False
    assert quote["editBlockedReason"] == "CONTACT_SALES"


async def test_r_cur_3_dzd_quote_shows_its_rate(client: httpx.AsyncClient, world: World) -> None:
    (pk,) = await world.add_quotes(
        1, currency=Currency.DZD, fx_rate=Decimal("146.35"), fx_margin=Decimal("0.03")
    )
    quote = (await run(client, "QuoteDetail", {"id": encode_id("Quote", pk)}, world.alice_token))[
        "node"
    ]
    assert quote["exchangeRate"] == {
        "base": "EUR",
        "target": "DZD",
        "rate": "146.350000",
        "margin": "0.0300",
    }
    assert quote["total"]["currency"] == "DZD"


async def test_order_detail(client: httpx.AsyncClient, world: World) -> None:
    (pk,) = await world.add_orders(1)
    order = (await run(client, "OrderDetail", {"id": encode_id("Order", pk)}, world.alice_token))[
        "node"
    ]
    assert order["number"].startswith("O-") and order["invoiceNumber"].startswith("INV-")
    assert order["paymentMethod"] == "CARD"
    assert order["quote"]["number"].startswith("Q-")
    assert [lic["licenseKey"] is not None for lic in order["licenses"]] == [True]


async def test_catalog_is_public(client: httpx.AsyncClient, world: World) -> None:
    data = await run(client, "Catalog")
    products = {p["deployment"]: p for p in data["products"]}
    assert products["DATA_CENTER"]["tiers"] == ["ENTERPRISE"]
    assert products["SERVER"]["tiers"] == ["STARTER", "EXPRESS", "PROFESSIONAL", "ENTERPRISE"]
    assert {"tier": "STARTER", "price": {"amount": "1200.00", "currency": "EUR"}} in products[
        "SERVER"
    ]["listPrices"]
    plans = {p["tier"]: p["channels"] for p in data["supportPlans"]}
    assert plans["ENTERPRISE"] == [
        "EMAIL",
        "KNOWLEDGE_BASE",
        "TICKETS",
        "LIVE_CHAT",
        "TEAMVIEWER",
        "PHONE",
    ]  # R-SUP-1
    assert plans["STARTER"] == plans["EXPRESS"] == ["EMAIL", "KNOWLEDGE_BASE"]
    kinds = [o["kind"] for o in data["supportOfferings"]]
    assert kinds == ["SELECT", "PRIORITY_CLOUD", "PRIORITY_SERVER", "PREMIER"]  # R-SUP-2
    # R-SUP-3: 1.x was released 2023-03-01 (factories), supported 2 years.
    assert data["versionSupport"] == {
        "version": "1.4",
        "releasedOn": "2024-01-15",
        "supported": False,
        "supportEndsOn": "2025-03-01",
    }


async def test_partner_directory_filters_by_region(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await f.partner(engine, name="Maple Partners", region="NA", country="CA")
    everyone = await run(client, "PartnerDirectory")
    assert everyone["partners"]["totalCount"] == 3  # Atlas (EMEA), Bravo (AMER), Maple
    na = await run(client, "PartnerDirectory", {"region": "NA"})
    assert [e["node"]["name"] for e in na["partners"]["edges"]] == ["Maple Partners"]


async def test_mobile_operations(client: httpx.AsyncClient, world: World) -> None:
    (lic,) = await world.add_licenses(1)
    (quote,) = await world.add_quotes(1)
    licenses = await run(client, "MobileLicenses", token=world.alice_token)
    node = licenses["viewer"]["account"]["licenses"]["edges"][0]["node"]
    assert node["id"] == encode_id("License", lic) and node["product"]["deployment"] == "SERVER"
    one = await run(client, "MobileQuote", {"id": encode_id("Quote", quote)}, world.alice_token)
    assert one["node"]["version"] == 1


async def test_partner_home_and_license(client: httpx.AsyncClient, world: World) -> None:
    (lic,) = await world.add_licenses(1)
    await world.add_quotes(1)
    data = await run(client, "PartnerHome", token=world.partner_tokens["ALL"])
    viewer = data["viewer"]
    assert viewer["partner"]["name"] == "Atlas Solutions"
    assert viewer["partner"]["quotes"]["totalCount"] == 1
    customers = viewer["partner"]["customers"]
    assert customers["totalCount"] == 1
    assert customers["edges"][0]["node"]["licenses"]["edges"][0]["node"]["id"] == encode_id(
        "License", lic
    )
    sen = (
        await run(client, "LicenseDetail", {"id": encode_id("License", lic)}, world.alice_token)
    )["node"]["sen"]
    found = await run(client, "PartnerLicense", {"sen": sen}, world.partner_tokens["LICENSES_READ"])
    assert found["license"]["organization"]["name"] == "Bibliothèque de Lyon"


async def test_dashboard_queries(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    await world.add_quotes(2, requires_sales_review=True)
    await world.add_quotes(1)
    soon = TODAY + dt.timedelta(days=20)
    await world.add_licenses(2, maintenance_ends_on=soon)
    await world.add_licenses(1)  # ends in 265 days
    await world.add_orders(1)
    review = await run(client, "QuotesNeedingReview", token=world.staff_token)
    assert review["quotes"]["totalCount"] == 2
    expiring = await run(
        client,
        "ExpiringMaintenance",
        {"before": str(TODAY + dt.timedelta(days=30))},
        world.staff_token,
    )
    assert expiring["licenses"]["totalCount"] == 2
    assert (
        expiring["licenses"]["edges"][0]["node"]["billingContact"]["account"]["email"]
        == "alice@example.com"
    )
    lookup = await run(
        client, "AccountLookup", {"email": "  ALICE@Example.com "}, world.staff_token
    )
    assert lookup["accounts"]["edges"][0]["node"]["licenses"]["totalCount"] == 4
    metrics = await run(
        client,
        "Metrics",
        {"from": str(TODAY - dt.timedelta(days=30)), "to": str(TODAY)},
        world.staff_token,
    )
    assert metrics["metrics"]["revenue"] == [
        {"currency": "EUR", "amount": "3840.00", "orderCount": 1}
    ]
    assert metrics["metrics"]["openQuotes"] == [
        {"currency": "EUR", "count": 3, "total": "11520.00"}
    ]


async def test_audit_trail_lists_events_of_one_entity(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    from sqlalchemy import insert

    from db.models import AuditEvent

    (pk,) = await world.add_quotes(1)
    async with engine.begin() as conn:
        await conn.execute(
            insert(AuditEvent),
            [
                dict(
                    at=f.NOW,
                    principal_kind="CUSTOMER",
                    principal_id=str(world.alice),
                    principal_name="Alice",
                    action="quoteSetPoNumber",
                    entity_type="Quote",
                    entity_id=pk,
                    changes=[{"field": "poNumber", "before": None, "after": "PO-1"}],
                ),
                dict(
                    at=f.NOW,
                    principal_kind="STAFF",
                    principal_id="1",
                    principal_name="ops",
                    action="licenseAssign",
                    entity_type="License",
                    entity_id=pk,
                    changes=[],
                ),
            ],
        )
    data = await run(client, "AuditTrail", {"entityId": encode_id("Quote", pk)}, world.staff_token)
    (edge,) = data["auditEvents"]["edges"]
    assert edge["node"]["principal"] == {
        "kind": "CUSTOMER",
        "id": str(world.alice),
        "name": "Alice",
    }
    assert edge["node"]["changes"] == [{"field": "poNumber", "before": None, "after": '"PO-1"'}]
    assert edge["node"]["entityId"] == encode_id("Quote", pk)
    mine = await run(client, "AuditTrail", {"entityId": encode_id("Quote", pk)}, world.alice_token)
    assert len(mine["auditEvents"]["edges"]) == 1  # a customer sees the events of their quote
    theirs = await run(client, "AuditTrail", {"entityId": encode_id("Quote", pk)}, world.bob_token)
    assert theirs["auditEvents"]["edges"] == []


@pytest.mark.parametrize(
    ("license_type", "ends", "status"),
    [
        (LicenseType.EVALUATION, 1, "EVALUATION"),
        (LicenseType.EVALUATION, 0, "EVALUATION_EXPIRED"),
        (LicenseType.COMMERCIAL, 1, "ACTIVE"),
        (LicenseType.COMMERCIAL, 0, "MAINTENANCE_EXPIRED"),
    ],
)
async def test_r_eval_1_r_maint_7_status_flips_at_midnight_utc(
    client: httpx.AsyncClient,
    world: World,
    app: Starlette,
    license_type: LicenseType,
    ends: int,
    status: str,
) -> None:
    """The license's last day is the day before its end date, in UTC."""
    end = TODAY + dt.timedelta(days=ends)
    values: dict[str, Any] = {"license_type": license_type, "maintenance_ends_on": end}
    if license_type is LicenseType.EVALUATION:
        values |= {"evaluation_ends_on": end, "license_key": None, "maintenance_ends_on": None}
    (pk,) = await world.add_licenses(1, **values)
    # Stand one second before the next UTC midnight: still "today".
    services_of(app).clock = lambda: dt.datetime.combine(TODAY, dt.time(23, 59, 59), dt.UTC)
    data = await run(client, "LicenseDetail", {"id": encode_id("License", pk)}, world.alice_token)
    assert data["node"]["status"] == status
    services_of(app).clock = lambda: dt.datetime.combine(end, dt.time(0, 0), dt.UTC)
    data = await run(client, "LicenseDetail", {"id": encode_id("License", pk)}, world.alice_token)
    assert data["node"]["status"] in {"EVALUATION_EXPIRED", "MAINTENANCE_EXPIRED"}


async def test_r_maint_7_lapsed_cloud_and_sql_filter_agree_with_domain(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """The SQL status filter and the computed status say the same for every license."""
    cloud = world.products[Deployment.CLOUD]
    past = TODAY - dt.timedelta(days=3)
    await world.add_licenses(1)
    await world.add_licenses(1, maintenance_ends_on=past)
    await f.license(
        engine,
        product_id=cloud,
        organization_id=world.organization,
        billing=world.alice,
        maintenance_ends_on=past,
    )
    await f.license(
        engine, product_id=cloud, organization_id=world.organization, billing=world.alice
    )
    await world.add_licenses(
        1,
        license_type=LicenseType.EVALUATION,
        evaluation_ends_on=TODAY,
        maintenance_ends_on=None,
        license_key=None,
    )
    everything = await run(client, "MobileLicenses", token=world.alice_token)
    computed = {
        e["node"]["id"]: e["node"]["status"]
        for e in everything["viewer"]["account"]["licenses"]["edges"]
    }
    assert sorted(computed.values()) == sorted(
        ["ACTIVE", "MAINTENANCE_EXPIRED", "LAPSED", "ACTIVE", "EVALUATION_EXPIRED"]
    )
    for status in {"ACTIVE", "MAINTENANCE_EXPIRED", "LAPSED", "EVALUATION", "EVALUATION_EXPIRED"}:
        query = (
            "query($s: LicenseStatus!) "
            "{ licenses(first: 100, filter: {status: $s}) { edges { node { id } } } }"
        )
        response = await send(client, query=query, variables={"s": status}, token=world.staff_token)
        ids = {e["node"]["id"] for e in response["data"]["licenses"]["edges"]}
        assert ids == {gid for gid, s in computed.items() if s == status}, status


async def test_deleted_quotes_left_out_unless_asked(
    client: httpx.AsyncClient, world: World
) -> None:
    await world.add_quotes(1, status=QuoteStatus.DELETED)
    await world.add_quotes(1)
    query = "query($s: QuoteStatus) { quotes(filter: {status: $s}) { totalCount } }"
    default = await send(client, query=query, variables={}, token=world.alice_token)
    assert default["data"]["quotes"]["totalCount"] == 1
    deleted = await send(client, query=query, variables={"s": "DELETED"}, token=world.alice_token)
    assert deleted["data"]["quotes"]["totalCount"] == 1
