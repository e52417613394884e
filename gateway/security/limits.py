"""Operation limits, checked as validation rules before any resolver runs.

Each refusal is a request error whose ``extensions.code`` names the limit, so a client can
tell "too deep" from "too many aliases" without parsing prose.

Why not Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter``: their errors carry no
``extensions.code`` (nor the limit and the actual figure), the alias limiter counts the
whole document rather than the operation that runs, and neither limits root fields. One
rule here measures all three on the operation, through ``selection.fields``.
"""

from __future__ import annotations

import functools
from typing import Any

from graphql import ASTValidationRule, GraphQLError, OperationDefinitionNode, SelectionSetNode

from gateway.security.selection import Fragments, fields, fragments_of


def _depth(
    selection_set: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> int:
    deepest = 0
    for selected in fields(selection_set, fragments, seen):
        field = selected.field
        if field.name.value.startswith("__"):
            continue  # introspection is limited on its own
        deepest = max(deepest, 1 + _depth(field.selection_set, fragments, selected.seen))
    return deepest


def _aliases(
    selection_set: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> int:
    """Aliases as executed: a fragment spread counts its aliases each time it is spread."""
    return sum(
        (selected.field.alias is not None)
        + _aliases(selected.field.selection_set, fragments, selected.seen)
        for selected in fields(selection_set, fragments, seen)
    )


def _root_fields(selection_set: SelectionSetNode, fragments: Fragments) -> int:
    return sum(1 for _ in fields(selection_set, fragments))


def limit_error(code: str, message: str, *, limit: int, actual: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "limit": limit, "actual": actual})


@functools.cache  # one class per setting: the validation cache keys on the rules
def operation_limits(
    *, max_depth: int, max_aliases: int, max_root_fields: int
) -> type[ASTValidationRule]:
    """One validation rule checking depth, aliases and root fields of each operation."""

    class OperationLimits(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = fragments_of(self.context.document)
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
