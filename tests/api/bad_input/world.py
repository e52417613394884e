"""The bad-input tests' world: the shared mutation world (tests/api/account/world.py) plus one
object of each kind a mutation takes an id of, all Alice's and resold by the partner, so that
every mutation has a principal that may call it on them.

Built once per test module and backend; ``snapshot`` is every row as it was built, and a test
that changed anything puts it back (``restore``), so each case starts from this state.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.models import ApiToken, License, PasswordResetToken, RefreshToken
from gateway.auth.tokens import new_secret, token_hash
from gateway.domain.enums import Deployment, QuoteStatus, TokenKind
from tests import factories as f
from tests.api.account.world import NOT_COMPARED, World, build_world, dump, gid, today
from tests.api.quote import support

Rows = dict[str, list[dict[str, Any]]]
# api_tokens.last_used_at is stamped by authentication itself, not by the mutation.
STAMPED_BY_AUTHENTICATION = {"last_used_at"}


@dataclass
class BadWorld:
    """The shared world's principals and the ids of the objects the mutations act on."""

    url: str
    world: World
    quote: int = 0  # OPEN, version 1, Alice's, resold by the partner
    paid_quote: int = 0
    order: int = 0  # of paid_quote
    license: int = 0  # Server, Alice's, resold by the partner
    sen: str = ""
    cloud: int = 0  # Cloud subscription with a card
    spare_token: int = 0  # a partner token staff may revoke
    reset_token: str = ""  # a live password-reset link of Alice's
    refresh_token: str = ""  # a live session of Alice's
    snapshot: Rows = field(default_factory=dict)

    def token(self, principal: str) -> str | None:
        w = self.world
        return {
            "anonymous": None,
            "alice": w.alice_token,
            "staff": w.staff_token,
            "partner": w.partner_tokens.get("ALL"),
        }[principal]

    def gid(self, type_name: str, pk: int) -> str:
        return gid(type_name, pk)

    def line(self, **values: Any) -> dict[str, Any]:
        """A quote line as the clients send it (tests/api/quote/support.py)."""
        return support.line(self.world, **values)

    def create_input(self, **overrides: Any) -> dict[str, Any]:
        return support.create_input(self.world, **overrides)


async def build_bad_world(engine: AsyncEngine, url: str, settings: Any) -> BadWorld:
    world = await build_world(engine, settings)
    w = BadWorld(url=url, world=world)
    server_line = world.line(Deployment.SERVER)
    w.quote = await world.quote(lines=[server_line], partner_id=world.partner)
    w.paid_quote = await world.quote(lines=[server_line], status=QuoteStatus.PAID)
    w.license = await world.license(partner_id=world.partner)
    w.sen = await _sen(engine, w.license)
    w.order = await f.order(
        engine,
        quote_id=w.paid_quote,
        organization_id=world.organization,
        billing=world.alice,
        license_ids=[w.license],
        partner_id=world.partner,
    )
    w.cloud = await world.license(
        Deployment.CLOUD,
        partner_id=world.partner,
        card_brand="visa",
        card_last4="4242",
        card_token="tok_visa_4242",
        maintenance_ends_on=today() + dt.timedelta(days=20),
    )
    await f.api_token(engine, TokenKind.PARTNER, partner_id=world.partner, name="spare")
    async with engine.connect() as conn:
        w.spare_token = int(
            (await conn.execute(select(ApiToken.id).where(ApiToken.name == "spare"))).scalar_one()
        )
    w.reset_token = new_secret()
    w.refresh_token = new_secret()
    async with engine.begin() as conn:
        await conn.execute(
            insert(RefreshToken).values(
                account_id=world.alice,
                family=str(uuid.uuid4()),
                token_hash=token_hash(w.refresh_token),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30),
            )
        )
        await conn.execute(
            insert(PasswordResetToken).values(
                account_id=world.alice,
                token_hash=token_hash(w.reset_token),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3),
            )
        )
    w.snapshot = await full_dump(engine)
    return w


async def _sen(engine: AsyncEngine, license_id: int) -> str:
    async with engine.connect() as conn:
        sen = (await conn.execute(select(License.sen).where(License.id == license_id))).scalar()
    return str(sen)


async def full_dump(engine: AsyncEngine) -> Rows:
    """Every row of every table as dicts: the account tests' ``dump``, plus api_tokens without
    the time of last use (a refused partnerTokenRevoke must leave the token alive)."""
    compared = await dump(engine)
    tables: Rows = {}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_COMPARED:
            continue
        names = [c.name for c in table.columns]
        tables[table.name] = [dict(zip(names, row, strict=True)) for row in compared[table.name]]
    async with engine.connect() as conn:
        result = await conn.execute(select(ApiToken.__table__).order_by(ApiToken.id))
        tables["api_tokens"] = [
            {k: v for k, v in row._mapping.items() if k not in STAMPED_BY_AUTHENTICATION}
            for row in result
        ]
    return tables


async def restore(engine: AsyncEngine, snapshot: Rows) -> None:
    """Put every table back as ``snapshot`` holds it (children emptied first)."""
    tables = Base.metadata.sorted_tables
    async with engine.begin() as conn:
        for table in reversed(tables):
            await conn.execute(delete(table))
        for table in tables:
            if snapshot[table.name]:
                await conn.execute(insert(table), snapshot[table.name])
