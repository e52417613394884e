"""``Idempotency-Key`` on mutations (issue #5): executed once, replayed byte for byte, a reused
key refused, keys scoped to their principal and expiring after 24 hours, on both backends;
concurrent retries on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from db.engine import create_engine
from db.models import ApiToken, AuditEvent, IdempotencyKey, OutgoingMail, Quote
from gateway.actions.unit import UnitOfWork
from gateway.app import create_app
from gateway.http.idempotency import LIFETIME, mutation_fields, principal_key, request_hash
from gateway.security.persisted import sha256
from gateway.services import services_of
from gateway.settings import Settings
from tests.api.client import send
from tests.api.quote.support import create_input
from tests.api.world import World, build_world, dump, gid, one
from tests.conftest import POSTGRES_URL, TEST_SECRET_KEY, truncate_postgres
from tests.contract import request

KEY = "3c9ae5ea-980f-4ebd-a027-04529942b95e"
PRODUCTS = "{ products { name } }"


async def post(
    client: httpx.AsyncClient,
    name: str,
    variables: dict[str, Any],
    token: str | None,
    key: str | bytes | None = KEY,
) -> httpx.Response:
    """The contract's operation ``name`` with an Idempotency-Key (if given): the response as
    it came, byte for byte."""
    headers: dict[bytes, bytes] = {}
    if key is not None:
        headers[b"Idempotency-Key"] = key.encode() if isinstance(key, str) else key
    return (await send(client, name, variables, token, headers=headers)).response


def code(response: httpx.Response) -> str:
    value: str = response.json()["errors"][0]["extensions"]["code"]
    return value


def replayed(response: httpx.Response) -> bool:
    return bool(response.headers.get("Idempotent-Replayed") == "true")


async def count(engine: AsyncEngine, model: Any, *where: Any) -> int:
    async with engine.connect() as conn:
        value = await conn.scalar(select(func.count()).select_from(model).where(*where))
    return int(value or 0)


async def keys(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        stmt = select(*IdempotencyKey.__table__.c).order_by(IdempotencyKey.id)
        return list((await conn.execute(stmt)).all())


def po_variables(quote_id: int, po: str = "PO-1", version: int = 1) -> dict[str, Any]:
    return {"id": gid("Quote", quote_id), "poNumber": po, "expectedVersion": version}


def shift_clock(app: Starlette, delta: dt.timedelta) -> None:
    services_of(app).clock = lambda: dt.datetime.now(dt.UTC) + delta


# --- executed once, replayed ----------------------------------------------------------------


async def test_a_mutation_runs_once_and_its_retry_replays_the_response_byte_for_byte(
    client: httpx.AsyncClient, world: World
) -> None:
    """R-SEC-1: one execution, one audit event, however often the request is retried."""
    quote_id = await world.quote(lines=[world.line()])
    first = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token)
    assert first.status_code == 200 and not replayed(first)
    assert first.json()["data"]["quoteSetPoNumber"]["quote"]["poNumber"] == "PO-1"
    before = await dump(world.engine)
    for _ in range(3):
        retry = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token)
        assert retry.status_code == first.status_code
        assert retry.content == first.content
        assert replayed(retry)
    assert await dump(world.engine) == before  # nothing ran again
    assert (await one(world.engine, Quote, quote_id)).version == 2
    assert await count(world.engine, AuditEvent, AuditEvent.entity_id == quote_id) == 1


async def test_a_created_quote_is_created_once(client: httpx.AsyncClient, world: World) -> None:
    variables = {"input": create_input(world)}
    first = await post(client, "CreateQuote", variables, world.alice_token)
    number = first.json()["data"]["quoteCreate"]["quote"]["number"]
    retry = await post(client, "CreateQuote", variables, world.alice_token)
    assert replayed(retry) and retry.content == first.content
    assert await count(world.engine, Quote) == 1
    assert number == "Q-500000"
    without_key = await post(client, "CreateQuote", variables, world.alice_token, key=None)
    assert without_key.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500001"


async def test_the_request_hash_ignores_key_order_and_how_the_query_is_sent(
    client: httpx.AsyncClient, world: World
) -> None:
    """Same operation and variables in another JSON key order, then as a persisted-query hash:
    the same request (replayed), not a reuse."""
    quote_id = await world.quote(lines=[world.line()])
    body = request("SetQuotePoNumber", po_variables(quote_id))
    query = str(body["query"])
    # Automatic persisted queries: the text with its hash first, then the hash alone.
    body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}
    headers = {"Authorization": f"Bearer {world.alice_token}", "Idempotency-Key": KEY}
    first = await client.post("/graphql", json=body, headers=headers)
    assert first.json()["data"]["quoteSetPoNumber"]["userErrors"] == []
    reordered = {**body, "variables": dict(reversed(list(po_variables(quote_id).items())))}
    again = await client.post("/graphql", json=reordered, headers=headers)
    assert replayed(again) and again.content == first.content
    by_hash = {k: v for k, v in body.items() if k != "query"}
    persisted = await client.post("/graphql", json=by_hash, headers=headers)
    assert persisted.status_code == 200, persisted.json()
    assert replayed(persisted) and persisted.content == first.content
    assert await count(world.engine, AuditEvent, AuditEvent.entity_id == quote_id) == 1


async def test_user_errors_are_an_outcome_and_are_replayed(
    client: httpx.AsyncClient, world: World
) -> None:
    """The mutation ran and refused (R-QUOTE-7, stale version): the refusal is the outcome."""
    quote_id = await world.quote(lines=[world.line()])
    stale = po_variables(quote_id, version=7)
    first = await post(client, "SetQuotePoNumber", stale, world.alice_token)
    errors = first.json()["data"]["quoteSetPoNumber"]["userErrors"]
    assert [e["code"] for e in errors] == ["STALE_VERSION"]
    retry = await post(client, "SetQuotePoNumber", stale, world.alice_token)
    assert replayed(retry) and retry.content == first.content
    (row,) = await keys(world.engine)
    assert row.response["status"] == 200
    assert orjson.dumps(row.response["body"]) == first.content


# --- refusals -------------------------------------------------------------------------------


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    await post(client, "SetQuotePoNumber", po_variables(quote_id, "PO-1"), world.alice_token)
    before = await dump(world.engine)
    other = await post(
        client, "SetQuotePoNumber", po_variables(quote_id, "PO-2", 2), world.alice_token
    )
    assert other.status_code == 422
    assert code(other) == "IDEMPOTENCY_KEY_REUSED" and not replayed(other)
    assert await dump(world.engine) == before
    assert (await one(world.engine, Quote, quote_id)).po_number == "PO-1"
    # another operation under the key is another request too
    created = await post(client, "CreateQuote", {"input": create_input(world)}, world.alice_token)
    assert created.status_code == 422 and code(created) == "IDEMPOTENCY_KEY_REUSED"
    assert await dump(world.engine) == before


async def test_a_key_still_in_progress_is_refused_with_409_and_nothing_runs(
    client: httpx.AsyncClient, world: World
) -> None:
    """The first request holds the claim (no response yet): a retry must not run beside it."""
    quote_id = await world.quote(lines=[world.line()])
    body = request("SetQuotePoNumber", po_variables(quote_id))
    now = dt.datetime.now(dt.UTC)
    async with world.engine.begin() as conn:
        await conn.execute(
            insert(IdempotencyKey).values(
                principal_key=f"account:{world.alice}",
                key=KEY,
                request_hash=request_hash(
                    str(body["query"]), "SetQuotePoNumber", po_variables(quote_id)
                ),
                created_at=now,
                expires_at=now + LIFETIME,
            )
        )
    before = await dump(world.engine)
    retry = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token)
    assert retry.status_code == 409
    assert code(retry) == "IDEMPOTENCY_KEY_IN_PROGRESS"
    assert retry.headers["Retry-After"] == "1"
    assert await dump(world.engine) == before
    assert (await one(world.engine, Quote, quote_id)).version == 1


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(b"", id="empty"),
        pytest.param("k" * 201, id="201-characters"),
        pytest.param("caf\u00e9".encode(), id="not-ascii"),
        pytest.param(b"tab\tinside", id="control-character"),
    ],
)
async def test_an_invalid_key_is_a_400_and_nothing_runs(
    client: httpx.AsyncClient, world: World, key: bytes | str
) -> None:
    quote_id = await world.quote(lines=[world.line()])
    before = await dump(world.engine)
    response = await post(
        client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token, key
    )
    assert response.status_code == 400
    assert code(response) == "IDEMPOTENCY_KEY_INVALID"
    assert await dump(world.engine) == before


async def test_two_key_headers_are_a_400(client: httpx.AsyncClient, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    response = await client.post(
        "/graphql",
        json=request("SetQuotePoNumber", po_variables(quote_id)),
        headers=[
            ("Authorization", f"Bearer {world.alice_token}"),
            ("Idempotency-Key", "one"),
            ("Idempotency-Key", "two"),
        ],
    )
    assert response.status_code == 400 and code(response) == "IDEMPOTENCY_KEY_INVALID"
    assert (await one(world.engine, Quote, quote_id)).version == 1


async def test_the_longest_valid_key_works(client: httpx.AsyncClient, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    key = "~ !" + "k" * 197
    first = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token, key)
    retry = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token, key)
    assert first.status_code == 200 and replayed(retry) and retry.content == first.content
    assert [row.key for row in await keys(world.engine)] == [key]


async def test_a_batch_with_a_key_is_refused(client_with: Any, world: World) -> None:
    quote_id = await world.quote(lines=[world.line()])
    batch = [request("SetQuotePoNumber", po_variables(quote_id))] * 2
    async with client_with(max_batch_operations=2) as client:
        response = await client.post(
            "/graphql",
            json=batch,
            headers={"Authorization": f"Bearer {world.alice_token}", "Idempotency-Key": KEY},
        )
    assert response.status_code == 400 and code(response) == "BAD_REQUEST"
    assert (await one(world.engine, Quote, quote_id)).version == 1


# --- where the key does not apply -------------------------------------------------------------


async def test_queries_ignore_the_header(client: httpx.AsyncClient, world: World) -> None:
    """A query changes nothing: the header (even a malformed one) is ignored, nothing stored."""
    for key in (KEY, KEY, "k" * 500):
        response = await client.post(
            "/graphql",
            json={"query": PRODUCTS},
            headers={"Authorization": f"Bearer {world.alice_token}", "Idempotency-Key": key},
        )
        assert response.status_code == 200 and not replayed(response)
        assert len(response.json()["data"]["products"]) == 3
    assert await keys(world.engine) == []


async def test_anonymous_mutations_ignore_the_header(
    client: httpx.AsyncClient, world: World
) -> None:
    """No principal to scope the key to: an anonymous mutation runs as without the header."""
    for _ in range(2):
        response = await post(client, "RequestPasswordReset", {"email": "alice@example.com"}, None)
        assert response.status_code == 200 and not replayed(response)
        assert response.json()["data"]["passwordResetRequest"]["userErrors"] == []
    assert await count(world.engine, OutgoingMail) == 2
    assert await keys(world.engine) == []


async def test_keys_are_scoped_to_the_principal(client: httpx.AsyncClient, world: World) -> None:
    """Bob sending Alice's key (and her very body) runs his own request, never reads hers."""
    variables = {"input": create_input(world)}
    alice = await post(client, "CreateQuote", variables, world.alice_token)
    bob = await post(client, "CreateQuote", variables, world.bob_token)
    assert alice.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500000"
    # Bob's own outcome: he may not name Alice as the contact; nothing of hers is shown
    assert not replayed(bob)
    errors = bob.json()["data"]["quoteCreate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "billingContactEmail"], "INVALID")
    ]
    assert "Q-500000" not in bob.text
    # two tokens of one partner are two principals as well (their scopes may differ)
    write = world.partner_tokens["QUOTES_WRITE"]
    every = world.partner_tokens["ALL"]
    first = await post(client, "PartnerCreateQuote", variables, write)
    second = await post(client, "PartnerCreateQuote", variables, every)
    assert not replayed(first) and not replayed(second)
    assert first.json()["data"]["quoteCreate"] == {"quote": None, "userErrors": []}  # R-QUOTE-5
    assert second.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500002"
    assert await count(world.engine, Quote) == 3
    owners = sorted(row.principal_key.split(":")[0] for row in await keys(world.engine))
    assert owners == ["account", "account", "partner-token", "partner-token"]


# --- what is not stored ---------------------------------------------------------------------


async def test_request_errors_are_not_stored_and_free_the_key(
    client: httpx.AsyncClient, world: World
) -> None:
    """Validation and authorisation errors stop before execution: the key stays unused."""
    quote_id = await world.quote(lines=[world.line()])
    headers = {"Authorization": f"Bearer {world.alice_token}", "Idempotency-Key": KEY}
    invalid = await client.post(
        "/graphql", json={"query": "mutation { quoteSetPoNumber { nope } }"}, headers=headers
    )
    assert code(invalid) == "GRAPHQL_VALIDATION_FAILED"
    staff_only = await client.post(
        "/graphql",
        json=request(
            "CreatePartnerToken", {"partnerId": gid("Partner", world.partner), "scopes": []}
        ),
        headers=headers,
    )
    assert code(staff_only) == "FORBIDDEN"
    unauthenticated = await post(client, "SetQuotePoNumber", po_variables(quote_id), "nonsense")
    assert unauthenticated.status_code == 401
    assert await keys(world.engine) == []
    ok = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token)
    assert not replayed(ok) and ok.json()["data"]["quoteSetPoNumber"]["userErrors"] == []


async def test_a_server_error_before_anything_was_written_frees_the_key(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote_id = await world.quote(lines=[world.line()])

    async def broken(self: UnitOfWork) -> None:
        raise RuntimeError("the disk is on fire")

    with monkeypatch.context() as patch:
        patch.setattr(UnitOfWork, "flush_records", broken)
        failed = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token)
    assert code(failed) == "INTERNAL_SERVER_ERROR"
    assert (await one(world.engine, Quote, quote_id)).version == 1  # rolled back
    assert await keys(world.engine) == []
    retry = await post(client, "SetQuotePoNumber", po_variables(quote_id), world.alice_token)
    assert not replayed(retry) and retry.json()["data"]["quoteSetPoNumber"]["userErrors"] == []
    assert (await one(world.engine, Quote, quote_id)).version == 2


async def test_a_server_error_after_a_commit_is_stored_so_nothing_runs_twice(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write committed, then the request failed: re-running would write twice, so the
    failure is the stored outcome (as Stripe stores its 500s)."""
    from gateway.context import Context

    def broken(self: Context) -> None:
        raise RuntimeError("failed after the commit")

    with monkeypatch.context() as patch:
        patch.setattr(Context, "renew_loaders", broken)  # runs right after the commit
        failed = await post(
            client, "CreateQuote", {"input": create_input(world)}, world.alice_token
        )
    assert code(failed) == "INTERNAL_SERVER_ERROR"
    assert await count(world.engine, Quote) == 1
    retry = await post(client, "CreateQuote", {"input": create_input(world)}, world.alice_token)
    assert replayed(retry) and retry.content == failed.content
    assert retry.status_code == failed.status_code
    assert await count(world.engine, Quote) == 1


async def test_a_response_holding_a_credential_is_not_stored_and_not_repeated(
    client: httpx.AsyncClient, world: World
) -> None:
    """R-SEC-3: a new token's secret is kept only as a hash; the retry learns that the token
    was created, and no second token is."""
    variables = {"partnerId": gid("Partner", world.partner), "scopes": ["QUOTES_READ"]}
    first = await post(client, "CreatePartnerToken", variables, world.staff_token)
    secret = first.json()["data"]["partnerTokenCreate"]["token"]
    assert secret
    tokens = await count(world.engine, ApiToken)
    retry = await post(client, "CreatePartnerToken", variables, world.staff_token)
    assert retry.status_code == 409 and code(retry) == "IDEMPOTENCY_RESPONSE_WITHHELD"
    assert await count(world.engine, ApiToken) == tokens
    (row,) = await keys(world.engine)
    assert row.principal_key.startswith("staff-token:")
    assert row.response == {"status": 200, "withheld": True}
    assert secret not in orjson.dumps(row.response).decode()


async def test_a_refused_credential_mutation_issued_nothing_and_is_replayed(
    client: httpx.AsyncClient, world: World
) -> None:
    """A refusal writes nothing and carries no secret: its response is stored as any other."""
    variables = {
        "partnerId": gid("Partner", world.partner),
        "scopes": ["QUOTES_READ"],
        "expiresInDays": 0,
    }
    first = await post(client, "CreatePartnerToken", variables, world.staff_token)
    errors = first.json()["data"]["partnerTokenCreate"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID"]
    retry = await post(client, "CreatePartnerToken", variables, world.staff_token)
    assert replayed(retry) and retry.content == first.content


def test_credential_fields_are_found_through_aliases_and_fragments() -> None:
    query = """
        mutation M { again: logIn(email: "a", password: "b") { accessToken } ...F }
        fragment F on Mutation { ... on Mutation { tokenRefresh(refreshToken: "r") { expiresAt } } }
        query Q { products { name } }
    """
    assert mutation_fields(query, "M") == frozenset({"logIn", "tokenRefresh"})
    assert mutation_fields(query, "Q") is None
    assert mutation_fields("mutation {", None) is None


# --- expiry ---------------------------------------------------------------------------------


async def test_keys_expire_after_24_hours(
    app: Starlette, client: httpx.AsyncClient, world: World
) -> None:
    """A replay until 24 hours after the claim; after that the key is free and runs again."""
    token = world.partner_tokens["ALL"]  # an opaque token: still valid a day later
    variables = {"input": create_input(world)}
    first = await post(client, "PartnerCreateQuote", variables, token)
    assert first.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500000"
    shift_clock(app, LIFETIME - dt.timedelta(minutes=1))
    almost = await post(client, "PartnerCreateQuote", variables, token)
    assert replayed(almost) and almost.content == first.content
    shift_clock(app, LIFETIME + dt.timedelta(seconds=1))
    later = await post(client, "PartnerCreateQuote", variables, token)
    assert not replayed(later)
    assert later.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500001"
    (row,) = await keys(world.engine)  # the expired row was taken over, not duplicated
    assert row.expires_at > dt.datetime.now(dt.UTC) + 2 * LIFETIME - dt.timedelta(minutes=5)
    again = await post(client, "PartnerCreateQuote", variables, token)
    assert replayed(again) and again.content == later.content
    # an expired key is free for another body too
    shift_clock(app, 2 * LIFETIME + dt.timedelta(hours=1))
    other = await post(
        client, "PartnerCreateQuote", {"input": create_input(world, currency="USD")}, token
    )
    assert not replayed(other) and other.json()["data"]["quoteCreate"]["userErrors"] == []
    assert await count(world.engine, Quote) == 3


async def test_purge_command_deletes_expired_keys_only(
    client: httpx.AsyncClient, world: World, database_url: str, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    async with world.engine.begin() as conn:
        await conn.execute(
            insert(IdempotencyKey),
            [
                dict(
                    principal_key=f"account:{world.alice}",
                    key=f"k{hours}",
                    request_hash="0" * 64,
                    response={"status": 200, "headers": {}, "body": {"data": {}}},
                    created_at=now - dt.timedelta(hours=hours),
                    expires_at=now - dt.timedelta(hours=hours) + LIFETIME,
                )
                for hours in (1, 23, 25, 48)
            ],
        )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONEX_")}
    environment["CONEX_DATABASE_URL"] = database_url
    result = subprocess.run(  # noqa: ASYNC221 - the command as a user runs it
        [sys.executable, "-m", "gateway", "purge-idempotency-keys"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Purged 2 expired idempotency key(s)."
    assert sorted(row.key for row in await keys(world.engine)) == ["k1", "k23"]


def test_principal_keys() -> None:
    from gateway.auth.principal import ANONYMOUS, customer, partner, staff

    assert principal_key(customer(7)) == "account:7"
    assert principal_key(partner(3, 9, frozenset(), "p")) == "partner-token:9"
    assert principal_key(staff(4, "ops")) == "staff-token:4"
    assert principal_key(ANONYMOUS) is None


# --- concurrent retries on PostgreSQL -------------------------------------------------------

CONCURRENT = 16


@pytest.fixture
async def pg(postgres_database: str, tmp_path: Path) -> AsyncIterator[tuple[Any, World]]:
    """Its own engine, with a pool large enough that every request really runs at once."""
    await truncate_postgres(postgres_database)
    engine = create_engine(postgres_database, pool_size=3 * CONCURRENT + 5, pool_timeout=30)
    settings = Settings(
        env="dev",
        database_url=postgres_database,
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        redis_url=None,
    )
    world = await build_world(engine, settings.signing_key())
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client, world
    await engine.dispose()


def _outcomes(responses: list[httpx.Response]) -> tuple[httpx.Response, list[str]]:
    """The one response that executed, and what each of the others was."""
    executed = [r for r in responses if r.status_code == 200 and not replayed(r)]
    assert len(executed) == 1, [(r.status_code, r.text[:200]) for r in responses]
    (winner,) = executed
    others = []
    for response in responses:
        if response is winner:
            continue
        if replayed(response):
            assert response.status_code == winner.status_code
            assert response.content == winner.content
            others.append("replayed")
        else:
            assert response.status_code == 409, response.text
            assert code(response) == "IDEMPOTENCY_KEY_IN_PROGRESS"
            others.append("in progress")
    return winner, others


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="needs CONEX_TEST_DATABASE_URL")
async def test_concurrent_retries_create_one_quote(pg: tuple[Any, World]) -> None:
    client, world = pg
    variables = {"input": create_input(world)}
    responses = await asyncio.gather(
        *(post(client, "CreateQuote", variables, world.alice_token) for _ in range(CONCURRENT))
    )
    winner, others = _outcomes(list(responses))
    assert len(others) == CONCURRENT - 1
    assert winner.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500000"
    assert await count(world.engine, Quote) == 1
    assert await count(world.engine, AuditEvent, AuditEvent.entity_type == "Quote") == 1
    (row,) = await keys(world.engine)
    assert orjson.dumps(row.response["body"]) == winner.content
    # once settled, every retry is a replay
    late = await asyncio.gather(
        *(post(client, "CreateQuote", variables, world.alice_token) for _ in range(4))
    )
    assert all(replayed(r) and r.content == winner.content for r in late)


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="needs CONEX_TEST_DATABASE_URL")
async def test_concurrent_retries_of_an_expired_key_run_once(pg: tuple[Any, World]) -> None:
    """Concurrent takers of one expired key: one takes it over, the rest see it in progress
    or its replay."""
    client, world = pg
    token = world.partner_tokens["ALL"]  # an opaque token: still valid a day later
    variables = {"input": create_input(world)}
    first = await post(client, "PartnerCreateQuote", variables, token)
    assert first.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500000"
    shift_clock(client.app, LIFETIME + dt.timedelta(minutes=1))
    responses = await asyncio.gather(
        *(post(client, "PartnerCreateQuote", variables, token) for _ in range(CONCURRENT))
    )
    winner, _ = _outcomes(list(responses))
    assert winner.json()["data"]["quoteCreate"]["quote"]["number"] == "Q-500001"
    assert await count(world.engine, Quote) == 2
    assert await count(world.engine, AuditEvent, AuditEvent.entity_type == "Quote") == 2
    assert len(await keys(world.engine)) == 1
