"""Committed changes fanned out to every worker and host through Redis pub/sub (issue #15).

With ``CONEX_REDIS_URL`` set, each process of a deployment (every Uvicorn worker on every
host) runs one :class:`RedisFanout` for its app's life (:func:`redis_fanout`, in the
lifespan):

- **Publisher.** After each commit that wrote changes, ``on_changes_committed`` hands them to
  :meth:`RedisFanout.committed`, on the committing task: it only queues them. A task of its
  own publishes each commit's changes, in commit order, as one compact JSON message
  (:func:`encode`) on the channel ``<CONEX_REDIS_CHANNEL_PREFIX>:changes``. While Redis does
  not answer it keeps them (at most ``MAX_UNSENT`` commits) and retries with backoff; the
  committing request never waits for Redis and never fails because of it.
- **Reader.** Another task subscribes to the channel and feeds every change it hears, its own
  process's included, into the local :class:`~gateway.live.broker.ChangeBroker`: each change
  reaches each listener of each process once, whichever process wrote it. Without Redis the
  lifespan feeds the broker directly instead (``gateway.live.broker.live_updates``).

Pub/sub delivers at most once: a message published while a reader is disconnected is lost to
it. So on every (re)connection, once subscribed, the reader reads the committed changes from
the database (``change_events_after``) from ``CATCH_UP_OVERLAP`` ids before the last it saw —
a transaction still in flight when the connection dropped commits an id below that last one —
and drops every change it already delivered (it remembers the last ``REMEMBERED`` ids). A
process starts from the newest change committed when it starts: nothing older is delivered.

Redis down: each task logs it once (a warning), retries with exponential backoff (up to
``BACKOFF_MAX`` seconds) and logs when it is back; requests go on. Only kinds, ids and times
travel through Redis, never the objects' data: a listener re-reads under its own principal.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from db.queries.changes import (
    ChangeEventRow,
    change_events_after,
    latest_change_id,
    on_changes_committed,
)
from db.sessions import Engine, SessionFactory
from gateway.domain.enums import ChangeEntity, ChangeKind
from gateway.live.broker import ChangeBroker

log = logging.getLogger("gateway.live.redis")

CHANNEL_SUFFIX = "changes"
MAX_UNSENT = 10_000  # commits kept while Redis is down (the oldest dropped beyond)
REMEMBERED = 10_000  # ids delivered, remembered to drop duplicates
CATCH_UP_OVERLAP = 1_000  # ids below the last one seen that a catch-up reads again
CATCH_UP_PAGE = 500
BACKOFF_FIRST = 0.1  # seconds
BACKOFF_MAX = 2.0
POLL_SECONDS = 1.0  # a reader's wait for a message before it checks its connection
CONNECT_TIMEOUT = 2.0
SOCKET_TIMEOUT = 5.0
HEALTH_CHECK_SECONDS = 10  # an idle subscription PINGs Redis this often


def channel_name(prefix: str) -> str:
    return f"{prefix}:{CHANNEL_SUFFIX}"


def encode(events: Sequence[ChangeEventRow]) -> str:
    """One commit's changes as one message: ``[{"id":…,"at":…,"entity":…,"entityId":…,
    "kind":…}]``, in the order they were written."""
    return json.dumps(
        [
            {
                "id": e.id,
                "at": e.occurred_at.isoformat(),
                "entity": e.entity_type.value,
                "entityId": e.entity_id,
                "kind": e.kind.value,
            }
            for e in events
        ],
        separators=(",", ":"),
    )


def decode(data: bytes | str) -> list[ChangeEventRow]:
    """The changes of a message; ``ValueError`` (or ``KeyError``/``TypeError``) when it is
    not one of ours."""
    items = json.loads(data)
    if not isinstance(items, list):
        raise ValueError("not a list of changes")
    events = []
    for item in items:
        at = dt.datetime.fromisoformat(item["at"])
        pk, entity_id = item["id"], item["entityId"]
        if not isinstance(pk, int) or not isinstance(entity_id, int):
            raise ValueError("ids are integers")
        entity, kind = ChangeEntity(item["entity"]), ChangeKind(item["kind"])
        events.append(ChangeEventRow(pk, at, entity, entity_id, kind))
    return events


class Backoff:
    """Exponential, with jitter, from ``first`` up to ``cap`` seconds."""

    def __init__(self, first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX) -> None:
        self._first, self._cap = first, cap
        self._next = first

    def reset(self) -> None:
        self._next = self._first

    def delay(self) -> float:
        delay = self._next
        self._next = min(self._cap, self._next * 2)
        return delay * random.uniform(0.5, 1.0)


class Delivered:
    """The last ``size`` ids delivered, and the highest (the catch-up's cursor)."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self._order: deque[int] = deque()
        self._ids: set[int] = set()
        self._size = size
        self.highest = 0

    def add(self, pk: int) -> bool:
        """True the first time ``pk`` is seen."""
        if pk in self._ids:
            return False
        self._ids.add(pk)
        self._order.append(pk)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())
        self.highest = max(self.highest, pk)
        return True


class _Outage:
    """Logs an outage once, when it starts, and once when it ends."""

    def __init__(self, what: str) -> None:
        self._what = what
        self.down = False

    def failed(self, exc: BaseException) -> None:
        if not self.down:
            self.down = True
            log.warning(
                "live updates: %s failed, retrying: %s: %s", self._what, type(exc).__name__, exc
            )
        else:
            log.debug("live updates: %s failed again: %s", self._what, type(exc).__name__)

    def recovered(self) -> None:
        if self.down:
            self.down = False
            log.info("live updates: %s works again", self._what)


class RedisFanout:
    def __init__(
        self,
        *,
        redis: Redis,
        session_factory: SessionFactory,
        broker: ChangeBroker,
        channel: str,
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self._redis = redis
        self._sessions = session_factory
        self._broker = broker
        self.channel = channel
        self._backoff_max = backoff_max
        self._unsent: deque[Sequence[ChangeEventRow]] = deque()
        self._wake = asyncio.Event()
        self._all_sent = asyncio.Event()
        self._delivered = Delivered()
        self._read_backoff = Backoff(cap=backoff_max)
        self._started = False
        self._floor = 0  # the newest change when this reader started: never delivered
        self.subscribed = asyncio.Event()  # set while the reader listens (caught up)
        self.caught_up = 0  # changes the catch-ups delivered (missed on the channel)
        self.dropped = 0  # commits never published: MAX_UNSENT exceeded while Redis was down
        self._publishing = _Outage("publishing changes to Redis")
        self._reading = _Outage("listening to Redis for changes")

    # --- publisher ---------------------------------------------------------------------------

    def committed(self, events: Sequence[ChangeEventRow]) -> None:
        """After a commit, on the committing task: queue its changes; never blocks or raises."""
        if len(self._unsent) >= MAX_UNSENT:
            self._unsent.popleft()
            self.dropped += 1
            log.warning(
                "live updates: Redis is unreachable and %d commits wait; dropping the oldest",
                MAX_UNSENT,
            )
        self._unsent.append(tuple(events))
        self._all_sent.clear()
        self._wake.set()

    async def _publish_forever(self) -> None:
        backoff = Backoff(cap=self._backoff_max)
        while True:
            while not self._unsent:
                self._all_sent.set()
                self._wake.clear()
                await self._wake.wait()
            try:
                await self._redis.publish(self.channel, encode(self._unsent[0]))
            except Exception as exc:  # Redis down, a timeout: keep the commit, retry
                self._publishing.failed(exc)
                await asyncio.sleep(backoff.delay())
                continue
            self._unsent.popleft()
            self._publishing.recovered()
            backoff.reset()

    # --- reader ------------------------------------------------------------------------------

    def _deliver(self, events: Iterable[ChangeEventRow]) -> int:
        fresh = [e for e in events if self._delivered.add(e.id)]
        if fresh:
            self._broker.publish(fresh)
        return len(fresh)

    def _received(self, data: Any) -> None:
        try:
            events = decode(data)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("live updates: ignored a message on %s: %s", self.channel, exc)
            return
        self._deliver(events)

    async def _start_cursor(self) -> None:
        async with self._sessions() as session:
            self._floor = await latest_change_id(session=session)
        self._delivered.highest = max(self._delivered.highest, self._floor)
        self._started = True

    async def _catch_up(self) -> int:
        """Deliver the committed changes this reader may have missed; how many it had."""
        after = max(self._floor, self._delivered.highest - CATCH_UP_OVERLAP)
        delivered = 0
        while True:
            async with self._sessions() as session:
                page = await change_events_after(
                    session=session, after_id=after, limit=CATCH_UP_PAGE
                )
            delivered += self._deliver(page)
            if len(page) < CATCH_UP_PAGE:
                return delivered
            after = page[-1].id

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(self.channel)
            # Once Redis confirms, every later publish reaches us: only then read the database.
            async with asyncio.timeout(SOCKET_TIMEOUT):
                while True:
                    message = await pubsub.get_message(timeout=POLL_SECONDS)
                    if message is not None and message["type"] == "subscribe":
                        break
            missed = await self._catch_up()
            self.caught_up += missed
            self._reading.recovered()
            self._read_backoff.reset()
            self.subscribed.set()
            log.info(
                "live updates: listening on Redis channel %s (%d changes caught up)",
                self.channel,
                missed,
            )
            while True:
                message = await pubsub.get_message(timeout=POLL_SECONDS)
                if message is not None and message["type"] == "message":
                    self._received(message["data"])

    async def _read_forever(self) -> None:
        while True:
            try:
                if not self._started:
                    await self._start_cursor()
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis or the database down: reconnect, catch up
                self.subscribed.clear()
                self._reading.failed(exc)
                await asyncio.sleep(self._read_backoff.delay())

    # --- life --------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[RedisFanout]:
        tasks = [
            asyncio.create_task(self._read_forever(), name="conex-live-redis-reader"),
            asyncio.create_task(self._publish_forever(), name="conex-live-redis-publisher"),
        ]
        try:
            yield self
        finally:
            if not self._publishing.down:  # publish what is left, briefly
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._all_sent.wait(), 1.0)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def fanout_client(url: str) -> Redis:
    """The fan-out's own client: short timeouts and no retries of redis-py's own (a dropped
    subscription must surface, to be caught up; the tasks retry with their backoff)."""
    return Redis.from_url(
        url,
        retry=Retry(NoBackoff(), 0),
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
        socket_keepalive=True,
        health_check_interval=HEALTH_CHECK_SECONDS,
    )


@contextlib.asynccontextmanager
async def redis_fanout(
    *,
    url: str,
    channel: str,
    engine: Engine,
    session_factory: SessionFactory,
    broker: ChangeBroker,
    backoff_max: float = BACKOFF_MAX,
) -> AsyncIterator[RedisFanout]:
    """For an app's lifespan: its commits' changes to Redis, Redis's to ``broker``."""
    client = fanout_client(url)
    fanout = RedisFanout(
        redis=client,
        session_factory=session_factory,
        broker=broker,
        channel=channel,
        backoff_max=backoff_max,
    )
    stop = on_changes_committed(engine, fanout.committed)
    try:
        async with fanout.running():
            yield fanout
    finally:
        stop()
        await client.aclose()
