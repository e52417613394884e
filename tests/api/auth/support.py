"""Helpers for the auth API tests: sign up and log in through the API, count and snapshot rows."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Account, ApiToken, AuditEvent, OutgoingMail, PasswordResetToken, RefreshToken
from tests.api.client import Answer, send
from tests.api.world import rows

STRONG = "correct horse battery staple"
OTHER_STRONG = "Tr0ub4dor&3-ish but longer"


def codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...] | None]]:
    return [
        (e["code"], tuple(e["field"]) if e["field"] is not None else None)
        for e in payload["userErrors"]
    ]


def assert_unauthenticated(answer: Answer) -> None:
    assert answer.status == 401, answer
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def assert_forbidden(answer: Answer) -> None:
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN", answer
    assert answer["data"] is None


async def sign_up(
    client: httpx.AsyncClient,
    email: str,
    password: str = STRONG,
    *,
    name: str = "Nadia Haddad",
    country: str = "DZ",
) -> dict[str, Any]:
    data = (
        await send(
            client,
            "SignUp",
            {"input": {"email": email, "password": password, "name": name, "country": country}},
        )
    ).data
    payload: dict[str, Any] = data["signUp"]
    return payload


async def log_in(client: httpx.AsyncClient, email: str, password: str = STRONG) -> dict[str, Any]:
    data = (await send(client, "LogIn", {"email": email, "password": password})).data
    payload: dict[str, Any] = data["logIn"]
    return payload


async def count(engine: AsyncEngine, model: Any, *where: Any) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(model).where(*where))).scalar_one()
        )


async def snapshot(engine: AsyncEngine) -> dict[str, list[Any]]:
    """Every row the auth mutations may write: compared before and after a refusal."""
    tables = (Account, RefreshToken, PasswordResetToken, ApiToken, OutgoingMail, AuditEvent)
    # last_used_at: authenticating a token may stamp it, that is not the mutation's doing
    return {
        model.__tablename__: [
            {k: v for k, v in r._mapping.items() if k != "last_used_at"}
            for r in await rows(engine, model)
        ]
        for model in tables
    }
