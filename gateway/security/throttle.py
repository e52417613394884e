"""Rate limiting per principal: a leaky bucket of query-cost points (Shopify-style).

Each principal has ``capacity`` points that refill at ``restore_rate`` points a second. A
request takes its requested cost up front and gets back the difference once the actual cost
is known. With Redis the bucket lives in Redis and is updated by one Lua script, atomically,
so every worker and host shares it; without Redis it lives in this process. While Redis does
not answer, the Redis throttle uses an in-process bucket of its own (logged once per outage):
requests go on, each process limiting them alone until Redis is back.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BucketState:
    allowed: bool
    available: float
    capacity: int
    restore_rate: int
    retry_after: int  # seconds until the request would fit (0 when allowed)


class Throttle(Protocol):
    capacity: int
    restore_rate: int

    async def take(self, key: str, cost: int) -> BucketState: ...

    async def give_back(self, key: str, points: int) -> None: ...


def _retry_after(missing: float, restore_rate: int) -> int:
    return max(1, math.ceil(missing / restore_rate))


class MemoryThrottle:
    def __init__(self, capacity: int, restore_rate: int) -> None:
        self.capacity = capacity
        self.restore_rate = restore_rate
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (available, at)
        self._lock = asyncio.Lock()

    def _level(self, key: str, now: float) -> float:
        available, at = self._buckets.get(key, (float(self.capacity), now))
        return min(float(self.capacity), available + (now - at) * self.restore_rate)

    async def take(self, key: str, cost: int) -> BucketState:
        async with self._lock:
            now = time.monotonic()
            available = self._level(key, now)
            if cost > available:
                self._buckets[key] = (available, now)
                return BucketState(
                    False,
                    available,
                    self.capacity,
                    self.restore_rate,
                    _retry_after(cost - available, self.restore_rate),
                )
            self._buckets[key] = (available - cost, now)
            if len(self._buckets) > 100_000:  # forget full buckets: they carry no state
                self._buckets = {
                    k: v for k, v in self._buckets.items() if self._level(k, now) < self.capacity
                }
            return BucketState(True, available - cost, self.capacity, self.restore_rate, 0)

    async def give_back(self, key: str, points: int) -> None:
        if points <= 0:
            return
        async with self._lock:
            now = time.monotonic()
            self._buckets[key] = (min(float(self.capacity), self._level(key, now) + points), now)


# KEYS[1] bucket; ARGV: capacity, restore rate, cost (negative: give back).
# Uses the Redis server's clock so that every host agrees on "now".
_LUA = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
available = math.min(capacity, available + (now - at) * rate)
local allowed = 1
if cost > 0 and cost > available then
  allowed = 0
else
  available = math.min(capacity, available - cost)
end
redis.call('HSET', KEYS[1], 'available', tostring(available), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return {allowed, tostring(available)}
"""


class RedisThrottle:
    def __init__(
        self, redis: Any, capacity: int, restore_rate: int, prefix: str = "conex:rl:"
    ) -> None:
        self.capacity = capacity
        self.restore_rate = restore_rate
        self._redis = redis
        self._script = redis.register_script(_LUA)
        self._prefix = prefix
        self._fallback = MemoryThrottle(capacity, restore_rate)  # while Redis does not answer
        self._down = False

    async def _run(self, key: str, cost: int) -> tuple[bool, float] | None:
        """The bucket after the script ran, or None when Redis did not answer."""
        try:
            allowed, available = await self._script(
                keys=[self._prefix + key], args=[self.capacity, self.restore_rate, cost]
            )
        except (RedisError, OSError) as exc:
            if not self._down:
                self._down = True
                log.warning(
                    "cost limit: Redis is unreachable (%s), limiting in this process",
                    type(exc).__name__,
                )
            return None
        if self._down:
            self._down = False
            log.info("cost limit: Redis answers again")
        return bool(int(allowed)), float(available)

    async def take(self, key: str, cost: int) -> BucketState:
        result = await self._run(key, cost)
        if result is None:
            return await self._fallback.take(key, cost)
        allowed, available = result
        retry = 0 if allowed else _retry_after(cost - available, self.restore_rate)
        return BucketState(allowed, available, self.capacity, self.restore_rate, retry)

    async def give_back(self, key: str, points: int) -> None:
        if points > 0 and await self._run(key, -points) is None:
            await self._fallback.give_back(key, points)
