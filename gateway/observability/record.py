"""What one HTTP request did, gathered while it runs and read once it ends (the access line,
the metrics). The ASGI middleware opens a record in a context variable; the GraphQL endpoint
fills it in; loader batches (tasks started inside the request) see the same record, so their
SQL statements are counted too."""

from __future__ import annotations

import contextvars
import re
import time
from dataclasses import dataclass, field

from gateway.auth.principal import Principal

OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
NAMED_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]{0,63})")


@dataclass(slots=True)
class RequestRecord:
    method: str = ""
    path: str = ""
    # The peer's address, or X-Forwarded-For's behind a trusted proxy (serve --proxy-headers).
    client: str | None = None
    started: float = field(default_factory=time.perf_counter)
    request_id: str = ""
    principal_kind: str = "anonymous"
    principal_id: int | None = None  # the customer's account id, or the API token's id
    operation: str | None = None
    cost: int | None = None
    statements: int = 0
    status: int = 0
    error_codes: list[str] = field(default_factory=list)
    replayed: bool = False

    def note_principal(self, principal: Principal) -> None:
        self.principal_kind = principal.kind.value.lower()
        self.principal_id = (
            principal.account_id if principal.account_id is not None else principal.token_id
        )

    def note_operation(self, name: object, query: str) -> None:
        """``operationName``, else the name of the document's one named operation. Client-chosen
        text: only a GraphQL name is kept (logs and metric labels stay sane)."""
        if name is None:
            named = NAMED_OPERATION.findall(query)
            name = named[0] if len(named) == 1 else None
        if isinstance(name, str) and OPERATION_NAME.match(name):
            self.operation = name

    def note_error(self, code: object) -> None:
        if isinstance(code, str):
            self.error_codes.append(code)


_CURRENT: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "conex_request_record", default=None
)


def current() -> RequestRecord:
    """The running request's record; a throw-away one outside any request (scripts, tests
    that call the endpoint without the middleware)."""
    return _CURRENT.get() or RequestRecord()


def begin(method: str, path: str) -> contextvars.Token[RequestRecord | None]:
    return _CURRENT.set(RequestRecord(method=method, path=path))


def end(token: contextvars.Token[RequestRecord | None]) -> None:
    _CURRENT.reset(token)


def count_statement() -> None:
    """Called before every SQL statement (``db.events.on_statement``)."""
    record = _CURRENT.get()
    if record is not None:
        record.statements += 1
