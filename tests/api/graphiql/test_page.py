"""GraphiQL from the gateway: the page and every file it loads are ours, served from
/graphiql/ with the right types, caching and Content-Security-Policy (issue #13)."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from html.parser import HTMLParser

import httpx
from graphql import OperationDefinitionNode, parse, print_ast

from gateway.cli import build_parser
from gateway.http import graphiql
from tests.api.client import send
from tests.contract import document

HTML = {"Accept": "text/html"}


class References(HTMLParser):
    """Every URL the page names (src, href, …) and every <script>, with its type."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            if found.get(name) is not None:
                self.urls.append(found[name] or "")
        if tag == "script":
            self.scripts.append(found)


async def page(client: httpx.AsyncClient) -> tuple[httpx.Response, References]:
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200, response.text
    references = References()
    references.feed(response.text)
    return response, references


def local_assets(references: References) -> list[str]:
    return [url for url in references.urls if not url.startswith("data:")]


async def test_every_reference_of_the_page_is_local(client: httpx.AsyncClient) -> None:
    response, references = await page(client)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert not re.search(r"(https?:)?//", response.text.replace("data:,", "")), (
        "an absolute or protocol-relative URL in the page"
    )
    assets = local_assets(references)
    assert len(assets) == len(graphiql.load_assets().scripts) + len(graphiql.load_assets().styles)
    for url in assets:
        assert url.startswith("/graphiql/"), url
    for url in references.urls:
        assert url.startswith(("/graphiql/", "data:")), url


async def test_no_inline_script_runs_on_the_page(client: httpx.AsyncClient) -> None:
    _, references = await page(client)
    inline = [s for s in references.scripts if "src" not in s]
    assert inline == [{"id": "conex-graphiql-config", "type": "application/json"}]


async def test_the_page_loads_react_then_graphiql_graphql_ws_and_ours(
    client: httpx.AsyncClient,
) -> None:
    _, references = await page(client)
    scripts = [s["src"] or "" for s in references.scripts if "src" in s]
    assert [re.sub(r"\?v=[0-9a-f]{16}$", "", s) for s in scripts] == [
        "/graphiql/react-18.3.1/react.production.min.js",
        "/graphiql/react-dom-18.3.1/react-dom.production.min.js",
        "/graphiql/graphiql-3.9.0/graphiql.min.js",
        "/graphiql/graphql-ws-6.4.2/graphql-ws.min.js",
        "/graphiql/conex/graphiql.js",
    ]


async def test_assets_are_served_with_their_type_and_cached_for_good(
    client: httpx.AsyncClient,
) -> None:
    _, references = await page(client)
    for url in local_assets(references):
        response = await client.get(url)
        assert response.status_code == 200, url
        expected = "text/javascript" if ".js?" in url else "text/css"
        assert response.headers["content-type"] == f"{expected}; charset=utf-8", url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        # The ?v= of the URL is the file's digest: a changed file gets a new URL.
        digest = url.rsplit("?v=", 1)[1]
        assert hashlib.sha256(response.content).hexdigest().startswith(digest), url
        assert response.headers["etag"] == f'"{digest}"'
        again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


async def test_the_licenses_are_served_as_text(client: httpx.AsyncClient) -> None:
    for name in (
        "graphiql-3.9.0/LICENSE",
        "react-18.3.1/LICENSE",
        "react-dom-18.3.1/LICENSE",
        "graphql-ws-6.4.2/LICENSE.md",
    ):
        response = await client.get(f"/graphiql/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert "MIT License" in response.text


async def test_only_the_listed_files_are_served(client: httpx.AsyncClient) -> None:
    for path in (
        "/graphiql/",
        "/graphiql/MANIFEST.json",
        "/graphiql/conex/catalog.graphql",
        "/graphiql/nothing.js",
        "/graphiql/../graphiql.py",
        "/graphiql/%2e%2e/graphiql.py",
        "/graphiql/conex/../../graphiql.py",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_the_page_has_a_content_security_policy_without_other_origins(
    client: httpx.AsyncClient,
) -> None:
    response, _ = await page(client)
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response.headers["content-security-policy"].split("; ")
    }
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    # Its own origin, and that origin over WebSocket for subscriptions (issue #15).
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive, sources in policy.items():
        for source in sources:
            if directive == "connect-src" and source == "ws://testserver":
                continue
            assert source.startswith("'") or source == "data:", source
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "x-request-id" in response.headers


def config_of(text: str) -> dict[str, str]:
    match = re.search(
        r'<script id="conex-graphiql-config" type="application/json">(.*?)</script>', text
    )
    assert match is not None
    config: dict[str, str] = json.loads(match.group(1))
    return config


def catalog(text: str) -> str:
    (operation,) = [
        d
        for d in parse(text).definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == "Catalog"
    ]
    return print_ast(operation)


async def test_the_page_opens_on_the_contracts_catalog_query(client: httpx.AsyncClient) -> None:
    response, _ = await page(client)
    config = config_of(response.text)
    assert config["url"] == "/graphql"
    assert catalog(config["defaultQuery"]) == catalog(document("web"))


async def test_the_default_query_runs(client: httpx.AsyncClient) -> None:
    response, _ = await page(client)
    query = config_of(response.text)["defaultQuery"]
    answer = await send(client, query=query)
    assert "errors" not in answer, answer
    assert set(answer["data"]) == {"products", "supportPlans", "supportOfferings", "versionSupport"}


async def test_the_page_says_how_to_add_a_staff_token(client: httpx.AsyncClient) -> None:
    response, _ = await page(client)
    comment = config_of(response.text)["defaultQuery"]
    assert '{"Authorization": "Bearer <staff token>"}' in comment
    (line,) = [line for line in comment.splitlines() if "conex-gateway token" in line]
    # The command it quotes is one the CLI takes.
    arguments = shlex.split(line.lstrip("# "))[1:]
    parsed = build_parser().parse_args(arguments)
    assert parsed.handler.__name__ == "token_staff"


def test_the_settings_cannot_close_the_data_block() -> None:
    text = graphiql.graphiql_page(default_query="</script><script>alert(1)</script><!--")
    assert text.count("</script>") == 6  # the data block and the five scripts
    assert config_of(text)["defaultQuery"].startswith("</script><script>alert(1)")
