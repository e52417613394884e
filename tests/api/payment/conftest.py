from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import create_app
from gateway.settings import Settings
from tests.api.payment.stripe_fake import FakeStripe, fake_stripe, stripe_settings
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


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    """Stripe's stand-in on loopback (``stripe_fake``)."""
    with fake_stripe() as server:
        yield server


@pytest.fixture
def stripe_client(client_with: ClientWith, fake: FakeStripe) -> Any:
    """``async with stripe_client() as client``: an app paying through the fake."""

    @asynccontextmanager
    async def make(**changes: Any) -> AsyncIterator[AppClient]:
        async with client_with(**stripe_settings(fake.url), **changes) as client:
            yield client

    return make
