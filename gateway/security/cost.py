"""Query cost, Shopify-style, computed before execution from the document and variables.

Objects cost 1, scalars and enums 0, a connection ``first × (cost of one edge)`` plus its
own 1, a list of objects its expected length × the cost of one item, each mutation field 10.
The actual cost is counted afterwards from the objects really returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    value_from_ast_untyped,
)

from gateway.security.selection import Fragments, fields, fragments_of

MUTATION_COST = 10
LIST_ESTIMATE = 10  # unpaged lists (quote lines, a license's orders) are short


class CostCalculator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Fragments,
        variables: Mapping[str, Any],
        *,
        default_page_size: int,
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        # The sizes the connections themselves use (``Settings``): a page is priced as the
        # rows it can return.
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        cost = self.selection(operation.selection_set, root, frozenset())
        if operation.operation is OperationType.MUTATION:
            # Each mutation field as it runs: one spread of a fragment may hold several.
            mutations = sum(1 for _ in fields(operation.selection_set, self.fragments))
            cost += MUTATION_COST * mutations
        return cost

    def selection(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        seen: frozenset[str],
    ) -> int:
        total = 0
        for selected in fields(selection_set, self.fragments, seen):
            target = parent
            for condition in selected.conditions:  # the innermost known type wins
                target = self.schema.get_type(condition) or target
            total += self.field(selected.field, target, selected.seen)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType, seen: frozenset[str]) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition: GraphQLField | None = parent.fields.get(name)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0  # scalars and enums are free
        arguments = self.arguments(node)
        if named.name.endswith("Connection"):
            size = arguments.get("first") or arguments.get("last") or self.default_page_size
            # A larger page is refused by the connection itself, with its own error.
            size = max(0, min(int(size), self.max_page_size)) if isinstance(size, int) else 0
            return 1 + self.connection(node.selection_set, named, size, seen)
        child = 1 + self.selection(node.selection_set, named, seen)
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            ids = arguments.get("ids")
            size = len(ids) if isinstance(ids, list) else LIST_ESTIMATE
            return size * child
        return child

    def connection(
        self,
        selection_set: SelectionSetNode | None,
        connection: GraphQLNamedType,
        size: int,
        seen: frozenset[str],
    ) -> int:
        """``edges`` and ``nodes`` repeat once per row; ``pageInfo`` and ``totalCount`` once."""
        if selection_set is None or not isinstance(connection, GraphQLObjectType):
            return 0
        total = 0
        # Through fragments too: ``... on LicenseConnection { edges { … } }`` is ``first`` rows.
        for selected in fields(selection_set, self.fragments, seen):
            field = selected.field
            definition = connection.fields.get(field.name.value)
            if definition is not None and field.name.value in {"edges", "nodes"}:
                row = get_named_type(definition.type)
                total += size * (1 + self.selection(field.selection_set, row, selected.seen))
            else:
                total += self.field(field, connection, selected.seen)
        return total

    def arguments(self, node: FieldNode) -> dict[str, Any]:
        found = {}
        for argument in node.arguments or ():
            try:
                found[argument.name.value] = value_from_ast_untyped(
                    argument.value, dict(self.variables)
                )
            except (TypeError, ValueError):
                continue
        return found


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    default_page_size: int,
    max_page_size: int,
) -> int:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 0
    calculator = CostCalculator(
        schema,
        fragments_of(document),
        variables or {},
        default_page_size=default_page_size,
        max_page_size=max_page_size,
    )
    return calculator.operation(operations[0])


def actual_cost(data: Any, *, mutation_fields: int = 0) -> int:
    """Objects actually returned (each dict below the root), plus the mutations' own cost.

    A loop over a stack rather than a recursion: it visits every value of the answer
    (~900 in AccountHome), once per request."""
    if not isinstance(data, dict):
        return MUTATION_COST * mutation_fields
    objects = 0
    stack: list[Any] = list(data.values())
    pop, extend = stack.pop, stack.extend
    while stack:
        value = pop()
        if isinstance(value, dict):
            objects += 1
            extend(value.values())
        elif isinstance(value, list):
            extend(value)
    return objects + MUTATION_COST * mutation_fields


@dataclass
class CostReport:
    requested: int
    actual: int | None
    maximum_available: int
    currently_available: float
    restore_rate: int

    def as_extension(self) -> dict[str, object]:
        return {
            "requestedQueryCost": self.requested,
            "actualQueryCost": self.actual,
            "throttleStatus": {
                "maximumAvailable": self.maximum_available,
                "currentlyAvailable": int(self.currently_available),
                "restoreRate": self.restore_rate,
            },
        }
