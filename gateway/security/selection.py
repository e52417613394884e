"""The fields of a selection set as they will execute, read through fragments.

One walk shared by everything that reads a document before it runs: the operation limits
(depth, aliases, root fields), the query cost and the idempotency check (which mutation
fields an operation names). Each of them used to open fragments its own way.

- Inline fragments and fragment spreads are opened in place; a fragment counts each time it
  is spread, as it executes.
- A fragment spread inside itself (directly or through others) is not opened again on that
  path: the cycle is the validation error of ``NoFragmentCyclesRule``, which runs next to the
  limits; a walk must end before it can be reported.
- A spread of an unknown fragment is skipped (``KnownFragmentNamesRule`` reports it).
- Each field comes with the type conditions of the fragments it was reached through
  (outermost first), for a reader that needs the type a field is selected on (the cost),
  and with the fragments on its path, to continue the walk below it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

Fragments = Mapping[str, FragmentDefinitionNode]


class Selected(NamedTuple):
    field: FieldNode
    conditions: tuple[str, ...]  # type conditions of the enclosing fragments, outermost first
    seen: frozenset[str]  # fragments spread on the path to the field


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def fields(
    selection_set: SelectionSetNode | None,
    fragments: Fragments,
    seen: frozenset[str] = frozenset(),
    conditions: tuple[str, ...] = (),
) -> Iterator[Selected]:
    """The fields of ``selection_set`` (not below them), fragments opened, in order."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield Selected(selection, conditions, seen)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = (*conditions, condition.name.value) if condition else conditions
            yield from fields(selection.selection_set, fragments, seen, inner)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue
            inner = (*conditions, fragment.type_condition.name.value)
            yield from fields(fragment.selection_set, fragments, seen | {name}, inner)
