"""The world in a database: built once per xdist worker and backend, copied for each test.

- SQLite: the world is built in a copy of the session's migrated template and the file kept;
  each test copies that file (a few hundred kilobytes) instead of building the world again.
- PostgreSQL: the world is built once in the worker's database, and its rows and sequence
  positions kept; each test empties the tables and copies the rows back (``COPY``), in one
  transaction on one connection.

Either way every test starts from the world exactly as built, ids and sequences included,
whatever the test before it wrote. ``put_back`` does the same in the middle of a test.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.engine import create_engine
from gateway.settings import Settings
from tests.api.world import World, build_world
from tests.conftest import (
    TEST_SECRET_KEY,
    connect_postgres,
    empty_postgres,
    run_outside_test_loop,
    truncate_postgres,
)

#: The kinds of world: the base one, and the base one with the shared objects.
KINDS = ("base", "objects")
KEY = Settings(env="dev", secret_key=TEST_SECRET_KEY).signing_key()


@dataclass
class Template:
    """A world as built (its ``engine`` is gone: ``World.bound`` gives a test's)."""

    world: World
    sqlite_file: Path | None = None
    #: PostgreSQL: (table, columns, rows) parents first, and (sequence, last value, called).
    tables: list[tuple[str, list[str], list[asyncpg.Record]]] = field(default_factory=list)
    sequences: list[tuple[str, int, bool]] = field(default_factory=list)


async def _build(engine: AsyncEngine, kind: str) -> World:
    try:
        return await build_world(engine, KEY, objects=kind == "objects")
    finally:
        await engine.dispose()


def build_sqlite(empty_template: Path, directory: Path, kind: str) -> Template:
    path = directory / f"world-{kind}.sqlite3"
    shutil.copyfile(empty_template, path)
    world = run_outside_test_loop(
        lambda: _build(create_engine(f"sqlite+aiosqlite:///{path}"), kind)
    )
    # Fold the write-ahead log into the file, so that copying the one file copies it all.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    return Template(world, sqlite_file=path)


def copy_sqlite(template: Template, path: Path) -> str:
    """The world's file copied to ``path`` (its write-ahead log, if any, removed first)."""
    assert template.sqlite_file is not None
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template.sqlite_file, path)
    return f"sqlite+aiosqlite:///{path}"


def build_postgres(url: str, kind: str) -> Template:
    async def build() -> Template:
        await truncate_postgres(url)
        world = await _build(create_engine(url), kind)
        template = Template(world)
        conn = await connect_postgres(url)
        try:
            for table in Base.metadata.sorted_tables:
                columns = [c.name for c in table.columns]
                order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
                listed = ", ".join(f'"{c}"' for c in columns)
                found = await conn.fetch(f'SELECT {listed} FROM "{table.name}" ORDER BY {order}')
                template.tables.append((table.name, columns, list(found)))
            for row in await conn.fetch(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            ):
                name = row["sequencename"]
                state = await conn.fetchrow(f'SELECT last_value, is_called FROM "{name}"')
                assert state is not None
                template.sequences.append((name, state["last_value"], state["is_called"]))
        finally:
            await conn.close()
        return template

    return run_outside_test_loop(build)


async def restore_postgres(url: str, template: Template) -> None:
    """Every table as the world's template holds it, sequences included."""
    conn = await connect_postgres(url)
    try:
        async with conn.transaction():
            await empty_postgres(conn, url)
            for table, columns, records in template.tables:
                if records:
                    await conn.copy_records_to_table(table, records=records, columns=columns)
            if template.sequences:
                await conn.execute(
                    ";\n".join(
                        f"SELECT setval('\"{name}\"', {value}, {'true' if called else 'false'})"
                        for name, value, called in template.sequences
                    )
                )
    finally:
        await conn.close()


async def put_back(engine: AsyncEngine, template: Template) -> None:
    """The test's database (``engine``'s) back to the world as built, mid-test."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        await engine.dispose()  # the pooled connections hold the file open
        assert url.database is not None
        copy_sqlite(template, Path(url.database))
    else:
        await restore_postgres(url.render_as_string(hide_password=False), template)


class Worlds:
    """One worker's world templates, each built the first time a test asks for it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.built: dict[tuple[str, str], Template] = {}

    def get(self, backend: str, kind: str, *, source: Path | str) -> Template:
        """The template of ``kind`` on ``backend``; ``source``: the empty SQLite template, or
        the worker's PostgreSQL database."""
        assert kind in KINDS, kind
        if (backend, kind) not in self.built:
            if backend == "sqlite":
                assert isinstance(source, Path)
                self.built[backend, kind] = build_sqlite(source, self.directory, kind)
            else:
                self.built[backend, kind] = build_postgres(str(source), kind)
        return self.built[backend, kind]


def backend_of(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgres"
