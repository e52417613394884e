"""Sending the outbox: ``outgoing_mail`` rows queued by mutations, delivered afterwards.

Development (no ``CONEX_SMTP_URL``): each message becomes an RFC 5322 ``.eml`` file in
``CONEX_MAIL_DIR``, which any mail client opens. Production: SMTP, in a worker thread
(``smtplib`` blocks). ``smtp://user:pass@host:587`` upgrades with STARTTLS when the server
offers it and refuses to send a password in clear otherwise; ``smtps://user:pass@host:465``
is TLS from the first byte. An optional ``?from=`` names the sender.

A row is tried up to ``MAX_ATTEMPTS`` times; each try counts in ``attempts`` and a failure
leaves its reason in ``last_error``. On PostgreSQL the rows being sent are locked with SKIP
LOCKED, so several workers may run the sender without sending anything twice. Bodies holding
a single-use secret (a reset or invitation link) are blanked once sent; nothing here logs a body.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from db.queries.mail import QueuedMail, queued_mail, record_attempt
from db.sessions import Connection, Engine
from gateway.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH_SIZE = 50
SMTP_TIMEOUT = 30.0
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


async def _deliver(rows: Sequence[QueuedMail], settings: Settings) -> list[Outcome]:
    config = SmtpConfig.from_url(settings.smtp_url) if settings.smtp_url else None
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


async def _record(
    conn: Connection,
    rows: Sequence[QueuedMail],
    outcomes: Sequence[Outcome],
    now: dt.datetime,
) -> None:
    for row, outcome in zip(rows, outcomes, strict=True):
        if outcome is not None:
            log.warning("mail %d not sent (attempt %d): %s", row.id, row.attempts + 1, outcome)
        secret = row.template in SECRET_TEMPLATES
        await record_attempt(
            conn=conn,
            mail_id=row.id,
            error=outcome,
            now=now,
            replace_body=SENT_SECRET_BODY if secret else None,
        )


async def send_pending(
    engine: Engine,
    settings: Settings,
    *,
    limit: int = BATCH_SIZE,
    now: dt.datetime | None = None,
) -> int:
    """Deliver up to ``limit`` queued messages; returns how many were delivered."""
    if engine.dialect.name == "sqlite":
        # One writer at a time anyway: read, deliver, then record in a short transaction.
        async with engine.connect() as conn:
            rows = await queued_mail(conn=conn, limit=limit, max_attempts=MAX_ATTEMPTS, lock=False)
        outcomes = await _deliver(rows, settings)
        async with engine.begin() as conn:
            await _record(conn, rows, outcomes, now or dt.datetime.now(dt.UTC))
    else:
        # Locked while being delivered: another worker's sender skips them.
        async with engine.begin() as conn:
            rows = await queued_mail(conn=conn, limit=limit, max_attempts=MAX_ATTEMPTS, lock=True)
            outcomes = await _deliver(rows, settings)
            await _record(conn, rows, outcomes, now or dt.datetime.now(dt.UTC))
    sent = sum(1 for outcome in outcomes if outcome is None)
    if rows:
        log.info("outbox: %d of %d message(s) delivered", sent, len(rows))
    return sent


async def run_mail_sender(
    engine: Engine,
    settings: Settings,
    *,
    interval: float = 10.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Send the outbox every ``interval`` seconds until ``stop`` is set (an app's lifespan
    can run this as a task, or a CLI command in its own process)."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await send_pending(engine, settings)
        except Exception:  # a database blip or a bad setting must not end the loop: logged
            log.exception("sending the outbox failed; retrying in %.0f s", interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
