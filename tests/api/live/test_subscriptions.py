"""Subscriptions over WebSocket (issue #15, R-LIVE-1): real graphql-transport-ws clients on a
served app; each change is delivered only to those who may read the object, as it is then."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import update

from db.models import ApiToken
from db.queries.changes import ChangeEventRow
from gateway.auth.tokens import token_hash
from gateway.domain.enums import ChangeEntity, ChangeKind, PartnerScope
from gateway.services import services_of
from gateway.settings import Settings
from tests.api.client import ok, send, user_errors
from tests.api.live.served import Live, Subscriber, served, subscriber
from tests.api.world import World, gid
from tests.helpers import count_statements
from tests.live_contract import document


@pytest.fixture
async def live(world: World, settings: Settings) -> AsyncIterator[Live]:
    async with served(settings, world.engine) as running:
        yield running


async def set_po(live: Live, quote_id: int, token: str, version: int = 1) -> Any:
    variables = {"id": gid("Quote", quote_id), "poNumber": "PO-7", "expectedVersion": version}
    return await send(live.http, "SetQuotePoNumber", variables, token)


async def subscribed(sub: Subscriber, operation: str, sid: str = "1") -> None:
    await sub.subscribe(sid, document(operation))
    await sub.nothing(0.2)  # the subscription is listening before the test writes


def change(message: dict[str, Any], field: str) -> dict[str, Any]:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    found: dict[str, Any] = message["payload"]["data"][field]
    return found


async def test_r_live_1_quote_changes_receives_a_committed_change(live: Live, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    async with subscriber(live, world.alice_token) as alice:
        await subscribed(alice, "QuoteChanges")
        ok(await set_po(live, quote_id, world.alice_token), "quoteSetPoNumber")
        got = change(await alice.receive(), "quoteChanged")
    assert got["kind"] == "UPDATED"
    assert got["quote"]["id"] == gid("Quote", quote_id)
    assert got["quote"]["poNumber"] == "PO-7" and got["quote"]["version"] == 2


async def test_r_live_1_a_customer_never_sees_another_customers_quote(
    live: Live, world: World
) -> None:
    alices = await world.quote(lines=[world.line()])
    async with (
        subscriber(live, world.bob_token) as bob,
        subscriber(live, world.alice_token) as alice,
    ):
        await subscribed(bob, "QuoteChanges")
        await subscribed(alice, "QuoteChanges")
        ok(await set_po(live, alices, world.alice_token), "quoteSetPoNumber")
        assert change(await alice.receive(), "quoteChanged")["quote"]["id"] == gid("Quote", alices)
        await bob.nothing()


async def test_r_live_1_a_partner_hears_only_of_quotes_it_resold_within_its_scopes(
    live: Live, world: World
) -> None:
    resold = await world.quote(lines=[world.line()], partner_id=world.partner)
    direct = await world.quote(lines=[world.line()])
    reader = world.partner_tokens[PartnerScope.QUOTES_READ.value]
    no_scope = world.partner_tokens[PartnerScope.LICENSES_READ.value]
    async with subscriber(live, reader) as partner, subscriber(live, no_scope) as unscoped:
        await subscribed(partner, "PartnerQuoteChanges")
        await subscribed(unscoped, "PartnerQuoteChanges")
        ok(await set_po(live, direct, world.alice_token), "quoteSetPoNumber")
        ok(await set_po(live, resold, world.alice_token), "quoteSetPoNumber")
        got = change(await partner.receive(), "quoteChanged")
        assert got["quote"]["id"] == gid("Quote", resold)
        await partner.nothing()
        await unscoped.nothing()


async def test_r_live_1_a_refused_mutation_emits_nothing(live: Live, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    async with subscriber(live, world.alice_token) as alice:
        await subscribed(alice, "QuoteChanges")
        refused = await set_po(live, quote_id, world.alice_token, version=7)
        assert user_errors(refused, "quoteSetPoNumber")
        await alice.nothing()
        ok(await set_po(live, quote_id, world.alice_token), "quoteSetPoNumber")
        assert change(await alice.receive(), "quoteChanged")["quote"]["version"] == 2


async def test_r_live_1_r_sec_3_a_license_key_only_for_its_contacts(
    live: Live, world: World
) -> None:
    license_id = await world.license(partner_id=world.partner)
    reader = world.partner_tokens[PartnerScope.LICENSES_READ.value]
    async with subscriber(live, world.alice_token) as alice, subscriber(live, reader) as partner:
        await subscribed(alice, "LicenseChanges")
        await subscribed(partner, "LicenseChanges")
        variables = {"id": gid("License", license_id), "technical": "bob@example.com"}
        answer = await send(live.http, "ChangeLicenseContacts", variables, world.staff_token)
        ok(answer, "licenseUpdateContacts")
        for_alice = change(await alice.receive(), "licenseChanged")
        for_partner = change(await partner.receive(), "licenseChanged")
    assert for_alice["kind"] == for_partner["kind"] == "UPDATED"
    assert for_alice["license"]["id"] == for_partner["license"]["id"] == gid("License", license_id)
    assert for_alice["license"]["licenseKey"]
    assert for_partner["license"]["licenseKey"] is None


async def test_r_live_1_a_revoked_token_hears_nothing_more_and_is_closed_4403(
    live: Live, world: World
) -> None:
    resold = await world.quote(lines=[world.line()], partner_id=world.partner)
    token = world.partner_tokens[PartnerScope.QUOTES_READ.value]
    async with subscriber(live, token) as partner:
        await subscribed(partner, "PartnerQuoteChanges")
        async with world.engine.begin() as conn:
            revoked = update(ApiToken).where(ApiToken.token_hash == token_hash(token))
            await conn.execute(revoked.values(revoked_at=ApiToken.created_at))
        ok(await set_po(live, resold, world.alice_token), "quoteSetPoNumber")
        assert await partner.closed() == 4403


async def test_r_live_1_a_customer_who_lost_the_contact_role_hears_nothing_more(
    live: Live, world: World
) -> None:
    license_id = await world.license(technical=world.bob)
    async with (
        subscriber(live, world.bob_token) as bob,
        subscriber(live, world.alice_token) as alice,
    ):
        await subscribed(bob, "LicenseChanges")
        await subscribed(alice, "LicenseChanges")
        variables = {"id": gid("License", license_id), "technical": "alice@example.com"}
        ok(
            await send(live.http, "ChangeLicenseContacts", variables, world.staff_token),
            "licenseUpdateContacts",
        )
        assert change(await alice.receive(), "licenseChanged")["license"]["licenseKey"]
        await bob.nothing()


async def test_r_live_1_a_logged_out_session_hears_nothing_more(live: Live, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    async with subscriber(live, world.alice_token) as alice:
        await subscribed(alice, "QuoteChanges")
        ok(await send(live.http, "LogOut", token=world.alice_token), "logOut")
        ok(await set_po(live, quote_id, world.staff_token), "quoteSetPoNumber")
        assert await alice.closed() == 4403


async def published(live: Live, entity: ChangeEntity, pk: int) -> None:
    event = ChangeEventRow(1, dt.datetime.now(dt.UTC), entity, pk, ChangeKind.UPDATED)
    services_of(live.app).changes.publish([event])


async def test_r_live_1_an_event_costs_the_credential_check_and_the_loaders_reads(
    live: Live, world: World
) -> None:
    """Per event and subscriber: the session check, then the object and what the document
    asks of it through the loaders — as a query of the same fields would read them."""
    quote_id = await world.quote(lines=[world.line()])
    async with subscriber(live, world.alice_token) as alice:
        await subscribed(alice, "QuoteChanges")
        with count_statements(world.engine) as counter:
            await published(live, ChangeEntity.QUOTE, quote_id)
            change(await alice.receive(), "quoteChanged")
            await alice.nothing(0.2)
    session_check, quote = counter.statements
    assert "FROM accounts" in session_check and "refresh_tokens" in session_check
    assert "FROM quotes" in quote
