"""The small world the mutation tests of accounts, licenses and orders share.

Customers Alice (contact of everything below) and Bob (unrelated), staff, a partner with
tokens of every scope; helpers to send the contract's operations, and a dump of every table
to prove a refused mutation changed nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.models import AuditEvent, NumberSequence, OutgoingMail
from gateway.auth.passwords import hash_password
from gateway.domain.enums import Deployment, PartnerScope, TokenKind
from gateway.schema.relay import encode_id
from gateway.settings import Settings
from tests import factories as f
from tests.contract import request

PASSWORD = "Tulip-Harbour-1848"
PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
# Tables authentication itself writes to (a token's last use), not the mutation.
NOT_COMPARED = {"api_tokens"}
# Numbers the mutations draw start far from the factories' own SENs and numbers.
SEQUENCE_START = {"sen": 5_000_000, "order": 500_000, "invoice": 500_000, "quote": 500_000}


def today() -> dt.date:
    """The gateway's clock (real UTC time), not the factories' fixed date."""
    return dt.datetime.now(dt.UTC).date()


@dataclass
class World:
    engine: AsyncEngine
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

    async def license(self, deployment: Deployment = Deployment.SERVER, **values: Any) -> int:
        values.setdefault("billing", self.alice)
        values.setdefault("organization_id", self.organization)
        return await f.license(self.engine, product_id=self.products[deployment], **values)

    async def quote(self, lines: list[dict[str, Any]] | None = None, **values: Any) -> int:
        values.setdefault("billing", self.alice)
        values.setdefault("organization_id", self.organization)
        return await f.quote(self.engine, lines=lines, **values)

    def line(self, deployment: Deployment = Deployment.SERVER, **values: Any) -> dict[str, Any]:
        return {"product_id": self.products[deployment], **values}


async def build_world(engine: AsyncEngine, settings: Settings) -> World:
    key = settings.signing_key()
    products = await f.catalog(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(NumberSequence),
            [dict(kind=kind, next_value=value) for kind, value in SEQUENCE_START.items()],
        )
    alice = await f.account(
        engine, "alice@example.com", name="Alice Martin", password_hash=PASSWORD_HASH
    )
    bob = await f.account(engine, "bob@example.com", name="Bob", password_hash=PASSWORD_HASH)
    partner = await f.partner(engine, name="Atlas Solutions")
    organization = await f.organization(engine, name="Bibliothèque de Lyon", country="FR")
    world = World(
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
        world.partner_tokens[scope.value] = await f.api_token(
            engine, TokenKind.PARTNER, partner_id=partner, scopes=[scope]
        )
    world.partner_tokens["ALL"] = await f.api_token(
        engine, TokenKind.PARTNER, partner_id=partner, scopes=list(PartnerScope)
    )
    return world


async def send(
    client: Any, name: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    """The contract's operation ``name``, sent as its client sends it; the parsed body."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json=request(name, variables), headers=headers)
    body: dict[str, Any] = response.json()
    body["status"] = response.status_code
    return body


def payload(body: dict[str, Any], field_name: str) -> dict[str, Any]:
    """The mutation's payload; fails on a request error."""
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][field_name]
    return result


def ok(body: dict[str, Any], field_name: str) -> dict[str, Any]:
    """The payload of a mutation that must have succeeded."""
    result = payload(body, field_name)
    assert result["userErrors"] == [], result["userErrors"]
    return result


def user_errors(body: dict[str, Any], field_name: str) -> list[tuple[list[str] | None, str]]:
    """(field, code) of each userError."""
    return [(e["field"], e["code"]) for e in payload(body, field_name)["userErrors"]]


def request_error(body: dict[str, Any]) -> str:
    """The code of a request error (UNAUTHENTICATED, FORBIDDEN, …)."""
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def dump(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but NOT_COMPARED), in primary-key order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_COMPARED:
                continue
            stmt = select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in await conn.execute(stmt)]
    return tables


async def rows(engine: AsyncEngine, model: Any, *where: Any) -> list[Any]:
    async with engine.connect() as conn:
        stmt = select(*model.__table__.c).where(*where).order_by(model.__table__.c.id)
        return list((await conn.execute(stmt)).all())


async def one(engine: AsyncEngine, model: Any, pk: int) -> Any:
    (row,) = await rows(engine, model, model.__table__.c.id == pk)
    return row


async def audit_events(engine: AsyncEngine, action: str) -> list[Any]:
    return await rows(engine, AuditEvent, AuditEvent.action == action)


async def mail_to(engine: AsyncEngine, address: str) -> list[Any]:
    return await rows(engine, OutgoingMail, OutgoingMail.to_address == address)


def changes(event: Any) -> dict[str, tuple[Any, Any]]:
    return {c["field"]: (c["before"], c["after"]) for c in event.changes}


def gid(type_name: str, pk: int) -> str:
    return str(encode_id(type_name, pk))
