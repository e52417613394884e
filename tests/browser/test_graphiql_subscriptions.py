"""GraphiQL runs a subscription in a real browser (issue #15): headless Chromium on a served
gateway with the demo data, every request to another origin blocked (and none attempted).

In prod, staff sign in (the session cookie, never the token, is in the browser), run
``subscription { quoteChanged { kind quote { id number } } }``; the page opens one
graphql-transport-ws connection to its own origin, authenticated by the cookie its handshake
carries (``connection_init`` has no token); a customer then changes one of her quotes over
HTTP, and the change appears in GraphiQL's result pane. A WebSocket to any other origin is
refused by the page's Content-Security-Policy. In dev, the staff token typed in the Headers
tab goes in ``connection_init``'s payload as ``Authorization``; without it the gateway
refuses the connection and the pane says so.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from gateway.demo_data import DEMO_PASSWORD
from tests.browser.conftest import Gateway
from tests.browser.test_graphiql import (
    HEADERS_EDITOR,
    RESULT_TEXT,
    TIMEOUT_MS,
    Watched,
    screenshot,
)
from tests.browser.test_staff_sign_in import QUERY_EDITOR, sign_in, staff_token

SUBSCRIPTION = "subscription { quoteChanged { kind quote { id number } } }"
CUSTOMER = "alice@example.com"
OPEN_QUOTES = """{ viewer { account {
  quotes(first: 10, filter: { status: OPEN }) { edges { node { id number version } } }
} } }"""
SET_PO = """mutation SetQuotePoNumber($id: ID!, $poNumber: String, $expectedVersion: Int!) {
  quoteSetPoNumber(id: $id, poNumber: $poNumber, expectedVersion: $expectedVersion) {
    quote { id poNumber version }
    userErrors { field code message }
  }
}"""
# A WebSocket to another origin (another loopback address), from the page: the violation.
FOREIGN_WEBSOCKET = """(url) => new Promise((resolve) => {
  document.addEventListener("securitypolicyviolation", (event) => resolve({
    blockedURI: event.blockedURI, directive: event.effectiveDirective}), {once: true});
  try { new WebSocket(url); } catch (error) { resolve({thrown: String(error)}); }
  setTimeout(() => resolve({opened: true}), 5000);
})"""


def graphql(gateway: Gateway, query: str, variables: Any = None, token: str = "") -> Any:
    """A customer's request over HTTP, outside the browser, as the web UI would send it."""
    request = urllib.request.Request(
        f"{gateway.url}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def customer_changes_a_quote(gateway: Gateway, po_number: str) -> dict[str, Any]:
    """Alice logs in and sets the PO number of one of her open quotes: that quote."""
    logged_in = graphql(
        gateway,
        "mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) "
        "{ accessToken userErrors { code } } }",
        {"e": CUSTOMER, "p": DEMO_PASSWORD},
    )
    token = logged_in["data"]["logIn"]["accessToken"]
    assert token, logged_in
    quotes = graphql(gateway, OPEN_QUOTES, token=token)
    edges = quotes["data"]["viewer"]["account"]["quotes"]["edges"]
    for quote in (edge["node"] for edge in edges):
        variables = {"id": quote["id"], "poNumber": po_number, "expectedVersion": quote["version"]}
        answer = graphql(gateway, SET_PO, variables, token)["data"]["quoteSetPoNumber"]
        if not answer["userErrors"]:  # e.g. a payment under way blocks a quote (R-PAY-4)
            changed: dict[str, Any] = quote
            return changed
    raise AssertionError(f"{CUSTOMER} has no open quote she may change: {quotes}")


class Sockets:
    """The page's WebSockets and the graphql-transport-ws messages on them."""

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.closed: list[str] = []
        page.on("websocket", self._opened)

    def _opened(self, socket: Any) -> None:
        self.urls.append(socket.url)
        socket.on("framesent", lambda payload: self.sent.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: self.received.append(json.loads(payload)))
        socket.on("close", lambda _: self.closed.append(socket.url))

    def of_type(self, messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
        return [m for m in messages if m.get("type") == kind]

    def wait(self, page: Any, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: sent {self.sent}, received {self.received}")
            page.wait_for_timeout(100)  # Playwright delivers the events while it waits

    def subscribed(self, page: Any) -> None:
        """Acknowledged and subscribed: the server now hears every committed change."""
        self.wait(
            page,
            lambda: (
                bool(self.of_type(self.received, "connection_ack"))
                and bool(self.of_type(self.sent, "subscribe"))
            ),
            "no subscription",
        )
        page.wait_for_timeout(500)  # the subscribe reaches the server's broker


def run_subscription(page: Any, sockets: Sockets) -> None:
    page.locator(QUERY_EDITOR).wait_for()
    page.locator(".graphiql-execute-button").click()
    sockets.subscribed(page)


def result_matches(text: str) -> str:
    """A page function: the result pane holds ``text`` (GraphiQL empties it while it waits)."""
    test = f"{RESULT_TEXT}.includes({json.dumps(text)})"
    return f"() => {{ try {{ return {test}; }} catch (e) {{ return false; }} }}"


def the_change_appears(page: Any, quote: dict[str, Any]) -> dict[str, Any]:
    page.wait_for_function(result_matches(quote["id"]))
    answer: dict[str, Any] = json.loads(page.evaluate(RESULT_TEXT))
    return answer


def test_r_live_1_staff_run_a_subscription_in_prod_graphiql_and_see_a_customers_change(
    chromium: Any, prod_gateway: Gateway, tmp_path: Path
) -> None:
    _, token = staff_token(prod_gateway, "subscribing staff")
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, prod_gateway.url)
    sockets = Sockets(page)
    try:
        response = page.goto(f"{prod_gateway.url}/graphql?{urlencode({'q': SUBSCRIPTION})}")
        assert response is not None
        policy = response.headers["content-security-policy"]
        sign_in(page, token)
        run_subscription(page, sockets)
        quote = customer_changes_a_quote(prod_gateway, "PO-BROWSER-1")
        answer = the_change_appears(page, quote)
        screenshot(page, tmp_path, "staff-graphiql-subscription")

        foreign_url = prod_gateway.url.replace("127.0.0.1", "127.0.0.2") + "/graphql"
        foreign = page.evaluate(FOREIGN_WEBSOCKET, foreign_url)
        stored = page.evaluate(
            "JSON.stringify([Object.assign({}, localStorage), Object.assign({}, sessionStorage)])"
        )
    finally:
        context.close()
    own = prod_gateway.url.replace("http://", "ws://")
    assert f"connect-src 'self' {own};" in policy, policy
    assert answer == {
        "data": {
            "quoteChanged": {
                "kind": "UPDATED",
                "quote": {"id": quote["id"], "number": quote["number"]},
            }
        }
    }, answer
    # One connection, to the page's own origin; the cookie authenticated it, no token did.
    assert sockets.urls == [f"{own}/graphql"], sockets.urls
    (init,) = sockets.of_type(sockets.sent, "connection_init")
    assert init.get("payload", {}) == {}, init
    (subscribe,) = sockets.of_type(sockets.sent, "subscribe")
    assert subscribe["payload"]["query"] == SUBSCRIPTION
    assert token not in stored
    # The page may not open a WebSocket anywhere else.
    assert "opened" not in foreign, foreign
    assert foreign.get("directive", "connect-src") == "connect-src", foreign
    assert watched.foreign == []
    assert [p for p in watched.problems if "127.0.0.2" not in p] == [], watched.problems


def test_r_live_1_dev_graphiql_sends_the_typed_token_in_connection_init(
    chromium: Any, dev_gateway: Gateway, tmp_path: Path
) -> None:
    printed = dev_gateway.cli("token", "staff", "--name", "dev subscriber")
    token = next(word for word in printed.split() if word.startswith("cnxs_"))
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, dev_gateway.url)
    sockets = Sockets(page)
    try:
        page.goto(f"{dev_gateway.url}/graphql?{urlencode({'q': SUBSCRIPTION})}")
        page.locator(QUERY_EDITOR).wait_for()
        # Without a credential the gateway refuses the connection: the pane says so.
        page.locator(".graphiql-execute-button").click()
        page.wait_for_function(result_matches("4403"))
        refused = page.evaluate(RESULT_TEXT)

        page.get_by_role("button", name="Headers").click()
        page.locator(HEADERS_EDITOR).click()
        page.keyboard.type(json.dumps({"Authorization": f"Bearer {token}"}))
        run_subscription(page, sockets)
        quote = customer_changes_a_quote(dev_gateway, "PO-BROWSER-2")
        answer = the_change_appears(page, quote)
        screenshot(page, tmp_path, "dev-graphiql-subscription")
    finally:
        context.close()
    assert "Socket closed with event 4403" in refused, refused
    assert '"stack"' not in refused  # the close code and reason, not the page's stack
    assert answer["data"]["quoteChanged"] == {
        "kind": "UPDATED",
        "quote": {"id": quote["id"], "number": quote["number"]},
    }, answer
    own = dev_gateway.url.replace("http://", "ws://") + "/graphql"
    assert set(sockets.urls) == {own}, sockets.urls
    first, second = sockets.of_type(sockets.sent, "connection_init")
    assert first.get("payload", {}) == {}
    assert second["payload"] == {"Authorization": f"Bearer {token}"}
    assert watched.foreign == []
    # The one page error: the closing error, which GraphiQL's fetcher also leaves unhandled
    # ("Uncaught (in promise)") after showing it.
    assert [p for p in watched.problems if "4403" not in p] == [], watched.problems


def test_r_live_1_revoking_the_token_ends_the_pages_subscription(
    chromium: Any, prod_gateway: Gateway, tmp_path: Path
) -> None:
    token_id, token = staff_token(prod_gateway, "revoked while subscribed")
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, prod_gateway.url)
    sockets = Sockets(page)
    try:
        page.goto(f"{prod_gateway.url}/graphql?{urlencode({'q': SUBSCRIPTION})}")
        sign_in(page, token)
        run_subscription(page, sockets)
        prod_gateway.cli("token", "revoke", "--id", str(token_id))
        # The next change finds the credential gone: nothing is delivered, the socket closes.
        quote = customer_changes_a_quote(prod_gateway, "PO-BROWSER-3")
        status = page.locator("#conex-staff-status")
        status.get_by_text("Your staff session has ended").wait_for()
        page.wait_for_function(result_matches("4403"))
        shown = page.evaluate(RESULT_TEXT)
        screenshot(page, tmp_path, "staff-subscription-ended")
    finally:
        context.close()
    assert quote["id"] not in shown, shown
    assert json.loads(shown)["errors"][0]["message"].startswith("Socket closed with event 4403")
    assert not sockets.of_type(sockets.received, "next"), sockets.received
    assert sockets.closed == [f"{prod_gateway.url.replace('http://', 'ws://')}/graphql"]
    assert watched.foreign == []
    assert [p for p in watched.problems if "4403" not in p] == [], watched.problems  # as above
