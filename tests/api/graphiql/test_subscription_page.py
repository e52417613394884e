"""GraphiQL's page runs subscriptions (issue #15): it loads the vendored graphql-ws client
(fetched and sha512-checked by scripts/refresh-graphiql, with its licence), and its
Content-Security-Policy lets it open a WebSocket to its own origin and to no other: in dev
the origin the browser asked for, in prod ``CONEX_PUBLIC_URL``'s (the one Origin the
WebSocket endpoint takes the staff cookie from). The browser test is
``tests/browser/test_graphiql_subscriptions.py``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from gateway.app import create_app
from gateway.http import graphiql
from gateway.http.graphiql import page_websocket_origin, websocket_origin
from gateway.settings import Settings

HTML = {"Accept": "text/html"}
Prod = Callable[..., Any]


@pytest.fixture
async def prod(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Prod]:
    """``await prod(public_url=…)``: an httpx client on an app in prod settings."""
    clients: list[httpx.AsyncClient] = []

    async def make(**changes: Any) -> httpx.AsyncClient:
        app = create_app(settings.model_copy(update={"env": "prod", **changes}), engine=engine)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://testserver"
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def connect_sources(response: httpx.Response) -> list[str]:
    for directive in response.headers["content-security-policy"].split("; "):
        name, *sources = directive.split()
        if name == "connect-src":
            return sources
    raise AssertionError("no connect-src")


@pytest.mark.parametrize(
    ("scheme", "netloc", "expected"),
    [
        ("http", "127.0.0.1:8000", "ws://127.0.0.1:8000"),
        ("https", "gateway.conex.example", "wss://gateway.conex.example"),
        ("http", "localhost", "ws://localhost"),
        ("http", "[::1]:8300", "ws://[::1]:8300"),
        ("http", "evil; script-src *", None),
        ("http", "host 'unsafe-eval'", None),
        ("http", "a.example:80/x", None),
        ("http", "", None),
        ("ftp", "a.example", None),
    ],
)
def test_websocket_origin_is_the_pages_origin_or_nothing(
    scheme: str, netloc: str, expected: str | None
) -> None:
    assert websocket_origin(scheme, netloc) == expected


def test_prod_takes_the_public_urls_origin_whatever_the_host_header() -> None:
    scope = {
        "type": "http",
        "scheme": "http",
        "server": ("10.0.0.5", 8000),
        "path": "/graphql",
        "headers": [(b"host", b"10.0.0.5:8000")],
    }
    request = Request(scope)
    public = "https://api.conex.example/base/"
    assert page_websocket_origin(request, public_url=public) == "wss://api.conex.example"
    assert page_websocket_origin(request, public_url=None) == "ws://10.0.0.5:8000"


async def test_the_dev_page_may_open_a_websocket_to_its_own_origin_only(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers=HTML)
    assert connect_sources(page) == ["'self'", "ws://testserver"]
    other = await client.get("/graphql", headers={**HTML, "Host": "localhost:8300"})
    assert connect_sources(other) == ["'self'", "ws://localhost:8300"]
    # A Host header cannot widen the policy.
    forged = await client.get("/graphql", headers={**HTML, "Host": "x; connect-src *"})
    assert connect_sources(forged) == ["'self'"]
    assert "*" not in forged.headers["content-security-policy"]


async def test_the_dev_page_over_https_uses_wss(client: httpx.AsyncClient) -> None:
    page = await client.get("https://testserver/graphql", headers=HTML)
    assert connect_sources(page) == ["'self'", "wss://testserver"]


async def test_prod_pages_allow_the_public_urls_websocket_origin(prod: Prod) -> None:
    client = await prod(public_url="https://api.conex.example")
    sign_in = await client.get("/graphql", headers={**HTML, "Host": "10.0.0.5:8000"})
    assert 'id="conex-sign-in-form"' in sign_in.text
    assert connect_sources(sign_in) == ["'self'", "wss://api.conex.example"]


async def test_the_page_loads_the_graphql_ws_client_before_ours(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers=HTML)
    scripts = [line.strip() for line in page.text.splitlines() if "<script src=" in line]
    names = [line.split('"')[1].split("?")[0] for line in scripts]
    assert names.index("/graphiql/graphql-ws-6.4.2/graphql-ws.min.js") == len(names) - 2
    assert names[-1] == "/graphiql/conex/graphiql.js"
    client_js = await client.get("/graphiql/graphql-ws-6.4.2/graphql-ws.min.js")
    assert client_js.status_code == 200
    # The UMD build: it defines window.graphqlWs and speaks graphql-transport-ws.
    assert b".graphqlWs=" in client_js.content
    assert b'"graphql-transport-ws"' in client_js.content


async def test_the_prod_sign_in_page_lists_the_client_for_later(prod: Prod) -> None:
    client = await prod()
    page = await client.get("/graphql", headers=HTML)
    start = page.text.index('type="application/json">') + len('type="application/json">')
    config = json.loads(page.text[start : page.text.index("</script>", start)])
    listed = [url.split("?")[0] for url in config["staff"]["scripts"]]
    assert listed[-2:] == [
        "/graphiql/graphql-ws-6.4.2/graphql-ws.min.js",
        "/graphiql/conex/graphiql.js",
    ]
    assert "graphql-ws.min.js" not in page.text.split("<script id=")[0]  # not loaded yet


def test_graphql_ws_is_pinned_with_its_registry_integrity_and_licence() -> None:
    manifest = json.loads((graphiql.STATIC / "MANIFEST.json").read_text())
    (package,) = [p for p in manifest["packages"] if p["name"] == "graphql-ws"]
    assert package["version"] == "6.4.2" and package["license"] == "MIT"
    assert package["integrity"].startswith("sha512-")
    assert package["tarball"] == "https://registry.npmjs.org/graphql-ws/-/graphql-ws-6.4.2.tgz"
    roles = {file["path"]: (file["from"], file["role"]) for file in package["files"]}
    assert roles == {
        "graphql-ws.min.js": ("umd/graphql-ws.min.js", "script"),
        "LICENSE.md": ("LICENSE.md", "license"),
    }
    assert "MIT License" in (graphiql.STATIC / "graphql-ws-6.4.2" / "LICENSE.md").read_text()
