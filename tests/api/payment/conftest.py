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
    """``async with client_with(env="prod", …) as client``: an app with changed settings."""

    @asynccontextmanager
    async def make(**changes: Any) -> AsyncIterator[AppClient]:
        app = create_app(settings.model_copy(update=changes), engine=engine)
        transport = httpx.ASGITransport(app=app)
        async with AppClient(transport=transport, base_url="http://testserver") as client:
            client.app = app
            yield client

    return make
