"""Throttling of log-in and password-reset attempts: fixed windows, one counter per key.

In-process by default; when ``CONEX_REDIS_URL`` is set the counters live in Redis, so every
worker shares them. An attempt takes a slot *before* the password is checked (so parallel
guesses cannot slip past the limit); a successful log-in gives its slots back. Keys hold a
SHA-256 of the subject (an email, a client address), never the subject itself. The app
builds its one limiter with its other services (``gateway/services.py``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

KEY_PREFIX = "conex:ratelimit:"


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    max_attempts: int
    window_seconds: int


LOG_IN_PER_EMAIL = Limit("log-in:email", 5, 15 * 60)
LOG_IN_PER_ADDRESS = Limit("log-in:address", 20, 15 * 60)
# Staff sign-in to GraphiQL (``POST /staff/session``): per client address, a success gives its
# slot back. Tokens cannot be guessed (178 random bits and a checksum); this keeps anyone from
# trying.
STAFF_SIGN_IN_PER_ADDRESS = Limit("staff-sign-in:address", 10, 15 * 60)
# R-ACC-2: the request answers the same either way, so being over these limits is silent.
RESET_PER_EMAIL = Limit("password-reset:email", 3, 60 * 60)
RESET_PER_ADDRESS = Limit("password-reset:address", 20, 60 * 60)


class Counter(Protocol):
    async def increment(self, key: str, window_seconds: int) -> int:
        """Count one more in the key's current window (opened now if none); the new count."""
        ...

    async def decrement(self, key: str) -> None: ...

    async def delete(self, key: str) -> None: ...


class MemoryCounter:
    """Counters of this process only (one worker, tests, development)."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[str, tuple[float, int]] = {}  # key → (window ends at, count)

    def _live(self, key: str, now: float) -> tuple[float, int] | None:
        window = self._windows.get(key)
        return window if window is not None and window[0] > now else None

    async def increment(self, key: str, window_seconds: int) -> int:
        now = self._clock()
        ends_at, count = self._live(key, now) or (now + window_seconds, 0)
        self._windows[key] = (ends_at, count + 1)
        if len(self._windows) > self._max_keys:
            self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
        return count + 1

    async def decrement(self, key: str) -> None:
        window = self._live(key, self._clock())
        if window is not None:
            self._windows[key] = (window[0], max(0, window[1] - 1))

    async def delete(self, key: str) -> None:
        self._windows.pop(key, None)


# INCR and EXPIRE in one step, so a key never outlives its window.
_INCREMENT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
# DECR only a live key: DECR on an expired one would create a key with no expiry.
_DECREMENT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""


class RedisCounter:
    """Counters shared by every worker. If Redis is unreachable the attempt is allowed (and a
    warning logged): log-in stays available, at the price of throttling while Redis is down."""

    def __init__(self, client: Redis) -> None:
        self._client = client

    async def increment(self, key: str, window_seconds: int) -> int:
        try:
            return int(await self._client.eval(_INCREMENT, 1, key, window_seconds))
        except RedisError as exc:
            log.warning("rate limiting skipped, Redis is unavailable: %s", type(exc).__name__)
            return 0

    async def decrement(self, key: str) -> None:
        try:
            await self._client.eval(_DECREMENT, 1, key)
        except RedisError as exc:
            log.warning("rate limit not released, Redis is unavailable: %s", type(exc).__name__)

    async def delete(self, key: str) -> None:
        try:
            await self._client.delete(key)
        except RedisError as exc:
            log.warning("rate limit not reset, Redis is unavailable: %s", type(exc).__name__)


class RateLimiter:
    def __init__(self, counter: Counter) -> None:
        self.counter = counter

    @staticmethod
    def key(limit: Limit, subject: str) -> str:
        digest = hashlib.sha256(subject.encode()).hexdigest()
        return f"{KEY_PREFIX}{limit.name}:{digest}"

    async def acquire(self, limit: Limit, subject: str) -> bool:
        """Take one attempt; False when the subject is over the limit for this window."""
        count = await self.counter.increment(self.key(limit, subject), limit.window_seconds)
        return count <= limit.max_attempts

    async def release(self, limit: Limit, subject: str) -> None:
        """Give an attempt back (it turned out not to count: a successful log-in)."""
        await self.counter.decrement(self.key(limit, subject))

    async def reset(self, limit: Limit, subject: str) -> None:
        await self.counter.delete(self.key(limit, subject))
