"""Idempotency keys: claim a key, store the response it produced, release or purge it.

Each function runs on the caller's connection; ``claim`` must be committed on its own,
before the request it guards executes, so that a concurrent retry sees the claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, null, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import IdempotencyKey

# A claim can vanish between our conflicting insert and our read (its request failed and
# released it); a few attempts settle that race.
CLAIM_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Claimed:
    """This request holds the key: it executes and then stores or releases it."""

    id: int


@dataclass(frozen=True, slots=True)
class Existing:
    """Another request holds the key (``response`` None: still in progress)."""

    id: int
    request_hash: str
    response: dict[str, Any] | None


async def claim(
    conn: AsyncConnection,
    *,
    principal_key: str,
    key: str,
    request_hash: str,
    now: dt.datetime,
    lifetime: dt.timedelta,
) -> Claimed | Existing | None:
    """Insert the key as in progress, or take over an expired one, or return the live one.

    ``None`` only if the key kept vanishing under us (the caller answers "in progress").
    On PostgreSQL a conflicting insert waits for the other claim to commit or roll back,
    so exactly one of concurrent first requests gets ``Claimed``.
    """
    values = dict(
        principal_key=principal_key,
        key=key,
        request_hash=request_hash,
        response=null(),  # SQL NULL (a bare None would be stored as JSON null): in progress
        created_at=now,
        expires_at=now + lifetime,
    )
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for _ in range(CLAIM_ATTEMPTS):
        inserted = await conn.execute(
            insert(IdempotencyKey)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["principal_key", "key"])
            .returning(IdempotencyKey.id)
        )
        new_id = inserted.scalar_one_or_none()
        if new_id is not None:
            return Claimed(new_id)
        found = (
            await conn.execute(
                select(
                    IdempotencyKey.id,
                    IdempotencyKey.request_hash,
                    IdempotencyKey.response,
                    IdempotencyKey.expires_at,
                ).where(IdempotencyKey.principal_key == principal_key, IdempotencyKey.key == key)
            )
        ).one_or_none()
        if found is None:
            continue
        if found.expires_at > now:
            return Existing(found.id, found.request_hash, found.response)
        # Expired: the key is free again. Only one of concurrent takers matches the
        # condition (the others re-read it once the winner commits: no longer expired).
        taken = await conn.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == found.id, IdempotencyKey.expires_at <= now)
            .values(
                request_hash=request_hash,
                response=null(),
                created_at=now,
                expires_at=now + lifetime,
            )
            .returning(IdempotencyKey.id)
        )
        taken_id = taken.scalar_one_or_none()
        if taken_id is not None:
            return Claimed(taken_id)
    return None


async def store(conn: AsyncConnection, *, claim_id: int, response: dict[str, Any]) -> None:
    await conn.execute(
        update(IdempotencyKey).where(IdempotencyKey.id == claim_id).values(response=response)
    )


async def release(conn: AsyncConnection, *, claim_id: int) -> None:
    """Forget a claim whose request wrote nothing, so that a retry executes."""
    await conn.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))


async def purge_expired(conn: AsyncConnection, *, now: dt.datetime) -> int:
    """Delete every expired key; how many went."""
    result = await conn.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    return int(result.rowcount or 0)
