"""The log-in and password-reset throttle, in-process (Redis: tests/api/auth/test_rate_limit.py)."""

from __future__ import annotations

from typing import cast

import pytest
from redis.asyncio import Redis

from gateway.auth.ratelimit import (
    LOG_IN_PER_ADDRESS,
    LOG_IN_PER_EMAIL,
    RESET_PER_EMAIL,
    Limit,
    MemoryCounter,
    RateLimiter,
    RedisCounter,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(clock: Clock) -> RateLimiter:
    return RateLimiter(MemoryCounter(clock=clock))


def test_limits_are_those_announced() -> None:
    assert (LOG_IN_PER_EMAIL.max_attempts, LOG_IN_PER_EMAIL.window_seconds) == (5, 900)
    assert (LOG_IN_PER_ADDRESS.max_attempts, LOG_IN_PER_ADDRESS.window_seconds) == (20, 900)
    assert (RESET_PER_EMAIL.max_attempts, RESET_PER_EMAIL.window_seconds) == (3, 3600)


async def test_allows_up_to_the_limit_then_refuses(limiter: RateLimiter) -> None:
    results = [await limiter.acquire(LOG_IN_PER_EMAIL, "a@example.com") for _ in range(7)]
    assert results == [True] * 5 + [False] * 2


async def test_subjects_and_limits_are_counted_apart(limiter: RateLimiter) -> None:
    for _ in range(5):
        await limiter.acquire(LOG_IN_PER_EMAIL, "a@example.com")
    assert not await limiter.acquire(LOG_IN_PER_EMAIL, "a@example.com")
    assert await limiter.acquire(LOG_IN_PER_EMAIL, "b@example.com")
    assert await limiter.acquire(RESET_PER_EMAIL, "a@example.com")


async def test_window_ends_and_refusals_do_not_extend_it(
    limiter: RateLimiter, clock: Clock
) -> None:
    for _ in range(5):
        await limiter.acquire(LOG_IN_PER_EMAIL, "a@example.com")
    clock.now += 899
    assert not await limiter.acquire(LOG_IN_PER_EMAIL, "a@example.com")
    clock.now += 1
    assert await limiter.acquire(LOG_IN_PER_EMAIL, "a@example.com")


async def test_reset_and_release(limiter: RateLimiter) -> None:
    limit = Limit("t", 2, 60)
    assert await limiter.acquire(limit, "x")
    assert await limiter.acquire(limit, "x")
    await limiter.release(limit, "x")
    assert await limiter.acquire(limit, "x")
    assert not await limiter.acquire(limit, "x")
    await limiter.reset(limit, "x")
    assert await limiter.acquire(limit, "x")


async def test_release_of_an_expired_window_creates_nothing(clock: Clock) -> None:
    counter = MemoryCounter(clock=clock)
    limiter = RateLimiter(counter)
    limit = Limit("t", 1, 60)
    await limiter.acquire(limit, "x")
    clock.now += 61
    await limiter.release(limit, "x")
    assert await limiter.acquire(limit, "x")
    assert not await limiter.acquire(limit, "x")


async def test_expired_windows_are_swept_when_many_keys(clock: Clock) -> None:
    counter = MemoryCounter(clock=clock, max_keys=10)
    limiter = RateLimiter(counter)
    limit = Limit("t", 1, 60)
    for n in range(10):
        await limiter.acquire(limit, f"old{n}")
    clock.now += 61
    await limiter.acquire(limit, "new")
    assert len(counter._windows) == 1


def test_keys_never_hold_the_subject() -> None:
    key = RateLimiter.key(LOG_IN_PER_EMAIL, "alice@example.com")
    assert "alice" not in key and key.startswith("conex:ratelimit:log-in:email:")


async def test_redis_counter_windows_expire_and_release_creates_nothing(
    redis_client: Redis,
) -> None:
    limiter = RateLimiter(RedisCounter(redis_client))
    limit = Limit("t", 2, 60)
    assert await limiter.acquire(limit, "x")
    assert await limiter.acquire(limit, "x")
    assert not await limiter.acquire(limit, "x")
    key = RateLimiter.key(limit, "x")
    assert 0 < await redis_client.ttl(key) <= 60
    await limiter.release(limit, "x")
    assert int(cast(bytes, await redis_client.get(key))) == 2
    await limiter.reset(limit, "x")
    assert await redis_client.exists(key) == 0
    await limiter.release(limit, "x")  # no window: nothing to give back, nothing created
    assert await redis_client.exists(key) == 0


async def test_redis_down_lets_attempts_through_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Redis.from_url("redis://127.0.0.1:1", socket_connect_timeout=1)
    limiter = RateLimiter(RedisCounter(client))
    limit = Limit("t", 1, 60)
    try:
        assert await limiter.acquire(limit, "x")
        assert await limiter.acquire(limit, "x")
        await limiter.release(limit, "x")
        await limiter.reset(limit, "x")
    finally:
        await client.aclose()
    assert "Redis is unavailable" in caplog.text
