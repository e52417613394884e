"""Execution planned once per selection set: a query answered level by level, plain leaves
read directly, resolvers without arguments called directly.

graphql-core executes every field of an answer the same way: a path, a resolve info of
fourteen members, the argument values, the resolver, two awaitable checks, the completion of
a non-null wrapper, and for every object with a pending field a coroutine, a ``gather`` and
a task per awaitable; Strawberry adds its own chain around every resolver. AccountHome
answers ~900 fields, two thirds of them plain attributes of a row (``sen``, ``tier``,
``amount``), the rest resolvers, most without arguments (bench/RESULTS.md has the profiles).

- ``PlannedExecutor`` plans each selection set once per request (graphql-core collects it
  once and reuses it for every object of a list): a field that Strawberry resolves by
  attribute (no resolver, no arguments) and whose type is a scalar or an enum is read and
  serialized directly.
- A query is answered one level of the tree at a time (``_by_levels``): every field of every
  object of the level is resolved, the awaitables of the whole level are awaited together
  (each loader still sees all the keys of a level in one batch: the statement counts are
  pinned by tests/benchmark), and the objects they return make the next level. Only clean
  values are completed there. Anything else — an exception, a null where the type is
  non-null, a value its scalar refuses, an abstract type that cannot be told — drops that
  answer, and graphql-core executes the query again and reports it exactly as it would have
  (reads only: the loaders' caches make the second pass cheap and give the same rows).
  Mutations run through graphql-core unchanged (serially), as does a query that was not clean.
- ``lean_resolvers`` calls the resolvers of fields without arguments with what Strawberry
  would pass them, without the chain built for arguments and field extensions.

So the answer, errors included, is the same either way: ``build_schema(planned=False)``
builds the schema without all three, and ``tests/api/matrix/test_planned_execution.py`` sends
every contract operation, as every principal, to both and compares the answers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, cast

import strawberry
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLUnionType,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from gateway.schema.rounds import Unclean, close_unawaited, together

#: The releases this module's use of private APIs (Strawberry's execution context,
#: ``_get_field_exception_handlers``, ``Info(_raw_info=…)``; graphql-core's collected fields)
#: was checked against. tests/test_pins.py fails when the installed ones differ: re-check
#: this module (and the matrix comparison with graphql-core) before changing the numbers.
CHECKED_WITH = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}


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
    """Any other field: its resolver, then the completion of what it returns."""

    name: str
    details: FieldDetailsList
    field_def: GraphQLField | None  # None: not a field of the type (left out of the answer)
    nodes: list[FieldNode]


_Step = _Leaf | _Field
_SLOW = object()  # a plain leaf that is not clean
# One object of a level: its type, the value, its fields, the dict it fills, its path.
_Object = tuple[GraphQLObjectType, Any, GroupedFieldSet, dict[str, Any], Path | None]


def _step(name: str, details: FieldDetailsList, field_def: GraphQLField | None) -> _Step:
    resolve = field_def.resolve if field_def is not None else None
    if (
        field_def is None
        or resolve is None
        or not getattr(resolve, "_is_default", False)  # Strawberry's attribute read
        or field_def.args
        or any(d.node.arguments for d in details)
    ):
        return _Field(name, details, field_def, [d.node for d in details])
    field_type: GraphQLOutputType = field_def.type
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if not isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return _Field(name, details, field_def, [d.node for d in details])
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
        if graphql_type is schema._schema.subscription_type:
            continue  # its fields' resolvers make the event streams: graphql-core's to call
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
        self._arguments: dict[int, tuple[_Field, dict[str, Any]]] = {}

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> tuple[_Step, ...]:
        found = self._plans.get(id(fields))
        if found is not None:
            return found[1]
        get_field = self.schema.get_field
        plan = tuple(
            _step(name, details, get_field(parent_type, details[0].node.name.value))
            for name, details in fields.items()
        )
        self._plans[id(fields)] = (fields, plan)
        return plan

    # --- a query, level by level ------------------------------------------------------------

    def execute_root_grouped_field_set(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        if serially or position_context is not None or (manager and manager.middlewares):
            return super().execute_root_grouped_field_set(
                root_type, root_value, grouped_field_set, serially, position_context
            )
        return self._by_levels(root_type, root_value, grouped_field_set)

    async def _by_levels(
        self, root_type: GraphQLObjectType, root_value: Any, fields: GroupedFieldSet
    ) -> Any:
        """The answer of a query, one level of the tree at a time; on anything that is not
        clean, graphql-core's answer (see the module's docstring)."""
        data: dict[str, Any] = {}
        level: list[_Object] = [(root_type, root_value, fields, data, None)]
        try:
            while level:
                level = await self._level(level)
        except Exception:  # not CancelledError: a timeout stops both
            result = super().execute_root_grouped_field_set(
                root_type, root_value, fields, False, None
            )
            return await result if self.is_awaitable(result) else result
        return data

    async def _level(self, level: list[_Object]) -> list[_Object]:
        """Every field of the objects of one level: plain leaves at once, resolvers called,
        their awaitables awaited together (each loader sees every key of the level in one
        batch), then completed; the objects they return make the next level."""
        is_awaitable = self.is_awaitable
        next_level: list[_Object] = []
        pending: list[tuple[dict[str, Any], _Field, Any, Any, Path]] = []
        try:
            for parent_type, source, fields, out, path in level:
                for step in self._plan(parent_type, fields):
                    if isinstance(step, _Leaf):
                        value = _complete_leaf(step, source, is_awaitable)
                        if value is _SLOW:
                            raise Unclean
                        out[step.name] = value
                        continue
                    field_def = step.field_def
                    if field_def is None:
                        continue
                    field_path = Path(path, step.name, parent_type.name)
                    info = self.build_resolve_info(field_def, step.nodes, parent_type, field_path)
                    resolve = field_def.resolve or self.field_resolver
                    result = resolve(source, info, **self._arguments_of(step))
                    if is_awaitable(result):
                        out[step.name] = None  # its place, in the order of the selection
                        pending.append((out, step, result, info, field_path))
                    else:
                        out[step.name] = self._complete(
                            field_def.type, step.details, info, field_path, result, next_level
                        )
        except BaseException:
            close_unawaited(awaitable for _, _, awaitable, _, _ in pending)
            raise
        if pending:
            values = await together([awaitable for _, _, awaitable, _, _ in pending])
            for (out, step, _, info, field_path), value in zip(pending, values, strict=True):
                assert step.field_def is not None
                out[step.name] = self._complete(
                    step.field_def.type, step.details, info, field_path, value, next_level
                )
        return next_level

    def _arguments_of(self, step: _Field) -> dict[str, Any]:
        """A field's arguments, coerced once per request (the same for every object)."""
        found = self._arguments.get(id(step))
        if found is not None:
            return found[1]
        node = step.details[0]
        assert step.field_def is not None
        arguments = (
            get_argument_values(
                step.field_def,
                node.node,
                self.variable_values,
                node.fragment_variable_values,
                self.hide_suggestions,
            )
            if step.field_def.args or node.node.arguments
            else {}
        )
        self._arguments[id(step)] = (step, arguments)
        return arguments

    def _complete(
        self,
        return_type: GraphQLOutputType,
        details: FieldDetailsList,
        info: Any,
        path: Path,
        result: Any,
        next_level: list[_Object],
    ) -> Any:
        """What graphql-core's ``complete_value`` makes of a clean value; an object is
        answered by an empty dict that the next level fills."""
        if isinstance(result, Exception):
            raise Unclean
        if isinstance(return_type, GraphQLNonNull):
            completed = self._complete(return_type.of_type, details, info, path, result, next_level)
            if completed is None:
                raise Unclean
            return completed
        if result is None or result is Undefined:
            return None
        if isinstance(return_type, GraphQLList):
            if self.is_async_iterable(result) or not is_iterable(result):
                raise Unclean
            item_type = return_type.of_type
            items = []
            for index, item in enumerate(result):
                if self.is_awaitable(item):
                    close_unawaited([item])
                    raise Unclean
                items.append(
                    self._complete(
                        item_type, details, info, Path(path, index, None), item, next_level
                    )
                )
            return items
        if isinstance(return_type, GraphQLScalarType | GraphQLEnumType):
            coerced = return_type.coerce_output_value(result)
            if coerced is None or coerced is Undefined:
                raise Unclean
            return coerced
        if isinstance(return_type, GraphQLInterfaceType | GraphQLUnionType):
            resolve_type = return_type.resolve_type or self.type_resolver
            runtime = resolve_type(result, info, return_type)
            if self.is_awaitable(runtime):
                close_unawaited([runtime])
                raise Unclean
            return_type = self.ensure_valid_runtime_type(
                runtime, return_type, details, info, result
            )
        assert isinstance(return_type, GraphQLObjectType)
        if return_type.is_type_of is not None:
            matches = return_type.is_type_of(result, info)
            if self.is_awaitable(matches) or not matches:
                close_unawaited([matches])
                raise Unclean
        fields, _, _ = self.collect_subfields(return_type, details)
        out: dict[str, Any] = {}
        next_level.append((return_type, result, fields, out, path))
        return out


def _complete_leaf(step: _Leaf, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The serialized value of a plain leaf, or ``_SLOW`` when it is not clean (graphql-core
    completes it, and reports what went wrong)."""
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
