"""Fixtures for the whole suite.

Every test that asks for a database runs once per backend, with ids ``[sqlite]`` and
``[postgres]``:

- SQLite, always: a fresh file per test, copied from a template migrated once per session.
- PostgreSQL, when ``CONEX_TEST_DATABASE_URL`` is set (e.g.
  ``postgresql+asyncpg://postgres@127.0.0.1:5432/conex_test``): wiped and migrated once per
  session, every table truncated before each test. Set but unreachable fails the tests; it
  never skips them, so CI cannot go green without PostgreSQL.

Redis: ``redis_url`` / ``redis_client`` skip when ``CONEX_TEST_REDIS_URL`` is unset and fail
when it is set but Redis does not answer.

In parallel (pytest-xdist, ``make test`` runs ``-n auto``): each worker has its own SQLite
template (its own ``tmp_path_factory``), its own PostgreSQL database, the URL's name suffixed
with the worker id (``conex_test_gw0``, created when missing), and its own Redis database
(``worker_redis_url``: the tests flush theirs). Not an xdist group: with pytest 9 and
xdist 3.8 ``--dist loadgroup`` spread one group over both workers.

Passwords: argon2 at its cheapest parameters for the whole suite (``passwords.configure``,
before any test module hashes one): the same code paths and hash format, ~0.2 ms a hash
instead of ~0.4 s. ``tests/auth/test_passwords.py`` checks the production default.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import redis
import redis.asyncio
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette

from db.base import Base
from db.engine import create_engine
from db.migrate import upgrade
from gateway.app import create_app
from gateway.auth import passwords
from gateway.settings import Settings, normalise_database_url
from tests.helpers import StatementCounter, count_statements

POSTGRES_URL = os.environ.get("CONEX_TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("CONEX_TEST_REDIS_URL") or None
TEST_SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
CONNECT_TIMEOUT_SECONDS = 15

BACKENDS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    BACKENDS.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))

T = TypeVar("T")

#: argon2id at its lowest cost; distinct from any hash a test builds as "outdated".
TEST_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)
passwords.configure(TEST_PASSWORD_HASHER)


def run_outside_test_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a private loop in a worker thread.

    Session-wide set-up is async (migrations) but must not live on a test's event loop,
    which is gone when the next test starts.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def reason(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


@pytest.fixture(autouse=True)
def _no_conex_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the CONEX_ variables they set; CONEX_TEST_* stay (they name servers)."""
    for name in list(os.environ):
        if name.startswith("CONEX_") and not name.startswith("CONEX_TEST_"):
            monkeypatch.delenv(name)


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per session; tests get copies."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"

    async def migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    run_outside_test_loop(migrate)
    # Fold the write-ahead log into the file, so that copying the one file copies it all.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    return path


# --- PostgreSQL -----------------------------------------------------------------------------


def xdist_worker() -> str | None:
    """``gw0``, ``gw1``… under pytest-xdist; None in a plain run."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def postgres_test_url() -> str:
    assert POSTGRES_URL is not None
    url = normalise_database_url(POSTGRES_URL)
    parsed = make_url(url)
    if (worker := xdist_worker()) is not None:
        # One database per worker: each wipes, migrates and truncates its own.
        parsed = parsed.set(database=f"{parsed.database}_{worker}")
        url = parsed.render_as_string(hide_password=False)
    if parsed.drivername != "postgresql+asyncpg":
        pytest.fail(
            f"CONEX_TEST_DATABASE_URL: expected postgresql+asyncpg://…, got {parsed.drivername}",
            pytrace=False,
        )
    if "test" not in (parsed.database or ""):
        # Every run wipes this database: refuse one that does not look like a test database.
        pytest.fail(
            f"CONEX_TEST_DATABASE_URL: database {parsed.database!r} is wiped by the tests; "
            "its name must contain 'test'",
            pytrace=False,
        )
    return url


@contextlib.contextmanager
def run_lock(url: str) -> Iterator[None]:
    """One test run at a time per PostgreSQL database on this machine.

    Two runs on one database would drop and truncate each other's tables; the second now
    waits for the first. The lock goes with the process, even when it is killed.
    """
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"conex-gateway-tests-{digest}.lock"
    with path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Past pytest's capture: a silent wait would look like a hang.
            shown = make_url(url).render_as_string(hide_password=True)
            print(f"\nwaiting for another test run on {shown} ({path})", file=sys.__stderr__)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


async def create_postgres_database(url: str) -> None:
    """Create the test database when it does not exist (a worker's, the first time)."""
    parsed = make_url(url)
    maintenance = create_async_engine(
        parsed.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS), maintenance.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            )
            if not exists:
                quoted = conn.dialect.identifier_preparer.quote(parsed.database or "")
                await conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        await maintenance.dispose()


async def reset_postgres(url: str) -> None:
    """Drop everything in the test database and migrate it to head."""
    if xdist_worker() is not None:
        await create_postgres_database(url)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS), engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


#: What empties a test database, by URL: its tables are those of the session's migration.
_EMPTYING: dict[str, str] = {}


async def _emptying_script(conn: asyncpg.Connection) -> str:
    """DELETE from every table, children first, then restart every sequence."""
    present = {
        row["tablename"]
        for row in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename != 'alembic_version'"
        )
    }
    known = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in present]
    others = sorted(present - set(known))  # not in the models: emptied the old way
    sequences = [
        row["sequencename"]
        for row in await conn.fetch(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )
    ]
    statements = [f'TRUNCATE TABLE "{name}" CASCADE' for name in others]
    statements += [f'DELETE FROM "{name}"' for name in known]
    statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
    return ";\n".join(statements)


async def connect_postgres(url: str) -> asyncpg.Connection:
    """A plain asyncpg connection to the test database ``url`` (a SQLAlchemy URL)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_SECONDS)


async def empty_postgres(conn: asyncpg.Connection, url: str) -> None:
    """Empty every table and restart the sequences, inside the caller's transaction."""
    for attempt in range(2):
        script = _EMPTYING.get(url)
        if script is None:
            script = _EMPTYING[url] = await _emptying_script(conn)
        try:
            async with conn.transaction():  # a savepoint when the caller holds one
                await conn.execute(script)
            return
        except asyncpg.UndefinedTableError:
            # A test changed the schema (a migration test): look at the tables again.
            _EMPTYING.pop(url, None)
            if attempt:
                raise


async def truncate_postgres(url: str) -> None:
    """Empty every table (not the migration version) and restart the id sequences.

    DELETE rather than TRUNCATE, on one plain connection: on tables of a few rows TRUNCATE
    costs ten times as much (~0.9 s for the schema's 20 tables against ~0.09 s), and this
    runs before every PostgreSQL test. The result is the same: empty tables, ids from 1.
    """
    conn = await connect_postgres(url)
    try:
        await empty_postgres(conn, url)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The PostgreSQL test database, wiped and migrated to head once per session."""
    url = postgres_test_url()
    with run_lock(url):
        problem = None
        try:
            run_outside_test_loop(lambda: reset_postgres(url))
        except (OSError, DBAPIError, TimeoutError) as exc:
            problem = reason(exc)
        if problem is not None:  # failed outside the except block: no chained traceback
            shown = make_url(url).render_as_string(hide_password=True)
            pytest.fail(
                f"CONEX_TEST_DATABASE_URL is set but {shown} cannot be used ({problem}); "
                "start PostgreSQL and create the database, or unset the variable",
                pytrace=False,
            )
        yield url


# --- per test -------------------------------------------------------------------------------


async def empty_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A migrated, empty database of ``backend``, private to the requesting test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    await truncate_postgres(url)
    return url


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each configured backend, private to this test."""
    return await empty_database(request, request.param, tmp_path)


@pytest.fixture
def backend(database_url: str) -> str:
    """``sqlite`` or ``postgresql``: for the rare test that must know."""
    return make_url(database_url).get_backend_name()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="dev",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        redis_url=None,
    )


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> Starlette:
    return create_app(settings, engine=engine)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def statements(
    engine: AsyncEngine,
) -> Callable[[], contextlib.AbstractContextManager[StatementCounter]]:
    """``with statements() as counter:`` counts the SQL the test's engine sends."""
    return lambda: count_statements(engine)


# --- Redis ----------------------------------------------------------------------------------


def worker_redis_url(url: str) -> str:
    """Each xdist worker its own Redis database (the tests flush theirs): gw0 the one
    ``CONEX_TEST_REDIS_URL`` names, gw1 the one below it, and so on (modulo 16)."""
    worker = xdist_worker()
    if worker is None:
        return url
    parsed = urlsplit(url)
    base = int(parsed.path.strip("/") or 0)
    index = int(worker.removeprefix("gw") or 0)
    return urlunsplit(parsed._replace(path=f"/{(base - index) % 16}"))


@pytest.fixture
def redis_url() -> str:
    """``CONEX_TEST_REDIS_URL``, answering and with its database flushed; skip when unset."""
    if REDIS_URL is None:
        pytest.skip("CONEX_TEST_REDIS_URL is not set")
    url = worker_redis_url(REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    problem = None
    try:
        client.ping()
        client.flushdb()
    except redis.RedisError as exc:
        problem = str(exc).rstrip(".")
    finally:
        client.close()
    if problem is not None:  # failed outside the except block: no chained traceback
        pytest.fail(
            f"CONEX_TEST_REDIS_URL is set but {url} does not answer ({problem}); "
            "start Redis or unset the variable",
            pytrace=False,
        )
    return url


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
    await client.ping()
    yield client
    await client.flushdb()
    await client.aclose()
