"""Helpers shared by the tests: SQL statement counting, a GraphQL client call, ``../shared``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

#: The project's shared folder (SPEC.md, the client contract), beside the checkout.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: ``CONEX_REQUIRE_SHARED=1`` (set by ``.ci/run``): an absent ``../shared`` fails the checks
#: against it instead of skipping them. Read at import, before the suite's autouse fixture
#: hides CONEX_ variables from the tests.
REQUIRE_SHARED = os.environ.get("CONEX_REQUIRE_SHARED", "") not in ("", "0")


class AppClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` on an ASGI app that keeps the app at hand (``client.app``)."""

    app: Starlette


#: The ``client_with`` fixture: ``async with client_with(max_depth=3) as client``, a client
#: of an app built with changed settings.
ClientWith = Callable[..., contextlib.AbstractAsyncContextManager[AppClient]]


def require_shared(what: str) -> Path:
    """``../shared``, for a check against it: skipped when absent, failed when required."""
    if SHARED.is_dir():
        return SHARED
    message = f"{what}: {SHARED} is absent (a clone without ../shared beside it)"
    if REQUIRE_SHARED:
        pytest.fail(f"{message}, and CONEX_REQUIRE_SHARED=1 makes it mandatory", pytrace=False)
    pytest.skip(f"{message}; set CONEX_REQUIRE_SHARED=1 to make it fail")


@dataclass
class StatementCounter:
    """The SQL statements an engine sent while the counter listened."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        return "\n".join(f"{n:3}. {sql}" for n, sql in enumerate(self.statements, 1))


#: The ``statements`` fixture: ``with statements() as counter:`` counts the engine's SQL.
Statements = Callable[[], contextlib.AbstractContextManager[StatementCounter]]


@contextlib.contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Count what ``engine`` sends to the database inside the ``with`` block.

    Listens on ``engine.sync_engine`` (async engines have no events of their own); the
    SQLite connect pragmas and PostgreSQL pool pings bypass cursor events, so only the
    statements the code under test issues are counted.
    """
    counter = StatementCounter()

    def before_cursor_execute(
        _conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before_cursor_execute)


@contextlib.contextmanager
def assert_statements(engine: AsyncEngine, expected: int) -> Iterator[StatementCounter]:
    """Pin the number of SQL statements of the ``with`` block (CONVENTIONS habit 4)."""
    with count_statements(engine) as counter:
        yield counter
    assert counter.count == expected, (
        f"expected {expected} SQL statements, got {counter.count}:\n{counter.report()}"
    )


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    *,
    operation_name: str | None = None,
) -> dict[str, Any]:
    """POST a GraphQL request to /graphql (with a bearer token if given); the parsed body."""
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json=body, headers=headers)
    parsed: dict[str, Any] = response.json()
    return parsed
