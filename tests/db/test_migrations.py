"""The migrations build exactly the models' schema (CONVENTIONS habit 3), both ways."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

import db.models  # noqa: F401  (fills the metadata)
from db.base import Base
from db.engine import create_engine
from db.migrate import MIGRATIONS, alembic_config, current_revision, downgrade, upgrade
from tests.conftest import reset_postgres


@pytest.fixture
async def empty_engine(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a database with no tables at all, of the test's backend."""
    if database_url.startswith("sqlite"):
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    yield engine
    await engine.dispose()
    await reset_postgres(database_url)  # the next tests expect the session's migrated database


async def schema_diff(engine: AsyncEngine) -> list[Any]:
    """What autogenerate would write to bring the database to the models; [] when equal."""

    def compare(sync_connection: Any) -> list[Any]:
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        return await conn.run_sync(compare)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_of_an_empty_database_gives_the_models_schema(
    empty_engine: AsyncEngine,
) -> None:
    assert await table_names(empty_engine) == set()

    await upgrade(empty_engine)

    assert await schema_diff(empty_engine) == []
    assert (
        await current_revision(empty_engine)
        == ScriptDirectory.from_config(alembic_config()).get_current_head()
    )


async def test_downgrade_to_base_then_upgrade_again(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)

    await downgrade(empty_engine, "base")
    assert await table_names(empty_engine) <= {"alembic_version"}
    assert await current_revision(empty_engine) is None

    await upgrade(empty_engine)
    assert await schema_diff(empty_engine) == []


async def test_every_table_of_the_models_exists_after_migration(engine: AsyncEngine) -> None:
    assert await table_names(engine) == set(Base.metadata.tables) | {"alembic_version"}


def test_one_head_and_date_prefixed_revision_files() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "migrations branched: merge the heads"
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    assert files
    for name in files:
        assert re.fullmatch(r"\d{8}_\w+\.py", name), f"{name}: name it YYYYMMDD_<rev>_<slug>.py"
