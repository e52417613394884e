"""salesRequestCreate (ContactSales) and the customer's list (MySalesRequests): R-REQ-1,
R-REQ-2."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from db.models import License, SalesRequest
from gateway.domain.enums import Deployment, LicenseType, Tier
from tests.api.client import request_error, user_errors
from tests.api.sales_request.support import (
    CREATE,
    contact_sales,
    license_id,
    my_requests,
    opened,
    quote_id,
)
from tests.api.world import World, audit_events, changes, dump, gid, mail_to, one, rows, today
from tests.helpers import ClientWith


async def test_r_req_1_a_customer_opens_a_request_about_its_license(
    client: Any, world: World
) -> None:
    enterprise = await world.license(tier=Tier.ENTERPRISE)
    sen = (await one(world.engine, License, enterprise)).sen
    request = await opened(
        client,
        world,
        "CUSTOMIZATION",
        message="  A custom OPAC theme, please.\nWith our logo.\n",
        **license_id(enterprise),
    )
    (row,) = await rows(world.engine, SalesRequest)
    assert request == {
        "id": gid("SalesRequest", row.id),
        "number": "SR-000001",
        "kind": "CUSTOMIZATION",
        "status": "OPEN",
        "message": "A custom OPAC theme, please.\nWith our logo.",
        "createdAt": request["createdAt"],
        "license": {"id": gid("License", enterprise), "sen": sen},
        "quote": None,
    }
    assert (row.account_id, row.license_id, row.quote_id) == (world.alice, enterprise, None)
    assert (row.resolution, row.resolved_at) == (None, None)
    (event,) = await audit_events(world.engine, "salesRequestCreate")
    assert (event.entity_type, event.entity_id, event.principal_id) == (
        "SalesRequest",
        row.id,
        str(world.alice),
    )
    assert changes(event) == {
        "number": (None, "SR-000001"),
        "kind": (None, "CUSTOMIZATION"),
        "status": (None, "OPEN"),
        "license": (None, sen),
        "message": (None, "A custom OPAC theme, please.\nWith our logo."),
    }
    (mail,) = await mail_to(world.engine, "alice@example.com")
    assert mail.template == "sales_request_opened"
    assert "SR-000001" in mail.subject and sen in mail.body and "custom OPAC theme" in mail.body


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("CONSENT_TO_ASSIGN", "license"),
        ("UPGRADE_CREDIT", "license"),
        ("TAX_EXEMPTION", "quote"),
        ("QUOTE_CHANGE", "quote"),
        ("DZD_QUOTE", "quote"),
        ("DZD_QUOTE", None),
        ("OTHER", "license"),
        ("OTHER", None),
    ],
)
async def test_r_req_1_each_kind_about_what_it_names(
    client: Any, world: World, kind: str, subject: str | None
) -> None:
    ids: dict[str, str] = {}
    if subject == "license":
        ids = license_id(await world.license())
    elif subject == "quote":
        ids = quote_id(await world.quote())
    request = await opened(client, world, kind, **ids)
    assert (request["kind"], request["status"]) == (kind, "OPEN")
    assert (request["license"] is not None) == (subject == "license")
    assert (request["quote"] is not None) == (subject == "quote")


async def test_r_req_1_a_kind_needs_what_it_is_about_and_nothing_else(
    client: Any, world: World
) -> None:
    license_pk, quote_pk = await world.license(), await world.quote()
    snapshot = await dump(world.engine)
    cases = [
        ("CONSENT_TO_ASSIGN", {}, [(["input", "licenseId"], "REQUIRED")]),
        ("TAX_EXEMPTION", {}, [(["input", "quoteId"], "REQUIRED")]),
        (
            "QUOTE_CHANGE",
            license_id(license_pk),
            [
                (["input", "quoteId"], "REQUIRED"),
                (["input", "licenseId"], "INVALID"),
            ],
        ),
        (
            "UPGRADE_CREDIT",
            {**license_id(license_pk), **quote_id(quote_pk)},
            [
                (["input", "quoteId"], "INVALID"),
            ],
        ),
    ]
    for kind, ids, expected in cases:
        body = await contact_sales(client, world.alice_token, kind, **ids)
        assert user_errors(body, CREATE) == expected, kind
    for message, code in (("   ", "REQUIRED"), ("x" * 4001, "TOO_LONG"), ("bell\a", "INVALID")):
        body = await contact_sales(client, world.alice_token, "OTHER", message=message)
        assert user_errors(body, CREATE) == [(["input", "message"], code)]
    assert await dump(world.engine) == snapshot


async def test_r_req_1_only_about_what_the_customer_is_a_contact_of(
    client: Any, world: World
) -> None:
    """Anyone else's license or quote is "not found" (R-QUOTE-6), as an id of another type."""
    license_pk, quote_pk = await world.license(), await world.quote()
    snapshot = await dump(world.engine)
    bob = await contact_sales(
        client, world.bob_token, "CONSENT_TO_ASSIGN", **license_id(license_pk)
    )
    assert user_errors(bob, CREATE) == [(["input", "licenseId"], "NOT_FOUND")]
    bob = await contact_sales(client, world.bob_token, "TAX_EXEMPTION", **quote_id(quote_pk))
    assert user_errors(bob, CREATE) == [(["input", "quoteId"], "NOT_FOUND")]
    wrong = await contact_sales(
        client, world.alice_token, "CONSENT_TO_ASSIGN", licenseId=gid("Quote", quote_pk)
    )
    assert user_errors(wrong, CREATE) == [(["input", "licenseId"], "NOT_FOUND")]
    assert await dump(world.engine) == snapshot


@pytest.mark.parametrize(
    ("deployment", "tier", "license_type"),
    [
        (Deployment.SERVER, Tier.PROFESSIONAL, LicenseType.COMMERCIAL),
        (Deployment.DATA_CENTER, Tier.ENTERPRISE, LicenseType.COMMERCIAL),
        (Deployment.CLOUD, Tier.ENTERPRISE, LicenseType.COMMERCIAL),
        (Deployment.SERVER, Tier.ENTERPRISE, LicenseType.EVALUATION),
    ],
)
async def test_r_req_2_customization_needs_a_server_enterprise_license(
    client: Any, world: World, deployment: Deployment, tier: Tier, license_type: LicenseType
) -> None:
    """R-REQ-2 (R-LIC-3): CUSTOMIZATION_NOT_ELIGIBLE for anything but a paid Server
    Enterprise license, Cloud never; nothing is written."""
    values: dict[str, Any] = {"tier": tier, "license_type": license_type}
    if license_type is LicenseType.EVALUATION:
        values.update(maintenance_ends_on=None, maintenance_starts_on=None)
        values["evaluation_ends_on"] = today() + dt.timedelta(days=5)
    license_pk = await world.license(deployment, **values)
    snapshot = await dump(world.engine)
    body = await contact_sales(client, world.alice_token, "CUSTOMIZATION", **license_id(license_pk))
    assert user_errors(body, CREATE) == [(["input", "licenseId"], "CUSTOMIZATION_NOT_ELIGIBLE")]
    assert await dump(world.engine) == snapshot


async def test_r_req_1_customers_only(client: Any, world: World) -> None:
    """Sales requests are a signed-in customer's; staff answer them, partners have none."""
    anonymous = await contact_sales(client, None, "OTHER")
    assert request_error(anonymous) == "UNAUTHENTICATED" and anonymous.status == 401
    for token in (world.staff_token, world.partner_tokens["ALL"]):
        assert request_error(await contact_sales(client, token, "OTHER")) == "FORBIDDEN"
    assert await rows(world.engine, SalesRequest) == []


async def test_r_req_1_the_customer_sees_its_requests_newest_first(
    client: Any, world: World
) -> None:
    first = await opened(client, world, "OTHER", message="first")
    second = await opened(client, world, "DZD_QUOTE", message="second")
    mine = await my_requests(client, world.alice_token)
    assert mine["totalCount"] == 2
    assert [edge["node"]["id"] for edge in mine["edges"]] == [second["id"], first["id"]]
    assert mine["edges"][0]["node"] == {
        "id": second["id"],
        "number": second["number"],
        "kind": "DZD_QUOTE",
        "status": "OPEN",
        "createdAt": second["createdAt"],
        "resolution": None,
        "resolvedAt": None,
    }
    # Bob sees none of them, by his account, by id or in the root list.
    assert (await my_requests(client, world.bob_token))["totalCount"] == 0
    query = """query($id: ID!) {
      node(id: $id) { id }
      salesRequests(first: 10) { totalCount }
    }"""
    body = await client.post(
        "/graphql",
        json={"query": query, "variables": {"id": first["id"]}},
        headers={"Authorization": f"Bearer {world.bob_token}"},
    )
    assert body.json()["data"] == {"node": None, "salesRequests": {"totalCount": 0}}


async def test_r_req_1_sales_requests_are_rate_limited_like_other_writes(
    client_with: ClientWith, world: World
) -> None:
    """Each mutation takes its cost from the caller's bucket (gateway.security.guard): once
    empty the request is refused before it runs, with RATE_LIMITED and nothing written."""
    statuses = []
    async with client_with(rate_limit_capacity=60, rate_limit_restore_rate=1) as client:
        for _ in range(5):
            body = await contact_sales(client, world.alice_token, "OTHER")
            statuses.append(body.status)
            if body.status == 429:
                assert request_error(body) == "RATE_LIMITED"
                break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
    assert len(await rows(world.engine, SalesRequest)) == len(statuses) - 1
