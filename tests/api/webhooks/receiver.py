"""A partner's webhook receiver for the tests: a real HTTP server on 127.0.0.1 (a thread of
``http.server``) that verifies each request's signature with the ``standardwebhooks``
library, answers the statuses it is told to, and deduplicates by ``webhook-id``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""  # set once the endpoint is created (its signing secret)
    statuses: list[int] = field(default_factory=list)  # answered in turn; then 200
    requests: list[Received] = field(default_factory=list)
    processed: dict[str, Any] = field(default_factory=dict)  # webhook-id -> payload, once

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        try:
            payload = Webhook(self.secret).verify(body, headers) if self.secret else None
            verified = payload is not None
        except WebhookVerificationError:
            payload, verified = None, False
        self.requests.append(Received(headers, body, verified))
        status = self.statuses.pop(0) if self.statuses else 200
        if verified and 200 <= status < 300:
            self.processed.setdefault(headers["webhook-id"], payload)  # dedup by webhook-id
        return status if verified or not self.secret else 400


@contextmanager
def receiver(path: str = "/hooks/conex") -> Iterator[Receiver]:
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = box[0].answer(headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(url=f"http://127.0.0.1:{server.server_address[1]}{path}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
