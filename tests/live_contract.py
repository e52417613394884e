"""The live-updates contract's operations (issue #15), as their clients send them.

The documents are ``tests/contract/live/``, a copy of ``../shared/contract/live``
(``tests/test_live_contract_copy.py`` holds it equal). Each request carries only its own
operation: ``partner.graphql`` also holds the webhook operations, built apart.
"""

from __future__ import annotations

from functools import cache

from graphql import OperationDefinitionNode, parse, print_ast

from tests.contract import CONTRACT

LIVE = CONTRACT / "live"
CLIENTS = ("web", "partner")
DOCUMENTS = (*CLIENTS, "inputs")


@cache
def operations() -> dict[str, str]:
    """Operation name → its text (the documents use no fragments)."""
    found = {}
    for client in CLIENTS:
        text = (LIVE / f"{client}.graphql").read_text(encoding="utf-8")
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                found[definition.name.value] = print_ast(definition)
    return found


def document(name: str) -> str:
    return operations()[name]
