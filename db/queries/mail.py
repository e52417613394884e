"""The outbox (``outgoing_mail``) as its sender reads and updates it
(``gateway.integrations.mail``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import OutgoingMail


@dataclass(frozen=True, slots=True)
class QueuedMail:
    id: int
    to_address: str
    subject: str
    body: str
    template: str
    created_at: dt.datetime
    attempts: int


_QUEUED_COLUMNS = (
    OutgoingMail.id,
    OutgoingMail.to_address,
    OutgoingMail.subject,
    OutgoingMail.body,
    OutgoingMail.template,
    OutgoingMail.created_at,
    OutgoingMail.attempts,
)


async def queued_mail(
    *, conn: AsyncConnection, limit: int, max_attempts: int, lock: bool
) -> list[QueuedMail]:
    """The oldest unsent messages with tries left; ``lock``: locked until the transaction
    ends, skipping those another sender holds (PostgreSQL's SKIP LOCKED)."""
    stmt = (
        select(*_QUEUED_COLUMNS)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < max_attempts)
        .order_by(OutgoingMail.id)
        .limit(limit)
    )
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    return [QueuedMail(*row) for row in (await conn.execute(stmt)).all()]


async def record_attempt(
    *,
    conn: AsyncConnection,
    mail_id: int,
    error: str | None,
    now: dt.datetime,
    replace_body: str | None = None,
) -> None:
    """Count one try: sent at ``now`` when ``error`` is None (its body replaced by
    ``replace_body`` if given), else why it failed."""
    values: dict[str, Any] = {"attempts": OutgoingMail.attempts + 1, "last_error": error}
    if error is None:
        values["sent_at"] = now
        if replace_body is not None:
            values["body"] = replace_body
    await conn.execute(update(OutgoingMail).where(OutgoingMail.id == mail_id).values(values))
