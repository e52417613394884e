"""GraphiQL in prod, in a real browser (issue #13): headless Chromium on a prod gateway with
the demo data, every request to anywhere else blocked.

An anonymous page load gets the sign-in form, not GraphiQL, and cannot introspect the schema.
Staff sign in with a token made by ``conex-gateway token staff``: the browser keeps an
HttpOnly, Secure, SameSite=Strict cookie (never the token), GraphiQL loads and runs a query,
its docs explorer (built from introspection) finds a type; signing out, or revoking the token
with ``conex-gateway token revoke``, ends the session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.browser.conftest import Gateway
from tests.browser.test_graphiql import RESULT_TEXT, TIMEOUT_MS, Watched, screenshot

COOKIE = "__Host-conex-staff"
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
# What the page's own script sends: the header the staff cookie needs.
FETCH_INTROSPECTION = """async () => {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-Conex-Staff-Session": "1"},
    body: JSON.stringify({query: "{ __schema { queryType { name } } }"}),
  });
  return {status: response.status, body: await response.json()};
}"""


def staff_token(gateway: Gateway, name: str) -> tuple[int, str]:
    printed = gateway.cli("token", "staff", "--name", name)
    token = re.search(r"\bcnxs_\S+", printed)
    token_id = re.search(r"Staff token (\d+)", printed)
    assert token is not None and token_id is not None, printed
    return int(token_id.group(1)), token.group()


def refused_codes(answer: dict[str, Any]) -> set[str]:
    return {error["extensions"]["code"] for error in answer["body"].get("errors", [])}


def sign_in(page: Any, token: str) -> None:
    page.locator("#conex-token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def test_anonymous_visitors_get_neither_graphiql_nor_the_schema(
    chromium: Any, prod_gateway: Gateway, tmp_path: Path
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, prod_gateway.url)
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    try:
        response = page.goto(f"{prod_gateway.url}/graphql")
        assert response is not None and response.status == 200
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        page.locator("#conex-token").wait_for()
        assert page.locator(".graphiql-query-editor").count() == 0
        introspection = page.evaluate(FETCH_INTROSPECTION)

        sign_in(page, "cnxs_not_a_token")
        message = page.locator("#conex-sign-in-message")
        message.get_by_text("Not a live staff token").wait_for()
        screenshot(page, tmp_path, "staff-sign-in-refused")
        assert page.locator(".graphiql-query-editor").count() == 0
        assert context.cookies() == []
    finally:
        context.close()
    assert refused_codes(introspection) == {"GRAPHQL_VALIDATION_FAILED"}, introspection
    assert "data" not in introspection["body"] or not introspection["body"]["data"]
    assert not [url for url in loaded if "graphiql.min.js" in url], "GraphiQL was loaded"
    assert watched.foreign == []
    # The refused sign-in is the one console error: its 401.
    assert [p for p in watched.problems if "401" not in p] == []


def test_staff_sign_in_run_a_query_search_the_docs_and_sign_out(
    chromium: Any, prod_gateway: Gateway, tmp_path: Path
) -> None:
    _, token = staff_token(prod_gateway, "browser staff")
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, prod_gateway.url)
    try:
        page.goto(f"{prod_gateway.url}/graphql")
        sign_in(page, token)
        page.locator("#conex-staff-status").get_by_text("browser staff").wait_for()
        page.locator(QUERY_EDITOR).wait_for()
        (cookie,) = context.cookies()
        assert cookie["name"] == COOKIE and cookie["value"] != token
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
        assert cookie["path"] == "/"
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads it
        stored = page.evaluate(
            "JSON.stringify([Object.assign({}, localStorage), Object.assign({}, sessionStorage)])"
        )
        assert token not in stored

        # The Catalog query, as in dev.
        page.locator(".graphiql-execute-button").click()
        page.locator(".graphiql-response").locator("text=Conex Books Server").wait_for()
        answer = json.loads(page.evaluate(RESULT_TEXT))
        assert "errors" not in answer, answer
        screenshot(page, tmp_path, "staff-graphiql-catalog")

        # Introspection-backed: the docs explorer searches the schema.
        page.get_by_role("button", name="Show Documentation Explorer").click()
        search = page.locator('[data-cy="doc-explorer-input"]')
        search.fill("Quote")
        results = page.locator('[data-cy="doc-explorer-list"]')
        results.locator(
            ".graphiql-doc-explorer-search-type", has_text=re.compile("^Quote$")
        ).click()
        page.locator(".graphiql-doc-explorer-title", has_text=re.compile("^Quote$")).wait_for()
        screenshot(page, tmp_path, "staff-graphiql-docs-quote")

        # A staff-only answer, on a page opened again: the session outlives a reload.
        query = "{ accounts(first: 1) { totalCount } }"
        page.goto(f"{prod_gateway.url}/graphql?{urlencode({'q': query})}")
        page.locator(".graphiql-execute-button").click()
        page.wait_for_function(f'() => /"totalCount": [1-9]/.test({RESULT_TEXT})')
        staff = json.loads(page.evaluate(RESULT_TEXT))

        page.get_by_role("button", name="Sign out").click()
        page.locator("#conex-token").wait_for()
        assert page.locator(".graphiql-query-editor").count() == 0
        assert context.cookies() == []
        after = page.evaluate(FETCH_INTROSPECTION)
    finally:
        context.close()
    assert staff["data"]["accounts"]["totalCount"] >= 10, staff
    assert refused_codes(after) == {"GRAPHQL_VALIDATION_FAILED"}, after
    assert watched.foreign == [] and watched.problems == []


def test_revoking_the_token_ends_the_browser_session(
    chromium: Any, prod_gateway: Gateway, tmp_path: Path
) -> None:
    token_id, token = staff_token(prod_gateway, "revoked in the test")
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, prod_gateway.url)
    try:
        page.goto(f"{prod_gateway.url}/graphql")
        sign_in(page, token)
        page.locator(QUERY_EDITOR).wait_for()

        prod_gateway.cli("token", "revoke", "--id", str(token_id))
        page.locator(".graphiql-execute-button").click()
        status = page.locator("#conex-staff-status")
        status.get_by_text("Your staff session has ended").wait_for()
        answer = json.loads(page.evaluate(RESULT_TEXT))
        screenshot(page, tmp_path, "staff-session-ended")
        cookies = context.cookies()  # the refusal cleared the cookie
        page.reload()
        page.locator("#conex-token").wait_for()
    finally:
        context.close()
    assert answer["errors"][0]["extensions"]["code"] == "STAFF_SESSION_ENDED", answer
    assert cookies == []
    assert watched.foreign == []
    assert [p for p in watched.problems if "401" not in p] == []
