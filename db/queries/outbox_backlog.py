"""The mail outbox's backlog, as ``/metrics`` reports it (``gateway.observability.metrics``):
read-only, one statement on the indexed ``sent_at``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import OutgoingMail


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    #: Messages not delivered yet, those the sender gave up on included.
    unsent: int
    #: When the oldest of them was queued; None when there is none.
    oldest_queued_at: dt.datetime | None


async def outbox_backlog(*, conn: AsyncConnection) -> OutboxBacklog:
    stmt = select(func.count(), func.min(OutgoingMail.created_at)).where(
        OutgoingMail.sent_at.is_(None)
    )
    row = (await conn.execute(stmt)).one()
    return OutboxBacklog(unsent=int(row[0]), oldest_queued_at=row[1])
