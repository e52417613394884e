"""R-ACC-2: password reset by a single-use, expiring link; the request tells nobody anything."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Account, AuditEvent, OutgoingMail, PasswordResetToken, RefreshToken
from gateway.auth.tokens import token_hash
from gateway.domain.enums import AccountStatus
from gateway.integrations.mail import send_pending
from gateway.settings import Settings
from tests import factories as f
from tests.api.auth.support import (
    OTHER_STRONG,
    STRONG,
    assert_forbidden,
    assert_unauthenticated,
    codes,
    count,
    log_in,
    sign_up,
    snapshot,
)
from tests.api.client import Answer, send
from tests.api.world import World, rows

LINK = re.compile(r"(\S+/reset-password\?token=(\S+))")


async def request_reset(client: httpx.AsyncClient, address: str) -> Answer:
    response = await send(client, "RequestPasswordReset", {"email": address})
    assert response.status == 200
    return response


async def reset(
    client: httpx.AsyncClient, token: str, password: str = OTHER_STRONG
) -> dict[str, Any]:
    data = (await send(client, "ResetPassword", {"token": token, "newPassword": password})).data
    payload: dict[str, Any] = data["passwordReset"]
    return payload


async def mailed_token(engine: AsyncEngine) -> str:
    mails = await rows(engine, OutgoingMail, OutgoingMail.template == "password_reset")
    match = LINK.search(mails[-1].body)
    assert match is not None
    return match.group(2)


async def test_r_acc_2_request_answers_the_same_whether_the_email_exists_or_not(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    await sign_up(client, "nadia@example.com")
    await f.account(engine, "invited@example.com", status=AccountStatus.INVITED)
    await f.account(engine, "closed@example.com", status=AccountStatus.CLOSED)
    answers = [
        await request_reset(client, address)
        for address in (
            "nadia@example.com",
            "nobody@example.com",
            "invited@example.com",
            "closed@example.com",
        )
    ]
    assert [a["data"] for a in answers] == [{"passwordResetRequest": {"userErrors": []}}] * 4
    costs = {a.get("extensions", {}).get("cost", {}).get("actualQueryCost") for a in answers}
    assert len(costs) == 1  # not even the reported cost tells them apart
    # The active account got a reset link; the invited one a link that sets its first
    # password (and activates it); the unknown and the closed addresses nothing.
    token_rows = await rows(engine, PasswordResetToken)
    mails = await rows(engine, OutgoingMail)
    assert [m.to_address for m in mails] == ["nadia@example.com", "invited@example.com"]
    assert [m.subject for m in mails] == [
        "Reset your My Conex password",
        "Set your My Conex password",
    ]
    assert {m.template for m in mails} == {"password_reset"}
    token_row, mail = token_rows[0], mails[0]
    expires_in = token_row.expires_at - token_row.created_at
    assert expires_in == dt.timedelta(hours=1)
    link, token = LINK.search(mail.body).groups()  # type: ignore[union-attr]
    assert link == f"{settings.web_base_url}/reset-password?token={token}"
    # Stored as a hash only.
    assert token_row.token_hash == token_hash(token)
    assert token not in str(tuple(token_row))


async def test_r_acc_2_the_mail_is_delivered_as_an_eml_file(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    await sign_up(client, "nadia@example.com")
    await request_reset(client, "nadia@example.com")
    token = await mailed_token(engine)
    assert await send_pending(engine, settings) == 1
    (path,) = settings.mail_dir.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "nadia@example.com"
    assert message["Subject"] == "Reset your My Conex password"
    assert token in message.get_content()
    # Once sent, the outbox no longer holds the single-use link.
    (mail,) = await rows(engine, OutgoingMail)
    assert mail.sent_at is not None and token not in mail.body


async def test_r_acc_2_reset_sets_the_password_once_and_ends_every_session(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    session = await log_in(client, "nadia@example.com")
    other = await log_in(client, "nadia@example.com")
    await request_reset(client, "nadia@example.com")
    token = await mailed_token(engine)

    assert (await reset(client, token))["userErrors"] == []

    # Every session of the account ended: access and refresh tokens alike.
    assert await count(engine, RefreshToken, RefreshToken.revoked_at.is_(None)) == 0
    assert_unauthenticated(await send(client, "AccountHome", token=session["accessToken"]))
    assert_unauthenticated(await send(client, "AccountHome", token=other["accessToken"]))
    # The new password works, the old one does not.
    assert (await log_in(client, "nadia@example.com", OTHER_STRONG))["userErrors"] == []
    old = await log_in(client, "nadia@example.com", STRONG)
    assert old["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    # Single use.
    assert codes(await reset(client, token, "yet another passphrase")) == [
        ("INVALID_TOKEN", ("input", "token"))
    ]
    assert (await log_in(client, "nadia@example.com", OTHER_STRONG))["userErrors"] == []
    # A notice went out; no mail ever holds a password.
    mails = await rows(engine, OutgoingMail)
    assert [m.template for m in mails] == ["password_reset", "password_changed"]
    assert all(STRONG not in m.body and OTHER_STRONG not in m.body for m in mails)
    (event,) = await rows(engine, AuditEvent, AuditEvent.action == "passwordReset")
    assert event.principal_kind == "CUSTOMER"
    assert OTHER_STRONG not in str(event.changes)


async def test_r_acc_2_one_reset_voids_the_other_links(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    await request_reset(client, "nadia@example.com")
    first = await mailed_token(engine)
    await request_reset(client, "nadia@example.com")
    second = await mailed_token(engine)
    assert (await reset(client, second))["userErrors"] == []
    assert codes(await reset(client, first)) == [("INVALID_TOKEN", ("input", "token"))]


async def test_r_acc_2_the_link_expires_after_an_hour(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    await request_reset(client, "nadia@example.com")
    token = await mailed_token(engine)
    async with engine.begin() as conn:
        await conn.execute(
            update(PasswordResetToken).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    before = await snapshot(engine)
    assert codes(await reset(client, token)) == [("INVALID_TOKEN", ("input", "token"))]
    assert await snapshot(engine) == before


async def test_a_closed_accounts_link_is_void(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    await request_reset(client, "nadia@example.com")
    token = await mailed_token(engine)
    async with engine.begin() as conn:
        await conn.execute(update(Account).values(status=AccountStatus.CLOSED))
    assert codes(await reset(client, token)) == [("INVALID_TOKEN", ("input", "token"))]


async def test_a_weak_new_password_keeps_the_token(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    await request_reset(client, "nadia@example.com")
    token = await mailed_token(engine)
    before = await snapshot(engine)
    for weak in ("short", "password123", "nadia-and-more", "z" * 10_000):
        assert codes(await reset(client, token, weak)) == [
            ("WEAK_PASSWORD", ("input", "newPassword"))
        ]
    assert await snapshot(engine) == before
    assert (await reset(client, token))["userErrors"] == []


async def test_unknown_tokens_are_invalid(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await sign_up(client, "nadia@example.com")
    before = await snapshot(engine)
    for token in ("", "nope", "x" * 10_000):
        assert codes(await reset(client, token)) == [("INVALID_TOKEN", ("input", "token"))]
    assert await snapshot(engine) == before


async def test_a_malformed_email_is_refused_as_such(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    before = await snapshot(engine)
    body = await request_reset(client, "not an email")
    errors = body["data"]["passwordResetRequest"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", ["input", "email"])]
    assert await snapshot(engine) == before


async def test_requests_are_throttled_silently(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    answers = [await request_reset(client, "nadia@example.com") for _ in range(5)]
    assert [a["data"] for a in answers] == [{"passwordResetRequest": {"userErrors": []}}] * 5
    assert await count(engine, OutgoingMail) == 3
    assert await count(engine, PasswordResetToken) == 3


async def test_a_reset_lifts_the_log_in_throttle(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    for _ in range(5):
        await log_in(client, "nadia@example.com", "not the password")
    locked = await log_in(client, "nadia@example.com", STRONG)
    assert locked["userErrors"][0]["code"] == "RATE_LIMITED"
    await request_reset(client, "nadia@example.com")
    assert (await reset(client, await mailed_token(engine)))["userErrors"] == []
    assert (await log_in(client, "nadia@example.com", OTHER_STRONG))["userErrors"] == []


async def test_tokens_and_passwords_never_reach_the_logs(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Ours at every level; libraries' DEBUG shows SQL parameters (the outbox body) by design.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="gateway")
    await sign_up(client, "nadia@example.com")
    await request_reset(client, "nadia@example.com")
    token = await mailed_token(engine)
    await send_pending(engine, settings)
    await reset(client, token)
    await send_pending(engine, settings)
    for secret in (token, STRONG, OTHER_STRONG):
        assert secret not in caplog.text


async def test_staff_and_partners_may_not_reset_passwords(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    before = await snapshot(engine)
    assert_forbidden(
        await send(
            client, "RequestPasswordReset", {"email": "alice@example.com"}, world.staff_token
        )
    )
    assert_forbidden(
        await send(
            client,
            "ResetPassword",
            {"token": "x", "newPassword": OTHER_STRONG},
            world.partner_tokens["ALL"],
        )
    )
    assert await snapshot(engine) == before
