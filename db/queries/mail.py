"""The outbox (``outgoing_mail``) as its deliverers read and update it
(``gateway.integrations.mail``).

Claiming picks the oldest due rows, then a conditional UPDATE moves their ``next_try_at`` to
the end of the claim and returns what it claimed. A row is due when it is unsent, has tries
left and its ``next_try_at`` is unset or past; a row another deliverer claimed first is no
longer due, so two deliverers never hold one row: on PostgreSQL the picked rows are locked
with ``FOR UPDATE SKIP LOCKED`` (a concurrent claimer takes the next rows instead of
waiting) and the UPDATE re-checks the condition; SQLite runs one writer at a time, and its
UPDATE sees what the previous writer committed. Nothing stays locked while a message is
being sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
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
    """The oldest unsent messages with tries left, due or not; ``lock``: locked until the
    transaction ends, skipping those another transaction holds (PostgreSQL's SKIP LOCKED)."""
    stmt = (
        select(*_QUEUED_COLUMNS)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < max_attempts)
        .order_by(OutgoingMail.id)
        .limit(limit)
    )
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    return [QueuedMail(*row) for row in (await conn.execute(stmt)).all()]


def _due(now: dt.datetime, max_attempts: int) -> ColumnElement[bool]:
    return and_(
        OutgoingMail.sent_at.is_(None),
        OutgoingMail.attempts < max_attempts,
        or_(OutgoingMail.next_try_at.is_(None), OutgoingMail.next_try_at <= now),
    )


async def claim_due_mail(
    *,
    conn: AsyncConnection,
    now: dt.datetime,
    claim_until: dt.datetime,
    limit: int,
    max_attempts: int,
) -> list[QueuedMail]:
    """Claim up to ``limit`` of the oldest due messages until ``claim_until`` (commit the
    transaction at once: the claim holds no lock); oldest first."""
    candidates = (
        select(OutgoingMail.id)
        .where(_due(now, max_attempts))
        .order_by(OutgoingMail.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":  # locked until the claim commits
        candidates = candidates.with_for_update(skip_locked=True)
    # Two statements: in `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`
    # PostgreSQL may plan a nested-loop semi join that rescans the subquery for every row, so
    # the LIMIT does not hold (seen: 5 rows claimed with LIMIT 2); and on SQLite an idle poll
    # then takes no write lock.
    ids = list((await conn.execute(candidates)).scalars())
    if not ids:
        return []
    stmt = (
        update(OutgoingMail)
        .where(OutgoingMail.id.in_(ids), _due(now, max_attempts))
        .values(next_try_at=claim_until)
        .returning(*_QUEUED_COLUMNS)
    )
    claimed = [QueuedMail(*row) for row in (await conn.execute(stmt)).all()]
    return sorted(claimed, key=lambda mail: mail.id)


async def record_attempt(
    *,
    conn: AsyncConnection,
    mail_id: int,
    error: str | None,
    now: dt.datetime,
    replace_body: str | None = None,
    retry_at: dt.datetime | None = None,
) -> None:
    """Count one try: sent at ``now`` when ``error`` is None (its body replaced by
    ``replace_body`` if given), else why it failed and when to try again (``retry_at``;
    None: as soon as it is due)."""
    values: dict[str, Any] = {"attempts": OutgoingMail.attempts + 1, "last_error": error}
    if error is None:
        values["sent_at"] = now
        values["next_try_at"] = None
        if replace_body is not None:
            values["body"] = replace_body
    else:
        values["next_try_at"] = retry_at
    await conn.execute(update(OutgoingMail).where(OutgoingMail.id == mail_id).values(values))
