"""The audit trail (R-SEC-1): events written in the transaction of the change they record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent


async def insert_audit_events(*, session: AsyncSession, events: Sequence[dict[str, Any]]) -> None:
    """One executemany for every event of the unit of work."""
    if events:
        await session.execute(insert(AuditEvent), list(events))
