"""The one way the API tests send a GraphQL request: ``send``, and what it answers.

``await send(client, "AccountHome", token=world.alice_token)`` posts the contract operation
``AccountHome`` exactly as its client sends it (its document, ``operationName``, the
variables), through the app's ASGI transport, as the principal whose token is given (none:
anonymous); an operation of the self-service contract (tests/selfservice_contract.py) goes
as its client sends that one. ``query=`` sends a document of the test's own instead. The
``Answer`` is the parsed JSON body (read it as a mapping: ``answer["data"]``) with the HTTP
status and headers.

Tests of the transport itself (content types, GET, batches, raw bodies) post with the
client directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from tests import contract, selfservice_contract


class Answer(Mapping[str, Any]):
    """A GraphQL answer: its JSON body as a mapping, ``status`` and ``headers``."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        self.headers = response.headers
        self.body: dict[str, Any] = response.json()

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.body)

    def __len__(self) -> int:
        return len(self.body)

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.body!r}>"

    @property
    def data(self) -> dict[str, Any]:
        """``data`` of an answer that must be HTTP 200 without errors."""
        assert self.status == 200, self.body
        assert "errors" not in self.body, self.body["errors"]
        data: dict[str, Any] = self.body["data"]
        return data

    @property
    def codes(self) -> list[str]:
        """The ``extensions.code`` of each request error."""
        return [e["extensions"]["code"] for e in self.body.get("errors") or []]


async def send(
    client: httpx.AsyncClient,
    operation: str | None = None,
    variables: Mapping[str, Any] | None = None,
    token: str | None = None,
    *,
    query: str | None = None,
    headers: Mapping[str, str] | Mapping[bytes, bytes] | None = None,
) -> Answer:
    """POST ``operation`` of the contract (or ``query``) to /graphql as ``token``'s holder,
    with ``headers`` besides (bytes for a header httpx would not encode as given)."""
    if query is None:
        assert operation is not None, "a contract operation or a query"
        body: dict[str, Any] = _request(operation, dict(variables or {}))
    else:
        body = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        if operation is not None:
            body["operationName"] = operation
    sent = [(b"Authorization", f"Bearer {token}".encode())] if token else []
    for name, value in (headers or {}).items():
        sent.append((_bytes(name), _bytes(value)))
    return Answer(await client.post("/graphql", json=body, headers=sent))


def _request(operation: str, variables: dict[str, object]) -> dict[str, object]:
    """The body of a contract operation: the main contract's, else the self-service one's."""
    if operation in contract.operations():
        return contract.request(operation, variables)
    return selfservice_contract.request(operation, variables)


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


# --- reading an answer ------------------------------------------------------------------------


def payload(body: Mapping[str, Any], field_name: str) -> dict[str, Any]:
    """The mutation's payload; fails on a request error."""
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][field_name]
    return result


def ok(body: Mapping[str, Any], field_name: str) -> dict[str, Any]:
    """The payload of a mutation that must have succeeded."""
    result = payload(body, field_name)
    assert result["userErrors"] == [], result["userErrors"]
    return result


def user_errors(body: Mapping[str, Any], field_name: str) -> list[tuple[list[str] | None, str]]:
    """(field, code) of each userError."""
    return [(e["field"], e["code"]) for e in payload(body, field_name)["userErrors"]]


def request_error(body: Mapping[str, Any]) -> str:
    """The code of a request error (UNAUTHENTICATED, FORBIDDEN, …)."""
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


def only_payload(body: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of the operation's one root field; fails on a request error."""
    assert "errors" not in body, body["errors"]
    (result,) = body["data"].values()
    assert isinstance(result, dict), body
    return result
