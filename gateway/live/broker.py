"""The change broker: committed change events, fanned out to the listeners of this process.

A unit of work writes its changes to ``change_events`` (``UnitOfWork.changed``); after the
commit, ``db.queries.changes.on_changes_committed`` hands them to :meth:`ChangeBroker.publish`,
which gives each to every open :class:`Listener` (a subscription, a webhook deliverer's
wake-up). A rolled-back transaction reaches no listener. Events name what changed; a listener
re-reads the object under its own principal (R-LIVE-1).

This broker is in-process: with several workers or hosts, ``CONEX_REDIS_URL``'s broker
(``gateway.live``'s Redis fan-out) publishes each commit to the others and feeds the events
it receives into this one — ``publish`` is the in-process delivery either way.

Why our own and not a library's: what is needed is a bounded queue per listener and a
callback that runs without I/O on the committing task (SQLAlchemy's ``after_commit``);
``broadcaster``-style libraries own the transport and give neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator, Sequence

from db.queries.changes import ChangeEventRow, on_changes_committed
from db.sessions import Engine
from gateway.domain.enums import ChangeEntity

log = logging.getLogger("gateway.live.broker")

MAX_PENDING = 1000  # events a listener may fall behind before it is cut off


class ListenerOverflow(Exception):
    """A listener fell ``max_pending`` events behind: it missed events and must start over
    (a subscription is completed with an error; the client resubscribes and re-reads)."""


class Listener:
    """The events of the ``entities`` it asked for, in commit order, until closed."""

    def __init__(self, entities: frozenset[ChangeEntity], max_pending: int) -> None:
        self.entities = entities
        self._queue: asyncio.Queue[ChangeEventRow | None] = asyncio.Queue(max_pending + 1)
        self._max_pending = max_pending
        self.overflowed = False

    def offer(self, event: ChangeEventRow) -> None:
        if self.overflowed or event.entity_type not in self.entities:
            return
        if self._queue.qsize() >= self._max_pending:
            self.overflowed = True
            self._queue.put_nowait(None)  # the one slot kept free: wakes the reader to fail
            return
        self._queue.put_nowait(event)

    def close(self) -> None:
        if not self.overflowed:
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)

    def __aiter__(self) -> Listener:
        return self

    async def __anext__(self) -> ChangeEventRow:
        event = await self._queue.get()
        if event is None:
            if self.overflowed:
                raise ListenerOverflow(f"more than {self._max_pending} events pending")
            raise StopAsyncIteration
        return event


class ChangeBroker:
    def __init__(self) -> None:
        self._listeners: set[Listener] = set()
        self.published = 0  # events handed to listeners since the broker was made

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    def publish(self, events: Sequence[ChangeEventRow]) -> None:
        """Give committed events to every listener; never blocks, never raises (it runs on
        the committing task, after the commit)."""
        for event in events:
            self.published += 1
            for listener in list(self._listeners):
                try:
                    listener.offer(event)
                except Exception:  # a listener's fault must not reach the committer
                    log.exception("change listener failed; dropping it")
                    self._listeners.discard(listener)

    @contextlib.contextmanager
    def listen(
        self, entities: Sequence[ChangeEntity], *, max_pending: int = MAX_PENDING
    ) -> Iterator[Listener]:
        """``with broker.listen([ChangeEntity.QUOTE]) as events: async for event in events``."""
        listener = Listener(frozenset(entities), max_pending)
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)
            listener.close()


@contextlib.asynccontextmanager
async def live_updates(engine: Engine, broker: ChangeBroker) -> AsyncIterator[None]:
    """For an app's lifespan: every commit on ``engine`` that wrote changes reaches
    ``broker``'s listeners."""
    stop = on_changes_committed(engine, broker.publish)
    try:
        yield
    finally:
        stop()
