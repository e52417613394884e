"""Invited contacts: an unknown email named on a quote gets an INVITED account, and only a
link mailed to that address activates it (R-ACC-2's single-use token). Signing up with the
email proves nothing and must not hand the quote to whoever typed it."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from typing import Any

from sqlalchemy import update

from db.models import Account, PasswordResetToken
from gateway.auth.tokens import token_hash
from gateway.domain.enums import AccountStatus
from gateway.integrations.mail import send_pending
from tests.api.client import ok, send
from tests.api.quote.support import create_input, snapshot
from tests.api.world import World, audit_events, changes, gid, mail_to, rows

LINK = re.compile(r"/reset-password\?token=(\S+)")
NEW = "new.tech@example.org"
PASSWORD = "Lantern-Orchard-2291"


async def invite_by_quote(client: Any, world: World) -> tuple[str, str]:
    """Alice names an unknown technical contact; returns the quote id and the mailed token."""
    body = await send(
        client,
        "CreateQuote",
        {"input": create_input(world, technicalContactEmail=NEW)},
        world.alice_token,
    )
    quote_id: str = ok(body, "quoteCreate")["quote"]["id"]
    (invitation,) = [
        m for m in await mail_to(world.engine, NEW) if m.template == "contact_invitation"
    ]
    found = LINK.search(invitation.body)
    assert found is not None, invitation.body
    return quote_id, found.group(1)


async def log_in(client: Any, email: str, password: str) -> dict[str, Any]:
    body = await send(client, "LogIn", {"email": email, "password": password}, None)
    payload: dict[str, Any] = body["data"]["logIn"]
    return payload


async def test_sign_up_with_an_invited_email_is_refused_and_changes_nothing(
    client: Any, world: World
) -> None:
    """The takeover this closes: anyone who knows a contact's address signs up with it and
    reads the quotes (and later the license keys) that name it."""
    await invite_by_quote(client, world)
    before = await snapshot(world.engine)
    (invited_before,) = await rows(world.engine, Account, Account.email == NEW)
    body = await send(
        client,
        "SignUp",
        {"input": {"email": NEW, "password": PASSWORD, "name": "Mallory", "country": "FR"}},
        None,
    )
    payload = body["data"]["signUp"]
    assert payload["account"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["input", "email"], "EMAIL_TAKEN")
    ]
    (invited,) = await rows(world.engine, Account, Account.email == NEW)
    assert tuple(invited) == tuple(invited_before)
    assert invited.status == AccountStatus.INVITED and invited.password_hash is None
    assert await snapshot(world.engine) == before
    assert (await log_in(client, NEW, PASSWORD))["accessToken"] is None


async def test_sign_up_answers_the_same_for_an_active_and_an_invited_email(
    client: Any, world: World
) -> None:
    """Whether an address is only invited is nobody's business: one code, one message."""
    await invite_by_quote(client, world)
    answers = []
    for address in (NEW, "alice@example.com"):
        body = await send(
            client,
            "SignUp",
            {"input": {"email": address, "password": PASSWORD, "name": "X", "country": "FR"}},
            None,
        )
        answers.append(body["data"]["signUp"])
    assert answers[0] == answers[1]


async def test_the_invitation_link_activates_the_account_and_shows_the_quote(
    client: Any, world: World
) -> None:
    quote_id, token = await invite_by_quote(client, world)
    (stored,) = await rows(world.engine, PasswordResetToken)
    assert stored.token_hash == token_hash(token) and token not in str(tuple(stored))
    assert stored.expires_at - stored.created_at == dt.timedelta(days=7)

    reset = await send(client, "ResetPassword", {"token": token, "newPassword": PASSWORD}, None)
    assert reset["data"]["passwordReset"]["userErrors"] == []
    (account,) = await rows(world.engine, Account, Account.email == NEW)
    assert account.status == AccountStatus.ACTIVE
    (event,) = await audit_events(world.engine, "passwordReset")
    assert changes(event)["status"] == ("INVITED", "ACTIVE")
    assert [m.template for m in await mail_to(world.engine, NEW)][-1] == "account_activated"

    session = await log_in(client, NEW, PASSWORD)
    assert session["userErrors"] == []
    detail = await send(client, "QuoteDetail", {"id": quote_id}, session["accessToken"])
    assert detail["data"]["node"]["id"] == quote_id
    # Single use: the link cannot set the password again.
    again = await send(
        client, "ResetPassword", {"token": token, "newPassword": PASSWORD + "!"}, None
    )
    assert again["data"]["passwordReset"]["userErrors"][0]["code"] == "INVALID_TOKEN"


async def test_an_expired_invitation_is_refused_and_a_reset_request_sends_a_new_link(
    client: Any, world: World
) -> None:
    _, token = await invite_by_quote(client, world)
    async with world.engine.begin() as conn:
        await conn.execute(
            update(PasswordResetToken).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    expired = await send(client, "ResetPassword", {"token": token, "newPassword": PASSWORD}, None)
    assert expired["data"]["passwordReset"]["userErrors"][0]["code"] == "INVALID_TOKEN"
    (account,) = await rows(world.engine, Account, Account.email == NEW)
    assert account.status == AccountStatus.INVITED

    # "Forgot password" with the invited address mails a fresh (one-hour) set-password link.
    asked = await send(client, "RequestPasswordReset", {"email": NEW}, None)
    assert asked["data"]["passwordResetRequest"]["userErrors"] == []
    (mail,) = [m for m in await mail_to(world.engine, NEW) if m.template == "password_reset"]
    assert mail.subject == "Set your My Conex password"
    found = LINK.search(mail.body)
    assert found is not None
    reset = await send(
        client, "ResetPassword", {"token": found.group(1), "newPassword": PASSWORD}, None
    )
    assert reset["data"]["passwordReset"]["userErrors"] == []
    assert (await log_in(client, NEW, PASSWORD))["userErrors"] == []


async def test_r_acc_3_a_contact_invited_by_a_license_change_gets_a_link_too(
    client: Any, world: World
) -> None:
    license_id = await world.license()
    body = await send(
        client,
        "ChangeLicenseContacts",
        {"id": gid("License", license_id), "technical": NEW},
        world.alice_token,
    )
    assert ok(body, "licenseUpdateContacts")
    (invitation,) = [
        m for m in await mail_to(world.engine, NEW) if m.template == "contact_invitation"
    ]
    assert LINK.search(invitation.body) is not None
    (stored,) = await rows(world.engine, PasswordResetToken)
    (account,) = await rows(world.engine, Account, Account.email == NEW)
    assert stored.account_id == account.id


async def test_the_outbox_forgets_the_invitation_link_once_sent(
    client: Any, world: World, settings: Any
) -> None:
    """The invitation's link is a credential: delivered, then blanked in the outbox."""
    _, token = await invite_by_quote(client, world)
    assert await send_pending(world.engine, settings) >= 1
    (path,) = settings.mail_dir.glob("*contact_invitation.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert token in message.get_content()
    (invitation,) = [
        m for m in await mail_to(world.engine, NEW) if m.template == "contact_invitation"
    ]
    assert invitation.sent_at is not None and token not in invitation.body
