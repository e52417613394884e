"""The one error a request is refused with before (or instead of) execution."""

from __future__ import annotations


class RequestError(Exception):
    """A refusal before execution: an HTTP status and a GraphQL-shaped error body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
