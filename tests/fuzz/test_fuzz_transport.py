"""What reaches ``/graphql`` before the schema does: arbitrary JSON bodies, batches,
persisted-query extensions, GET parameters, content types and authorization headers; and
the client contract's own operations with generated ``variables`` (JSON, which
hypothesis-graphql's inline literals never exercise: variable coercion is its own code path).

Every response is held to ``check_response`` (no 5xx, every error typed with a known code,
nothing internal); the contract operations also to the rights oracle. The async pattern is
the one described in test_fuzz_queries.py.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

import graphql
import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from gateway.schema.schema import build_schema
from tests.contract import document, operations
from tests.fuzz.conftest import CALLERS, Fuzz, auth
from tests.fuzz.support import (
    FUZZ,
    KNOWN_BUG_UNKNOWN_OPERATION_NAME,
    MAX_INT,
    MIN_INT,
    WEIRD_TEXT,
    Pools,
    assert_no_leak,
    assert_no_self_granted_rights,
    check_response,
    dates,
    datetimes,
    forbidden_values,
    snapshot,
    text,
)

SCHEMA = build_schema(guarded=False)._schema
SMALL_QUERY = "{ supportPlans { tier } }"
GET_PARAMETERS = ["query", "variables", "operationName", "extensions", "x"]
if KNOWN_BUG_UNKNOWN_OPERATION_NAME:
    GET_PARAMETERS.remove("operationName")

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    text(30),
    WEIRD_TEXT,
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(text(10), children, max_size=4)
    ),
    max_leaves=12,
)


def persisted(query: str | None) -> st.SearchStrategy[Any]:
    digest = hashlib.sha256((query or "").encode()).hexdigest()
    return st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "persistedQuery": st.fixed_dictionaries(
                    {
                        "version": st.just(1) | json_values,
                        "sha256Hash": st.one_of(
                            st.just(digest), st.just("0" * 64), text(70), json_values
                        ),
                    }
                )
            }
        ),
    )


def defined_names(query: Any) -> list[str | None]:
    """The operation names of a document (None if it does not parse)."""
    try:
        ast = graphql.parse(query) if isinstance(query, str) else None
    except graphql.GraphQLError:
        ast = None
    names = [
        d.name.value
        for d in (ast.definitions if ast else ())
        if isinstance(d, graphql.OperationDefinitionNode) and d.name
    ]
    return [None, *names]


@st.composite
def operation_bodies(draw: st.DrawFn) -> Any:
    query = draw(
        st.one_of(
            st.none(),
            st.just(SMALL_QUERY),
            st.just("mutation { logOut { userErrors { code } } }"),
            st.sampled_from(sorted({document(client) for client in operations().values()})),
            text(200),
            WEIRD_TEXT,
            json_values,
        )
    )
    names = st.one_of(st.sampled_from(sorted(operations())), json_values)
    if KNOWN_BUG_UNKNOWN_OPERATION_NAME:  # only names the document defines, or no string
        names = st.one_of(st.sampled_from(defined_names(query)), json_values).filter(
            lambda name: not isinstance(name, str) or name in defined_names(query)
        )
    body = {
        "query": query,
        "variables": draw(json_values),
        "operationName": draw(names),
        "extensions": draw(persisted(query if isinstance(query, str) else None)),
    }
    keys = draw(st.lists(st.sampled_from(sorted(body)), unique=True))
    return {key: body[key] for key in keys}


request_bodies = st.one_of(
    operation_bodies(),
    st.lists(operation_bodies(), max_size=3),
    json_values,
)


@pytest.mark.parametrize("who", ["anonymous", "alice", "partner_all_scopes"])
@FUZZ
@given(body=request_bodies)
async def test_arbitrary_json_bodies_are_answered_typed(fuzz: Fuzz, who: str, body: Any) -> None:
    token = await fuzz.fresh_token(who)  # a generated logOut must not end the next example's
    response = await fuzz.client.post("/graphql", json=body, headers=auth(token))
    note(f"{response.status_code} {response.text[:2000]}")
    check_response(response, repr(body))


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(GET_PARAMETERS),
        st.one_of(text(60), st.just(SMALL_QUERY), WEIRD_TEXT),
    ),
    accept=st.sampled_from(["application/json", "text/html", "*/*", ""]),
)
async def test_arbitrary_get_requests_are_answered_typed(
    fuzz: Fuzz, params: dict[str, str], accept: str
) -> None:
    assume(len(urlencode(params)) < 60_000)  # httpx refuses longer URLs client-side
    response = await fuzz.client.get("/graphql", params=params, headers={"Accept": accept})
    note(f"{response.status_code} {response.text[:2000]}")
    if response.headers.get("content-type", "").startswith("text/html"):
        # Prod: the staff sign-in page, never GraphiQL (tests/http/test_staff_session.py).
        assert response.status_code == 200 and "conex-sign-in-form" in response.text
        assert '<script src="/graphiql/graphiql-' not in response.text
    else:
        check_response(response, repr(params))


@FUZZ
@given(
    content=st.one_of(st.binary(max_size=300), text(300).map(str.encode)),
    content_type=st.sampled_from(
        ["application/json", "application/json; charset=latin-1", "text/plain", "", "a/b"]
    ),
    authorization=st.one_of(
        st.none(),
        text(60),
        text(60).map(lambda t: f"Bearer {t}"),
        st.sampled_from(["Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer x.y.z"]),
    ),
)
async def test_arbitrary_bytes_and_headers_are_answered_typed(
    fuzz: Fuzz, content: bytes, content_type: str, authorization: str | None
) -> None:
    headers = {"Content-Type": content_type}
    if authorization is not None:
        headers["Authorization"] = authorization.encode("ascii", "replace").decode()
    response = await fuzz.client.post("/graphql", content=content, headers=headers)
    note(f"{response.status_code} {response.text[:2000]}")
    check_response(response, repr(content))


# --- the contract's operations with generated variables -------------------------------------


def json_for(
    type_: graphql.GraphQLInputType, pool: Pools, depth: int = 0
) -> st.SearchStrategy[Any]:
    """Variable values of a GraphQL input type, as JSON: mostly of the right shape, drawn
    from the dataset where it matters, sometimes null or of another type."""
    if isinstance(type_, graphql.GraphQLNonNull):
        inner = json_for(type_.of_type, pool, depth)
        return st.one_of(inner, inner, inner, json_scalars)  # mostly right, sometimes wrong
    if isinstance(type_, graphql.GraphQLList):
        return st.none() | st.lists(json_for(type_.of_type, pool, depth + 1), max_size=3)
    if isinstance(type_, graphql.GraphQLEnumType):
        return st.none() | st.sampled_from(sorted(type_.values)) | text(8)
    if isinstance(type_, graphql.GraphQLInputObjectType):
        if depth > 3:
            return st.none()
        fields = {name: json_for(f.type, pool, depth + 1) for name, f in type_.fields.items()}
        required = {
            n: s for n, s in fields.items() if graphql.is_required_input_field(type_.fields[n])
        }
        optional = {n: s for n, s in fields.items() if n not in required}
        return st.none() | st.fixed_dictionaries(required, optional=optional)
    assert isinstance(type_, graphql.GraphQLScalarType)
    match type_.name:
        case "ID":
            value: st.SearchStrategy[Any] = st.sampled_from(pool.private_ids) | st.sampled_from(
                pool.ids
            )
        case "String":
            value = st.sampled_from(pool.strings) | text(30) | WEIRD_TEXT
        case "Int":
            value = st.integers(-2, 120) | st.integers(MIN_INT, MAX_INT)
        case "Float":
            value = st.floats(allow_nan=False, allow_infinity=False)
        case "Boolean":
            value = st.booleans()
        case "Date":
            value = dates().map(str) | text(12)
        case "DateTime":
            value = datetimes().map(lambda d: d.isoformat()) | text(12)
        case "Decimal":
            value = (
                st.decimals(places=2, allow_nan=False, allow_infinity=False).map(str)
                | st.sampled_from(["NaN", "Infinity", "-1", "1e999999", "0.001"])
                | st.integers()
                | st.floats()
            )
        case _:
            value = json_values
    return st.none() | value


def variables_for(name: str, pool: Pools) -> st.SearchStrategy[dict[str, Any]]:
    ast = graphql.parse(document(operations()[name]))
    operation = next(
        d
        for d in ast.definitions
        if isinstance(d, graphql.OperationDefinitionNode) and d.name and d.name.value == name
    )
    fields = {}
    for definition in operation.variable_definitions or ():
        type_ = graphql.type_from_ast(SCHEMA, definition.type)
        assert type_ is not None, definition.variable.name.value
        fields[definition.variable.name.value] = json_for(type_, pool)  # type: ignore[arg-type]
    return st.fixed_dictionaries({}, optional=fields)


@pytest.mark.parametrize("who", CALLERS)
@FUZZ
@given(data=st.data())
async def test_contract_operations_with_generated_variables(
    fuzz: Fuzz, who: str, data: Any
) -> None:
    name = data.draw(st.sampled_from(sorted(operations())), label="operation")
    variables = data.draw(variables_for(name, fuzz.pool), label="variables")
    token = await fuzz.fresh_token(who)
    caller = fuzz.callers[who]
    body = {"query": document(operations()[name]), "operationName": name, "variables": variables}
    before = await snapshot(fuzz.engine)
    response = await fuzz.dev_client.post("/graphql", json=body, headers=auth(token))
    note(f"{response.status_code} {response.text[:2000]}")
    after = await snapshot(fuzz.engine)
    sent = json.dumps(variables, ensure_ascii=False)
    check_response(response, f"{name} {sent}")
    hidden = (forbidden_values(caller, before), forbidden_values(caller, after))
    assert_no_leak(caller, response.text, f"{name} {sent}", *hidden)
    assert_no_self_granted_rights(caller, sent, before, after)
