"""Generated queries against the whole schema, sent over HTTP by every kind of principal.

hypothesis-graphql builds valid documents from the schema (``queries``) and documents with
one schema violation (``Mode.NEGATIVE``); the scalars are drawn from the dataset's real
global ids and private strings as well as at random (tests/fuzz/support.py), so the queries
do reach other people's rows. Each response is held to ``check_response`` (no 5xx, every
error typed with a known code, nothing internal) and to the rights oracle (nothing the
caller may not read, R-QUOTE-6, R-SEC-2, R-SEC-3).

How Hypothesis runs with pytest-asyncio (auto mode): the test is an ``async def`` decorated
with ``@given``; pytest-asyncio recognises it (its ``AsyncHypothesisTest`` item) and runs
each example's coroutine on the test's own event loop, the loop the async fixtures were
built on, so the ASGI client and the engine are shared by every example. The fixtures are
built once per test, not per example (hence ``HealthCheck.function_scoped_fixture`` is
suppressed on purpose). Values that depend on the dataset (its ids) are drawn inside the
test with ``st.data()``, from a strategy the fixture built once.

``CONEX_FUZZ_EXAMPLES`` (default 40) sets the examples per principal; ``CONEX_FUZZ_RANDOM=1``
draws new ones each run (by default every run draws the same).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import hypothesis_graphql as hg
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from gateway.schema.schema import build_schema
from tests.fuzz.conftest import CALLERS, Fuzz, auth
from tests.fuzz.support import (
    FUZZ,
    KNOWN_BUG_NUL,
    assert_no_leak,
    check_response,
    forbidden_values,
    probe_documents,
    scalar_strategies,
    snapshot,
    visible_values,
)

SDL = str(build_schema(guarded=False))
#: Root fields that reach private rows: half the generated queries start from one of them.
URL_LIMIT = 60_000  # httpx refuses longer URLs client-side: those go by POST
PRIVATE_ROOTS = ["viewer", "node", "nodes", "license", "licenses", "quotes", "accounts"]
REFUSED_CODES = {
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_REQUEST",  # e.g. a NUL escaped in a string literal, refused before parsing
    "GRAPHQL_PARSE_FAILED",
    "MAX_DEPTH_EXCEEDED",
    "MAX_ALIASES_EXCEEDED",
    "MAX_ROOT_FIELDS_EXCEEDED",
    "MAX_TOKENS_EXCEEDED",
}


async def send(fuzz: Fuzz, name: str, query: str, *, get: bool = False) -> Any:
    headers = auth(fuzz.tokens[name])
    if get and len(urlencode({"query": query})) < URL_LIMIT:
        return await fuzz.client.get("/graphql", params={"query": query}, headers=headers)
    return await fuzz.client.post("/graphql", json={"query": query}, headers=headers)


@pytest.mark.parametrize("who", CALLERS)
@FUZZ
@given(data=st.data())
async def test_generated_queries_are_typed_and_within_rights(
    fuzz: Fuzz, who: str, data: Any
) -> None:
    if not fuzz.memo:  # built once per test, shared by its examples
        scalars = scalar_strategies(fuzz.pool)
        fuzz.memo["queries"] = st.one_of(
            hg.queries(SDL, custom_scalars=scalars, allow_x00=not KNOWN_BUG_NUL),
            hg.queries(
                SDL, custom_scalars=scalars, allow_x00=not KNOWN_BUG_NUL, fields=PRIVATE_ROOTS
            ),
        )
        fuzz.memo["hidden"] = forbidden_values(fuzz.callers[who], await snapshot(fuzz.engine))
    query = data.draw(fuzz.memo["queries"], label="query")
    get = data.draw(st.booleans(), label="GET")
    response = await send(fuzz, who, query, get=get)
    note(f"{response.status_code} {response.text[:2000]}")
    check_response(response, query)
    hidden = fuzz.memo["hidden"]
    assert_no_leak(fuzz.callers[who], response.text, query, hidden, hidden)


@pytest.mark.parametrize("who", CALLERS)
async def test_every_object_with_every_field_within_rights(fuzz: Fuzz, who: str) -> None:
    """Not random: every object of the dataset by id, every private root connection, every
    SEN, the viewer, each with all their fields, as each principal (R-QUOTE-6, R-SEC-2/3)."""
    snap = await snapshot(fuzz.engine)
    hidden = forbidden_values(fuzz.callers[who], snap)
    shown = []
    for query in probe_documents(build_schema(guarded=False)._schema, fuzz.pool):
        response = await send(fuzz, who, query)
        body = check_response(response, query)
        assert isinstance(body, dict)
        assert body.get("data") is not None, response.text
        codes = {error["extensions"]["code"] for error in body.get("errors", [])}
        assert codes <= {"FORBIDDEN", "UNAUTHENTICATED"}, response.text
        assert_no_leak(fuzz.callers[who], response.text, query, hidden, hidden)
        shown.append(response.text)
    missing = sorted(v for v in visible_values(fuzz.callers[who], snap) if v not in "".join(shown))
    assert not missing, f"{who} may read {missing} but the probe never showed them"


@pytest.mark.parametrize("who", ["anonymous", "alice", "staff"])
@FUZZ
@given(data=st.data())
async def test_documents_violating_the_schema_are_refused_typed(
    fuzz: Fuzz, who: str, data: Any
) -> None:
    if not fuzz.memo:
        fuzz.memo["invalid"] = hg.queries(
            SDL,
            custom_scalars=scalar_strategies(fuzz.pool),
            allow_x00=not KNOWN_BUG_NUL,
            mode=hg.Mode.NEGATIVE,
        )
    query = data.draw(fuzz.memo["invalid"], label="query")
    response = await send(fuzz, who, query)
    note(f"{response.status_code} {response.text[:2000]}")
    body = check_response(response, query)
    assert isinstance(body, dict)
    assert body.get("data") is None, response.text
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes <= REFUSED_CODES, response.text
