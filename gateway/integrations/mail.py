"""Delivering the outbox: ``outgoing_mail`` rows queued by mutations, sent after commit.

Who delivers (``CONEX_MAIL_DELIVERY``): ``inline``, the dev default, is an
:class:`OutboxDeliverer` task in each app's lifespan (:func:`inline_delivery`), nudged by
every commit of its process that queued mail and polling every ``POLL_SECONDS`` for the
rest; ``worker``, the prod default, leaves it to ``conex-gateway send-mail --watch``, the
same deliverer in a process of its own (:func:`run_mail_sender`).

Where it goes: without ``CONEX_SMTP_URL`` each message becomes an RFC 5322 ``.eml`` file in
``CONEX_MAIL_DIR``, which any mail client opens. With it, SMTP in a worker thread
(``smtplib`` blocks). ``smtp://user:pass@host:587`` upgrades with STARTTLS when the server
offers it and refuses to send a password in clear otherwise; ``smtps://user:pass@host:465``
is TLS from the first byte. An optional ``?from=`` names the sender.

Any number of deliverers (Uvicorn workers, hosts, ``send-mail`` processes) share one outbox:
each batch is claimed first (``db.queries.mail.claim_due_mail``: a conditional UPDATE, so
no two deliverers hold one row), sent with no transaction open, then recorded. A row is
marked sent only once delivered; a claim whose deliverer died lapses after ``CLAIM_FOR`` and
the row is sent again (at least once, never lost). A failed try counts in ``attempts``,
leaves its reason in ``last_error`` and waits ``retry_delay`` (30 s, doubling, at most an
hour) before the next, up to ``MAX_ATTEMPTS``. Bodies holding a single-use secret (a reset
or invitation link) are blanked once sent; nothing here logs a body or a credential.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import smtplib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from db.queries.mail import QueuedMail, claim_due_mail, record_attempt
from db.queries.outbox import on_mail_committed
from db.sessions import Connection, Engine
from gateway.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # with the back-off below: about three hours of tries
BATCH_SIZE = 20
SMTP_TIMEOUT = 30.0  # per SMTP exchange
# A claim outlasts the slowest batch (BATCH_SIZE exchanges at SMTP_TIMEOUT each); a claim
# whose deliverer died lapses after it.
CLAIM_FOR = dt.timedelta(minutes=15)
FIRST_RETRY = dt.timedelta(seconds=30)
LAST_RETRY = dt.timedelta(hours=1)
POLL_SECONDS = 2.0  # the deliverer's look at the outbox when no commit nudged it
MAX_LOOP_BACKOFF = 60.0  # seconds between tries while the database fails
STOP_GRACE = 10.0  # seconds the batch under way gets to finish at shutdown
DEFAULT_SENDER = "My Conex <no-reply@conex.example>"
# Templates whose body holds a secret (a single-use link): not kept once delivered.
SECRET_TEMPLATES = frozenset({"password_reset", "contact_invitation"})
SENT_SECRET_BODY = "(sent; the body held a single-use link and was removed)"

Outcome = str | None  # None: delivered; else why not


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    sender: str

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("CONEX_SMTP_URL: use smtp://user:pass@host:port or smtps://…")
        implicit_tls = parts.scheme == "smtps"
        sender = parse_qs(parts.query).get("from", [DEFAULT_SENDER])[0]
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit_tls else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit_tls,
            sender=sender,
        )

    def __repr__(self) -> str:  # never the password
        return f"SmtpConfig({self.host}:{self.port}, tls={self.implicit_tls})"


def build_message(row: QueuedMail, *, sender: str) -> EmailMessage:
    """An RFC 5322 message (CRLF line ends) from an outbox row."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "conex.example"
    message["Message-ID"] = make_msgid(idstring=f"outbox.{row.id}", domain=domain)
    message.set_content(row.body)
    return message


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _file_name(row: QueuedMail) -> str:
    template = re.sub(r"[^A-Za-z0-9_-]", "_", row.template)
    return f"{row.created_at:%Y%m%dT%H%M%SZ}-{row.id:08d}-{template}.eml"


def _write_files(directory: Path, named: Sequence[tuple[str, EmailMessage]]) -> list[Outcome]:
    """The development sink: one ``.eml`` per message, written atomically."""
    outcomes: list[Outcome] = []
    for name, message in named:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            partial = directory / (name + ".partial")
            partial.write_bytes(message.as_bytes())
            partial.replace(directory / name)
            outcomes.append(None)
        except OSError as error:
            outcomes.append(_describe(error))
    return outcomes


def _open_smtp(config: SmtpConfig) -> smtplib.SMTP:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.implicit_tls:
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT)
    try:
        smtp.ehlo()
        if not config.implicit_tls:
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            elif config.username:
                raise smtplib.SMTPNotSupportedError(
                    "the server offers no STARTTLS: not sending the password in clear"
                )
        if config.username and config.password is not None:
            smtp.login(config.username, config.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _send_smtp(config: SmtpConfig, messages: Sequence[EmailMessage]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    try:
        with _open_smtp(config) as smtp:
            for message in messages:
                try:
                    smtp.send_message(message)
                    outcomes.append(None)
                except smtplib.SMTPException as error:
                    outcomes.append(_describe(error))
    except (OSError, smtplib.SMTPException) as error:  # connecting, TLS, log-in, or QUIT
        outcomes.extend([_describe(error)] * (len(messages) - len(outcomes)))
    return outcomes


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The SMTP server of ``CONEX_SMTP_URL``; None: ``.eml`` files in ``CONEX_MAIL_DIR``."""
    return SmtpConfig.from_url(settings.smtp_url) if settings.smtp_url else None


async def _deliver(
    rows: Sequence[QueuedMail], config: SmtpConfig | None, settings: Settings
) -> list[Outcome]:
    sender = config.sender if config else DEFAULT_SENDER
    built: list[EmailMessage | str] = []
    for row in rows:
        try:
            built.append(build_message(row, sender=sender))
        except ValueError as error:  # a header that cannot be encoded: never deliverable
            built.append(_describe(error))
    ready = [(row, m) for row, m in zip(rows, built, strict=True) if isinstance(m, EmailMessage)]
    if config is not None:
        sent = await asyncio.to_thread(_send_smtp, config, [m for _, m in ready])
    else:
        named = [(_file_name(row), m) for row, m in ready]
        sent = await asyncio.to_thread(_write_files, Path(settings.mail_dir), named)
    delivered = iter(sent)
    return [m if isinstance(m, str) else next(delivered) for m in built]


def retry_delay(attempts: int) -> dt.timedelta:
    """The back-off after the ``attempts``-th failed try: 30 s, doubling, at most an hour."""
    doubled: dt.timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(doubled, LAST_RETRY)


async def _record(
    conn: Connection,
    rows: Sequence[QueuedMail],
    outcomes: Sequence[Outcome],
    now: dt.datetime,
) -> None:
    for row, outcome in zip(rows, outcomes, strict=True):
        tries = row.attempts + 1
        if outcome is not None:
            more = "; giving up" if tries >= MAX_ATTEMPTS else ""
            log.warning("mail %d not sent (attempt %d)%s: %s", row.id, tries, more, outcome)
        secret = row.template in SECRET_TEMPLATES
        await record_attempt(
            conn=conn,
            mail_id=row.id,
            error=outcome,
            now=now,
            replace_body=SENT_SECRET_BODY if secret else None,
            retry_at=now + retry_delay(tries),
        )


async def deliver_batch(
    engine: Engine, settings: Settings, *, limit: int = BATCH_SIZE, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Claim up to ``limit`` due messages, deliver them, record each outcome: how many were
    claimed and how many delivered. Marked sent only once delivered; a claim abandoned half
    way (a crash, a cancelled task) lapses after ``CLAIM_FOR`` and the rows are sent again."""
    config = smtp_config(settings)  # a bad URL raises before anything is claimed
    claimed_at = now or dt.datetime.now(dt.UTC)
    async with engine.begin() as conn:
        rows = await claim_due_mail(
            conn=conn,
            now=claimed_at,
            claim_until=claimed_at + CLAIM_FOR,
            limit=limit,
            max_attempts=MAX_ATTEMPTS,
        )
    if not rows:
        return 0, 0
    try:
        outcomes = await _deliver(rows, config, settings)
    except Exception as error:  # unforeseen: still a counted try, or the rows would loop
        outcomes = [_describe(error)] * len(rows)
    async with engine.begin() as conn:
        await _record(conn, rows, outcomes, now or dt.datetime.now(dt.UTC))
    sent = sum(1 for outcome in outcomes if outcome is None)
    log.info("outbox: %d of %d message(s) delivered", sent, len(rows))
    return len(rows), sent


async def send_pending(
    engine: Engine,
    settings: Settings,
    *,
    limit: int = BATCH_SIZE,
    now: dt.datetime | None = None,
) -> int:
    """Deliver every due message, a batch of ``limit`` at a time; how many were delivered."""
    total = 0
    while True:
        claimed, sent = await deliver_batch(engine, settings, limit=limit, now=now)
        total += sent
        if claimed < limit:
            return total


class OutboxDeliverer:
    """Delivers the outbox until stopped: soon after :meth:`nudge` (a commit that queued
    mail in this process) and every ``poll`` seconds (mail queued by other processes,
    retries falling due). An error of the database or a setting is logged and retried with
    a back-off; a failing SMTP server fails the messages, which retry on their own back-off.
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        poll: float = POLL_SECONDS,
        batch: Callable[[], Awaitable[tuple[int, int]]] | None = None,
        name: str = "outbox",
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.poll = poll
        # One batch: (claimed, delivered); the mail outbox's unless given (partner webhooks
        # run the same loop, gateway.integrations.webhooks).
        self._batch = batch or (lambda: deliver_batch(engine, settings))
        self.name = name
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    def nudge(self) -> None:
        self._wake.set()

    def stop_soon(self) -> None:
        """Finish the batch being sent, then return from :meth:`run`."""
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        delay = self.poll
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                while not self._stopping.is_set():
                    claimed, _ = await self._batch()
                    if claimed < BATCH_SIZE:
                        break
                delay = self.poll
            except Exception as error:  # the loop outlives a database blip: logged, retried
                delay = min(max(delay, 1.0) * 2, MAX_LOOP_BACKOFF)
                log.warning(
                    "%s delivery failed, retrying in %.0f s: %s", self.name, delay, _describe(error)
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def stop(self, task: asyncio.Task[None], *, grace: float = STOP_GRACE) -> None:
        """Stop ``task`` (running :meth:`run`): the batch under way gets ``grace`` seconds to
        be delivered and recorded; past that it is abandoned (its claim lapses, it is sent
        again later: at least once, never lost)."""
        self.stop_soon()
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            log.warning(
                "%s: the batch under way was abandoned at shutdown; sent again later", self.name
            )
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def inline_delivery(engine: Engine, settings: Settings) -> AsyncIterator[None]:
    """With ``CONEX_MAIL_DELIVERY=inline``: an app's outbox deliverer for its lifespan."""
    if settings.effective_mail_delivery != "inline":
        yield
        return
    deliverer = OutboxDeliverer(engine, settings)
    if not settings.smtp_url:  # where a developer looks for the mail, from the start
        with contextlib.suppress(OSError):  # else each message's try says why
            settings.mail_dir.mkdir(parents=True, exist_ok=True)
    stop_watching = on_mail_committed(engine, deliverer.nudge)
    log.info("outbox: delivered by this process (%s)", destination(settings))
    task = asyncio.create_task(deliverer.run(), name="conex-outbox-delivery")
    try:
        yield
    finally:
        stop_watching()
        await deliverer.stop(task)


def destination(settings: Settings) -> str:
    """Where mail goes, for a log line (never the SMTP credentials)."""
    config = smtp_config(settings)
    return f"SMTP at {config.host}:{config.port}" if config else f"files in {settings.mail_dir}"


async def run_mail_sender(
    engine: Engine,
    settings: Settings,
    *,
    interval: float = POLL_SECONDS,
    stop: asyncio.Event | None = None,
) -> None:
    """The deliverer until ``stop`` is set: a process of its own (``send-mail --watch``)."""
    deliverer = OutboxDeliverer(engine, settings, poll=interval)
    task = asyncio.create_task(deliverer.run())
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await deliverer.stop(task)
