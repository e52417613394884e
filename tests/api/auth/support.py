"""Helpers for the auth API tests: send contract operations, read tables."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Account, ApiToken, AuditEvent, OutgoingMail, PasswordResetToken, RefreshToken
from tests.contract import request

STRONG = "correct horse battery staple"
OTHER_STRONG = "Tr0ub4dor&3-ish but longer"


async def send(
    client: httpx.AsyncClient,
    name: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> httpx.Response:
    """POST contract operation ``name`` exactly as its client sends it."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json=request(name, variables), headers=headers)


async def op(
    client: httpx.AsyncClient,
    name: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """The ``data`` of a contract operation that must answer HTTP 200 without errors."""
    response = await send(client, name, variables, token)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def only_payload(data: dict[str, Any]) -> dict[str, Any]:
    (payload,) = data.values()
    assert isinstance(payload, dict)
    return payload


def codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...] | None]]:
    return [
        (e["code"], tuple(e["field"]) if e["field"] is not None else None)
        for e in payload["userErrors"]
    ]


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def assert_forbidden(response: httpx.Response) -> None:
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    assert body["data"] is None


async def sign_up(
    client: httpx.AsyncClient,
    email: str,
    password: str = STRONG,
    *,
    name: str = "Nadia Haddad",
    country: str = "DZ",
) -> dict[str, Any]:
    data = await op(
        client,
        "SignUp",
        {"input": {"email": email, "password": password, "name": name, "country": country}},
    )
    payload: dict[str, Any] = data["signUp"]
    return payload


async def log_in(client: httpx.AsyncClient, email: str, password: str = STRONG) -> dict[str, Any]:
    data = await op(client, "LogIn", {"email": email, "password": password})
    payload: dict[str, Any] = data["logIn"]
    return payload


async def count(engine: AsyncEngine, model: Any, *where: Any) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(model).where(*where))).scalar_one()
        )


async def rows(engine: AsyncEngine, model: Any, *where: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list(
            (await conn.execute(select(*model.__table__.c).where(*where).order_by(model.id))).all()
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
