"""Live updates across processes through Redis pub/sub (issue #15, gateway/live/redis_fanout.py):
two apps on one database and one real Redis, each with its own engine and lifespan, as two
workers are. A change committed through either reaches the listeners of both, once each, in
the writer's commit order; with Redis unreachable the mutation still answers and the change
arrives after the reconnection (the reader catches up from the database); without Redis the
changes stay in-process.

Each test has a channel prefix of its own: pub/sub ignores Redis database numbers, so
parallel runs would otherwise hear each other."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import redis.asyncio
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.engine import create_engine, create_session_factory
from db.queries.audit import insert_audit_events
from db.queries.changes import ChangeEventRow
from gateway.app import create_app
from gateway.domain.enums import ChangeEntity, ChangeKind
from gateway.live.broker import Listener
from gateway.live.redis_fanout import Delivered, channel_name, decode, encode
from gateway.services import services_of
from gateway.settings import Settings
from tests.api.client import ok, send
from tests.api.live.test_change_events import audit_event
from tests.api.world import World, gid
from tests.conftest import TEST_SECRET_KEY
from tests.live.tcp_proxy import proxied

WAIT = 15.0  # seconds: the machine may be loaded; a reconnection backs off up to 2 s
QUIET = 0.5  # how long "nothing more arrives" is watched


def gateway(
    database_url: str, engine: AsyncEngine, tmp_path: Path, redis_url: str | None, prefix: str
) -> Starlette:
    settings = Settings(
        env="dev",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        mail_delivery="worker",  # no outbox task: only the live updates run in the lifespan
        redis_url=redis_url,
        redis_channel_prefix=prefix,
    )
    return create_app(settings, engine=engine)


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running (httpx's transport runs none), and a client."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
async def second_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Another pool on the test's database: the second worker's."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def make_app(
    database_url: str, tmp_path: Path, prefix: str
) -> Callable[[AsyncEngine, str | None], Starlette]:
    return lambda engine, url: gateway(
        database_url, engine, tmp_path / uuid.uuid4().hex, url, prefix
    )


async def subscribers(client: redis.asyncio.Redis, prefix: str, expected: int) -> None:
    """Wait until ``expected`` readers listen on the test's channel."""
    async with asyncio.timeout(WAIT):
        while True:
            ((_, count),) = await client.pubsub_numsub(channel_name(prefix))
            if count == expected:
                return
            await asyncio.sleep(0.05)


Heard = tuple[ChangeEntity, int, ChangeKind]


async def next_change(listener: Listener) -> Heard:
    event = await asyncio.wait_for(anext(listener), WAIT)
    return (event.entity_type, event.entity_id, event.kind)


async def nothing_more(listener: Listener) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(listener), QUIET)


async def set_po_number(client: httpx.AsyncClient, world: World, quote_id: int, po: str) -> None:
    variables = {"id": gid("Quote", quote_id), "poNumber": po, "expectedVersion": 1}
    ok(await send(client, "SetQuotePoNumber", variables, world.alice_token), "quoteSetPoNumber")


def listening(app: Starlette) -> contextlib.AbstractContextManager[Listener]:
    return services_of(app).changes.listen([ChangeEntity.QUOTE])


async def test_a_change_committed_through_one_app_reaches_the_listeners_of_both_once(
    world: World,
    engine: AsyncEngine,
    second_engine: AsyncEngine,
    make_app: Callable[[AsyncEngine, str | None], Starlette],
    redis_url: str,
    redis_client: redis.asyncio.Redis,
    prefix: str,
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    a, b = make_app(engine, redis_url), make_app(second_engine, redis_url)
    async with running(a) as client_a, running(b):
        await subscribers(redis_client, prefix, 2)
        with listening(a) as heard_a, listening(b) as heard_b:
            await set_po_number(client_a, world, quote_id, "PO-1")
            change = (ChangeEntity.QUOTE, quote_id, ChangeKind.UPDATED)
            assert await next_change(heard_a) == change  # its own, back through Redis
            assert await next_change(heard_b) == change
            await nothing_more(heard_a)
            await nothing_more(heard_b)


async def test_each_writer_s_commits_arrive_in_commit_order_in_every_app(
    world: World,
    engine: AsyncEngine,
    second_engine: AsyncEngine,
    make_app: Callable[[AsyncEngine, str | None], Starlette],
    redis_url: str,
    redis_client: redis.asyncio.Redis,
    prefix: str,
) -> None:
    a, b = make_app(engine, redis_url), make_app(second_engine, redis_url)
    writers = {"a": create_session_factory(engine), "b": create_session_factory(second_engine)}
    async with running(a), running(b):
        await subscribers(redis_client, prefix, 2)
        with listening(a) as heard_a, listening(b) as heard_b:

            async def write(name: str, first: int) -> None:
                for pk in range(first, first + 20):  # one commit each, one after the other
                    async with writers[name]() as session, session.begin():
                        change = [audit_event("Quote", pk, ChangeKind.UPDATED)]
                        await insert_audit_events(session=session, events=change)

            await asyncio.gather(write("a", 1000), write("b", 2000))
            for heard in (heard_a, heard_b):
                ids = [(await next_change(heard))[1] for _ in range(40)]
                assert [pk for pk in ids if pk < 2000] == list(range(1000, 1020))
                assert [pk for pk in ids if pk >= 2000] == list(range(2000, 2020))
                await nothing_more(heard)


async def test_redis_unreachable_at_publish_the_mutation_answers_and_the_change_follows(
    world: World,
    engine: AsyncEngine,
    second_engine: AsyncEngine,
    make_app: Callable[[AsyncEngine, str | None], Starlette],
    redis_url: str,
    redis_client: redis.asyncio.Redis,
    prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """App A reaches Redis through a proxy that goes down: its mutation answers at once (the
    cost limit falls back to the process, the publish waits); once Redis is back, A's
    reader catches up from the database and its publisher sends the kept commit to B."""
    quote_id = await world.quote(lines=[world.line()])
    async with proxied(redis_url) as (proxy, via_proxy):
        a, b = make_app(engine, via_proxy), make_app(second_engine, redis_url)
        async with running(a) as client_a, running(b):
            await subscribers(redis_client, prefix, 2)
            with listening(a) as heard_a, listening(b) as heard_b:
                await proxy.cut()
                await subscribers(redis_client, prefix, 1)
                async with asyncio.timeout(5):  # connection refused: no wait on Redis
                    await set_po_number(client_a, world, quote_id, "PO-DOWN")
                await nothing_more(heard_b)
                await proxy.restore()
                change = (ChangeEntity.QUOTE, quote_id, ChangeKind.UPDATED)
                assert await next_change(heard_a) == change
                assert await next_change(heard_b) == change
                await nothing_more(heard_a)
                await nothing_more(heard_b)
    warned = {
        r.getMessage().split(":")[1].strip() for r in caplog.records if r.levelname == "WARNING"
    }
    assert {
        "publishing changes to Redis failed, retrying",
        "listening to Redis for changes failed, retrying",
    } <= warned


async def test_a_reader_that_was_cut_off_catches_up_from_the_database_once(
    world: World,
    engine: AsyncEngine,
    second_engine: AsyncEngine,
    make_app: Callable[[AsyncEngine, str | None], Starlette],
    redis_url: str,
    redis_client: redis.asyncio.Redis,
    prefix: str,
) -> None:
    """B's subscription is down while A publishes: pub/sub does not keep the message for B,
    so B gets the change from the database when it is subscribed again, and only once; and
    nothing committed before it started."""
    quote_id = await world.quote(lines=[world.line()])
    async with create_session_factory(engine)() as session, session.begin():
        before = [audit_event("Quote", quote_id, ChangeKind.CREATED)]
        await insert_audit_events(session=session, events=before)
    async with proxied(redis_url) as (proxy, via_proxy):
        a, b = make_app(engine, redis_url), make_app(second_engine, via_proxy)
        async with running(a) as client_a, running(b):
            await subscribers(redis_client, prefix, 2)
            with listening(a) as heard_a, listening(b) as heard_b:
                await proxy.cut()
                await subscribers(redis_client, prefix, 1)
                await set_po_number(client_a, world, quote_id, "PO-MISSED")
                change = (ChangeEntity.QUOTE, quote_id, ChangeKind.UPDATED)
                assert await next_change(heard_a) == change
                await nothing_more(heard_b)
                await proxy.restore()
                assert await next_change(heard_b) == change
                await nothing_more(heard_b)
                await nothing_more(heard_a)


async def test_without_redis_the_changes_stay_in_process(
    world: World,
    engine: AsyncEngine,
    second_engine: AsyncEngine,
    make_app: Callable[[AsyncEngine, str | None], Starlette],
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    a, b = make_app(engine, None), make_app(second_engine, None)
    async with running(a) as client_a, running(b):
        with listening(a) as heard_a, listening(b) as heard_b:
            await set_po_number(client_a, world, quote_id, "PO-LOCAL")
            assert await next_change(heard_a) == (ChangeEntity.QUOTE, quote_id, ChangeKind.UPDATED)
            await nothing_more(heard_a)
            await nothing_more(heard_b)  # another process hears nothing without Redis


def test_a_message_carries_ids_kind_and_time_and_reads_back_the_same() -> None:
    at = dt.datetime(2026, 12, 7, 12, 30, tzinfo=dt.UTC)
    events = [
        ChangeEventRow(7, at, ChangeEntity.QUOTE, 3, ChangeKind.PAID),
        ChangeEventRow(8, at, ChangeEntity.LICENSE, 4, ChangeKind.ISSUED),
    ]
    message = encode(events)
    assert message.startswith('[{"id":7,"at":"2026-12-07T12:30:00+00:00","entity":"Quote"')
    assert decode(message) == events
    assert decode(message.encode()) == events
    for bad in ("{}", '[{"id":"7"}]', '[{"id":7,"at":"x","entity":"Quote","entityId":3}]'):
        with pytest.raises((ValueError, KeyError, TypeError)):
            decode(bad)


def test_delivered_drops_an_id_seen_before_and_forgets_the_oldest() -> None:
    delivered = Delivered(size=3)
    assert [delivered.add(pk) for pk in (5, 3, 5, 9)] == [True, True, False, True]
    assert delivered.highest == 9
    assert delivered.add(10) and delivered.add(5)  # 5 was the oldest of four: forgotten
