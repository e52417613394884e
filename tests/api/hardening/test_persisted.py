"""Automatic persisted queries (Apollo's protocol) and the safelist."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.enums import PartnerScope, TokenKind
from gateway.security.persisted import build_manifest, sha256
from gateway.services import services_of
from tests import factories as f
from tests.contract import CONTRACT
from tests.helpers import ClientWith

QUERY = "{ supportPlans { tier } }"


def apq(digest: str, query: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    }
    if query is not None:
        body["query"] = query
    return body


async def test_apq_round_trip(client: httpx.AsyncClient) -> None:
    digest = sha256(QUERY)
    miss = await client.post("/graphql", json=apq(digest))
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await client.post("/graphql", json=apq(digest, QUERY))
    assert registered.json()["data"]["supportPlans"][0]["tier"] == "STARTER"
    hit = await client.post("/graphql", json=apq(digest))
    assert hit.json()["data"] == registered.json()["data"]
    by_get = await client.get(
        "/graphql", params={"extensions": json.dumps(apq(digest)["extensions"])}
    )
    assert by_get.json()["data"] == hit.json()["data"]


async def test_apq_hash_is_verified(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=apq(sha256("{ other }"), QUERY))
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    again = await client.post("/graphql", json=apq(sha256("{ other }")))
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_apq_cached_in_redis_is_shared(client_with: ClientWith, redis_url: str) -> None:
    digest = sha256(QUERY)
    async with client_with(redis_url=redis_url) as first:
        redis = services_of(first.app).redis
        assert redis is not None  # redis_url is set
        await redis.flushdb()
        await first.post("/graphql", json=apq(digest, QUERY))
    async with client_with(redis_url=redis_url) as second:  # another worker
        hit = await second.post("/graphql", json=apq(digest))
    assert hit.json()["data"]["supportPlans"][0]["tier"] == "STARTER"


def test_manifest_holds_every_contract_operation() -> None:
    manifest = build_manifest(CONTRACT)
    names = {entry["name"] for entry in manifest["operations"].values()}
    assert {"MobileLicenses", "MobileSetPoNumber", "PartnerHome", "PartnerCreateQuote"} <= names
    # and the operations of the contract's folders: self-service, live updates and webhooks
    assert {"PayQuote", "PartnerQuoteChanges", "PartnerCreateWebhook", "QuoteChanges"} <= names
    for digest, entry in manifest["operations"].items():
        assert sha256(entry["query"]) == digest


async def test_safelist_enforced_for_partners_and_mobile(
    client_with: ClientWith, engine: AsyncEngine, tmp_path: Path
) -> None:
    manifest = build_manifest(CONTRACT)
    path = tmp_path / "persisted.json"
    path.write_text(json.dumps(manifest))
    partner = await f.partner(engine)
    token = await f.api_token(
        engine, TokenKind.PARTNER, partner_id=partner, scopes=list(PartnerScope)
    )
    home = next(d for d, e in manifest["operations"].items() if e["name"] == "PartnerHome")
    headers = {"Authorization": f"Bearer {token}"}
    async with client_with(safelist_enforced=True, safelist_path=path) as client:
        by_hash = await client.post("/graphql", json=apq(home), headers=headers)
        assert by_hash.json()["data"]["viewer"]["partner"] is not None
        adhoc = await client.post(
            "/graphql", json={"query": "{ viewer { kind } }"}, headers=headers
        )
        assert adhoc.status_code == 403
        assert adhoc.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_SAFELISTED"
        mobile = await client.post(
            "/graphql", json={"query": QUERY}, headers={"X-Conex-Client": "mobile"}
        )
        assert mobile.status_code == 403
        web = await client.post("/graphql", json={"query": QUERY})
        assert web.status_code == 200
