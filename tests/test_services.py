"""gateway/services.py: the one typed object of an app's services, and nothing built at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.requests import Request

from gateway.app import build_services, create_app
from gateway.auth.ratelimit import MemoryCounter, RedisCounter
from gateway.integrations.payments import ProcessorUnavailable
from gateway.integrations.payments_dev import DevProcessor
from gateway.schema.schema import build_schema
from gateway.security.throttle import MemoryThrottle, RedisThrottle
from gateway.services import AppServices, services_of
from gateway.settings import Settings
from tests.conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent


def offline_settings(tmp_path: Path, **changes: object) -> Settings:
    """Settings whose services can be built without a server (nothing connects when built)."""
    values: dict[str, object] = {
        "env": "dev",
        "database_url": f"sqlite+aiosqlite:///{tmp_path}/unused.sqlite3",
        "secret_key": TEST_SECRET_KEY,
        "mail_dir": tmp_path / "mail",
        "redis_url": None,
        "safelist_path": tmp_path / "no-safelist.json",
    }
    return Settings.model_validate(values | changes)


async def test_an_app_has_one_services_object_found_from_a_request(tmp_path: Path) -> None:
    app = create_app(offline_settings(tmp_path))
    services = services_of(app)
    assert isinstance(services, AppServices)
    request = Request({"type": "http", "app": app, "headers": []})
    assert services_of(request) is services
    assert services.settings.database_url.endswith("unused.sqlite3")
    assert services.owns_engine
    assert services.schema is build_schema()  # one schema per process, shared by every app
    await services.aclose()


async def test_without_redis_the_limits_live_in_the_process(tmp_path: Path) -> None:
    first = build_services(offline_settings(tmp_path))
    second = build_services(offline_settings(tmp_path))
    assert first.redis is None
    assert isinstance(first.rate_limiter.counter, MemoryCounter)
    assert isinstance(first.throttle, MemoryThrottle)
    assert first.rate_limiter is not second.rate_limiter  # one limiter per app
    assert first.catalog_cache is not second.catalog_cache
    await first.aclose()
    await second.aclose()


async def test_with_redis_the_limits_and_the_apq_cache_share_one_client(tmp_path: Path) -> None:
    # Nothing connects until first use, so no server is needed to build them.
    services = build_services(offline_settings(tmp_path, redis_url="redis://127.0.0.1:1/0"))
    assert isinstance(services.redis, Redis)
    assert isinstance(services.rate_limiter.counter, RedisCounter)
    assert isinstance(services.throttle, RedisThrottle)
    await services.aclose()


async def test_an_engine_passed_in_is_the_callers_to_close(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/own.sqlite3")
    services = build_services(offline_settings(tmp_path), engine=engine)
    assert services.engine is engine and not services.owns_engine
    pool = engine.pool
    await services.aclose()
    assert engine.pool is pool  # not disposed (dispose() puts a new pool in its place)
    await engine.dispose()


async def test_r_acc_6_no_payment_processor_in_production(tmp_path: Path) -> None:
    dev = build_services(offline_settings(tmp_path))
    assert isinstance(dev.payment_processor(), DevProcessor)
    prod = build_services(offline_settings(tmp_path, env="prod"))
    assert prod.payments is None
    with pytest.raises(ProcessorUnavailable):
        prod.payment_processor()
    await dev.aclose()
    await prod.aclose()


def test_importing_the_app_builds_no_schema() -> None:
    """In a fresh interpreter (this one has built schemas): the app builds it, not the import."""
    probe = (
        "import gateway.app\n"
        "from gateway.schema.schema import build_schema\n"
        "assert build_schema.cache_info().currsize == 0, 'a schema was built at import'\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, timeout=120)
