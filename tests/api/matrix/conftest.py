"""One matrix world per test module and backend; every test puts back what it changed.

The root fixtures (``engine``, ``settings``, ``client``) are reused as they are:
``database_url`` is overridden, to point at the module's world instead of a fresh, empty
database, and ``app`` to share one schema.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.engine import create_engine
from gateway.app import create_app
from gateway.schema.schema import GatewaySchema, build_schema
from gateway.settings import Settings
from tests.api.matrix.world import MatrixWorld, build_matrix_world, full_dump, restore
from tests.conftest import BACKENDS, TEST_SECRET_KEY, run_outside_test_loop, truncate_postgres


@pytest.fixture(scope="module", params=BACKENDS)
def matrix_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> MatrixWorld:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("matrix") / "matrix.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        run_outside_test_loop(lambda: truncate_postgres(url))
    key = Settings(
        env="dev", database_url=url, secret_key=TEST_SECRET_KEY, redis_url=None
    ).signing_key()

    async def build() -> MatrixWorld:
        engine = create_engine(url)
        try:
            return await build_matrix_world(engine, url=url, key=key)
        finally:
            await engine.dispose()

    return run_outside_test_loop(build)


@pytest.fixture
def database_url(matrix_world: MatrixWorld) -> str:
    """The module's world (the root fixture would hand out an empty database)."""
    return matrix_world.url


@pytest.fixture(scope="session")
def shared_schema() -> GatewaySchema:
    return build_schema()


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> Starlette:
    """The root fixture's app; every app of the process has the one schema (``build_schema``
    is cached), which matters here: graphql-core's validation cache keys on the schema, and
    each contract document holds every operation of its client, so a fresh schema per cell
    would build and validate it all again ~1,200 times."""
    return create_app(settings, engine=engine)


@pytest.fixture(autouse=True)
async def pristine(matrix_world: MatrixWorld, engine: AsyncEngine) -> AsyncIterator[None]:
    """After each test, the world as it was built (a cell that changed it is undone)."""
    matrix_world.untouched = False
    yield
    if not matrix_world.untouched and await full_dump(engine) != matrix_world.snapshot:
        await restore(engine, matrix_world.snapshot)
