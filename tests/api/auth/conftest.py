"""The auth tests' app backed by Redis (their callers are the world's, tests/api/world.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.services import services_of
from gateway.settings import Settings


@pytest.fixture
def redis_app(settings: Settings, engine: AsyncEngine, redis_url: str) -> Starlette:
    """The app with its counters in Redis (as with several workers)."""
    return create_app(settings.model_copy(update={"redis_url": redis_url}), engine=engine)


@pytest.fixture
async def redis_client_app(redis_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=redis_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await services_of(redis_app).aclose()  # the lifespan's job; ASGITransport runs none
