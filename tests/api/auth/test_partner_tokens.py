"""R-SEC-2: staff create and revoke scoped, expiring partner tokens; shown once, stored hashed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import ApiToken, AuditEvent
from gateway.auth.tokens import opaque_token_kind, token_hash
from gateway.domain.enums import TokenKind
from gateway.schema.relay import encode_id
from tests.api.auth.support import assert_forbidden, assert_unauthenticated, codes, snapshot
from tests.api.client import send
from tests.api.world import World, rows

CREATE_NAMED = """
mutation ($input: PartnerTokenCreateInput!) {
  partnerTokenCreate(input: $input) {
    token
    tokenInfo { id name prefix scopes createdAt expiresAt revokedAt lastUsedAt }
    userErrors { field code message }
  }
}
"""


async def create(
    client: httpx.AsyncClient,
    world: World,
    scopes: list[str],
    expires_in_days: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    variables = {
        "partnerId": extra.pop("partner_id", encode_id("Partner", world.partner)),
        "scopes": scopes,
        "expiresInDays": expires_in_days,
    }
    data = (
        await send(
            client, "CreatePartnerToken", variables, token=extra.pop("token", world.staff_token)
        )
    ).data
    payload: dict[str, Any] = data["partnerTokenCreate"]
    return payload


async def revoke(client: httpx.AsyncClient, token_id: str, token: str) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await send(client, "RevokePartnerToken", {"id": token_id}, token)
    ).data["partnerTokenRevoke"]
    return payload


async def test_r_sec_2_staff_create_a_scoped_token_that_works(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    created = await create(client, world, ["QUOTES_READ", "ORDERS_READ", "QUOTES_READ"])
    assert created["userErrors"] == []
    token = created["token"]
    assert opaque_token_kind(token) is TokenKind.PARTNER
    info = created["tokenInfo"]
    assert info["prefix"] == token[:12] and info["prefix"].startswith("cnxp_")
    assert info["scopes"] == ["QUOTES_READ", "ORDERS_READ"]  # duplicates dropped
    expires_at = dt.datetime.fromisoformat(info["expiresAt"])
    expected = dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    assert abs(expires_at - expected) < dt.timedelta(minutes=1)

    home = (await send(client, "PartnerHome", token=token)).data
    assert sorted(home["viewer"]["scopes"]) == ["ORDERS_READ", "QUOTES_READ"]
    assert home["viewer"]["partner"]["name"] == "Atlas Solutions"

    (event,) = await rows(engine, AuditEvent, AuditEvent.action == "partnerTokenCreate")
    assert (event.principal_kind, event.entity_type) == ("STAFF", "PartnerToken")
    assert token not in str(event.changes)


async def test_r_sec_3_the_token_is_never_stored_in_plain_text(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    created = await create(client, world, ["LICENSES_READ"])
    token = created["token"]
    body = token[len("cnxp_") :]
    tokens = await rows(engine, ApiToken)
    everything = " ".join(str(value) for row in tokens for value in row)
    assert body not in everything and token not in everything
    assert token_hash(token) in {row.token_hash for row in tokens}
    # ... and the token is not shown again.
    info = (
        await send(
            client,
            "AuditTrail",
            {"entityId": created["tokenInfo"]["id"]},
            token=world.staff_token,
        )
    ).data
    assert body not in str(info)


async def test_name_and_lifetime(client: httpx.AsyncClient, world: World) -> None:
    variables = {
        "input": {
            "partnerId": encode_id("Partner", world.partner),
            "scopes": ["CUSTOMERS_READ"],
            "expiresInDays": 1,
            "name": "  ERP integration ",
        }
    }
    body = await send(client, query=CREATE_NAMED, variables=variables, token=world.staff_token)
    info = body["data"]["partnerTokenCreate"]["tokenInfo"]
    assert info["name"] == "ERP integration"
    lifetime = dt.datetime.fromisoformat(info["expiresAt"]) - dt.datetime.fromisoformat(
        info["createdAt"]
    )
    assert lifetime == dt.timedelta(days=1)
    assert info["revokedAt"] is None and info["lastUsedAt"] is None
    default = await create(client, world, ["CUSTOMERS_READ"], 365)
    assert default["userErrors"] == []
    unnamed = await send(
        client,
        query=CREATE_NAMED,
        variables={"input": {**variables["input"], "name": None}},
        token=world.staff_token,
    )
    assert unnamed["data"]["partnerTokenCreate"]["tokenInfo"]["name"] == "partner token"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"scopes": []}, [("REQUIRED", ("input", "scopes"))]),
        ({"expires_in_days": 0}, [("INVALID", ("input", "expiresInDays"))]),
        ({"expires_in_days": 366}, [("INVALID", ("input", "expiresInDays"))]),
        ({"expires_in_days": -5}, [("INVALID", ("input", "expiresInDays"))]),
        ({"partner_id": encode_id("Partner", 999_999)}, [("NOT_FOUND", ("input", "partnerId"))]),
        ({"partner_id": encode_id("Quote", 1)}, [("NOT_FOUND", ("input", "partnerId"))]),
        ({"partner_id": "garbage!"}, [("NOT_FOUND", ("input", "partnerId"))]),
        ({"partner_id": "x" * 10_000}, [("NOT_FOUND", ("input", "partnerId"))]),
        (
            {"partner_id": encode_id("Partner", 999_999), "scopes": [], "expires_in_days": 0},
            [
                ("NOT_FOUND", ("input", "partnerId")),
                ("REQUIRED", ("input", "scopes")),
                ("INVALID", ("input", "expiresInDays")),
            ],
        ),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    world: World,
    changes: dict[str, Any],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    before = await snapshot(engine)
    changes = dict(changes)  # the parameter is shared by both backends' runs
    scopes = changes.pop("scopes", ["QUOTES_READ"])
    payload = await create(client, world, scopes, changes.pop("expires_in_days", None), **changes)
    assert codes(payload) == expected
    assert payload["token"] is None and payload["tokenInfo"] is None
    assert await snapshot(engine) == before


async def test_bad_names_and_unknown_scopes(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    before = await snapshot(engine)
    base = {"partnerId": encode_id("Partner", world.partner), "scopes": ["QUOTES_READ"]}
    for name, code in (("", "REQUIRED"), ("n" * 10_000, "TOO_LONG"), ("a\nb", "INVALID")):
        body = await send(
            client,
            query=CREATE_NAMED,
            variables={"input": {**base, "name": name}},
            token=world.staff_token,
        )
        errors = body["data"]["partnerTokenCreate"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [(code, ["input", "name"])]
    body = await send(
        client,
        query=CREATE_NAMED,
        variables={"input": {**base, "scopes": ["ADMIN"]}},
        token=world.staff_token,
    )
    assert body["errors"] and body.get("data") is None
    assert await snapshot(engine) == before


async def test_only_staff_create_tokens(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    before = await snapshot(engine)
    variables = {"partnerId": encode_id("Partner", world.partner), "scopes": ["QUOTES_READ"]}
    assert_unauthenticated(await send(client, "CreatePartnerToken", variables))
    assert_forbidden(await send(client, "CreatePartnerToken", variables, world.alice_token))
    assert_forbidden(
        await send(client, "CreatePartnerToken", variables, world.partner_tokens["ALL"])
    )
    assert await snapshot(engine) == before


async def test_r_sec_2_a_revoked_token_is_refused_and_revoking_is_idempotent(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    created = await create(client, world, ["QUOTES_READ"])
    token, token_id = created["token"], created["tokenInfo"]["id"]
    assert (await send(client, "PartnerHome", token=token)).status == 200

    first = await revoke(client, token_id, world.staff_token)
    assert first["userErrors"] == []
    revoked_at = first["tokenInfo"]["revokedAt"]
    assert revoked_at is not None and first["tokenInfo"]["id"] == token_id
    assert_unauthenticated(await send(client, "PartnerHome", token=token))

    again = await revoke(client, token_id, world.staff_token)
    assert again["userErrors"] == [] and again["tokenInfo"]["revokedAt"] == revoked_at
    events = await rows(engine, AuditEvent, AuditEvent.action == "partnerTokenRevoke")
    assert len(events) == 2 and events[1].changes == []  # the second changed nothing


async def test_r_sec_2_an_expired_token_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    created = await create(client, world, ["QUOTES_READ"], 1)
    token = created["token"]
    assert (await send(client, "PartnerHome", token=token)).status == 200
    async with engine.begin() as conn:
        await conn.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == token_hash(token))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    assert_unauthenticated(await send(client, "PartnerHome", token=token))


async def test_revoke_unknown_ids_and_staff_tokens_are_not_found(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    (staff_row,) = await rows(engine, ApiToken, ApiToken.kind == TokenKind.STAFF)
    before = await snapshot(engine)
    for token_id in (
        encode_id("PartnerToken", 999_999),
        encode_id("PartnerToken", staff_row.id),  # not a partner token
        encode_id("Partner", world.partner),
        "garbage",
    ):
        payload = await revoke(client, token_id, world.staff_token)
        assert codes(payload) == [("NOT_FOUND", ("id",))]
        assert payload["tokenInfo"] is None
    assert await snapshot(engine) == before
    assert (await send(client, "AccountHome", token=world.staff_token)).status == 200


async def test_only_staff_revoke_tokens(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    created = await create(client, world, ["QUOTES_READ"])
    variables = {"id": created["tokenInfo"]["id"]}
    before = await snapshot(engine)
    assert_unauthenticated(await send(client, "RevokePartnerToken", variables))
    assert_forbidden(await send(client, "RevokePartnerToken", variables, world.alice_token))
    assert_forbidden(
        await send(client, "RevokePartnerToken", variables, world.partner_tokens["ALL"])
    )
    assert await snapshot(engine) == before
    assert (await send(client, "PartnerHome", token=created["token"])).status == 200
