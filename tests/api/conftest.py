"""The API tests' world (tests/api/world.py), one copy per test.

A test that asks for ``world`` gets a database holding the world as built (copied from the
worker's template, tests/api/snapshots.py) and the ``World`` of ids and tokens on its
``engine``; the root fixtures (``engine``, ``settings``, ``app``, ``client``) work on that
database as they do on an empty one. A test that does not ask for ``world`` gets the root
fixture's empty database. ``world_kind`` chooses the world: ``"base"``, or ``"objects"`` with
the shared objects (a directory's conftest overrides it). Requests go through
``tests.api.client.send``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.snapshots import (
    Template,
    Worlds,
    backend_of,
    copy_sqlite,
    put_back,
    restore_postgres,
)
from tests.api.world import World
from tests.conftest import BACKENDS, empty_database

__all__ = ["database_url", "put_world_back", "world", "world_kind", "world_templates"]


@pytest.fixture(scope="session")
def world_templates(tmp_path_factory: pytest.TempPathFactory) -> Worlds:
    return Worlds(tmp_path_factory.mktemp("worlds"))


@pytest.fixture
def world_kind() -> str:
    """The world a test starts from: ``"base"`` (overridden to ``"objects"`` by a conftest)."""
    return "base"


def _template(request: pytest.FixtureRequest, backend: str) -> Template:
    worlds: Worlds = request.getfixturevalue("world_templates")
    kind: str = request.getfixturevalue("world_kind")
    if backend == "sqlite":
        source: Path | str = request.getfixturevalue("sqlite_template")
    else:
        source = request.getfixturevalue("postgres_database")
    return worlds.get(backend, kind, source=source)


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The root fixture's private database of each backend, holding the world when the test
    asks for ``world`` (empty otherwise)."""
    backend: str = request.param
    if "world" not in request.fixturenames:
        return await empty_database(request, backend, tmp_path)
    template = _template(request, backend)
    if backend == "sqlite":
        return copy_sqlite(template, tmp_path / "world.sqlite3")
    url: str = request.getfixturevalue("postgres_database")
    await restore_postgres(url, template)
    return url


@pytest.fixture
def world(request: pytest.FixtureRequest, database_url: str, engine: AsyncEngine) -> World:
    """The world's ids and tokens, on this test's database (``database_url`` holds it)."""
    return _template(request, backend_of(database_url)).world.bound(engine)


@pytest.fixture
def put_world_back(
    request: pytest.FixtureRequest, world: World, engine: AsyncEngine
) -> Callable[[], Awaitable[None]]:
    """``await put_world_back()``: every row as the world was built, in the middle of a test
    (e.g. to run one mutation twice from the same state)."""
    template = _template(request, backend_of(str(engine.url)))
    return lambda: put_back(engine, template)
