"""signUp: an ACTIVE account with an argon2id hash; a live or invited email is taken; bad input
refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Account, AuditEvent
from gateway.auth.passwords import verify_password
from gateway.domain.enums import AccountStatus
from tests import factories as f
from tests.api.auth.support import STRONG, assert_forbidden, codes, log_in, sign_up, snapshot
from tests.api.client import send
from tests.api.world import World, rows


def variables(**changes: Any) -> dict[str, Any]:
    fields = {"email": "nadia@example.com", "password": STRONG, "name": "Nadia", "country": "dz"}
    return {"input": {**fields, **changes}}


async def test_sign_up_creates_an_active_account(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    payload = (await send(client, "SignUp", variables(email=" Nadia@EXAMPLE.com "))).data["signUp"]
    assert payload["userErrors"] == []
    assert payload["account"]["email"] == "nadia@example.com"
    assert payload["account"]["country"] == "DZ"
    (row,) = await rows(engine, Account)
    assert row.status == AccountStatus.ACTIVE
    assert row.password_hash.startswith("$argon2id$")
    assert verify_password(row.password_hash, STRONG)
    (event,) = await rows(engine, AuditEvent)
    assert (event.action, event.entity_type, event.entity_id) == ("signUp", "Account", row.id)
    assert STRONG not in str(event.changes) and row.password_hash not in str(event.changes)
    assert (await log_in(client, "nadia@example.com"))["userErrors"] == []


async def test_r_acc_1_email_of_a_live_account_is_taken(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    before = await snapshot(engine)
    payload = (await send(client, "SignUp", variables(email="NADIA@example.com"))).data["signUp"]
    assert codes(payload) == [("EMAIL_TAKEN", ("input", "email"))]
    assert payload["account"] is None
    assert await snapshot(engine) == before


async def test_an_invited_email_is_taken_and_the_invited_account_untouched(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Signing up proves nothing about the address: an invited contact's account is activated
    only by the link mailed to it (tests/api/quote/test_contact_invitation.py)."""
    await f.account(engine, "contact@example.com", name="contact", status=AccountStatus.INVITED)
    before = await snapshot(engine)
    payload = (
        await send(client, "SignUp", variables(email="contact@example.com", name="Karim B."))
    ).data["signUp"]
    assert codes(payload) == [("EMAIL_TAKEN", ("input", "email"))]
    assert payload["account"] is None
    assert await snapshot(engine) == before
    assert (await log_in(client, "contact@example.com"))["accessToken"] is None


async def test_r_acc_4_a_closed_accounts_email_can_sign_up_again(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    async with engine.begin() as conn:
        await conn.execute(update(Account).values(status=AccountStatus.CLOSED))
    payload = await sign_up(client, "nadia@example.com")
    assert payload["userErrors"] == []
    statuses = sorted(r.status for r in await rows(engine, Account))
    assert statuses == [AccountStatus.ACTIVE, AccountStatus.CLOSED]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"email": "not-an-email"}, [("INVALID", ("input", "email"))]),
        ({"email": "a" * 10_000 + "@example.com"}, [("INVALID", ("input", "email"))]),
        ({"name": "   "}, [("REQUIRED", ("input", "name"))]),
        ({"name": "N" * 201}, [("TOO_LONG", ("input", "name"))]),
        ({"name": "N" * 10_000}, [("TOO_LONG", ("input", "name"))]),
        ({"name": "Nadia\x07"}, [("INVALID", ("input", "name"))]),
        ({"country": "XX"}, [("INVALID", ("input", "country"))]),
        ({"country": "FRA"}, [("INVALID", ("input", "country"))]),
        ({"password": "short"}, [("WEAK_PASSWORD", ("input", "password"))]),
        ({"password": "password123"}, [("WEAK_PASSWORD", ("input", "password"))]),
        ({"password": "nadia-is-my-name"}, [("WEAK_PASSWORD", ("input", "password"))]),
        ({"password": "p" * 10_000}, [("WEAK_PASSWORD", ("input", "password"))]),
        (
            {"email": "bad", "name": "", "country": "", "password": "x"},
            [
                ("INVALID", ("input", "email")),
                ("REQUIRED", ("input", "name")),
                ("INVALID", ("input", "country")),
                ("WEAK_PASSWORD", ("input", "password")),
            ],
        ),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    changes: dict[str, Any],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    before = await snapshot(engine)
    payload = (await send(client, "SignUp", variables(**changes))).data["signUp"]
    assert codes(payload) == expected
    assert payload["account"] is None
    assert await snapshot(engine) == before


async def test_wrong_types_are_request_errors(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    response = await send(client, "SignUp", {"input": {"email": 42, "password": None}})
    assert response["errors"]
    assert await rows(engine, Account) == []


async def test_a_signed_in_customer_may_sign_up_another_account(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    payload = (await send(client, "SignUp", variables(), token=world.alice_token)).data["signUp"]
    assert payload["userErrors"] == []
    (event,) = await rows(engine, AuditEvent)
    assert event.principal_kind == "CUSTOMER"


async def test_staff_and_partners_may_not_sign_up(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    before = await snapshot(engine)
    assert_forbidden(await send(client, "SignUp", variables(), world.staff_token))
    assert_forbidden(await send(client, "SignUp", variables(), world.partner_tokens["ALL"]))
    assert await snapshot(engine) == before
