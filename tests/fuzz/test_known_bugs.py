"""Bugs the fuzzers found and that are still open, each pinned by a strict xfail: the day
the gateway is fixed the test passes, the xfail fails the run, and whoever fixed it removes
the mark here and sets the matching ``KNOWN_BUG_*`` flag in support.py to False, so the
fuzzers draw those inputs again."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.enums import TokenKind
from gateway.schema.relay import encode_cursor, encode_id
from tests import factories as f
from tests.fuzz.support import (
    KNOWN_BUG_BIG_ID,
    KNOWN_BUG_DATE_EDGES,
    KNOWN_BUG_NUL,
    KNOWN_BUG_UNKNOWN_OPERATION_NAME,
    check_response,
)


@pytest.mark.xfail(
    KNOWN_BUG_UNKNOWN_OPERATION_NAME,
    strict=True,
    reason="an operationName the document does not define raises out of /graphql (HTTP 500)",
)
@pytest.mark.parametrize("operation_name", ["Nope", ""])
async def test_unknown_operation_name_is_a_typed_request_error(
    client: httpx.AsyncClient, operation_name: str
) -> None:
    body = {"query": "query A { supportPlans { tier } }", "operationName": operation_name}
    response = await client.post("/graphql", json=body)
    check_response(response, repr(body))
    assert response.json()["errors"][0]["extensions"]["code"] in {
        "BAD_REQUEST",
        "GRAPHQL_VALIDATION_FAILED",
    }


async def test_raw_nul_in_the_variables_is_refused_typed(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Fixed in a917620: a NUL in the JSON variables is a BAD_REQUEST before execution."""
    token = await f.api_token(engine, TokenKind.STAFF)
    body = {"query": "query($s: String!) { license(sen: $s) { sen } }", "variables": {"s": "A\x00"}}
    response = await client.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    check_response(response, repr(body))
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def staff_post(client: httpx.AsyncClient, engine: AsyncEngine, query: str) -> httpx.Response:
    token = await f.api_token(engine, TokenKind.STAFF)
    return await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.mark.parametrize(
    "query",
    [
        '{ license(sen: "SEN-L\\u00001") { sen } }',
        '{ partners(region: "E\\u0000", first: 1) { edges { node { id } } } }',
        '{ accounts(first: 1, filter: { email: "a\\u0000@example.com" }) { totalCount } }',
    ],
)
async def test_nul_character_in_a_string_argument_is_refused_typed(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    backend: str,
    query: str,
    request: pytest.FixtureRequest,
) -> None:
    if KNOWN_BUG_NUL and backend == "postgresql":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason='PostgreSQL: an escaped "\\u0000" reaches SQL: INTERNAL_SERVER_ERROR',
            )
        )
    check_response(await staff_post(client, engine, query), query)


@pytest.mark.parametrize(
    "query",
    [
        f'{{ node(id: "{encode_id("License", 2**31)}") {{ id }} }}',
        f'{{ nodes(ids: ["{encode_id("Account", 1)}", "{encode_id("Account", 2**40)}"])'
        " { id } }",
        f'{{ licenses(first: 1, after: "{encode_cursor(2**40)}") {{ totalCount }} }}',
        f'{{ accounts(first: 1, before: "{encode_cursor(2**31)}") {{ totalCount }} }}',
    ],
)
async def test_id_past_int32_is_not_found(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    backend: str,
    query: str,
    request: pytest.FixtureRequest,
) -> None:
    if KNOWN_BUG_BIG_ID and backend == "postgresql":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="PostgreSQL: a pk past 2**31 - 1 reaches SQL as int4: INTERNAL_SERVER_ERROR",
            )
        )
    check_response(await staff_post(client, engine, query), query)


@pytest.mark.xfail(
    KNOWN_BUG_DATE_EDGES,
    strict=True,
    reason="a date at the end of the calendar overflows: INTERNAL_SERVER_ERROR",
)
@pytest.mark.parametrize(
    "query",
    [
        '{ metrics { revenue(from: "2020-01-01", to: "9999-12-31") { orderCount } } }',
        'mutation { quoteRecordPayment(input: {quoteId: "QUOTE", amount: "3840.00",'
        ' method: CARD, paidAt: "0001-01-01T00:00:00+14:00"}) { userErrors { code } } }',
    ],
)
async def test_dates_at_the_ends_of_the_calendar_are_refused_typed(
    client: httpx.AsyncClient, engine: AsyncEngine, query: str
) -> None:
    await f.catalog(engine)
    account = await f.account(engine)
    organization = await f.organization(engine)
    quote = await f.quote(engine, organization_id=organization, billing=account)
    query = query.replace("QUOTE", encode_id("Quote", quote))
    check_response(await staff_post(client, engine, query), query)
