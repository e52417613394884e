"""accountChangeEmail (ChangeEmail): R-ACC-1."""

from __future__ import annotations

from typing import Any

import pytest

from db.models import Account, License, Order, Quote
from gateway.domain.enums import AccountStatus, QuoteStatus
from tests import factories as f
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import (
    PASSWORD,
    PASSWORD_HASH,
    World,
    audit_events,
    changes,
    dump,
    mail_to,
    one,
)

FIELD = "accountChangeEmail"


async def change(client: Any, token: str | None, email: str, password: str = PASSWORD) -> Any:
    return await send(client, "ChangeEmail", {"newEmail": email, "password": password}, token)


async def test_r_acc_1_contact_roles_move_with_the_email(client: Any, world: World) -> None:
    """Licenses, quotes and orders name the account, not the email: after the change the
    same account (same token) still lists them all, now under the new email."""
    licenses = [
        await world.license(),
        await world.license(billing=world.bob, technical=world.alice),
    ]
    quote = await world.quote(lines=[world.line()])
    paid = await world.quote(status=QuoteStatus.PAID)
    order = await f.order(
        world.engine,
        quote_id=paid,
        organization_id=world.organization,
        billing=world.alice,
        license_ids=licenses[:1],
    )
    body = await change(client, world.alice_token, "  Alice.Dupont@Example.ORG ")
    assert ok(body, FIELD)["account"]["email"] == "alice.dupont@example.org"

    home = await send(client, "AccountHome", {}, world.alice_token)
    account = home["data"]["viewer"]["account"]
    assert account["email"] == "alice.dupont@example.org"
    listed = {edge["node"]["sen"] for edge in account["licenses"]["edges"]}
    assert listed == {(await one(world.engine, License, pk)).sen for pk in licenses}
    technical = [
        edge["node"]["technicalContact"]["account"]["email"]
        for edge in account["licenses"]["edges"]
    ]
    assert technical == ["alice.dupont@example.org"] * 2
    assert [e["node"]["number"] for e in account["quotes"]["edges"]] == [
        (await one(world.engine, Quote, quote)).number
    ]
    assert [e["node"]["number"] for e in account["orders"]["edges"]] == [
        (await one(world.engine, Order, order)).number
    ]
    # In the database: the roles still point at the same account, whose email changed.
    assert (await one(world.engine, License, licenses[1])).technical_account_id == world.alice
    assert (await one(world.engine, Account, world.alice)).email == "alice.dupont@example.org"


async def test_r_acc_1_change_is_audited_and_both_addresses_told(client: Any, world: World) -> None:
    ok(await change(client, world.alice_token, "alice@library.example"), FIELD)
    (event,) = await audit_events(world.engine, "accountChangeEmail")
    assert (event.entity_type, event.entity_id) == ("Account", world.alice)
    assert changes(event) == {"email": ("alice@example.com", "alice@library.example")}
    assert len(await mail_to(world.engine, "alice@example.com")) == 1
    assert len(await mail_to(world.engine, "alice@library.example")) == 1


async def test_r_acc_1_old_email_is_free_after_the_change(client: Any, world: World) -> None:
    ok(await change(client, world.alice_token, "alice@library.example"), FIELD)
    body = await change(client, world.bob_token, "ALICE@example.com")
    assert ok(body, FIELD)["account"]["email"] == "alice@example.com"


async def test_r_acc_1_email_of_another_account_is_taken(client: Any, world: World) -> None:
    before = await dump(world.engine)
    body = await change(client, world.alice_token, "BOB@example.com")
    assert user_errors(body, FIELD) == [(["input", "newEmail"], "EMAIL_TAKEN")]
    assert await dump(world.engine) == before


async def test_r_acc_1_email_of_an_invited_account_is_taken(client: Any, world: World) -> None:
    """An invited account (named as a contact, no password yet) owns its email too: taking it
    over would merge two accounts, which is a staff matter."""
    await f.account(world.engine, "carol@example.com", status=AccountStatus.INVITED)
    before = await dump(world.engine)
    body = await change(client, world.alice_token, "carol@example.com")
    assert user_errors(body, FIELD) == [(["input", "newEmail"], "EMAIL_TAKEN")]
    assert await dump(world.engine) == before


async def test_r_acc_1_email_of_a_closed_account_is_free(client: Any, world: World) -> None:
    await f.account(world.engine, "carol@example.com", status=AccountStatus.CLOSED, closed_at=f.NOW)
    body = await change(client, world.alice_token, "carol@example.com")
    assert ok(body, FIELD)["account"]["email"] == "carol@example.com"


async def test_r_acc_1_wrong_password_changes_nothing(client: Any, world: World) -> None:
    before = await dump(world.engine)
    body = await change(client, world.alice_token, "new@example.com", password="not it")
    assert user_errors(body, FIELD) == [(["input", "password"], "WRONG_PASSWORD")]
    assert await dump(world.engine) == before


@pytest.mark.parametrize(
    "email",
    ["", "alice", "alice@", "a b@example.com", "x" * 10_000 + "@example.com", "ALICE@example.com"],
)
async def test_r_acc_1_bad_new_email_is_invalid(client: Any, world: World, email: str) -> None:
    before = await dump(world.engine)
    body = await change(client, world.alice_token, email)
    assert user_errors(body, FIELD) == [(["input", "newEmail"], "INVALID")]
    assert await dump(world.engine) == before


async def test_r_acc_1_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    before = await dump(world.engine)
    assert request_error(await change(client, None, "x@example.com")) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before


@pytest.mark.parametrize("who", ["staff", "partner"])
async def test_r_acc_1_only_customers_change_their_email(
    client: Any, world: World, who: str
) -> None:
    token = world.staff_token if who == "staff" else world.partner_tokens["ALL"]
    before = await dump(world.engine)
    assert request_error(await change(client, token, "x@example.com")) == "FORBIDDEN"
    assert await dump(world.engine) == before


async def test_r_acc_1_password_is_the_callers_own(client: Any, world: World) -> None:
    """Bob's password (the same text here) works for Bob only: each checks their own hash."""
    other = await f.account(world.engine, "dave@example.com", password_hash=PASSWORD_HASH)
    token = await f.customer_token(world.engine, other, world.key)
    body = await change(client, token, "dave@library.example", password="Tulip-Harbour-1849")
    assert user_errors(body, FIELD) == [(["input", "password"], "WRONG_PASSWORD")]
