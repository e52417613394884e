"""Who delivers the outbox and how often: claims shared by concurrent deliverers, the nudge
after a commit, the deliverer task's errors and its shutdown (gateway/integrations/mail.py,
db/queries/mail.py, db/queries/outbox.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, create_session_factory
from db.models import OutgoingMail
from db.queries.mail import QueuedMail, claim_due_mail
from db.queries.outbox import insert_outgoing_mails, on_mail_committed
from gateway.integrations import mail
from gateway.integrations.mail import (
    BATCH_SIZE,
    CLAIM_FOR,
    MAX_ATTEMPTS,
    OutboxDeliverer,
    deliver_batch,
    inline_delivery,
    send_pending,
)
from gateway.settings import Settings, SettingsError, load_settings
from tests.conftest import POSTGRES_URL, truncate_postgres

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def message(n: int = 0, **values: Any) -> dict[str, Any]:
    return {
        "to_address": f"person{n}@example.com",
        "subject": f"Message {n}",
        "body": f"Body {n}\n",
        "template": "quote_created",
        "created_at": NOW,
        **values,
    }


async def queue(engine: AsyncEngine, count: int = 1) -> list[int]:
    async with engine.begin() as conn:
        result = await conn.execute(
            insert(OutgoingMail).returning(OutgoingMail.id), [message(n) for n in range(count)]
        )
        return sorted(int(pk) for pk in result.scalars())


async def outbox(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        query = select(*OutgoingMail.__table__.c).order_by(OutgoingMail.id)
        return list((await conn.execute(query)).all())


async def eventually(check: Any, *, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.02)


def emls(settings: Settings) -> list[Path]:
    return sorted(settings.mail_dir.glob("*.eml"))


# --- claims ------------------------------------------------------------------------------------


async def claim(engine: AsyncEngine, now: dt.datetime, limit: int = 10) -> list[QueuedMail]:
    async with engine.begin() as conn:
        return await claim_due_mail(
            conn=conn, now=now, claim_until=now + CLAIM_FOR, limit=limit, max_attempts=MAX_ATTEMPTS
        )


async def test_a_claimed_message_is_not_claimed_again_until_its_claim_lapses(
    engine: AsyncEngine,
) -> None:
    first, second, third = await queue(engine, 3)
    assert [m.id for m in await claim(engine, NOW, limit=2)] == [first, second]  # oldest first
    later = NOW + dt.timedelta(minutes=1)
    assert [m.id for m in await claim(engine, later)] == [third]
    assert await claim(engine, later) == []
    # its deliverer died before recording: the claim lapses and the mail is sent again
    lapsed = NOW + CLAIM_FOR + dt.timedelta(seconds=1)
    assert [m.id for m in await claim(engine, lapsed)] == [first, second]


async def test_two_concurrent_deliverers_never_send_one_message_twice(
    database_url: str, engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two engines (two processes' pools) on one database, each draining the outbox in small
    batches while the other does; each batch takes a while to "send"."""
    ids = await queue(engine, 40)
    delivered: dict[str, list[int]] = {"a": [], "b": []}

    async def slow_sink(rows: Sequence[QueuedMail], *_: Any) -> list[str | None]:
        await asyncio.sleep(0.02)
        who = asyncio.current_task().get_name()  # type: ignore[union-attr]
        delivered[who].extend(row.id for row in rows)
        return [None] * len(rows)

    monkeypatch.setattr(mail, "_deliver", slow_sink)
    other = create_engine(database_url)
    try:

        async def drain(on: AsyncEngine) -> None:
            # Until every message is out: an empty batch while mail remains (the other holds
            # it, or SQLite was busy) waits a moment and tries again, as the poll would.
            deadline = asyncio.get_running_loop().time() + 30
            while len(delivered["a"]) + len(delivered["b"]) < len(ids):
                if not (await deliver_batch(on, settings, limit=3))[0]:
                    assert asyncio.get_running_loop().time() < deadline, "the outbox never drained"
                    await asyncio.sleep(0.005)

        await asyncio.gather(
            asyncio.create_task(drain(engine), name="a"),
            asyncio.create_task(drain(other), name="b"),
        )
    finally:
        await other.dispose()
    both = delivered["a"] + delivered["b"]
    assert sorted(both) == ids  # every message once, none twice
    assert delivered["a"] and delivered["b"]  # and both deliverers really took part
    assert all(row.sent_at is not None and row.attempts == 1 for row in await outbox(engine))


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="needs CONEX_TEST_DATABASE_URL")
async def test_postgres_claims_skip_rows_another_claim_holds_without_waiting(
    postgres_database: str,
) -> None:
    await truncate_postgres(postgres_database)
    engine = create_engine(postgres_database)
    try:
        ids = await queue(engine, 4)
        async with engine.connect() as holder:
            await holder.begin()  # a claim under way: its rows are locked until it commits
            held = await claim_due_mail(
                conn=holder, now=NOW, claim_until=NOW + CLAIM_FOR, limit=2, max_attempts=5
            )
            async with asyncio.timeout(3):  # SKIP LOCKED: the next rows, not a wait
                taken = await claim(engine, NOW)
            assert [m.id for m in held] == ids[:2]
            assert [m.id for m in taken] == ids[2:]
            await holder.rollback()  # the holder gave up: its rows are due again
        assert [m.id for m in await claim(engine, NOW)] == ids[:2]
    finally:
        await engine.dispose()


# --- the nudge after a commit ----------------------------------------------------------------


async def test_a_commit_that_queued_mail_calls_back_and_a_rollback_does_not(
    engine: AsyncEngine,
) -> None:
    calls: list[str] = []
    stop = on_mail_committed(engine, lambda: calls.append("mail"))
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            await insert_outgoing_mails(session=session, mails=[message()])
        assert calls == ["mail"]
        with pytest.raises(RuntimeError):
            async with sessions() as session, session.begin():
                await insert_outgoing_mails(session=session, mails=[message()])
                raise RuntimeError("the mutation failed")
        async with sessions() as session, session.begin():
            await insert_outgoing_mails(session=session, mails=[])  # nothing queued
        assert calls == ["mail"]
    finally:
        stop()
    async with sessions() as session, session.begin():
        await insert_outgoing_mails(session=session, mails=[message()])
    assert calls == ["mail"]  # removed


async def test_the_deliverer_sends_soon_after_a_commit_without_waiting_for_its_poll(
    engine: AsyncEngine, settings: Settings
) -> None:
    deliverer = OutboxDeliverer(engine, settings, poll=60)
    stop = on_mail_committed(engine, deliverer.nudge)
    task = asyncio.create_task(deliverer.run())
    try:
        await asyncio.sleep(0.1)  # its first look found nothing; the next is a minute away
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            await insert_outgoing_mails(session=session, mails=[message()])
        await eventually(lambda: len(emls(settings)) == 1, seconds=3)
    finally:
        stop()
        await deliverer.stop(task)
    assert task.done() and not task.cancelled()


async def test_the_deliverer_drains_more_than_one_batch(
    engine: AsyncEngine, settings: Settings
) -> None:
    await queue(engine, BATCH_SIZE * 2 + 1)
    deliverer = OutboxDeliverer(engine, settings, poll=60)
    task = asyncio.create_task(deliverer.run())
    try:
        await eventually(lambda: len(emls(settings)) == BATCH_SIZE * 2 + 1)
    finally:
        await deliverer.stop(task)


# --- inline or worker --------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "expected"), [("dev", "inline"), ("prod", "worker")])
def test_mail_is_delivered_inline_in_dev_and_by_a_worker_in_prod(
    env: str, expected: str, settings: Settings
) -> None:
    assert settings.model_copy(update={"env": env}).effective_mail_delivery == expected
    chosen = settings.model_copy(update={"env": env, "mail_delivery": "inline"})
    assert chosen.effective_mail_delivery == "inline"


def test_mail_delivery_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONEX_MAIL_DELIVERY", "worker")
    assert load_settings().effective_mail_delivery == "worker"
    monkeypatch.setenv("CONEX_MAIL_DELIVERY", "sometimes")
    with pytest.raises(SettingsError, match=r"^CONEX_MAIL_DELIVERY: .*'inline' or 'worker'"):
        load_settings()


@pytest.mark.parametrize(
    "url",
    ["http://mailer:s3cret@mail.example", "smtp://mailer:s3cret@", "smtp://mailer:s3cret@h:port"],
)
def test_a_bad_smtp_url_stops_start_up_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("CONEX_SMTP_URL", url)
    with pytest.raises(SettingsError, match=r"^CONEX_SMTP_URL: ") as raised:
        load_settings()
    assert "s3cret" not in str(raised.value) and "\n" not in str(raised.value)


async def test_inline_delivery_runs_for_the_lifespan_and_worker_runs_nothing(
    engine: AsyncEngine, settings: Settings
) -> None:
    sessions = create_session_factory(engine)
    worker = settings.model_copy(update={"mail_delivery": "worker"})
    async with inline_delivery(engine, worker):
        async with sessions() as session, session.begin():
            await insert_outgoing_mails(session=session, mails=[message(1)])
        await asyncio.sleep(mail.POLL_SECONDS + 0.5)
        assert emls(settings) == []
    async with inline_delivery(engine, settings):
        assert settings.mail_dir.is_dir()  # made at start: where a developer looks
        await eventually(lambda: len(emls(settings)) == 1)  # what the worker setting left
        async with sessions() as session, session.begin():
            await insert_outgoing_mails(session=session, mails=[message(2)])
        await eventually(lambda: len(emls(settings)) == 2)
    async with sessions() as session, session.begin():
        await insert_outgoing_mails(session=session, mails=[message(3)])
    await asyncio.sleep(0.3)
    assert len(emls(settings)) == 2  # stopped with the lifespan


# --- failures and shutdown ---------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_failing_smtp_server_fails_the_message_not_the_deliverer(
    engine: AsyncEngine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    smtp = settings.model_copy(
        update={"smtp_url": f"smtp://mailer:s3cret-pass@127.0.0.1:{closed_port()}"}
    )
    await queue(engine)
    deliverer = OutboxDeliverer(engine, smtp, poll=0.05)
    caplog.set_level(logging.INFO, logger="gateway.integrations.mail")
    task = asyncio.create_task(deliverer.run())
    try:
        await asyncio.sleep(0.5)  # ten looks
        assert not task.done()
    finally:
        await deliverer.stop(task)
    (row,) = await outbox(engine)
    assert row.sent_at is None and row.attempts == 1  # once, then its back-off
    assert row.next_try_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
    assert "not sent (attempt 1)" in caplog.text
    assert "s3cret" not in caplog.text and "s3cret" not in row.last_error


async def test_an_unforeseen_sink_error_is_a_counted_try(
    engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> list[str | None]:
        raise RuntimeError("the sink broke")

    monkeypatch.setattr(mail, "_write_files", broken)
    await queue(engine, 2)
    assert await send_pending(engine, settings, now=NOW) == 0
    rows = await outbox(engine)
    assert [(r.attempts, r.last_error) for r in rows] == [(1, "RuntimeError: the sink broke")] * 2
    assert all(r.next_try_at == NOW + mail.retry_delay(1) for r in rows)


async def test_a_database_error_is_logged_and_retried(
    engine: AsyncEngine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    broken = create_engine(f"sqlite+aiosqlite:///{settings.mail_dir.parent}/missing/x.sqlite3")
    deliverer = OutboxDeliverer(broken, settings, poll=0.01)
    task = asyncio.create_task(deliverer.run())
    try:
        await eventually(lambda: "outbox delivery failed, retrying in" in caplog.text)
        assert not task.done()
    finally:
        await deliverer.stop(task)
        await broken.dispose()
    assert task.done() and not task.cancelled()


async def slow_files(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    original = mail._write_files

    def slow(directory: Path, named: Sequence[Any]) -> list[str | None]:
        time.sleep(seconds)
        return original(directory, named)

    monkeypatch.setattr(mail, "_write_files", slow)


async def test_at_shutdown_the_batch_under_way_is_delivered_and_recorded(
    engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await queue(engine)
    await slow_files(monkeypatch, 0.5)
    deliverer = OutboxDeliverer(engine, settings, poll=60)
    task = asyncio.create_task(deliverer.run())
    await asyncio.sleep(0.2)  # sending
    await deliverer.stop(task, grace=5)
    (row,) = await outbox(engine)
    assert row.sent_at is not None and len(emls(settings)) == 1


async def test_a_batch_abandoned_at_shutdown_is_not_lost(
    engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await queue(engine)
    await slow_files(monkeypatch, 0.5)
    deliverer = OutboxDeliverer(engine, settings, poll=60)
    task = asyncio.create_task(deliverer.run())
    await asyncio.sleep(0.2)  # sending
    await deliverer.stop(task, grace=0.05)
    assert task.cancelled()
    (row,) = await outbox(engine)
    assert row.sent_at is None and row.attempts == 0  # never marked sent without a record
    await asyncio.sleep(0.5)  # the abandoned thread finished its file meanwhile
    monkeypatch.undo()
    # the claim lapses and the next deliverer sends it again: at least once, never lost
    assert await send_pending(engine, settings, now=dt.datetime.now(dt.UTC) + CLAIM_FOR) == 1
    (row,) = await outbox(engine)
    assert row.sent_at is not None
