"""Helpers of the sales request tests: the contract's operations as the clients send them."""

from __future__ import annotations

from typing import Any

from tests.api.client import Answer, ok, send
from tests.api.world import World, gid

CREATE = "salesRequestCreate"
RESOLVE = "salesRequestResolve"


def request_input(kind: str, message: str = "Please call me back.", **ids: Any) -> dict[str, Any]:
    return {"input": {"kind": kind, "message": message, **ids}}


async def contact_sales(client: Any, token: str | None, kind: str, **fields: Any) -> Answer:
    return await send(client, "ContactSales", request_input(kind, **fields), token)


async def opened(client: Any, world: World, kind: str, **fields: Any) -> dict[str, Any]:
    """A request Alice opened."""
    body = await contact_sales(client, world.alice_token, kind, **fields)
    request: dict[str, Any] = ok(body, CREATE)["salesRequest"]
    return request


async def resolve(client: Any, token: str, request_id: str, status: str, resolution: str) -> Answer:
    variables = {"id": request_id, "input": {"status": status, "resolution": resolution}}
    return await send(client, "ResolveSalesRequest", variables, token)


async def my_requests(client: Any, token: str) -> dict[str, Any]:
    body = await send(client, "MySalesRequests", {}, token)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["viewer"]["account"]["salesRequests"]
    return found


async def queue(client: Any, token: str, after: str | None = None) -> dict[str, Any]:
    body = await send(client, "OpenSalesRequests", {"after": after}, token)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["salesRequests"]
    return found


def license_id(pk: int) -> dict[str, str]:
    return {"licenseId": gid("License", pk)}


def quote_id(pk: int) -> dict[str, str]:
    return {"quoteId": gid("Quote", pk)}
