"""The outbox sender: ``.eml`` files in development, SMTP in production."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import OutgoingMail
from gateway.integrations.mail import (
    DEFAULT_SENDER,
    MAX_ATTEMPTS,
    SENT_SECRET_BODY,
    SmtpConfig,
    retry_delay,
    run_mail_sender,
    send_pending,
)
from gateway.settings import Settings

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


async def queue(engine: AsyncEngine, **values: Any) -> int:
    defaults = dict(
        to_address="nadia@example.com",
        subject="Your quote Q-000042",
        body="Hello Nadia,\n\nYour quote is ready: é, ü and €.\n.\nA line with a lone dot above.\n",
        template="quote_created",
        created_at=NOW,
    )
    async with engine.begin() as conn:
        result = await conn.execute(
            insert(OutgoingMail).values(**{**defaults, **values}).returning(OutgoingMail.id)
        )
        return int(result.scalar_one())


async def outbox(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        query = select(*OutgoingMail.__table__.c).order_by(OutgoingMail.id)
        return list((await conn.execute(query)).all())


def parse(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


# --- development: .eml files -----------------------------------------------------------------


async def test_dev_sink_writes_one_rfc_5322_file_per_message(
    engine: AsyncEngine, settings: Settings
) -> None:
    first = await queue(engine)
    await queue(engine, to_address="karim@example.com", subject="Welcome", template="welcome")
    assert await send_pending(engine, settings) == 2

    files = sorted(settings.mail_dir.glob("*.eml"))
    assert [p.name for p in files] == [
        f"20261126T120000Z-{first:08d}-quote_created.eml",
        f"20261126T120000Z-{first + 1:08d}-welcome.eml",
    ]
    raw = files[0].read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends
    message = parse(raw)
    assert message["To"] == "nadia@example.com"
    assert message["From"] == DEFAULT_SENDER
    assert message["Subject"] == "Your quote Q-000042"
    assert message["Date"] == "Thu, 26 Nov 2026 12:00:00 +0000"
    assert message["Message-ID"].endswith("@conex.example>")
    assert "é, ü and €" in message.get_content()
    assert parse(files[1].read_bytes())["To"] == "karim@example.com"

    rows = await outbox(engine)
    assert all(r.sent_at is not None and r.attempts == 1 and r.last_error is None for r in rows)
    assert await send_pending(engine, settings) == 0  # nothing twice
    assert len(list(settings.mail_dir.glob("*.eml"))) == 2


async def test_bodies_with_a_single_use_link_are_removed_once_sent(
    engine: AsyncEngine, settings: Settings
) -> None:
    await queue(engine, template="password_reset", body="https://x/reset-password?token=SECRET")
    await send_pending(engine, settings)
    (row,) = await outbox(engine)
    assert row.body == SENT_SECRET_BODY
    (path,) = settings.mail_dir.glob("*.eml")
    assert "token=SECRET" in parse(path.read_bytes()).get_content()


async def test_a_failure_is_recorded_and_retried_with_a_back_off_up_to_the_limit(
    engine: AsyncEngine, settings: Settings
) -> None:
    settings.mail_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.mail_dir.write_text("a file where the directory should be")
    await queue(engine)
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await send_pending(engine, settings, now=now) == 0
        (row,) = await outbox(engine)
        assert row.attempts == attempt and row.sent_at is None
        assert row.last_error.startswith(("FileExistsError", "NotADirectoryError"))
        assert row.next_try_at == now + retry_delay(attempt)
        # not tried again before its time
        await send_pending(engine, settings, now=row.next_try_at - dt.timedelta(seconds=1))
        assert (await outbox(engine))[0].attempts == attempt
        now = row.next_try_at
    await send_pending(engine, settings, now=now + dt.timedelta(days=1))
    (row,) = await outbox(engine)
    assert row.attempts == MAX_ATTEMPTS  # given up


def test_the_back_off_doubles_from_30_seconds_to_at_most_an_hour() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, MAX_ATTEMPTS)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_an_unencodable_header_fails_that_message_only(
    engine: AsyncEngine, settings: Settings
) -> None:
    await queue(engine, to_address="bad\r\nBcc: everyone@example.com")
    await queue(engine)
    assert await send_pending(engine, settings) == 1
    bad, good = await outbox(engine)
    assert bad.sent_at is None and bad.last_error.startswith("ValueError")
    assert good.sent_at is not None
    (path,) = settings.mail_dir.glob("*.eml")
    assert "everyone" not in path.read_text()


async def test_the_background_sender_runs_until_stopped(
    engine: AsyncEngine, settings: Settings
) -> None:
    await queue(engine)
    stop = asyncio.Event()
    task = asyncio.create_task(run_mail_sender(engine, settings, interval=0.01, stop=stop))
    for _ in range(500):
        if list(settings.mail_dir.glob("*.eml")):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert len(list(settings.mail_dir.glob("*.eml"))) == 1


# --- production: SMTP ------------------------------------------------------------------------


class FakeSmtp(socketserver.ThreadingTCPServer):
    """Just enough SMTP: no STARTTLS, no AUTH; refuses recipients at bounce.example."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[tuple[list[str], bytes]] = []


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: FakeSmtp

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 fake ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-fake")
                self.reply("250 8BITMIME")
            elif verb == "RCPT":
                if "bounce.example" in command:
                    self.reply("550 no such user")
                else:
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append((recipients, data))
                recipients = []
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("MAIL", "RSET", "NOOP"):
                self.reply("250 OK")
            else:
                self.reply("502 not implemented")


@pytest.fixture
def smtp_server() -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_smtp_delivers_and_a_refused_recipient_fails_alone(
    engine: AsyncEngine, settings: Settings, smtp_server: FakeSmtp
) -> None:
    port = smtp_server.server_address[1]
    smtp = settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{port}?from=My%20Conex%20%3Cmail@conex.example%3E"}
    )
    await queue(engine)
    await queue(engine, to_address="ghost@bounce.example")
    assert await send_pending(engine, smtp) == 1

    ((recipients, data),) = smtp_server.messages
    assert recipients == ["nadia@example.com"]
    message = parse(data)
    assert message["From"] == "My Conex <mail@conex.example>"
    assert message["Subject"] == "Your quote Q-000042"
    assert "€.\n.\nA line with a lone dot above." in message.get_content().replace("\r\n", "\n")
    sent, bounced = await outbox(engine)
    assert sent.sent_at is not None
    assert bounced.sent_at is None and "550" in bounced.last_error
    assert not settings.mail_dir.exists()  # no file sink when SMTP is configured


async def test_smtp_credentials_are_never_sent_in_clear(
    engine: AsyncEngine, settings: Settings, smtp_server: FakeSmtp
) -> None:
    port = smtp_server.server_address[1]
    smtp = settings.model_copy(update={"smtp_url": f"smtp://user:s3cret@127.0.0.1:{port}"})
    await queue(engine)
    assert await send_pending(engine, smtp) == 0
    assert smtp_server.messages == []
    (row,) = await outbox(engine)
    assert "STARTTLS" in row.last_error and "s3cret" not in row.last_error


async def test_an_unreachable_server_fails_the_batch_for_a_retry(
    engine: AsyncEngine, settings: Settings
) -> None:
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]
    smtp = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
    await queue(engine)
    await queue(engine)
    assert await send_pending(engine, smtp) == 0
    assert [(r.attempts, r.last_error is not None) for r in await outbox(engine)] == [
        (1, True),
        (1, True),
    ]


def test_smtp_urls() -> None:
    plain = SmtpConfig.from_url("smtp://mailer%40conex.example:p%40ss@mail.example")
    assert (plain.host, plain.port, plain.implicit_tls) == ("mail.example", 587, False)
    assert (plain.username, plain.password) == ("mailer@conex.example", "p@ss")
    assert plain.sender == DEFAULT_SENDER
    tls = SmtpConfig.from_url("smtps://u:p@mail.example?from=ops@conex.example")
    assert (tls.port, tls.implicit_tls, tls.sender) == (465, True, "ops@conex.example")
    assert SmtpConfig.from_url("smtp://mail.example:2525").username is None
    assert "p@ss" not in repr(plain)
    for bad in ("http://mail.example", "smtp://", "mail.example:25"):
        with pytest.raises(ValueError, match="CONEX_SMTP_URL"):
            SmtpConfig.from_url(bad)
