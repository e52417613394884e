"""``gateway.schema.rounds.together``: coroutines driven in rounds, without a task each.

What it must keep from ``asyncio.gather``: every coroutine reaches its first suspension
before any batch runs (a DataLoader sees all the keys of a level at once, and again for the
next await of each), results in the order given, an exception raised out, nothing left
running or never awaited.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import pytest
from aiodataloader import DataLoader

from gateway.schema.rounds import Unclean, together


class Recorded:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def load(self, keys: list[int]) -> list[int]:
        self.batches.append(sorted(keys))
        return [k * 10 for k in keys]


async def test_each_await_of_every_coroutine_is_one_batch() -> None:
    first, second = Recorded(), Recorded()
    by_first: DataLoader[int, int] = DataLoader(first.load)
    by_second: DataLoader[int, int] = DataLoader(second.load)

    async def resolver(key: int) -> int:
        a = await by_first.load(key)
        b = await by_second.load(key + 100)  # a second await: the next round
        return a + b

    values = await together([resolver(k) for k in range(5)])
    assert values == [k * 10 + (k + 100) * 10 for k in range(5)]
    assert first.batches == [[0, 1, 2, 3, 4]]
    assert second.batches == [[100, 101, 102, 103, 104]]


async def test_results_keep_the_order_given_whatever_finishes_first() -> None:
    async def after(delay: float, value: str) -> str:
        await asyncio.sleep(delay)
        return value

    assert await together([after(0.02, "a"), after(0, "b"), after(0.01, "c")]) == ["a", "b", "c"]


async def test_bare_yields_and_immediate_returns() -> None:
    async def now(value: int) -> int:
        return value

    async def yields(value: int) -> int:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return value

    assert await together([now(1), yields(2), now(3)]) == [1, 2, 3]
    assert await together([]) == []


async def test_an_exception_ends_the_round_and_closes_the_rest() -> None:
    closed: list[str] = []
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def waits(name: str) -> None:
        try:
            await gate
        finally:
            closed.append(name)

    async def fails() -> None:
        await asyncio.sleep(0)
        raise ValueError("no")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine never awaited would warn
        with pytest.raises(ValueError, match="no"):
            await together([waits("a"), fails(), waits("b")])
        gc.collect()
    assert sorted(closed) == ["a", "b"]
    assert not gate.done()


async def test_the_futures_others_wait_on_are_not_cancelled() -> None:
    """They may be a loader's cached futures, read again by graphql-core's answer."""
    shared: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def waits() -> int:
        return await shared

    async def fails() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await together([waits(), fails(), waits()])
    assert not shared.cancelled()
    shared.set_result(1)
    assert await together([waits()]) == [1]


async def test_other_awaitables_are_awaited_too() -> None:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[int] = loop.create_future()
    loop.call_soon(future.set_result, 7)

    async def coroutine() -> int:
        return 8

    assert await together([future, coroutine()]) == [7, 8]


async def test_a_coroutine_that_waits_on_no_future_is_unclean() -> None:
    class Odd:
        def __await__(self) -> Any:
            yield "not a future"

    async def odd() -> None:
        await Odd()

    with pytest.raises(Unclean):
        await together([odd()])


async def test_a_coroutine_may_wait_on_what_another_one_does() -> None:
    """Resumed as its future completes, not once all of them have: no deadlock."""
    event = asyncio.Event()

    async def waits() -> str:
        await event.wait()
        return "woken"

    async def wakes() -> str:
        await asyncio.sleep(0)
        event.set()
        await asyncio.sleep(0.01)
        return "woke"

    done = await asyncio.wait_for(together([waits(), wakes()]), timeout=5)
    assert done == ["woken", "woke"]
