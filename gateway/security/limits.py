"""Operation limits, checked as validation rules before any resolver runs.

Each refusal is a request error whose ``extensions.code`` names the limit, so a client can
tell "too deep" from "too many aliases" without parsing prose.
"""

from __future__ import annotations

import functools
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation.validation_context import ASTValidationContext


def _fragments(context: ASTValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection is limited on its own
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:  # cycles are a validation error
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {name}))
    return deepest


def _aliases(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    """Aliases as executed: a fragment spread counts its aliases each time it is spread."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += (selection.alias is not None) + _aliases(
                selection.selection_set, fragments, seen
            )
        elif isinstance(selection, InlineFragmentNode):
            total += _aliases(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                total += _aliases(fragment.selection_set, fragments, seen | {name})
    return total


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> int:
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += 1
        elif isinstance(selection, InlineFragmentNode):
            total += _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                total += _root_fields(fragment.selection_set, fragments)
    return total


def limit_error(code: str, message: str, *, limit: int, actual: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "limit": limit, "actual": actual})


@functools.cache  # one class per setting: the validation cache keys on the rules
def operation_limits(
    *, max_depth: int, max_aliases: int, max_root_fields: int
) -> type[ASTValidationRule]:
    """One validation rule checking depth, aliases and root fields of each operation."""

    class OperationLimits(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = _fragments(self.context)
            name = node.name.value if node.name else "the operation"
            checks = (
                ("MAX_DEPTH_EXCEEDED", _depth, max_depth, "is {} levels deep"),
                ("MAX_ALIASES_EXCEEDED", _aliases, max_aliases, "uses {} aliases"),
                (
                    "MAX_ROOT_FIELDS_EXCEEDED",
                    _root_fields,
                    max_root_fields,
                    "asks for {} root fields",
                ),
            )
            for code, measure, limit, says in checks:
                actual = measure(node.selection_set, fragments)
                if actual > limit:
                    message = f"{name} {says.format(actual)}; the limit is {limit}."
                    self.report_error(limit_error(code, message, limit=limit, actual=actual))

    return OperationLimits
