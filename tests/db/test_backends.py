"""The test fixtures themselves: every test gets an empty, migrated database of its own."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.migrate import current_revision, head_revision
from db.models import Account
from tests.helpers import Statements


async def test_the_database_is_migrated_and_empty(engine: AsyncEngine) -> None:
    assert await current_revision(engine) == head_revision()
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            assert rows == 0, f"{table.name} has {rows} rows left by another test"


# Two identical tests: whichever runs second sees the first one's row gone and ids restarted.
@pytest.mark.parametrize("attempt", [1, 2])
async def test_rows_and_ids_do_not_leak_between_tests(engine: AsyncEngine, attempt: int) -> None:
    async with engine.begin() as conn:
        new_id = await conn.scalar(
            insert(Account)
            .values(email="same@example.com", name="Same", country="FR")
            .returning(Account.id)
        )
    assert new_id == 1


async def test_the_statement_counter_sees_what_the_engine_sends(
    engine: AsyncEngine, statements: Statements
) -> None:
    with statements() as counter:
        async with engine.connect() as conn:
            await conn.execute(select(func.count()).select_from(Account))
            await conn.execute(select(Account.id).where(Account.id == 1))
    assert counter.count == 2
    assert all("accounts" in sql for sql in counter.statements)


async def test_redis_is_answering_and_flushed(redis_client: Redis) -> None:
    assert await redis_client.dbsize() == 0
    await redis_client.set("conex:test", "1")
    assert await redis_client.get("conex:test") == b"1"
