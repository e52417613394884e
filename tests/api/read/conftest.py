"""A small world for the read API: two customers, a partner, staff, and their things."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from gateway.domain.enums import (
    Deployment,
    PartnerScope,
    QuoteStatus,
    TokenKind,
)
from tests import factories as f
from tests.conftest import BACKENDS, empty_database


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """An empty database: this directory still builds its own world (until it moves)."""
    return await empty_database(request, request.param, tmp_path)


@dataclass
class World:
    engine: Any
    key: str
    products: dict[Deployment, int]
    alice: int
    bob: int
    partner: int
    organization: int
    alice_token: str
    bob_token: str
    staff_token: str
    partner_tokens: dict[str, str] = field(default_factory=dict)
    licenses: list[int] = field(default_factory=list)
    quotes: list[int] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)

    async def add_licenses(self, n: int, **values: Any) -> list[int]:
        ids = [
            await f.license(
                self.engine,
                product_id=self.products[Deployment.SERVER],
                organization_id=self.organization,
                billing=self.alice,
                partner_id=self.partner,
                **values,
            )
            for _ in range(n)
        ]
        self.licenses += ids
        return ids

    async def add_quotes(self, n: int, lines: int = 1, **values: Any) -> list[int]:
        line = {"product_id": self.products[Deployment.SERVER]}
        ids = [
            await f.quote(
                self.engine,
                organization_id=self.organization,
                billing=self.alice,
                partner_id=self.partner,
                lines=[line] * lines,
                **values,
            )
            for _ in range(n)
        ]
        self.quotes += ids
        return ids

    async def add_orders(self, n: int) -> list[int]:
        ids = []
        for quote_id in await self.add_quotes(n, status=QuoteStatus.PAID):
            license_ids = await self.add_licenses(1)
            ids.append(
                await f.order(
                    self.engine,
                    quote_id=quote_id,
                    organization_id=self.organization,
                    billing=self.alice,
                    license_ids=license_ids,
                    partner_id=self.partner,
                )
            )
        self.orders += ids
        return ids


@pytest.fixture
async def world(engine: Any, settings: Any) -> World:
    key = settings.signing_key()
    products = await f.catalog(engine)
    alice = await f.account(engine, "alice@example.com", name="Alice", phone="+33 1 23")
    await f.tax_id(engine, alice, "VAT", "FR12345678901")
    bob = await f.account(engine, "bob@example.com", name="Bob", country="DZ")
    partner = await f.partner(engine, name="Atlas Solutions", region="MEA", country="DZ")
    organization = await f.organization(
        engine, name="Université d'Alger", country="DZ", academic=True, partner_id=partner
    )
    w = World(
        engine=engine,
        key=key,
        products=products,
        alice=alice,
        bob=bob,
        partner=partner,
        organization=organization,
        alice_token=await f.customer_token(engine, alice, key),
        bob_token=await f.customer_token(engine, bob, key),
        staff_token=await f.api_token(engine, TokenKind.STAFF, name="ops"),
    )
    for scope in PartnerScope:
        w.partner_tokens[scope.value] = await f.api_token(
            engine, TokenKind.PARTNER, partner_id=partner, scopes=[scope]
        )
    w.partner_tokens["ALL"] = await f.api_token(
        engine, TokenKind.PARTNER, partner_id=partner, scopes=list(PartnerScope)
    )
    return w
