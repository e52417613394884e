"""accountClose (CloseAccount): R-ACC-4."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from db.models import Account, License, Order, Quote, RefreshToken
from gateway.domain.enums import AccountStatus, QuoteStatus
from tests import factories as f
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import (
    PASSWORD,
    World,
    audit_events,
    changes,
    dump,
    gid,
    mail_to,
    one,
    rows,
    today,
)

FIELD = "accountClose"


async def close(client: Any, token: str | None, password: str = PASSWORD) -> Any:
    return await send(client, "CloseAccount", {"password": password}, token)


async def test_r_acc_4_refused_while_contact_of_a_license(client: Any, world: World) -> None:
    billing = await world.license()
    technical = await world.license(billing=world.bob, technical=world.alice)
    expired = await world.license(
        maintenance_starts_on=today() - dt.timedelta(days=800),
        maintenance_ends_on=today() - dt.timedelta(days=435),
    )
    sens = {(await one(world.engine, License, pk)).sen for pk in (billing, technical, expired)}
    before = await dump(world.engine)
    body = await close(client, world.alice_token)
    (error,) = body["data"][FIELD]["userErrors"]
    assert error["code"] == "CONTACTS_REMAIN"
    assert all(sen in error["message"] for sen in sens)
    assert body["data"][FIELD]["closedAccountId"] is None
    assert await dump(world.engine) == before


async def test_r_acc_4_refused_while_contact_of_an_open_quote(client: Any, world: World) -> None:
    quote = await world.quote(billing=world.bob, technical=world.alice)
    number = (await one(world.engine, Quote, quote)).number
    before = await dump(world.engine)
    body = await close(client, world.alice_token)
    (error,) = body["data"][FIELD]["userErrors"]
    assert error["code"] == "CONTACTS_REMAIN"
    assert number in error["message"]
    assert await dump(world.engine) == before


async def test_r_acc_4_closes_when_only_closed_quotes_and_orders_remain(
    client: Any, world: World
) -> None:
    await world.quote(valid_until=today() - dt.timedelta(days=1))  # expired by time
    await world.quote(status=QuoteStatus.EXPIRED)
    await world.quote(status=QuoteStatus.DELETED)
    paid = await world.quote(status=QuoteStatus.PAID)
    order = await f.order(
        world.engine,
        quote_id=paid,
        organization_id=world.organization,
        billing=world.alice,
        billing_name="Alice Martin",
        billing_email="alice@example.com",
    )
    body = await close(client, world.alice_token)
    assert ok(body, FIELD)["closedAccountId"] == gid("Account", world.alice)

    row = await one(world.engine, Account, world.alice)
    assert row.status == AccountStatus.CLOSED
    assert row.closed_at is not None
    assert row.password_hash is None
    live = await rows(
        world.engine,
        RefreshToken,
        RefreshToken.account_id == world.alice,
        RefreshToken.revoked_at.is_(None),
    )
    assert live == []
    # The invoice keeps the contact as printed.
    invoice = await one(world.engine, Order, order)
    assert (invoice.billing_name, invoice.billing_email, invoice.billing_account_id) == (
        "Alice Martin",
        "alice@example.com",
        world.alice,
    )
    (event,) = await audit_events(world.engine, "accountClose")
    assert changes(event)["status"] == ("ACTIVE", "CLOSED")
    assert len(await mail_to(world.engine, "alice@example.com")) == 1


async def test_r_acc_4_closed_account_cannot_use_its_session(client: Any, world: World) -> None:
    ok(await close(client, world.alice_token), FIELD)
    body = await send(client, "AccountHome", {}, world.alice_token)
    assert request_error(body) == "UNAUTHENTICATED"


async def test_r_acc_4_email_can_sign_up_again(client: Any, world: World) -> None:
    ok(await close(client, world.alice_token), FIELD)
    body = await send(
        client,
        "SignUp",
        {
            "input": {
                "email": "Alice@example.com",
                "password": "Quiet-Meadow-5150",
                "name": "Alice again",
                "country": "FR",
            }
        },
        None,
    )
    account = ok(body, "signUp")["account"]
    assert account["email"] == "alice@example.com"
    assert account["id"] != gid("Account", world.alice)


async def test_r_acc_4_email_can_become_another_accounts(client: Any, world: World) -> None:
    ok(await close(client, world.alice_token), FIELD)
    body = await send(
        client,
        "ChangeEmail",
        {"newEmail": "alice@example.com", "password": PASSWORD},
        world.bob_token,
    )
    assert ok(body, "accountChangeEmail")["account"]["email"] == "alice@example.com"


async def test_r_acc_4_wrong_password_changes_nothing(client: Any, world: World) -> None:
    before = await dump(world.engine)
    body = await close(client, world.alice_token, password="guess")
    assert user_errors(body, FIELD) == [(["input", "password"], "WRONG_PASSWORD")]
    assert await dump(world.engine) == before


async def test_r_acc_4_password_is_checked_before_contacts_are_listed(
    client: Any, world: World
) -> None:
    await world.license()
    body = await close(client, world.alice_token, password="x" * 10_000)
    assert user_errors(body, FIELD) == [(["input", "password"], "WRONG_PASSWORD")]


async def test_r_acc_4_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    before = await dump(world.engine)
    assert request_error(await close(client, None)) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before


@pytest.mark.parametrize("who", ["staff", "partner"])
async def test_r_acc_4_only_customers_close_their_account(
    client: Any, world: World, who: str
) -> None:
    token = world.staff_token if who == "staff" else world.partner_tokens["ALL"]
    before = await dump(world.engine)
    assert request_error(await close(client, token)) == "FORBIDDEN"
    assert await dump(world.engine) == before
