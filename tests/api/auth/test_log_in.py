"""logIn: one answer for every wrong credential, at one cost; throttled per email and client."""

from __future__ import annotations

import logging
from typing import Any, cast

import httpx
import pytest
from argon2 import PasswordHasher
from redis.asyncio import Redis
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.models import Account, AuditEvent, RefreshToken
from gateway.app import create_app
from gateway.auth import passwords
from gateway.auth.ratelimit import MemoryCounter, RateLimiter
from gateway.domain.enums import AccountStatus
from gateway.services import services_of
from gateway.settings import Settings
from tests import factories as f
from tests.api.auth.support import OTHER_STRONG, STRONG, count, sign_up, snapshot
from tests.api.client import send
from tests.api.world import rows

WRONG = "not the password at all"


async def attempt(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    data = (await send(client, "LogIn", {"email": email, "password": password})).data
    answer: dict[str, Any] = data["logIn"]
    return answer


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Every argon2 verify the log-in runs, by the hash it is given (None: the dummy)."""
    seen: list[str | None] = []
    verify = passwords.verify_password

    def spy(password_hash: str | None, password: str) -> bool:
        seen.append(password_hash)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", spy)
    return seen


async def test_log_in_answers_tokens_and_account(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com")
    answer = await attempt(client, "  NADIA@example.COM ", STRONG)
    assert answer["userErrors"] == []
    assert answer["accessToken"] and answer["refreshToken"] and answer["expiresAt"]
    assert answer["account"]["email"] == "nadia@example.com"
    assert await count(engine, RefreshToken) == 1
    (event,) = await rows(engine, AuditEvent, AuditEvent.action == "logIn")
    assert (event.principal_kind, event.entity_type) == ("CUSTOMER", "Account")


async def test_every_wrong_credential_gets_the_same_answer_after_the_same_work(
    client: httpx.AsyncClient, engine: AsyncEngine, verifications: list[str | None]
) -> None:
    await sign_up(client, "nadia@example.com")
    await f.account(engine, "invited@example.com", status=AccountStatus.INVITED)
    await sign_up(client, "closed@example.com")
    async with engine.begin() as conn:
        await conn.execute(
            update(Account)
            .where(Account.email == "closed@example.com")
            .values(status=AccountStatus.CLOSED)
        )
    before = await snapshot(engine)
    answers = [
        await attempt(client, "nobody@example.com", STRONG),  # unknown email
        await attempt(client, "nadia@example.com", WRONG),  # wrong password
        await attempt(client, "invited@example.com", STRONG),  # invited: no password yet
        await attempt(client, "closed@example.com", STRONG),  # R-ACC-4: closed
        await attempt(client, "not an email", STRONG),
        await attempt(client, "nadia@example.com", "x" * 10_000),
    ]
    expected = {
        "accessToken": None,
        "refreshToken": None,
        "expiresAt": None,
        "account": None,
        "userErrors": [
            {
                "field": None,
                "code": "INVALID_CREDENTIALS",
                "message": "The email or password is not correct.",
            }
        ],
    }
    assert answers == [expected] * len(answers)
    assert len(verifications) == len(answers)  # an argon2 verify every time
    assert await snapshot(engine) == before


async def test_r_acc_4_closed_email_signed_up_again_logs_into_the_new_account(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await sign_up(client, "nadia@example.com", name="Old Nadia")
    async with engine.begin() as conn:
        await conn.execute(update(Account).values(status=AccountStatus.CLOSED))
    await sign_up(client, "nadia@example.com", OTHER_STRONG, name="New Nadia")
    assert (await attempt(client, "nadia@example.com", STRONG))["userErrors"][0]["code"] == (
        "INVALID_CREDENTIALS"
    )
    answer = await attempt(client, "nadia@example.com", OTHER_STRONG)
    assert answer["account"]["name"] == "New Nadia"


async def test_an_outdated_hash_is_upgraded_on_log_in(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    await f.account(engine, "old@example.com", password_hash=weak.hash(STRONG))
    assert (await attempt(client, "old@example.com", STRONG))["userErrors"] == []
    (row,) = await rows(engine, Account)
    assert not passwords.needs_rehash(row.password_hash)
    assert passwords.verify_password(row.password_hash, STRONG)
    assert (await attempt(client, "old@example.com", STRONG))["userErrors"] == []


async def test_passwords_never_reach_the_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # Ours at every level; libraries' DEBUG shows SQL parameters (the outbox body) by design.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="gateway")
    await sign_up(client, "nadia@example.com")
    await attempt(client, "nadia@example.com", WRONG)
    await attempt(client, "nadia@example.com", STRONG)
    assert STRONG not in caplog.text and WRONG not in caplog.text


# --- throttling -------------------------------------------------------------------------------


def rate_limited(answer: dict[str, Any]) -> bool:
    return [e["code"] for e in answer["userErrors"]] == ["RATE_LIMITED"]


async def test_five_failures_per_email_then_rate_limited_without_a_password_check(
    client: httpx.AsyncClient, verifications: list[str | None]
) -> None:
    await sign_up(client, "nadia@example.com")
    for _ in range(5):
        answer = await attempt(client, "nadia@example.com", WRONG)
        assert answer["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    checked = len(verifications)
    answer = await attempt(client, "nadia@example.com", STRONG)  # even the right password
    assert rate_limited(answer) and answer["accessToken"] is None
    assert len(verifications) == checked
    # Unknown emails are throttled alike (no way to tell them apart), others are not.
    assert (await attempt(client, "other@example.com", WRONG))["userErrors"][0]["code"] == (
        "INVALID_CREDENTIALS"
    )


async def test_a_success_resets_the_email_counter(client: httpx.AsyncClient) -> None:
    await sign_up(client, "nadia@example.com")
    for _ in range(4):
        await attempt(client, "nadia@example.com", WRONG)
    assert (await attempt(client, "nadia@example.com", STRONG))["userErrors"] == []
    for _ in range(5):
        assert not rate_limited(await attempt(client, "nadia@example.com", WRONG))
    assert rate_limited(await attempt(client, "nadia@example.com", WRONG))


async def test_twenty_failures_per_client_address(client: httpx.AsyncClient) -> None:
    await sign_up(client, "nadia@example.com")
    for n in range(20):
        assert not rate_limited(await attempt(client, f"guess{n}@example.com", WRONG))
    assert rate_limited(await attempt(client, "nadia@example.com", STRONG))


async def test_the_window_ends(client: httpx.AsyncClient, app: Starlette) -> None:
    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    services_of(app).rate_limiter = RateLimiter(MemoryCounter(clock=clock))
    await sign_up(client, "nadia@example.com")
    for _ in range(5):
        await attempt(client, "nadia@example.com", WRONG)
    assert rate_limited(await attempt(client, "nadia@example.com", STRONG))
    clock.now += 15 * 60
    assert (await attempt(client, "nadia@example.com", STRONG))["userErrors"] == []


async def test_redis_counters_are_shared_by_workers(
    redis_client_app: httpx.AsyncClient,
    redis_client: Redis,
    redis_url: str,
    settings: Settings,
    engine: AsyncEngine,
) -> None:
    client = redis_client_app
    await sign_up(client, "nadia@example.com")
    for _ in range(5):
        assert not rate_limited(await attempt(client, "nadia@example.com", WRONG))
    assert rate_limited(await attempt(client, "nadia@example.com", STRONG))

    keys = [k.decode() for k in cast(list[bytes], await redis_client.keys("conex:ratelimit:*"))]
    assert sorted(k.rsplit(":", 1)[0] for k in keys) == [
        "conex:ratelimit:log-in:address",
        "conex:ratelimit:log-in:email",
    ]
    assert all("nadia" not in k for k in keys)
    for key in keys:
        assert 0 < await redis_client.ttl(key) <= 15 * 60

    # A second worker: its own app and limiter, the same Redis, the same verdict.
    worker = create_app(settings.model_copy(update={"redis_url": redis_url}), engine=engine)
    transport = httpx.ASGITransport(app=worker)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as second:
        assert rate_limited(await attempt(second, "nadia@example.com", STRONG))
    await services_of(worker).aclose()


async def test_redis_success_resets_the_email_counter(
    redis_client_app: httpx.AsyncClient, redis_client: Redis
) -> None:
    client = redis_client_app
    await sign_up(client, "nadia@example.com")
    for _ in range(4):
        await attempt(client, "nadia@example.com", WRONG)
    assert (await attempt(client, "nadia@example.com", STRONG))["userErrors"] == []
    found = await redis_client.keys("conex:ratelimit:log-in:email:*")
    keys = [k.decode() for k in cast(list[bytes], found)]
    assert keys == []
    (address_key,) = await redis_client.keys("conex:ratelimit:log-in:address:*")
    held = cast(bytes, await redis_client.get(address_key))
    assert int(held) == 4  # the success gave its slot back
