"""Callers for the auth tests: a customer, staff, partners; an app backed by Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.domain.enums import PartnerScope, TokenKind
from gateway.services import services_of
from gateway.settings import Settings
from tests import factories as f


@dataclass
class Callers:
    customer: str
    staff: str
    partner: str  # every scope
    partner_id: int
    other_partner_id: int


@pytest.fixture
async def callers(engine: AsyncEngine, settings: Settings) -> Callers:
    alice = await f.account(engine, "alice@example.com", name="Alice")
    partner_id = await f.partner(engine, name="Atlas Solutions")
    return Callers(
        customer=await f.customer_token(engine, alice, settings.signing_key()),
        staff=await f.api_token(engine, TokenKind.STAFF, name="ops"),
        partner=await f.api_token(
            engine, TokenKind.PARTNER, partner_id=partner_id, scopes=list(PartnerScope)
        ),
        partner_id=partner_id,
        other_partner_id=await f.partner(engine, name="Bravo Books"),
    )


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
