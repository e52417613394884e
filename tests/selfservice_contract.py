"""The self-service contract's operations (issue #14), sent as the clients send them.

The documents are ``tests/contract/selfservice/``, a copy of ``../shared/contract/selfservice``
(``tests/test_selfservice_contract_copy.py`` holds it equal). Each request carries only its
own operation: a document is validated whole, and these documents hold operations that other
changes build (paying online: ``PayQuote``, ``PaymentStatus``, ``RecentPayments``) — with all
of them served, sending the whole document would ask the same.
"""

from __future__ import annotations

from functools import cache

from graphql import OperationDefinitionNode, parse, print_ast

from tests.contract import CONTRACT

SELFSERVICE = CONTRACT / "selfservice"
CLIENTS = ("web", "dashboard")
DOCUMENTS = (*CLIENTS, "inputs")


@cache
def operations() -> dict[str, str]:
    """Operation name → its text (the documents use no fragments)."""
    found = {}
    for client in CLIENTS:
        text = (SELFSERVICE / f"{client}.graphql").read_text(encoding="utf-8")
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                found[definition.name.value] = print_ast(definition)
    return found


def request(name: str, variables: dict[str, object] | None = None) -> dict[str, object]:
    """The JSON body a client sends for operation ``name``."""
    return {"query": operations()[name], "operationName": name, "variables": variables or {}}
