"""The mail outbox: messages queued in the transaction that caused them, sent after commit
by ``gateway.integrations.mail``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutgoingMail


async def insert_outgoing_mails(*, session: AsyncSession, mails: Sequence[dict[str, Any]]) -> None:
    """One executemany for every message of the unit of work."""
    if mails:
        await session.execute(insert(OutgoingMail), list(mails))
