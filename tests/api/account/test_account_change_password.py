"""accountChangePassword (ChangePassword): R-ACC-2."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import insert

from db.models import Account, PasswordResetToken, RefreshToken
from gateway.auth.passwords import verify_password
from gateway.auth.tokens import token_hash
from tests import factories as f
from tests.api.client import ok, request_error, send, user_errors
from tests.api.world import PASSWORD, World, audit_events, changes, dump, mail_to, one, rows

FIELD = "accountChangePassword"
NEW_PASSWORD = "Lantern-Orchard-2077"


async def change(client: Any, token: str | None, current: str, new: str) -> Any:
    return await send(
        client, "ChangePassword", {"currentPassword": current, "newPassword": new}, token
    )


async def test_r_acc_2_password_changes_with_the_current_one(client: Any, world: World) -> None:
    ok(await change(client, world.alice_token, PASSWORD, NEW_PASSWORD), FIELD)
    row = await one(world.engine, Account, world.alice)
    assert row.password_hash.startswith("$argon2id$")
    assert verify_password(row.password_hash, NEW_PASSWORD)
    assert not verify_password(row.password_hash, PASSWORD)
    (event,) = await audit_events(world.engine, "accountChangePassword")
    assert "argon2" not in json.dumps(event.changes)
    assert NEW_PASSWORD not in json.dumps(event.changes)
    assert "sessionsRevoked" not in changes(event)  # none other to end
    (mail,) = await mail_to(world.engine, "alice@example.com")
    assert NEW_PASSWORD not in mail.body


async def test_r_acc_2_other_sessions_end_the_current_one_stays(client: Any, world: World) -> None:
    other_session = await f.customer_token(world.engine, world.alice, world.key)
    bobs_session = world.bob_token
    ok(await change(client, world.alice_token, PASSWORD, NEW_PASSWORD), FIELD)
    home = await send(client, "AccountHome", {}, world.alice_token)
    assert home["data"]["viewer"]["account"]["email"] == "alice@example.com"
    assert request_error(await send(client, "AccountHome", {}, other_session)) == (
        "UNAUTHENTICATED"
    )
    assert (await send(client, "AccountHome", {}, bobs_session)).status == 200
    live = await rows(
        world.engine,
        RefreshToken,
        RefreshToken.account_id == world.alice,
        RefreshToken.revoked_at.is_(None),
    )
    assert len(live) == 1
    (event,) = await audit_events(world.engine, "accountChangePassword")
    assert changes(event)["sessionsRevoked"] == (0, 1)


async def test_r_acc_2_pending_reset_links_die_with_the_old_password(
    client: Any, world: World
) -> None:
    async with world.engine.begin() as conn:
        await conn.execute(
            insert(PasswordResetToken).values(
                account_id=world.alice,
                token_hash=token_hash("reset-me"),
                expires_at=f.NOW.replace(year=2100),
            )
        )
    ok(await change(client, world.alice_token, PASSWORD, NEW_PASSWORD), FIELD)
    (reset,) = await rows(world.engine, PasswordResetToken)
    assert reset.used_at is not None


async def test_r_acc_2_wrong_current_password_changes_nothing(client: Any, world: World) -> None:
    before = await dump(world.engine)
    body = await change(client, world.alice_token, "Tulip-Harbour-1849", NEW_PASSWORD)
    assert user_errors(body, FIELD) == [(["input", "currentPassword"], "WRONG_PASSWORD")]
    assert await dump(world.engine) == before


@pytest.mark.parametrize(
    "new",
    ["short", "x" * 10_000, "password123", "alice-is-great-2026", "aaaaaaaaaaaaaaaa", ""],
)
async def test_r_acc_2_weak_new_password_changes_nothing(
    client: Any, world: World, new: str
) -> None:
    before = await dump(world.engine)
    body = await change(client, world.alice_token, PASSWORD, new)
    assert user_errors(body, FIELD) == [(["input", "newPassword"], "WEAK_PASSWORD")]
    assert await dump(world.engine) == before


async def test_r_acc_2_anonymous_is_unauthenticated(client: Any, world: World) -> None:
    before = await dump(world.engine)
    body = await change(client, None, PASSWORD, NEW_PASSWORD)
    assert request_error(body) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before


@pytest.mark.parametrize("who", ["staff", "partner"])
async def test_r_acc_2_only_customers_have_a_password(client: Any, world: World, who: str) -> None:
    token = world.staff_token if who == "staff" else world.partner_tokens["ALL"]
    before = await dump(world.engine)
    assert request_error(await change(client, token, PASSWORD, NEW_PASSWORD)) == "FORBIDDEN"
    assert await dump(world.engine) == before
