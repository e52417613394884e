"""The fuzzers' world: the API tests' world (tests/api/world.py: alice, her organization,
partner Atlas and its tokens, staff) plus bob's own rows, behind another partner, and a third
account that is only a technical contact; passwords, a reset token, a card token, phones and
tax ids, so that every kind of secret exists and can be looked for in the responses.

Two apps share the database, both with a rate limit too large to reach (the fuzzers are one
client sending as fast as they can): ``client`` runs with ``CONEX_ENV=prod`` (errors masked,
no introspection for non-staff, no "Did you mean" hints), as the public endpoint does;
``dev_client`` with ``CONEX_ENV=dev``, whose development payment processor lets the card and
payment mutations run (in prod they answer SERVICE_UNAVAILABLE by design,
gateway/integrations/payments.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, update

from db.models import Account, PasswordResetToken
from gateway.app import create_app
from gateway.auth import passwords
from gateway.auth.tokens import token_hash
from gateway.domain.enums import Deployment, PartnerScope, QuoteStatus, TokenKind
from tests import factories as f
from tests.api.conftest import (  # noqa: F401  (the API tests' world, reused)
    database_url,
    world,
    world_kind,
    world_templates,
)
from tests.api.world import World
from tests.fuzz.support import Caller, Pools, pools

CALLERS = ["anonymous", "alice", "bob", "partner_one_scope", "partner_all_scopes", "staff"]
ONE_SCOPE = PartnerScope.QUOTES_READ


@dataclass
class Fuzz:
    client: httpx.AsyncClient  # CONEX_ENV=prod: the public endpoint as deployed
    dev_client: httpx.AsyncClient  # CONEX_ENV=dev: with the development payment processor
    engine: Any
    key: str
    world: World
    callers: dict[str, Caller]
    tokens: dict[str, str | None]
    pool: Pools
    #: What a test builds once and its examples share (strategies, hidden values).
    memo: dict[str, Any] = field(default_factory=dict)

    async def fresh_token(self, name: str) -> str | None:
        """A new token for the caller: a generated ``logOut`` or token revocation may have
        ended the previous one, and the next example must still run as that principal."""
        caller = self.callers[name]
        match caller.kind:
            case "customer":
                assert caller.account_id is not None
                token = await f.customer_token(self.engine, caller.account_id, self.key)
            case "partner":
                token = await f.api_token(
                    self.engine,
                    TokenKind.PARTNER,
                    partner_id=caller.partner_id,
                    scopes=[PartnerScope(s) for s in sorted(caller.scopes)],
                )
            case "staff":
                token = await f.api_token(self.engine, TokenKind.STAFF, name="fuzz")
            case _:
                return None
        self.tokens[name] = token
        return token


async def _bobs_side(engine: Any, products: dict[Deployment, int], bob: int) -> None:
    """Bob's own organization, licenses, quotes and order, resold by another partner."""
    other_partner = await f.partner(engine, name="Borealis Partners", region="EMEA")
    organization = await f.organization(engine, name="Bob Library", partner_id=other_partner)
    common = dict(organization_id=organization, billing=bob, partner_id=other_partner)
    licenses = [
        await f.license(engine, product_id=products[Deployment.SERVER], **common) for _ in range(2)
    ]
    line = {"product_id": products[Deployment.SERVER]}
    for _ in range(2):
        await f.quote(engine, lines=[line], **common)
    paid = await f.quote(engine, lines=[line], status=QuoteStatus.PAID, **common)
    await f.order(
        engine,
        quote_id=paid,
        license_ids=licenses[:1],
        billing_email="bob@example.com",
        **common,
    )


@pytest.fixture
async def fuzz(
    world: World,  # noqa: F811
    settings: Any,
    engine: Any,
) -> AsyncIterator[Fuzz]:
    # argon2 runs at its lowest cost here as in the whole suite (tests/conftest.py): with the
    # real one each generated signUp, logIn or password change would take half a second.
    carol = await f.account(engine, "carol@example.com", name="Carol", phone="+213 555 0101")
    await f.tax_id(engine, world.alice, "VAT", "FR12345678901")
    await world.add_licenses(2)
    await world.add_licenses(1, technical=carol)
    await f.license(
        engine,
        product_id=world.products[Deployment.CLOUD],
        organization_id=world.organization,
        billing=world.alice,
        partner_id=world.partner,
        card_brand="VISA",
        card_last4="4242",
        card_token="tok_fuzz_card_secret_0001",
    )
    await world.add_quotes(2)
    await world.add_orders(1)
    await _bobs_side(engine, world.products, world.bob)
    await f.tax_id(engine, world.bob, "VAT", "DZ99887766554")
    async with engine.begin() as conn:
        await conn.execute(
            update(Account).where(Account.id == world.alice).values(phone="+33 1 23")
        )
        for account_id in (world.alice, world.bob, carol):
            await conn.execute(
                update(Account)
                .where(Account.id == account_id)
                .values(password_hash=passwords.hash_password(f"fuzz password {account_id}"))
            )
        await conn.execute(
            insert(PasswordResetToken).values(
                account_id=world.bob,
                token_hash=token_hash("fuzz-reset-token"),
                expires_at=f.NOW + dt.timedelta(days=3650),
            )
        )
    callers = {
        "anonymous": Caller("anonymous", "anonymous"),
        "alice": Caller("alice", "customer", account_id=world.alice),
        "bob": Caller("bob", "customer", account_id=world.bob),
        "partner_one_scope": Caller(
            "partner_one_scope",
            "partner",
            partner_id=world.partner,
            scopes=frozenset({ONE_SCOPE.value}),
        ),
        "partner_all_scopes": Caller(
            "partner_all_scopes",
            "partner",
            partner_id=world.partner,
            scopes=frozenset(s.value for s in PartnerScope),
        ),
        "staff": Caller("staff", "staff"),
    }
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "alice": world.alice_token,
        "bob": world.bob_token,
        "partner_one_scope": world.partner_tokens[ONE_SCOPE.value],
        "partner_all_scopes": world.partner_tokens["ALL"],
        "staff": world.staff_token,
    }
    unlimited = {"rate_limit_capacity": 10**9, "rate_limit_restore_rate": 10**6}
    async with (
        _client(
            create_app(settings.model_copy(update={"env": "prod", **unlimited}), engine=engine)
        ) as prod,
        _client(
            create_app(settings.model_copy(update={"env": "dev", **unlimited}), engine=engine)
        ) as dev,
    ):
        yield Fuzz(prod, dev, engine, world.key, world, callers, tokens, await pools(engine))


def _client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
