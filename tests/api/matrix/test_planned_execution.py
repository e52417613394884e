"""Planned execution (gateway.schema.execution) answers exactly as graphql-core does (issue #7).

Every contract operation, for every principal of the matrix, with the variables its client
sends and with those naming something missing, is sent to two apps on the same world: one
whose schema answers queries level by level (plain leaves read directly, resolvers called
directly), one whose schema runs every field through graphql-core and Strawberry.
The two answers must be equal — data, errors (messages, paths, codes) and HTTP status. A
mutation runs on each app from the same world (put back in between, sequences included).

The second half drives both executors with a schema made to fail: a null in a non-null
leaf, a value its scalar or enum refuses, an attribute that raises, nested under nullable
and non-null parents, synchronous and awaited, so the fallback to graphql-core's path is
what reports them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.app import create_app
from gateway.schema.execution import PlannedExecutor
from gateway.schema.schema import GatewaySchema, build_schema
from gateway.services import services_of
from gateway.settings import Settings
from tests.api.client import send
from tests.api.matrix.ops import OPS, is_mutation, without_throttle
from tests.api.matrix.table import MATRIX
from tests.api.world import PRINCIPALS, World

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
# Made at random by a mutation: tokens (and their prefix), the key of a new license.
SECRETS = {"accessToken", "refreshToken", "licenseKey", "token", "prefix"}


@pytest.fixture(scope="session")
def graphql_core_schema() -> GatewaySchema:
    return build_schema(planned=False)


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per operation the planned executor handed to graphql-core (a mutation, or
    a query whose level-by-level answer was not clean)."""
    seen: list[bool] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_root_grouped_field_set

    def spy(self: Any, root_type: Any, root: Any, fields: Any, serially: bool, pc: Any) -> Any:
        if isinstance(self, PlannedExecutor):
            seen.append(serially)
        return original(self, root_type, root, fields, serially, pc)

    monkeypatch.setattr(
        StrawberryGraphQLCoreExecutionContext, "execute_root_grouped_field_set", spy
    )
    return seen


@pytest.fixture
async def both(
    settings: Settings,
    engine: AsyncEngine,
    shared_schema: GatewaySchema,
    graphql_core_schema: GatewaySchema,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """A client of the planned app and one of the graphql-core app, on one clock."""

    def app_of(schema: GatewaySchema) -> Starlette:
        made = create_app(settings, engine=engine)
        services = services_of(made)
        services.schema, services.clock = schema, lambda: NOW
        return made

    planned, plain = app_of(shared_schema), app_of(graphql_core_schema)
    assert shared_schema.execution_context_class is PlannedExecutor
    assert graphql_core_schema.execution_context_class is not PlannedExecutor
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=planned), base_url="http://t") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://t") as b,
    ):
        yield a, b


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<random>" if k in SECRETS else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _cells() -> list[Any]:
    return [
        pytest.param(name, principal, id=f"{name}-{principal}")
        for name in MATRIX
        for principal in PRINCIPALS
    ]


@pytest.mark.parametrize(("name", "principal"), _cells())
async def test_planned_and_graphql_core_answer_alike(
    name: str,
    principal: str,
    world: World,
    both: tuple[httpx.AsyncClient, httpx.AsyncClient],
    put_world_back: Callable[[], Awaitable[None]],
    fallbacks: list[bool],
) -> None:
    op = OPS[name]
    token = world.tokens[principal]
    variants = [op.variables(world)]
    if op.missing is not None:
        variants.append(op.missing(world))
    writes = is_mutation(name)
    for variables in variants:
        answers = []
        for client in both:
            if writes:  # each run of a mutation from the world as built, ids included
                await put_world_back()
            fallbacks.clear()
            response = await send(client, name, variables, token)
            if client is both[0] and not writes and "errors" not in response:
                assert fallbacks == [], "a clean answer is made level by level"
            body = without_throttle(response)
            if writes:
                body = _masked(body)
            answers.append((response.status, body))
        planned, plain = answers
        assert planned == plain


# --- the fallback: leaves that do not complete cleanly --------------------------------------


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Broken:
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        raise RuntimeError("this attribute cannot be read")

    def __set__(self, instance: object, value: object) -> None:
        pass  # a data descriptor: the instance's own attribute never hides it


@strawberry.type
class Item:
    name: str
    note: str | None
    count: int
    colour: Colour
    maybe_colour: Colour | None
    size: float


@strawberry.type
class Fragile:
    value: str = strawberry.field(default="")


Fragile.value = Broken()  # type: ignore[assignment]  # a plain field whose read raises


def _item(**overrides: Any) -> Item:
    fields: dict[str, Any] = {
        "name": "a",
        "note": None,
        "count": 1,
        "colour": Colour.RED,
        "maybe_colour": None,
        "size": 1.5,
    }
    return Item(**{**fields, **overrides})


ACCEPTED = {"clean", "the enum's value rather than its member"}
ITEMS: dict[str, Callable[[], list[Any]]] = {
    "clean": lambda: [_item(), _item(note="n", maybe_colour=Colour.BLUE)],
    "null in a non-null leaf": lambda: [_item(), _item(name=None)],
    "an enum value not of the enum": lambda: [_item(colour="GREEN")],
    "a string where an Int belongs": lambda: [_item(count="many")],
    "an Int past 32 bits": lambda: [_item(count=2**40)],
    "an exception as the value": lambda: [_item(note=ValueError("stored error"))],
    "a float that is not finite": lambda: [_item(size=float("nan"))],
    "the enum's value rather than its member": lambda: [_item(colour="red")],
}


@strawberry.type
class Root:
    @strawberry.field
    def items(self, case: str) -> list[Item]:
        return ITEMS[case]()

    @strawberry.field
    def strict_items(self, case: str) -> list[Item] | None:
        return ITEMS[case]()

    @strawberry.field
    def fragile(self) -> Fragile | None:
        return Fragile()

    @strawberry.field
    async def later(self, case: str) -> list[Item | None]:
        return ITEMS[case]()


QUERY = """
query ($case: String!) {
  items(case: $case) { name note count colour maybeColour size __typename }
  strictItems(case: $case) { name count colour alias: name }
  fragile { value }
  later(case: $case) { name count }
}
"""


async def test_a_clean_query_is_answered_level_by_level(fallbacks: list[bool]) -> None:
    planned = strawberry.Schema(query=Root, execution_context_class=PlannedExecutor)
    clean = 'query { items(case: "clean") { name colour } later(case: "clean") { count } }'
    result = await planned.execute(clean)
    assert result.errors is None and result.data is not None
    assert result.data["later"] == [{"count": 1}, {"count": 1}]
    assert fallbacks == []
    broken = 'query { later(case: "null in a non-null leaf") { name } }'
    result = await planned.execute(broken)
    assert result.data == {"later": [{"name": "a"}, None]} and result.errors
    assert fallbacks == [False]  # graphql-core answered it


@pytest.mark.parametrize("case", sorted(ITEMS))
async def test_a_leaf_that_fails_is_reported_as_graphql_core_reports_it(case: str) -> None:
    planned = strawberry.Schema(query=Root, execution_context_class=PlannedExecutor)
    plain = strawberry.Schema(query=Root)
    results = [
        await schema.execute(QUERY, variable_values={"case": case}) for schema in (planned, plain)
    ]
    a, b = results
    assert a.data == b.data
    assert [(e.message, e.path, e.locations) for e in a.errors or []] == [
        (e.message, e.path, e.locations) for e in b.errors or []
    ]
    paths = [e.path for e in a.errors or []]
    if case in ACCEPTED:
        assert paths == [["fragile", "value"]]  # the attribute that raises, and only it
        assert a.data is not None and a.data["items"][0]["colour"] == "RED"
    else:
        assert paths and paths != [["fragile", "value"]], "a broken item is an error"
