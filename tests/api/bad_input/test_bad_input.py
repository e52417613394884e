"""Bad input of every kind, to every mutation the clients send (issue #5; the table is in
cases.py): each answer is typed, and the database is exactly as it was, row for row.

Each case is sent over HTTP, as its client sends the operation, by a principal that may call
that mutation on those objects, so that the refusal is about the input, not about rights.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from gateway.auth.ratelimit import MemoryCounter, RateLimiter
from gateway.schema.schema import build_schema
from gateway.services import services_of
from tests.api.bad_input.cases import ROWS, Case, Expect
from tests.api.client import Answer, send
from tests.api.world import World, dump
from tests.contract import document, operations, request


@cache
def contract_mutations() -> dict[str, str]:
    """Every mutation operation of the contract → the root field it calls."""
    found = {}
    for name, client in operations().items():
        for definition in parse(document(client)).definitions:
            if (
                isinstance(definition, OperationDefinitionNode)
                and definition.name is not None
                and definition.name.value == name
                and definition.operation is OperationType.MUTATION
            ):
                (root,) = definition.selection_set.selections
                found[name] = root.name.value  # type: ignore[attr-defined]
    return found


@cache
def error_codes() -> frozenset[str]:
    codes = build_schema(guarded=False)._schema.type_map["ErrorCode"]
    assert isinstance(codes, GraphQLEnumType)
    return frozenset(codes.values)


def arguments(field_name: str) -> set[str]:
    mutation = build_schema(guarded=False)._schema.mutation_type
    assert isinstance(mutation, GraphQLObjectType)
    return set(mutation.fields[field_name].args)


def test_every_contract_mutation_has_bad_input_cases() -> None:
    """A mutation added to the contract without its row of bad inputs fails here."""
    assert sorted(ROWS) == sorted(contract_mutations())
    for name, row in ROWS.items():
        assert row.cases, name
        labels = [case.label for case in row.cases]
        assert len(labels) == len(set(labels)), f"{name}: a case label twice"
        for case in row.cases:
            if case.expect.kind == "refused":
                assert case.expect.code in error_codes(), f"{name}: {case.label}"


async def send_case(
    client: httpx.AsyncClient, name: str, case: Case, world: World
) -> httpx.Response:
    """The case's variables, as the row's principal; a case that changes the HTTP body itself
    (raw JSON text httpx would not encode) is posted as it is."""
    row = ROWS[name]
    variables = case.edit(world, row.valid(world))
    token = world.tokens[row.principal]
    if case.body is None:
        return (await send(client, name, variables, token)).response
    body = case.body(request(name, variables))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if isinstance(body, str):
        headers["Content-Type"] = "application/json"
        return await client.post("/graphql", content=body.encode(), headers=headers)
    return await client.post("/graphql", json=body, headers=headers)


def check_answer(name: str, expect: Expect, status: int, body: dict[str, Any]) -> None:
    assert status == expect.status, body
    field_name = contract_mutations()[name]
    if expect.kind == "request":
        assert body.get("data") is None, body
        assert body["errors"], body
        for error in body["errors"]:
            assert error["extensions"]["code"] == expect.code, error
            assert error["message"], error
        return
    assert "errors" not in body, body["errors"]
    payload = body["data"][field_name]
    errors = payload.pop("userErrors")
    if expect.kind == "silent":
        assert errors == [], errors
        return
    assert errors, f"no userErrors: {payload}"
    for error in errors:
        assert error["code"] in error_codes(), error
        assert isinstance(error["message"], str) and error["message"].strip(), error
        path = error["field"]
        if path is not None:
            assert path and all(isinstance(p, str) for p in path), error
            assert path[0] in arguments(field_name), error
    found = [(tuple(e["field"]) if e["field"] else None, e["code"]) for e in errors]
    assert (expect.field, expect.code) in found, found
    # A refusal hands back no object (nor a token, nor an id).
    assert all(value is None for value in payload.values()), payload


@pytest.mark.parametrize("name", sorted(ROWS))
async def test_the_valid_variables_are_accepted(
    name: str, world: World, client: httpx.AsyncClient
) -> None:
    """Each row's principal may call the mutation and its valid variables pass: so each
    case's refusal is about the one input it changed, not about rights or the rest."""
    row = ROWS[name]
    body: Answer = await send(client, name, row.valid(world), world.tokens[row.principal])
    assert body.status == 200 and "errors" not in body, body
    codes = [e["code"] for e in body["data"][contract_mutations()[name]]["userErrors"]]
    assert codes == ([row.valid_refusal] if row.valid_refusal else []), codes


@pytest.mark.parametrize("name", sorted(ROWS))
async def test_bad_input_is_refused_typed_and_changes_nothing(
    name: str,
    world: World,
    app: Starlette,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    put_world_back: Callable[[], Awaitable[None]],
) -> None:
    """Every case of the mutation's row, each from the world as built: its answer is typed
    (``check_answer``) and every table is row for row as it was. The cases of one row share
    an app; the log-in attempt counters are emptied between them, so each starts afresh."""
    assert await dump(engine) == world.snapshot
    failures = []
    for case in ROWS[name].cases:
        services_of(app).rate_limiter = RateLimiter(MemoryCounter())
        response = await send_case(client, name, case, world)
        after = await dump(engine)
        try:
            check_answer(name, case.expect, response.status_code, response.json())
        except (AssertionError, KeyError, TypeError, ValueError) as error:
            failures.append(f"{case.label}: {error}".splitlines()[0][:600])
        changed = sorted(t for t in after if after[t] != world.snapshot[t])
        if changed:
            failures.append(f"{case.label}: wrote to {changed}")
            await put_world_back()  # the next case starts from the world as built
    assert not failures, f"{len(failures)} of {len(ROWS[name].cases)} cases:\n" + "\n".join(
        failures
    )
