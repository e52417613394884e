"""The authorization matrix (tests/api/matrix/table.py): one test per (operation, principal).

Each cell sends the contract operation exactly as its client does, with the principal's
token, and checks the outcome the table gives, the database included: a refusal leaves every
row as it was; a success changes what the operation's effect says and nothing else.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.client import Answer, send
from tests.api.matrix.ops import OPS, Change, Op, is_mutation, labels, without_throttle
from tests.api.matrix.table import MATRIX, Outcome
from tests.api.world import PRINCIPALS, World, dump
from tests.contract import operations


def _cells() -> list[Any]:
    return [
        pytest.param(name, principal, id=f"{name}-{principal}")
        for name in MATRIX
        for principal in PRINCIPALS
    ]


def test_every_contract_operation_has_a_row_and_every_row_every_principal() -> None:
    """A new contract operation (or principal) without its row fails here."""
    assert sorted(MATRIX) == sorted(operations())
    assert sorted(OPS) == sorted(operations())
    for name, row in MATRIX.items():
        assert sorted(row) == sorted(PRINCIPALS), name
        for outcome in row.values():
            if is_mutation(name):
                assert outcome.kind != "SEES", f"{name}: a mutation is done or refused"
            else:
                assert outcome.kind in {"SEES", "UNAUTHENTICATED"}, f"{name}: {outcome}"


def only_payload(name: str, body: Answer) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    (payload,) = body["data"].values()
    assert isinstance(payload, dict), body
    return payload


@pytest.mark.parametrize(("name", "principal"), _cells())
async def test_matrix(
    name: str,
    principal: str,
    world: World,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
) -> None:
    expected: Outcome = MATRIX[name][principal]
    op = OPS[name]
    token = world.tokens[principal]
    before = world.snapshot  # each test starts from the world as built
    body = await send(client, name, op.variables(world), token)
    after = await dump(engine)

    if expected.kind == "UNAUTHENTICATED":
        assert body.status == 401, body
        assert body.headers["www-authenticate"].startswith("Bearer")
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert body["data"] is None
    elif expected.kind == "FORBIDDEN":
        assert body.status == 200, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body
        assert body["data"] is None
        # refused before any id is looked at: the same for an object that does not exist
        await _same_as_missing(client, name, op, world, token, body)
    elif expected.kind == "SEES":
        assert body.status == 200, body
        assert "errors" not in body, body["errors"]
        seen = labels(world, body["data"]) | op.extra(world, body["data"])
        assert seen == set(expected.labels), f"sees {sorted(seen)}"
        if not expected.labels:
            await _same_as_missing(client, name, op, world, token, body)
    elif expected.kind in {"NOT_FOUND", "REFUSED"}:
        payload = only_payload(name, body)
        codes = [e["code"] for e in payload["userErrors"]]
        assert codes == [expected.code or "NOT_FOUND"], payload
        if op.shows is not None:
            assert payload[op.shows] is None
        if expected.kind == "NOT_FOUND":
            await _same_as_missing(client, name, op, world, token, body)
    elif expected.kind in {"DONE", "DONE_UNSEEN"}:
        payload = only_payload(name, body)
        assert payload["userErrors"] == [], payload
        if op.shows is not None:
            shown = payload[op.shows] is not None
            assert shown is (expected.kind == "DONE"), payload
        _check_effect(op, world, principal, before, after, payload)
        return
    else:  # pragma: no cover - a new kind of outcome without its check
        raise AssertionError(expected)
    # Whatever was refused or only read, every row is as it was.
    assert after == before, _changed(before, after)


async def _same_as_missing(
    client: httpx.AsyncClient,
    name: str,
    op: Op,
    world: World,
    token: str | None,
    body: Answer,
) -> None:
    """R-QUOTE-6: what is hidden answers exactly like what does not exist."""
    if op.missing is None:
        return
    missing = await send(client, name, op.missing(world), token)
    assert missing.status == 200
    assert without_throttle(missing) == without_throttle(body)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(table for table in after if after[table] != before.get(table))


def _check_effect(
    op: Op,
    world: World,
    principal: str,
    before: dict[str, Any],
    after: dict[str, Any],
    payload: dict[str, Any],
) -> None:
    assert op.effect is not None
    changed = set(_changed(before, after))
    assert op.effect.must <= changed <= op.effect.must | op.effect.may, sorted(changed)
    op.effect.check(Change(world, principal, before, after, payload))
