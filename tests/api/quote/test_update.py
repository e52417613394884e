"""quoteUpdate: R-QUOTE-3 (contact sales), R-QUOTE-7 (versions), re-pricing, contacts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from db.models import Account, Quote, QuoteLine
from gateway.domain.enums import AccountStatus, Deployment, PartnerScope, QuoteStatus, Tier
from tests import factories as f
from tests.api.client import Answer, ok, payload, request_error, send, user_errors
from tests.api.quote.support import line, snapshot
from tests.api.world import World, audit_events, changes, gid, mail_to, one, rows, today

D = Decimal


async def edit(
    client: Any, token: str | None, quote_id: int, input: dict[str, Any], version: int = 1
) -> Answer:
    variables = {"id": gid("Quote", quote_id), "expectedVersion": version, "input": input}
    return await send(client, "EditQuote", variables, token)


async def server_quote(world: World, **values: Any) -> int:
    return await world.quote(lines=[world.line()], **values)


# --- R-QUOTE-7 --------------------------------------------------------------------------------


async def test_r_quote_7_edit_bumps_version_and_re_prices_lines(client: Any, world: World) -> None:
    quote_id = await server_quote(world)
    new_lines = [line(world, tier="STARTER", quantity=2), line(world, tier="EXPRESS")]
    body = await edit(client, world.alice_token, quote_id, {"lines": new_lines})
    quote = ok(body, "quoteUpdate")["quote"]
    assert quote["version"] == 2
    assert [(ln["tier"], ln["quantity"]) for ln in quote["lines"]] == [
        ("STARTER", 2),
        ("EXPRESS", 1),
    ]
    assert [ln["total"]["amount"] for ln in quote["lines"]] == ["1920.00", "1920.00"]
    assert quote["total"]["amount"] == "3840.00"
    assert len(await rows(world.engine, QuoteLine)) == 2
    row = await one(world.engine, Quote, quote_id)
    assert row.subtotal == D("4800.00") and row.updated_at > row.created_at


async def test_r_quote_7_stale_version_refused_and_nothing_changes(
    client: Any, world: World
) -> None:
    quote_id = await server_quote(world, version=3)
    before = await snapshot(world.engine)
    body = await edit(client, world.alice_token, quote_id, {"currency": "USD"}, version=2)
    assert user_errors(body, "quoteUpdate") == [(["expectedVersion"], "STALE_VERSION")]
    assert await snapshot(world.engine) == before
    assert ok(
        await edit(client, world.alice_token, quote_id, {"currency": "USD"}, 3), "quoteUpdate"
    )


async def test_r_sec_1_edit_audited_with_before_and_after(client: Any, world: World) -> None:
    quote_id = await server_quote(world)
    body = await edit(
        client,
        world.alice_token,
        quote_id,
        {"currency": "USD", "technicalContactEmail": "bob@example.com"},
    )
    ok(body, "quoteUpdate")
    (event,) = await audit_events(world.engine, "quoteUpdate")
    changed = changes(event)
    assert changed["currency"] == ("EUR", "USD")
    assert changed["total"] == ("3840.00", "4224.00")
    assert changed["technicalContact"] == ("alice@example.com", "bob@example.com")
    assert changed["version"] == (1, 2)
    assert "billingContact" not in changed  # unchanged fields are left out
    for address in ("alice@example.com", "bob@example.com"):
        (mail,) = await mail_to(world.engine, address)
        assert mail.template == "quote_changed"


# --- Currency: R-CUR-1..3 ---------------------------------------------------------------------


async def test_r_cur_1_currency_change_re_prices_and_keeps_line_ids(
    client: Any, world: World
) -> None:
    quote_id = await server_quote(world)
    (before,) = await rows(world.engine, QuoteLine)
    quote = ok(await edit(client, world.alice_token, quote_id, {"currency": "USD"}), "quoteUpdate")[
        "quote"
    ]
    assert quote["currency"] == "USD"
    assert quote["lines"][0]["id"] == gid("QuoteLine", before.id)
    assert quote["lines"][0]["total"] == {"amount": "4224.00", "currency": "USD"}
    (after,) = await rows(world.engine, QuoteLine)
    assert after.unit_price == D("5280.00")


async def test_r_cur_2_dzd_refused_for_a_french_licensee(client: Any, world: World) -> None:
    quote_id = await server_quote(world)
    before = await snapshot(world.engine)
    body = await edit(client, world.alice_token, quote_id, {"currency": "DZD"})
    assert user_errors(body, "quoteUpdate") == [(["input", "currency"], "CURRENCY_NOT_ALLOWED")]
    assert await snapshot(world.engine) == before


async def test_r_cur_3_dzd_for_an_algerian_licensee_stores_the_rate_and_back(
    client: Any, world: World
) -> None:
    algiers = await f.organization(world.engine, name="Bibliothèque d'Alger", country="DZ")
    quote_id = await server_quote(world, organization_id=algiers)
    quote = ok(await edit(client, world.alice_token, quote_id, {"currency": "DZD"}), "quoteUpdate")[
        "quote"
    ]
    assert quote["total"] == {"amount": "578843.52", "currency": "DZD"}  # 4800×146.35×1.03 −20%
    row = await one(world.engine, Quote, quote_id)
    assert (row.fx_rate, row.fx_margin) == (D("146.35"), D("0.03"))
    ok(await edit(client, world.alice_token, quote_id, {"currency": "EUR"}, 2), "quoteUpdate")
    row = await one(world.engine, Quote, quote_id)
    assert (row.fx_rate, row.fx_margin, row.total) == (None, None, D("3840.00"))


# --- R-QUOTE-3 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deployment", "tier"),
    [
        (Deployment.CLOUD, Tier.STARTER),
        (Deployment.DATA_CENTER, Tier.ENTERPRISE),
        (Deployment.SERVER, Tier.ENTERPRISE),
    ],
    ids=["cloud", "data-center", "server-enterprise"],
)
async def test_r_quote_3_customer_and_partner_must_contact_sales(
    client: Any, world: World, deployment: Deployment, tier: Tier
) -> None:
    quote_id = await world.quote(
        lines=[world.line(), world.line(deployment, tier=tier)], partner_id=world.partner
    )
    before = await snapshot(world.engine)
    for token in (world.alice_token, world.partner_tokens["ALL"]):
        body = await edit(client, token, quote_id, {"currency": "USD"})
        assert user_errors(body, "quoteUpdate") == [(None, "CONTACT_SALES")]
    assert await snapshot(world.engine) == before
    # PO numbers stay allowed (R-QUOTE-4), and staff may edit anything.
    po = {"id": gid("Quote", quote_id), "poNumber": "PO-1", "expectedVersion": 1}
    assert ok(await send(client, "SetQuotePoNumber", po, world.alice_token), "quoteSetPoNumber")
    body = await edit(client, world.staff_token, quote_id, {"currency": "USD"}, version=2)
    assert ok(body, "quoteUpdate")["quote"]["editBlockedReason"] == "CONTACT_SALES"


@pytest.mark.parametrize(
    ("deployment", "tier"),
    [
        (Deployment.CLOUD, "STARTER"),
        (Deployment.DATA_CENTER, "ENTERPRISE"),
        (Deployment.SERVER, "ENTERPRISE"),
    ],
    ids=["cloud", "data-center", "server-enterprise"],
)
async def test_r_quote_3_adding_a_sales_only_line_is_refused_too(
    client: Any, world: World, deployment: Deployment, tier: str
) -> None:
    quote_id = await server_quote(world)
    before = await snapshot(world.engine)
    body = await edit(
        client, world.alice_token, quote_id, {"lines": [line(world, deployment, tier=tier)]}
    )
    assert user_errors(body, "quoteUpdate") == [(None, "CONTACT_SALES")]
    assert await snapshot(world.engine) == before
    body = await edit(
        client, world.staff_token, quote_id, {"lines": [line(world, deployment, tier=tier)]}
    )
    assert ok(body, "quoteUpdate")["quote"]["selfServiceEditable"] is False


# --- Contacts ---------------------------------------------------------------------------------


async def test_contacts_change_and_unknown_email_is_invited(client: Any, world: World) -> None:
    quote_id = await server_quote(world)
    body = await edit(
        client, world.alice_token, quote_id, {"technicalContactEmail": "New@Example.org"}
    )
    ok(body, "quoteUpdate")
    (invited,) = await rows(world.engine, Account, Account.email == "new@example.org")
    assert invited.status == AccountStatus.INVITED
    row = await one(world.engine, Quote, quote_id)
    assert (row.billing_account_id, row.technical_account_id) == (world.alice, invited.id)
    assert [m.template for m in await mail_to(world.engine, "new@example.org")] == [
        "contact_invitation",
        "quote_changed",
    ]


async def test_r_quote_6_customer_cannot_remove_themselves(client: Any, world: World) -> None:
    quote_id = await server_quote(world)
    before = await snapshot(world.engine)
    body = await edit(
        client,
        world.alice_token,
        quote_id,
        {"billingContactEmail": "bob@example.com", "technicalContactEmail": "bob@example.com"},
    )
    assert user_errors(body, "quoteUpdate") == [(["input", "billingContactEmail"], "INVALID")]
    assert await snapshot(world.engine) == before
    # staff may hand the quote over entirely
    body = await edit(
        client,
        world.staff_token,
        quote_id,
        {"billingContactEmail": "bob@example.com", "technicalContactEmail": "bob@example.com"},
    )
    ok(body, "quoteUpdate")


# --- R-QUOTE-1, R-QUOTE-2: only open quotes ---------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"valid_until": "yesterday"},
        {"status": QuoteStatus.PAID},
        {"status": QuoteStatus.DELETED},
        {"status": QuoteStatus.EXPIRED},
    ],
    ids=["past-valid-until", "paid", "deleted", "expired"],
)
async def test_r_quote_2_closed_quote_cannot_be_edited(
    client: Any, world: World, values: dict[str, Any]
) -> None:
    if values.get("valid_until") == "yesterday":
        values = {"valid_until": today() - dt.timedelta(days=1)}
    quote_id = await server_quote(world, **values)
    before = await snapshot(world.engine)
    body = await edit(client, world.alice_token, quote_id, {"currency": "USD"})
    assert user_errors(body, "quoteUpdate") == [(["id"], "QUOTE_NOT_OPEN")]
    assert await snapshot(world.engine) == before


async def test_r_quote_1_edit_on_the_last_valid_day(client: Any, world: World) -> None:
    quote_id = await server_quote(world, valid_until=today())
    ok(await edit(client, world.alice_token, quote_id, {"currency": "USD"}), "quoteUpdate")


# --- Who may edit -----------------------------------------------------------------------------


async def test_r_quote_6_others_get_not_found(client: Any, world: World) -> None:
    quote_id = await server_quote(world, partner_id=world.partner)
    before = await snapshot(world.engine)
    refused = [world.bob_token, world.partner_tokens[PartnerScope.QUOTES_READ.value]]
    refused += [world.partner_tokens[PartnerScope.QUOTES_WRITE.value]]  # needs read too
    for token in refused:
        body = await edit(client, token, quote_id, {"currency": "USD"})
        assert user_errors(body, "quoteUpdate") == [(["id"], "NOT_FOUND")]
    body = await edit(client, None, quote_id, {"currency": "USD"})
    assert request_error(body) == "UNAUTHENTICATED"
    for bad_id in ("nope", gid("License", quote_id), gid("Quote", 999)):
        variables = {"id": bad_id, "expectedVersion": 1, "input": {"currency": "USD"}}
        body = await send(client, "EditQuote", variables, world.alice_token)
        assert user_errors(body, "quoteUpdate") == [(["id"], "NOT_FOUND")]
    assert await snapshot(world.engine) == before


async def test_partner_with_quotes_write_edits_its_quote(client: Any, world: World) -> None:
    quote_id = await server_quote(world, partner_id=world.partner)
    body = await edit(client, world.partner_tokens["ALL"], quote_id, {"currency": "USD"})
    assert ok(body, "quoteUpdate")["quote"]["version"] == 2
    (event,) = await audit_events(world.engine, "quoteUpdate")
    assert event.principal_kind == "PARTNER" and event.acting_partner_id == world.partner


async def test_technical_contact_edits(client: Any, world: World) -> None:
    quote_id = await server_quote(world, billing=world.bob, technical=world.alice)
    ok(await edit(client, world.alice_token, quote_id, {"currency": "USD"}), "quoteUpdate")


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({}, [(None, "REQUIRED")]),
        ({"lines": []}, [(["input", "lines"], "REQUIRED")]),
        (
            {"lines": [{"quantity": -1}], "billingContactEmail": "x" * 10_000},
            [
                (["input", "lines", "0", "quantity"], "INVALID"),
                (["input", "billingContactEmail"], "INVALID"),
            ],
        ),
        (
            {"lines": [{"deploymentEntity": "x" * 10_000}]},
            [(["input", "lines", "0", "deploymentEntity"], "TOO_LONG")],
        ),
        ({"technicalContactEmail": ""}, [(["input", "technicalContactEmail"], "INVALID")]),
    ],
    ids=["empty", "no lines", "several", "long entity", "empty email"],
)
async def test_bad_input_is_refused_and_writes_nothing(
    client: Any, world: World, input: dict[str, Any], expected: list[Any]
) -> None:
    quote_id = await server_quote(world)
    if "lines" in input:
        input = {**input, "lines": [{**line(world), **ln} for ln in input["lines"]]}
    before = await snapshot(world.engine)
    body = await edit(client, world.alice_token, quote_id, input)
    assert user_errors(body, "quoteUpdate") == expected
    assert payload(body, "quoteUpdate")["quote"] is None
    assert await snapshot(world.engine) == before


async def test_renewal_lines_are_not_replaced(client: Any, world: World) -> None:
    license_id = await world.license()
    quote_id = await world.quote(lines=[world.line(kind="RENEWAL", license_id=license_id, years=1)])
    before = await snapshot(world.engine)
    body = await edit(client, world.alice_token, quote_id, {"lines": [line(world)]})
    assert user_errors(body, "quoteUpdate") == [(["input", "lines"], "INVALID")]
    assert await snapshot(world.engine) == before
