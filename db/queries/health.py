"""The readiness probe's statement (``GET /readyz``)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


async def ping(*, conn: AsyncConnection) -> None:
    """One round trip: the database answers on this connection."""
    await conn.execute(text("SELECT 1"))
