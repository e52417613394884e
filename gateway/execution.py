"""Field execution planned once per selection set, and resolvers called directly.

graphql-core executes every field of an answer the same way: a path, a resolve info of
fourteen members, the argument values, the resolver, two awaitable checks and the
completion of a non-null wrapper around the leaf; Strawberry adds its own chain around
every resolver. AccountHome answers ~900 fields, two thirds of them plain attributes of a
row (``sen``, ``tier``, ``amount``, ``cursor``); the rest are resolvers, most without
arguments (bench/RESULTS.md has the profile).

- ``PlannedExecutor`` plans each selection set once per request (graphql-core already
  collects it once and reuses it for every object of a list): a field that Strawberry
  resolves by attribute (no resolver, no arguments) and whose type is a scalar or an enum
  is read and serialized directly; every other field (resolvers, objects, lists,
  ``__typename``, introspection) runs through graphql-core unchanged. A plain leaf that
  does not complete cleanly — null where the type is non-null, a value its scalar refuses,
  an exception — is executed again on graphql-core's path, which reports it exactly as it
  would have: reading an attribute twice has no effect.
- ``lean_resolvers`` calls the resolvers of fields without arguments with what Strawberry
  would pass them, without the chain built for arguments and field extensions.

So the answer, errors included, is the same either way: ``build_schema(planned=False)``
builds the schema without both, and ``tests/api/matrix/test_planned_execution.py`` sends
every contract operation, as every principal, to both and compares the answers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, cast

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField


class _Leaf(NamedTuple):
    """A plain attribute of a scalar or enum type, with no arguments."""

    name: str
    read: Callable[[Any, None], Any]  # Strawberry's attribute resolver
    leaf_type: GraphQLLeafType
    non_null: bool
    details: FieldDetailsList
    enum: type | None  # the Python enum of a Strawberry enum type
    names: dict[Any, str]  # its members' GraphQL names


@functools.cache
def _enum_names(leaf_type: GraphQLLeafType) -> tuple[type | None, dict[Any, str]]:
    """A Strawberry enum's members and their names, as its ``coerce_output_value`` finds
    them (the first name whose value equals the member's), looked up in a dict instead of
    a scan of the values."""
    enum = getattr(leaf_type, "wrapped_cls", None)
    if not isinstance(leaf_type, GraphQLEnumType) or not isinstance(enum, type):
        return None, {}
    names: dict[Any, str] = {}
    for member in cast(Iterable[Any], enum):
        for name, value in leaf_type.values.items():
            if member.value == value.value:
                names[member] = name
                break
    return enum, names


class _Field(NamedTuple):
    """Any other field: executed by graphql-core."""

    name: str
    details: FieldDetailsList


_Step = _Leaf | _Field
_SLOW = object()  # a plain leaf that must take graphql-core's path


def _plain_leaf(name: str, details: FieldDetailsList, field_def: Any) -> _Step:
    resolve = field_def.resolve if field_def is not None else None
    if (
        resolve is None
        or not getattr(resolve, "_is_default", False)  # Strawberry's attribute read
        or field_def.args
        or any(d.node.arguments for d in details)
    ):
        return _Field(name, details)
    field_type: GraphQLOutputType = field_def.type
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if not isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return _Field(name, details)
    return _Leaf(name, resolve, inner, non_null, details, *_enum_names(inner))


def lean_resolvers(schema: strawberry.Schema) -> int:
    """Call the resolvers of fields without arguments directly (returns how many).

    Strawberry wraps every resolver in a chain built for arguments and field extensions:
    its own Info, then the argument conversion, the extension chain (a ``reduce`` over
    ``partial`` objects), ``get_result`` and the resolver's ``__call__`` — eight calls around a
    resolver such as ``License.status``. For a field with no arguments, no field
    extension (permissions are one) and no exception handler, all that reaches the resolver
    is the parent object as ``self`` (or ``root``/``parent``) and an Info: this calls it so.
    Done once, when the schema is built; ``build_schema(planned=False)`` leaves Strawberry's
    resolvers as they are, and the both-paths test compares the two."""
    converter = schema.schema_converter
    info_class = schema.config.info_class
    count = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_def in graphql_type.fields.values():
            field = field_def.extensions.get(converter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField):
                continue
            resolver = field.base_resolver
            if (
                resolver is None
                or field.extensions
                or field.arguments
                or field_def.args
                or converter._get_field_exception_handlers(field)
                or not callable(resolver.wrapped_func)
            ):
                continue
            field_def.resolve = _direct(field, resolver, info_class)
            count += 1
    return count


def _direct(field: StrawberryField, resolver: Any, info_class: type) -> Callable[..., Any]:
    call = resolver.wrapped_func
    with_self = resolver.self_parameter is not None
    sources = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p]
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    def resolve(source: Any, info: Any) -> Any:
        kwargs = dict.fromkeys(sources, source)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)
        return call(source, **kwargs) if with_self else call(**kwargs)

    return resolve


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(grouped field set) -> (the set, kept alive so its id stays unique; its plan)
        self._plans: dict[int, tuple[GroupedFieldSet, tuple[_Step, ...]]] = {}

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> tuple[_Step, ...]:
        found = self._plans.get(id(fields))
        if found is not None:
            return found[1]
        get_field = self.schema.get_field
        plan = tuple(
            _plain_leaf(name, details, get_field(parent_type, details[0].node.name.value))
            for name, details in fields.items()
        )
        self._plans[id(fields)] = (fields, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:  # an extension wraps ``resolve``
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        plan = self._plan(parent_type, grouped_field_set)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for step in plan:
                name = step.name
                if type(step) is _Leaf:
                    value = _complete_leaf(step, source_value, is_awaitable)
                    if value is not _SLOW:
                        results[name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    step.details,
                    Path(path, name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _awaited(results, awaitable_fields)


def _complete_leaf(step: _Leaf, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The serialized value of a plain leaf, or ``_SLOW`` when graphql-core must complete it
    (and report what went wrong)."""
    try:
        value = step.read(source, None)
    except Exception:
        return _SLOW
    if value is None:
        return _SLOW if step.non_null else None
    if isinstance(value, Exception) or is_awaitable(value):
        close = getattr(value, "close", None)
        if callable(close):
            close()  # a coroutine read here is read again there; this one never runs
        return _SLOW
    if type(value) is step.enum:
        found = step.names.get(value)
        if found is not None:
            return found
    try:
        coerced = step.leaf_type.coerce_output_value(value)
    except Exception:
        return _SLOW
    if coerced is None or coerced is Undefined:
        return _SLOW
    return coerced


async def _awaited(results: dict[str, Any], names: list[str]) -> dict[str, Any]:
    from graphql.pyutils import gather_with_cancel

    if len(names) == 1:
        results[names[0]] = await results[names[0]]
        return results
    values = await gather_with_cancel(*(results[name] for name in names))
    results.update(zip(names, values, strict=True))
    return results
