"""The sales request tests' client with changed settings (the world is tests/api/conftest.py's)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import Settings
from tests.helpers import AppClient, ClientWith


@pytest.fixture
def client_with(engine: AsyncEngine, settings: Settings) -> ClientWith:
    """``async with client_with(rate_limit_capacity=…) as client``: changed settings."""

    @asynccontextmanager
    async def make(**changes: Any) -> AsyncIterator[AppClient]:
        app = create_app(settings.model_copy(update=changes), engine=engine)
        async with AppClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            client.app = app
            yield client

    return make
