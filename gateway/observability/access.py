"""The ASGI middleware around the app: opens the request's record, times it, and when the
response has gone writes one access line (``gateway.access``) and the request's metrics.
When tracing is on it runs inside the request's span, and names it once the response starts
(``gateway.observability.tracing``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability import record as request_record
from gateway.observability import tracing
from gateway.observability.logs import FIELDS
from gateway.observability.record import RequestRecord

access_log = logging.getLogger("gateway.access")

Observer = Callable[[RequestRecord, float], None]


class AccessMiddleware:
    def __init__(self, app: ASGIApp, *, observers: tuple[Observer, ...] = ()) -> None:
        self.app = app
        self.observers = observers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = request_record.begin(scope["method"], scope["path"])
        record = request_record.current()
        record.status = 500  # unless a response starts
        client = scope.get("client")
        record.client = str(client[0]) if client else None

        async def watched_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = int(message["status"])
                for name, value in message.get("headers", ()):
                    if name.lower() == b"idempotent-replayed" and value == b"true":
                        record.replayed = True
                # Now: the request's span ends with the response's last body message.
                tracing.name_request_span(scope, record)
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        finally:
            duration = time.perf_counter() - record.started
            try:
                tracing.name_request_span(scope, record)  # when no response started
                _access_line(record, duration)
                for observe in self.observers:
                    observe(record, duration)
            finally:
                request_record.end(token)


def _access_line(record: RequestRecord, duration: float) -> None:
    fields: dict[str, object] = {
        "method": record.method,
        "path": record.path,
        "client": record.client,
        "status": record.status,
        "duration_ms": round(duration * 1000, 2),
        "principal_kind": record.principal_kind,
        "principal_id": record.principal_id,
        "operation": record.operation,
        "cost": record.cost,
        "statements": record.statements,
    }
    if record.error_codes:
        fields["error_codes"] = sorted(set(record.error_codes))
    if record.replayed:
        fields["idempotent_replayed"] = True
    access_log.info(
        "%s %s %s %.1f ms",
        record.method,
        record.path,
        record.status,
        duration * 1000,
        extra={FIELDS: fields},
    )
