"""Coroutines driven in rounds, without a task each: how ``gateway.schema.execution`` awaits
the resolvers of one level of an answer together."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from types import CoroutineType
from typing import Any, cast


class Unclean(Exception):
    """A value graphql-core would report (or might): the level-by-level answer is dropped."""


async def together(awaitables: list[Any]) -> list[Any]:
    """The values of awaitables started together: coroutines driven here, without a task
    each.

    A level of AccountHome awaits ~60 resolvers (a license's organization, each contact's
    account); ``gather`` would wrap each in a task, which the event loop steps one by one.
    Here every coroutine runs to its first suspension (so every loader has every key of the
    level before any batch runs); a coroutine is resumed once the future it waits on is
    done — all those a batch completes resume in the same pass and ask for their next rows
    together, as tasks would —, and one that yielded bare (``asyncio.sleep(0)``) after the
    loop has run once. The first exception is raised out and the others are closed, never
    cancelled: what they wait on may be a loader's cached future, which the answer by
    graphql-core that follows reads again (``gather`` would cancel it). Any other awaitable
    is awaited by a coroutine of its own; a coroutine that waits on something other than a
    future is not clean."""
    coroutines = [
        a if type(a) is CoroutineType else cast("CoroutineType[Any, Any, Any]", _value_of(a))
        for a in awaitables
    ]
    values: list[Any] = [None] * len(coroutines)
    ready: list[tuple[int, CoroutineType[Any, Any, Any]]] = list(enumerate(coroutines))
    blocked: dict[asyncio.Future[Any], list[tuple[int, CoroutineType[Any, Any, Any]]]] = {}
    try:
        while True:
            again: list[tuple[int, CoroutineType[Any, Any, Any]]] = []
            for index, coroutine in ready:
                try:
                    future = coroutine.send(None)
                except StopIteration as done:
                    values[index] = done.value
                    continue
                if future is None:  # a bare yield: resumed once the loop has run
                    again.append((index, coroutine))
                elif isinstance(future, asyncio.Future):
                    future._asyncio_future_blocking = False  # taken, as a task takes it
                    blocked.setdefault(future, []).append((index, coroutine))
                else:
                    raise Unclean
            if not again and not blocked:
                return values
            if again:
                await asyncio.sleep(0)
            elif not any(future.done() for future in blocked):
                await asyncio.wait(list(blocked), return_when=asyncio.FIRST_COMPLETED)
            ready = again
            for future in [future for future in blocked if future.done()]:
                ready.extend(blocked.pop(future))
    except BaseException:
        close_unawaited(coroutines)
        raise


async def _value_of(awaitable: Any) -> Any:
    return await awaitable


def close_unawaited(awaitables: Iterable[Any]) -> None:
    """Coroutines that will not be awaited: closed, so none is left never awaited."""
    for awaitable in awaitables:
        close = getattr(awaitable, "close", None)
        if callable(close) and hasattr(awaitable, "cr_frame"):
            close()
