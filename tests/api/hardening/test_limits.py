"""Operation limits and query cost: refused before any resolver runs, with a code naming
the limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import factories as f
from tests.api.client import Answer, send
from tests.helpers import ClientWith


async def post(client: Any, query: str, variables: dict[str, Any] | None = None) -> Answer:
    return await send(client, query=query, variables=variables or {})


def code(body: Mapping[str, Any]) -> str:
    found: str = body["errors"][0]["extensions"]["code"]
    return found


async def test_depth_limit(client_with: ClientWith) -> None:
    deep = (
        "{ viewer { account { licenses { edges { node { organization {"
        " licenses { edges { node { id } } } } } } } } } }"
    )
    async with client_with(max_depth=8) as client:
        body = await post(client, deep)
    assert code(body) == "MAX_DEPTH_EXCEEDED"
    assert body["errors"][0]["extensions"]["limit"] == 8
    assert "data" not in body or body["data"] is None


async def test_depth_counts_through_fragments(client_with: ClientWith) -> None:
    query = """{ viewer { ...A } }
      fragment A on Viewer { account { licenses { edges { node { id } } } } }"""
    async with client_with(max_depth=4) as client:
        assert code(await post(client, query)) == "MAX_DEPTH_EXCEEDED"
    async with client_with(max_depth=6) as client:
        assert "errors" not in await post(client, query)


async def test_alias_limit_counts_aliases_in_fragments_each_time_spread(
    client_with: ClientWith,
) -> None:
    fragment = "fragment F on Query { a: products { id } b: products { id } }"
    query = "query { x: supportPlans { tier } ...F } " + fragment
    async with client_with(max_aliases=2) as client:
        body = await post(client, query)
    assert code(body) == "MAX_ALIASES_EXCEEDED"
    assert body["errors"][0]["extensions"]["actual"] == 3


async def test_root_field_limit(client_with: ClientWith) -> None:
    query = "{ " + " ".join(f"p{i}: supportPlans {{ tier }}" for i in range(6)) + " }"
    async with client_with(max_root_fields=5, max_aliases=100) as client:
        assert code(await post(client, query)) == "MAX_ROOT_FIELDS_EXCEEDED"


async def test_token_limit_refuses_before_parsing(client_with: ClientWith) -> None:
    query = "{ " + " ".join(["products { id }"] * 200) + " }"
    async with client_with(max_tokens=500) as client:
        response = await post(client, query)
    assert response.status == 400
    assert code(response) == "MAX_TOKENS_EXCEEDED"


async def test_query_too_complex(client_with: ClientWith, engine: AsyncEngine) -> None:
    await f.catalog(engine)
    query = """{ partners(first: 100) { edges { node { customers(first: 100) { edges { node {
      licenses(first: 100) { edges { node { id } } } } } } } } } }"""
    async with client_with() as client:
        body = await post(client, query)
    assert code(body) == "QUERY_TOO_COMPLEX"
    assert body["errors"][0]["extensions"]["requestedQueryCost"] > 1000


async def test_every_response_reports_its_cost(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await f.catalog(engine)
    body = await post(
        client, "{ products { id name } partners(first: 5) { edges { node { id } } } }"
    )
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 10 + 1 + 5 * 2  # a list (estimated 10) + a connection
    assert cost["actualQueryCost"] == 3 + 1  # 3 products, an empty connection
    assert cost["throttleStatus"] == {
        "maximumAvailable": 2000,
        "currentlyAvailable": cost["throttleStatus"]["currentlyAvailable"],
        "restoreRate": 100,
    }


NESTED = """{ partners(first: 7) { edges { node {
  customers(first: 3) { edges { node { id } } } } } } }"""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ products { id } }", 10),  # a list of objects: 10 × 1
        ("{ partners(first: 7) { totalCount } }", 1),
        ("{ partners(first: 7) { edges { node { id } } } }", 1 + 7 * 2),
        (NESTED, 1 + 7 * (2 + 1 + 3 * 2)),
        ("mutation { logOut { userErrors { code } } }", 10 + 1 + 10),
        # Fragments are priced as they execute: a page behind one is still `first` rows,
        # and each mutation field behind one costs its 10.
        ("{ partners(first: 7) { ... on PartnerConnection { edges { node { id } } } } }", 15),
        (
            "{ partners(first: 7) { ...C } } "
            "fragment C on PartnerConnection { totalCount edges { node { id } } }",
            1 + 7 * 2,
        ),
        (
            "mutation { ...M } fragment M on Mutation { "
            "a: logOut { userErrors { code } } b: logOut { userErrors { code } } }",
            2 * (10 + 1 + 10),
        ),
    ],
)
def test_cost_is_computed_statically(query: str, expected: int) -> None:
    from graphql import parse

    from gateway.schema.schema import build_schema
    from gateway.security.cost import requested_cost

    sizes = {"default_page_size": 20, "max_page_size": 100}
    assert (
        requested_cost(build_schema(guarded=False)._schema, parse(query), None, {}, **sizes)
        == expected
    )


def test_cost_uses_variables() -> None:
    from graphql import parse

    from gateway.schema.schema import build_schema
    from gateway.security.cost import requested_cost

    document = parse("query($n: Int) { partners(first: $n) { edges { node { id } } } }")
    schema = build_schema(guarded=False)._schema
    sizes = {"default_page_size": 20, "max_page_size": 100}
    assert requested_cost(schema, document, None, {"n": 50}, **sizes) == 1 + 50 * 2


def test_actual_cost_counts_every_object_returned_and_nothing_else() -> None:
    from gateway.security.cost import actual_cost

    answer = {
        "viewer": {  # 1
            "account": {  # 1
                "licenses": {"edges": [{"node": {"id": "a"}}, {"node": None}]},  # 1 + 2 + 1
                "name": "n",
                "tags": ["x", "y"],
            }
        },
        "nothing": None,
    }
    assert actual_cost(answer) == 6
    assert actual_cost(answer, mutation_fields=2) == 26
    assert actual_cost(None, mutation_fields=1) == 10
    assert actual_cost({"a": [[{"b": {}}]]}) == 2  # lists of lists, an empty object


PARTNERS = "{ partners%s { totalCount edges { node { id } } } }"


async def test_conex_max_page_size_limits_every_page_and_its_price(
    client_with: ClientWith, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CONEX_MAX_PAGE_SIZE is the largest page a connection returns, and the query cost
    prices a page with the same size (a page without `first` is never larger)."""
    from gateway.settings import load_settings

    monkeypatch.setenv("CONEX_MAX_PAGE_SIZE", "5")
    max_page_size = load_settings().max_page_size
    assert max_page_size == 5
    for _ in range(7):
        await f.partner(engine)
    async with client_with(max_page_size=max_page_size) as client:
        for arguments in ("", "(first: 5)", "(last: 5)"):
            body = await post(client, PARTNERS % arguments)
            assert "errors" not in body, body
            assert len(body["data"]["partners"]["edges"]) == 5
            assert body["data"]["partners"]["totalCount"] == 7
            assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 5 * 2
        body = await post(client, PARTNERS % "(first: 6)")
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "PAGE_SIZE_TOO_LARGE", "argument": "first", "max": 5}
    assert error["message"] == "`first` is 6; a page holds at most 5 rows."


def test_cost_prices_pages_with_the_sizes_it_is_given() -> None:
    from graphql import parse

    from gateway.schema.schema import build_schema

    schema = build_schema(guarded=False)
    from gateway.security.cost import requested_cost

    def cost(query: str, **sizes: int) -> int:
        return requested_cost(schema._schema, parse(query), None, {}, **sizes)

    query = "{ partners%s { edges { node { id } } } }"
    assert cost(query % "", default_page_size=20, max_page_size=100) == 1 + 20 * 2
    assert cost(query % "", default_page_size=5, max_page_size=5) == 1 + 5 * 2
    assert cost(query % "(first: 50)", default_page_size=5, max_page_size=5) == 1 + 5 * 2
