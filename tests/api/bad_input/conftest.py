"""One bad-input world per test module and backend; every case starts from it as built.

The root fixtures (``engine``, ``settings``, ``client``) are reused as they are:
``database_url`` points at the module's world instead of a fresh, empty database, and
``app`` shares one schema (graphql-core caches validation per schema, and each contract
document holds every operation of its client).
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
from gateway.settings import Settings
from tests.api.bad_input.world import BadWorld, build_bad_world, full_dump, restore
from tests.conftest import BACKENDS, TEST_SECRET_KEY, run_outside_test_loop, truncate_postgres


@pytest.fixture(scope="module", params=BACKENDS)
def bad_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> BadWorld:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("bad-input") / "bad-input.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        run_outside_test_loop(lambda: truncate_postgres(url))
    settings = Settings(env="dev", database_url=url, secret_key=TEST_SECRET_KEY, redis_url=None)

    async def build() -> BadWorld:
        engine = create_engine(url)
        try:
            return await build_bad_world(engine, url, settings)
        finally:
            await engine.dispose()

    return run_outside_test_loop(build)


@pytest.fixture
def database_url(bad_world: BadWorld) -> str:
    """The module's world (the root fixture would hand out an empty database)."""
    return bad_world.url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The root fixture's settings with a request-cost budget no run of cases exhausts (the
    cost throttle is tested in tests/api/hardening)."""
    return Settings(
        env="dev",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        redis_url=None,
        rate_limit_capacity=1_000_000,
    )


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> Starlette:
    return create_app(settings, engine=engine)  # on the process's one schema (build_schema)


@pytest.fixture(autouse=True)
async def pristine(bad_world: BadWorld, engine: AsyncEngine) -> AsyncIterator[None]:
    """After each case, the world as it was built (a case that changed it has failed, and is
    undone so that it cannot spoil the next)."""
    yield
    if await full_dump(engine) != bad_world.snapshot:
        await restore(engine, bad_world.snapshot)
