"""The client contract's operations, sent exactly as the clients send them.

The documents are read from ``tests/contract/``, a copy of ``../shared/contract`` (see its
README), so that a clone without ``../shared`` runs the suite; ``tests/test_contract_copy.py``
holds the copy equal to the original whenever ``../shared`` is there.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import OperationDefinitionNode, parse

CONTRACT = Path(__file__).resolve().parent / "contract"
CLIENTS = ("web", "mobile", "partner", "dashboard")
#: The documents copied from ../shared/contract: the clients' operations and the inputs.
DOCUMENTS = (*CLIENTS, "inputs")


@cache
def document(client: str) -> str:
    return (CONTRACT / f"{client}.graphql").read_text(encoding="utf-8")


@cache
def operations() -> dict[str, str]:
    """Operation name → the client's document that holds it (with its fragments)."""
    found = {}
    for client in CLIENTS:
        for definition in parse(document(client)).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                found[definition.name.value] = client
    return found


def request(name: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    """The JSON body a client sends for operation ``name``."""
    return {
        "query": document(operations()[name]),
        "operationName": name,
        "variables": variables or {},
    }
