"""A local stand-in for Stripe's API, on loopback, answering in its wire format.

The Stripe adapter is tested through the real ``stripe`` library pointed at this server
(``CONEX_STRIPE_API_BASE``): form-encoded requests in, Stripe's JSON objects and error
bodies out, ``Idempotency-Key`` honoured (a repeated key gets the first answer). Only what
the adapter uses: ``POST /v1/payment_intents``, ``GET /v1/payment_intents/{id}``, ``POST
/v1/payment_intents/{id}/cancel``, ``GET /v1/payment_intents/search`` (by our metadata),
``POST /v1/refunds`` and ``GET /v1/payment_methods/{id}``. The outcome of a payment follows
Stripe's test PaymentMethods (``pm_card_visa``, …); a test moves an intent on (the payer
finished 3-D Secure) by changing ``stored[id]["status"]``.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

SECRET_KEY = "sk_test_conex_fake"
WEBHOOK_SECRET = "whsec_test_conex_fake"
CARDS = {
    "pm_card_visa": ("visa", "4242", "succeeded"),
    "pm_card_mastercard": ("mastercard", "4444", "succeeded"),
    "pm_card_chargeDeclined": ("visa", "0002", "declined"),
    "pm_card_authenticationRequired": ("visa", "3155", "requires_action"),
}


def stripe_settings(api_base: str) -> dict[str, Any]:
    """The settings of an app that pays through Stripe at ``api_base``."""
    return dict(
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=api_base,
    )


@dataclass
class Seen:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeStripe:
    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    # A status to answer every request with (e.g. 500), or None for the normal answers.
    fail_with: int | None = None
    # The intents created, by id: what retrieve, search and cancel read and change.
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    _answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def intents(self) -> list[Seen]:
        return [r for r in self.requests if r.path == "/v1/payment_intents"]

    def seen(self, method: str, path: str) -> list[Seen]:
        return [r for r in self.requests if (r.method, r.path) == (method, path)]

    def answer(self, seen: Seen) -> tuple[int, dict[str, Any]]:
        if seen.headers.get("authorization") != f"Bearer {SECRET_KEY}":
            return 401, _error("invalid_request_error", "Invalid API Key provided")
        if self.fail_with is not None:
            return self.fail_with, _error("api_error", "Something went wrong on Stripe's end.")
        key = seen.headers.get("idempotency-key")
        if key and key in self._answers:
            return self._answers[key]
        if seen.method == "POST" and seen.path == "/v1/payment_intents":
            result = self._create_intent(seen.form)
        elif seen.method == "GET" and seen.path.startswith("/v1/payment_methods/"):
            result = self._payment_method(seen.path.rsplit("/", 1)[1])
        elif seen.method == "GET" and seen.path == "/v1/payment_intents/search":
            result = self._search(seen.form.get("query", ""))
        elif seen.method == "GET" and seen.path.startswith("/v1/payment_intents/"):
            result = self._intent(seen.path.rsplit("/", 1)[1])
        elif seen.method == "POST" and seen.path.endswith("/cancel"):
            result = self._cancel(seen.path.split("/")[3])
        elif seen.method == "POST" and seen.path == "/v1/refunds":
            result = self._refund(seen.form.get("payment_intent", ""))
        else:
            result = (404, _error("invalid_request_error", "Unrecognized request URL"))
        if key:
            self._answers[key] = result
        return result

    def _intent(self, intent_id: str) -> tuple[int, dict[str, Any]]:
        intent = self.stored.get(intent_id)
        if intent is None:
            return 404, _error("invalid_request_error", f"No such payment_intent: '{intent_id}'")
        return 200, intent

    def _search(self, query: str) -> tuple[int, dict[str, Any]]:
        """Only the query the adapter sends: ``metadata['conex_payment_id']:'N'``."""
        found = [
            i
            for i in self.stored.values()
            if query == f"metadata['conex_payment_id']:'{i['metadata'].get('conex_payment_id')}'"
        ]
        body = {"object": "search_result", "data": found, "has_more": False, "url": "/v1/x"}
        return 200, body

    def _cancel(self, intent_id: str) -> tuple[int, dict[str, Any]]:
        status, intent = self._intent(intent_id)
        if status != 200:
            return status, intent
        if intent["status"] in ("succeeded", "canceled"):
            error = _error(
                "invalid_request_error",
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}.",
            )
            error["error"]["code"] = "payment_intent_unexpected_state"
            return 400, error
        intent["status"] = "canceled"
        intent["cancellation_reason"] = "abandoned"
        return 200, intent

    def _refund(self, intent_id: str) -> tuple[int, dict[str, Any]]:
        status, intent = self._intent(intent_id)
        if status != 200:
            return status, intent
        refund = {
            "id": f"re_fake_{next(self._ids)}",
            "object": "refund",
            "amount": intent["amount"],
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    def _payment_method(self, token: str) -> tuple[int, dict[str, Any]]:
        if token not in CARDS:
            return 400, _missing(token)
        brand, last4, _ = CARDS[token]
        return 200, _method(token, brand, last4)

    def _create_intent(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = form.get("payment_method", "")
        kind = form.get("payment_method_types[0]", "card")
        intent: dict[str, Any] = {
            "id": f"pi_fake_{next(self._ids)}",
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "currency": form["currency"],
            "metadata": {
                k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")
            },
            "payment_method": token,
            "client_secret": None,
            "last_payment_error": None,
            "status": "succeeded",
        }
        intent["client_secret"] = f"{intent['id']}_secret_fake"
        self.stored[intent["id"]] = intent
        if kind == "paypal":
            intent["payment_method"] = {"id": token, "object": "payment_method", "type": "paypal"}
            intent["status"] = "requires_action"
            return 200, intent
        if token not in CARDS:
            return 400, _missing(token)
        brand, last4, outcome = CARDS[token]
        method = _method(token, brand, last4)
        intent["payment_method"] = method
        if outcome == "declined":
            intent["status"] = "requires_payment_method"
            error = _error("card_error", "Your card was declined.")
            error["error"] |= {
                "code": "card_declined",
                "decline_code": "generic_decline",
                "payment_intent": intent,
                "payment_method": method,
            }
            return 402, error
        intent["status"] = outcome
        return 200, intent


def _method(token: str, brand: str, last4: str) -> dict[str, Any]:
    return {
        "id": token,
        "object": "payment_method",
        "type": "card",
        "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034},
    }


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


def _missing(token: str) -> dict[str, Any]:
    error = _error("invalid_request_error", f"No such PaymentMethod: '{token}'")
    error["error"] |= {"code": "resource_missing", "param": "payment_method"}
    return error


@contextmanager
def fake_stripe() -> Iterator[FakeStripe]:
    """The fake, serving on 127.0.0.1 on a free port until the block ends."""
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            seen = Seen(
                method=self.command,
                path=path,
                form=dict(parse_qsl(raw or query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            fake.requests.append(seen)
            status, body = fake.answer(seen)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", f"req_fake_{len(fake.requests)}")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
