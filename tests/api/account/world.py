"""Moved to tests/api/world.py (the world) and tests/api/client.py (``send``); what is left
here is kept only while the test directories move onto them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from gateway.settings import Settings
from tests.api import world as new
from tests.api.world import (
    PASSWORD,
    PASSWORD_HASH,
    SEQUENCE_START,
    World,
    audit_events,
    changes,
    gid,
    mail_to,
    one,
    rows,
    today,
)
from tests.contract import request

__all__ = [
    "NOT_COMPARED",
    "PASSWORD",
    "PASSWORD_HASH",
    "SEQUENCE_START",
    "World",
    "audit_events",
    "build_world",
    "changes",
    "dump",
    "gid",
    "mail_to",
    "ok",
    "one",
    "payload",
    "request_error",
    "rows",
    "send",
    "today",
    "user_errors",
]

# Tables authentication itself writes to (a token's last use), not the mutation.
NOT_COMPARED = {"api_tokens"}


async def build_world(engine: AsyncEngine, settings: Settings) -> World:
    return await new.build_world(engine, settings.signing_key())


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
