"""Rate limits: a leaky bucket of cost points per principal, in-process or shared in Redis."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.enums import TokenKind
from gateway.security.throttle import MemoryThrottle, RedisThrottle
from tests import factories as f
from tests.api.client import Answer, send
from tests.helpers import ClientWith

QUERY = "{ products { id } }"  # costs 10 (a list of objects)


async def ask(client: httpx.AsyncClient, token: str | None = None) -> Answer:
    return await send(client, query=QUERY, token=token)


async def test_rate_limited_after_the_bucket_is_empty(
    client_with: ClientWith, engine: AsyncEngine
) -> None:
    """15 points: each request takes 10 up front and gives back 7 (3 products returned):
    15 → 12 → 9, and 9 is not enough for the third."""
    await f.catalog(engine)
    async with client_with(rate_limit_capacity=15, rate_limit_restore_rate=1) as client:
        responses = [await ask(client) for _ in range(3)]
    assert [r.status for r in responses] == [200, 200, 429]
    over = responses[2]
    assert over["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(over.headers["Retry-After"]) >= 1
    assert over["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 15
    assert responses[0]["extensions"]["cost"]["actualQueryCost"] == 3


async def test_each_principal_has_its_own_bucket(
    client_with: ClientWith, engine: AsyncEngine
) -> None:
    await f.catalog(engine)
    staff = await f.api_token(engine, TokenKind.STAFF)
    async with client_with(rate_limit_capacity=12, rate_limit_restore_rate=1) as client:
        await ask(client)
        assert (await ask(client)).status == 429  # anonymous, by address
        assert (await ask(client, staff)).status == 200  # the staff token's own bucket


async def test_memory_bucket_refills_at_the_restore_rate() -> None:
    throttle = MemoryThrottle(capacity=10, restore_rate=1000)
    assert (await throttle.take("k", 10)).allowed
    assert not (await throttle.take("k", 10)).allowed
    await asyncio.sleep(0.02)
    assert (await throttle.take("k", 10)).allowed


async def test_redis_bucket_is_atomic_and_shared(redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    one = RedisThrottle(redis, capacity=100, restore_rate=1)
    two = RedisThrottle(redis, capacity=100, restore_rate=1)  # another worker
    results = await asyncio.gather(*[(one if i % 2 else two).take("same", 10) for i in range(20)])
    assert sum(r.allowed for r in results) == 10
    refused = next(r for r in results if not r.allowed)
    assert refused.retry_after >= 1
    await redis.aclose()


async def test_redis_bucket_unreachable_falls_back_to_this_process() -> None:
    """Redis down (nothing listens on the port): requests are limited by an in-process
    bucket instead of failing (issue #15: live updates must not take the API down)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(f"redis://127.0.0.1:{_free_port()}/0", socket_connect_timeout=1)
    throttle = RedisThrottle(redis, capacity=25, restore_rate=1)
    results = [await throttle.take("someone", 10) for _ in range(3)]
    assert [r.allowed for r in results] == [True, True, False]
    await throttle.give_back("someone", 10)
    assert (await throttle.take("someone", 10)).allowed
    await redis.aclose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def two_servers(redis_url: str, tmp_path: Path) -> Iterator[list[int]]:
    """Two gateway processes on one SQLite file and one Redis: two workers of one service."""
    database = f"sqlite+aiosqlite:///{tmp_path}/shared.sqlite3"
    env = {
        **os.environ,
        "CONEX_DATABASE_URL": database,
        "CONEX_REDIS_URL": redis_url,
        # Their live updates' pub/sub channel: Redis channels are global, one per test run.
        "CONEX_REDIS_CHANNEL_PREFIX": f"test-{uuid.uuid4().hex}",
        "CONEX_SECRET_KEY": "k" * 40,
        "CONEX_RATE_LIMIT_CAPACITY": "40",
        "CONEX_RATE_LIMIT_RESTORE_RATE": "1",
        "CONEX_MAIL_DIR": str(tmp_path / "mail"),  # inline delivery: never the checkout's var/
    }
    subprocess.run(
        [sys.executable, "-m", "gateway", "migrate"], env=env, check=True, capture_output=True
    )
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "gateway.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        # A start-up deadline, not a timing assertion: generous for a loaded CI machine.
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the gateway did not start")
                time.sleep(0.1)
        yield ports
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


async def test_two_processes_share_one_budget(two_servers: list[int], redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()
    query = {"query": "{ supportPlans { tier channels } }"}  # costs 10, actual 4
    statuses = []
    async with httpx.AsyncClient() as client:
        for i in range(12):
            port = two_servers[i % 2]
            response = await client.post(f"http://127.0.0.1:{port}/graphql", json=query)
            statuses.append(response.status_code)
    # 40 points: each request takes 10 and gives 6 back (4 plans returned), so 8 pass and
    # the 9th finds 8 points; alone, each process would have let all 12 through.
    assert statuses[:8] == [200] * 8
    assert statuses[8] == 429
