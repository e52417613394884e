"""GraphiQL in a real browser, offline: headless Chromium opens /graphql of a dev gateway
with the demo data, every request to anywhere but the gateway is blocked (and none may be
attempted), the editor opens on the Catalog query, a click on ▶ runs it and the answer shows
in the result pane (issue #13)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.browser.conftest import Gateway

# Where the screenshots go (e.g. to look at them after CI); pytest's tmp_path otherwise.
SCREENSHOTS = os.environ.get("CONEX_TEST_SCREENSHOT_DIR")
TIMEOUT_MS = 30_000
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT_TEXT = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"


class Watched:
    """The page's requests outside the gateway, its errors and CSP violations."""

    def __init__(self, page: Any, origin: str) -> None:
        self.foreign: list[str] = []
        self.problems: list[str] = []
        self.origin = origin

        def route(route: Any) -> None:
            url = route.request.url
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" == origin:
                route.continue_()
            else:
                self.foreign.append(url)
                route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._console)
        page.on("requestfailed", self._failed)

    def _console(self, message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request: Any) -> None:
        if request.url.startswith(self.origin):
            self.problems.append(f"request failed: {request.url} {request.failure}")


def screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def test_graphiql_runs_the_catalog_query_offline(
    chromium: Any, dev_gateway: Gateway, tmp_path: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, dev_gateway.url)
    try:
        response = page.goto(f"{dev_gateway.url}/graphql")
        assert response is not None and response.status == 200
        assert response.headers["content-security-policy"].startswith("default-src 'none'")

        editor = page.locator(".graphiql-query-editor .CodeMirror")
        editor.wait_for()
        assert "query Catalog {" in page.locator(".graphiql-query-editor").inner_text()
        assert "Bearer <staff token>" in page.locator(".graphiql-query-editor").inner_text()

        page.locator(".graphiql-execute-button").click()
        result = page.locator(".graphiql-response")
        result.locator("text=Conex Books Server").wait_for()
        # CodeMirror draws only the visible lines: the whole answer is read from its model.
        answer = json.loads(page.evaluate(RESULT_TEXT))
        assert "errors" not in answer, answer
        names = [product["name"] for product in answer["data"]["products"]]
        assert "Conex Books Server" in names
        assert answer["data"]["supportPlans"]
        screenshot(page, tmp_path, "graphiql-catalog")

        # A token typed into the Headers tab is not kept in the browser's storage.
        page.get_by_role("button", name="Headers").click()
        page.locator(HEADERS_EDITOR).click()
        page.keyboard.type('{"Authorization": "Bearer cnxs_typed_in_the_browser"}')
        typed = page.evaluate(f"document.querySelector('{HEADERS_EDITOR}').CodeMirror.getValue()")
        assert "cnxs_typed_in_the_browser" in typed
        page.wait_for_timeout(1_000)  # GraphiQL stores its tabs after a 500 ms debounce
        screenshot(page, tmp_path, "graphiql-headers")
        stored = page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
        assert "graphiql:tabState" in stored
        assert "cnxs_typed_in_the_browser" not in stored
    finally:
        context.close()
    assert watched.foreign == [], "requests to other origins were attempted"
    assert watched.problems == []


def test_ctrl_enter_runs_a_query_shared_by_its_url(chromium: Any, dev_gateway: Gateway) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, dev_gateway.url)
    try:
        page.goto(f"{dev_gateway.url}/graphql?{urlencode({'q': '{ products { name } }'})}")
        page.locator(".graphiql-query-editor .CodeMirror").click()
        page.keyboard.press("Control+Enter")
        page.locator(".graphiql-response").locator("text=Conex Books Cloud").wait_for()
    finally:
        context.close()
    assert watched.foreign == [] and watched.problems == []


def test_a_staff_token_in_the_headers_tab_is_sent(chromium: Any, dev_gateway: Gateway) -> None:
    printed = dev_gateway.cli("token", "staff", "--name", "browser test")
    found = re.search(r"\bcnxs_\S+", printed)
    assert found is not None, printed
    token = found.group()
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watched = Watched(page, dev_gateway.url)
    try:
        # accounts: staff see every account, anyone else none (totalCount 0).
        query = "{ accounts(first: 1) { totalCount } }"
        page.goto(f"{dev_gateway.url}/graphql?{urlencode({'q': query})}")
        page.locator(".graphiql-execute-button").click()
        page.locator(".graphiql-response").locator("text=totalCount").wait_for()
        anonymous = json.loads(page.evaluate(RESULT_TEXT))
        page.get_by_role("button", name="Headers").click()
        page.locator(HEADERS_EDITOR).click()
        page.keyboard.type(json.dumps({"Authorization": f"Bearer {token}"}))
        page.locator(".graphiql-execute-button").click()
        # GraphiQL empties the pane while it fetches: wait for the new, non-zero answer.
        page.wait_for_function(f'() => /"totalCount": [1-9]/.test({RESULT_TEXT})')
        staff = json.loads(page.evaluate(RESULT_TEXT))
    finally:
        context.close()
    assert anonymous["data"] == {"accounts": {"totalCount": 0}}, anonymous
    assert "errors" not in staff, staff
    assert staff["data"]["accounts"]["totalCount"] >= 10
    assert watched.foreign == [] and watched.problems == []
