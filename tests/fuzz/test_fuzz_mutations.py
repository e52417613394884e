"""Generated mutations against the whole schema, sent over HTTP by every kind of principal.

The documents come from hypothesis-graphql's ``mutations`` with the dataset's real ids and
private strings among the random scalars (tests/fuzz/support.py); most are refused (typed
userErrors, NOT_FOUND for other people's ids, FORBIDDEN, NOT_IMPLEMENTED while a resolver is
pending), some succeed and change the data. So the rights are compared with the database as
it is around each request, not with fixed values: a value is a leak only if the caller could
read it neither before nor after the request, and did not send it itself; and a request may
not let its caller read, afterwards, rows that existed before and that it could not read
(``assert_no_self_granted_rights``: no privilege escalation through a mutation).

Each example runs with a fresh token for its principal (a generated ``logOut`` or token
revocation must not turn the rest of the run into anonymous requests), against the ``dev``
app, whose development payment processor lets the card and payment mutations run (an
unexpected error is INTERNAL_SERVER_ERROR in either environment, and fails the check). The
async pattern is the one described in test_fuzz_queries.py: ``@given`` on an ``async def``
test, run by pytest-asyncio on the fixtures' event loop, dataset-dependent values drawn with
``st.data()``.
"""

from __future__ import annotations

from typing import Any

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
    assert_no_self_granted_rights,
    check_response,
    forbidden_values,
    scalar_strategies,
    snapshot,
)

SDL = str(build_schema(guarded=False))


@pytest.mark.parametrize("who", CALLERS)
@FUZZ
@given(data=st.data())
async def test_generated_mutations_are_typed_and_within_rights(
    fuzz: Fuzz, who: str, data: Any
) -> None:
    if not fuzz.memo:  # built once per test, shared by its examples
        fuzz.memo["mutations"] = hg.mutations(
            SDL, custom_scalars=scalar_strategies(fuzz.pool), allow_x00=not KNOWN_BUG_NUL
        )
    mutation = data.draw(fuzz.memo["mutations"], label="mutation")
    token = await fuzz.fresh_token(who)
    caller = fuzz.callers[who]
    before = await snapshot(fuzz.engine)
    response = await fuzz.dev_client.post("/graphql", json={"query": mutation}, headers=auth(token))
    note(f"{response.status_code} {response.text[:2000]}")
    after = await snapshot(fuzz.engine)
    body = check_response(response, mutation)
    assert isinstance(body, dict)
    for payload in (body.get("data") or {}).values():
        for error in (payload or {}).get("userErrors") or []:
            assert error.get("message") is None or error["message"].strip(), response.text
    hidden = (forbidden_values(caller, before), forbidden_values(caller, after))
    assert_no_leak(caller, response.text, mutation, *hidden)
    assert_no_self_granted_rights(caller, mutation, before, after)


@pytest.mark.parametrize("who", ["alice", "staff"])
async def test_mutations_over_get_are_refused(fuzz: Fuzz, who: str) -> None:
    """Mutations run only over POST (CSRF): a GET is refused before anything is written."""
    before = await snapshot(fuzz.engine)
    response = await fuzz.client.get(
        "/graphql",
        params={"query": "mutation { logOut { userErrors { code } } }"},
        headers=auth(fuzz.tokens[who]),
    )
    body = check_response(response, "GET mutation")
    assert response.status_code == 405
    assert isinstance(body, dict)
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert await snapshot(fuzz.engine) == before
