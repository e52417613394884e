"""GraphiQL from the gateway itself: the page and its assets, no other origin involved.

The assets of a pinned GraphiQL release and of React are committed package data under
``graphiql_static/`` (``scripts/refresh-graphiql`` downloads them from the npm registry,
verifies their checksums and writes ``MANIFEST.json``), with a small script and stylesheet of
ours under ``graphiql_static/conex/``. ``/graphiql/{path}`` serves exactly those files; the
page itself is built here and served by the ``/graphql`` endpoint to a browser.

In prod a page load gets the staff sign-in page instead (:func:`sign_in_page`): a page load
cannot carry the header that the staff session cookie must come with, so the page is the
same for everyone and says nothing; its script (``conex/staff.js``) asks
``GET /staff/session`` whether the browser is signed in, or signs in with a staff token
(``gateway.http.staff_session``), and only then loads GraphiQL's files, whose list the page
carries. Until then no GraphiQL runs and no schema is fetched (introspection is refused in
prod to anyone but staff).

Asset URLs carry a digest of the file (``?v=…``) and vendor files a versioned folder, so a
browser may cache them for a year. The page's Content-Security-Policy allows scripts and
styles from 'self' only: the settings travel in a JSON data block, not an inline script;
styles also allow 'unsafe-inline' because GraphiQL's components (Radix dialogs) insert
``<style>`` elements at run time; fonts and icons are ``data:`` URLs inside GraphiQL's CSS.
``connect-src`` allows the page's own origin, and that origin over WebSocket, where
``conex/graphiql.js`` runs subscriptions with the vendored graphql-ws client (issue #15).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parent / "graphiql_static"
PREFIX = "/graphiql/"
DEFAULT_QUERY = STATIC / "conex" / "catalog.graphql"
OWN_SCRIPTS = ("conex/graphiql.js",)  # after the vendor scripts
OWN_STYLES = ("conex/graphiql.css",)  # after the vendor styles
SIGN_IN_SCRIPT = "conex/staff.js"  # the prod sign-in page's only script
STAFF_SESSION_URL = "/staff/session"

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
    ".md": "text/plain; charset=utf-8",  # graphql-ws's LICENSE.md
}
IMMUTABLE = "public, max-age=31536000, immutable"

# An origin's host[:port] as it may stand in a CSP source: nothing that ends a directive.
_NETLOC = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def content_security_policy(websocket_origin: str | None = None) -> str:
    """The page's policy; ``websocket_origin`` (``ws://host:port``, ``wss://host``) is the
    one other source ``connect-src`` allows: the page's own origin over WebSocket, where
    GraphiQL runs subscriptions (not every browser counts it as 'self')."""
    connect = f"connect-src 'self' {websocket_origin}" if websocket_origin else "connect-src 'self'"
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            connect,
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def websocket_origin(scheme: str, netloc: str) -> str | None:
    """``ws://netloc`` for an http origin, ``wss://netloc`` for https; None for anything that
    is not a plain host[:port] (a Host header cannot add sources to the policy)."""
    if scheme not in ("http", "https") or not _NETLOC.fullmatch(netloc):
        return None
    return f"{'wss' if scheme == 'https' else 'ws'}://{netloc}"


def page_websocket_origin(request: Request, *, public_url: str | None) -> str | None:
    """The WebSocket origin of the page's own origin: in prod that of ``CONEX_PUBLIC_URL``
    (the address browsers use, behind a load balancer that ends TLS too, and the one Origin
    the WebSocket endpoint accepts the staff cookie from); in dev (``public_url`` None) the
    request's own scheme and Host, as the browser sees them."""
    if public_url is not None:
        parts = urlsplit(public_url)
        return websocket_origin(parts.scheme, parts.netloc)
    return websocket_origin(request.url.scheme, request.url.netloc)


PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclasses.dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    digest: str  # first 16 hex digits of the sha256: the URL's ?v= and the ETag

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


@dataclasses.dataclass(frozen=True)
class Assets:
    files: dict[str, Asset]  # path under /graphiql/ → file
    scripts: tuple[str, ...]  # in page order
    styles: tuple[str, ...]

    def url(self, path: str) -> str:
        return f"{PREFIX}{path}?v={self.files[path].digest}"


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    return Asset(
        body=body,
        content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
        digest=hashlib.sha256(body).hexdigest()[:16],
    )


@functools.cache
def load_assets(static: Path = STATIC) -> Assets:
    """Read the manifest's files and ours once per process (about 1.5 MB)."""
    manifest: dict[str, Any] = json.loads((static / "MANIFEST.json").read_text())
    files: dict[str, Asset] = {}
    scripts: list[str] = []
    styles: list[str] = []
    for package in manifest["packages"]:
        for file in package["files"]:
            path = f"{package['directory']}/{file['path']}"
            files[path] = _asset(static / path)
            if file["role"] == "script":
                scripts.append(path)
            elif file["role"] == "style":
                styles.append(path)
    for path in (*OWN_SCRIPTS, *OWN_STYLES, SIGN_IN_SCRIPT):
        files[path] = _asset(static / path)
    return Assets(files=files, scripts=(*scripts, *OWN_SCRIPTS), styles=(*styles, *OWN_STYLES))


def _json_for_html(value: Any) -> str:
    # Inside <script type="application/json">: no "</script>" or "<!--" can end the block.
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _config(url: str, default_query: str | None) -> dict[str, Any]:
    return {
        "url": url,
        "defaultQuery": default_query
        if default_query is not None
        else DEFAULT_QUERY.read_text(encoding="utf-8"),
    }


def _page(*, head: str, body: str, config: dict[str, Any], scripts: list[str]) -> str:
    tags = "\n".join(f'    <script src="{html.escape(url)}"></script>' for url in scripts)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Conex GraphiQL</title>
    <link rel="icon" href="data:,">
{head}
  </head>
  <body>
{body}
    <script id="conex-graphiql-config" type="application/json">{_json_for_html(config)}</script>
{tags}
  </body>
</html>
"""


def _stylesheet(url: str) -> str:
    return f'    <link rel="stylesheet" href="{html.escape(url)}">'


def graphiql_page(*, url: str = "/graphql", default_query: str | None = None) -> str:
    """The HTML page: GraphiQL posting to ``url``, opening on ``default_query`` (Catalog)."""
    assets = load_assets()
    return _page(
        head="\n".join(_stylesheet(assets.url(p)) for p in assets.styles),
        body='    <div id="graphiql" class="graphiql-container">Loading…</div>',
        config=_config(url, default_query),
        scripts=[assets.url(p) for p in assets.scripts],
    )


SIGN_IN_BODY = """\
    <main id="conex-sign-in" class="conex-sign-in" hidden>
      <h1>Conex GraphiQL</h1>
      <p>Staff only. Sign in with a staff token; it is exchanged for a session cookie and
        not kept by the browser.</p>
      <form id="conex-sign-in-form" method="post" autocomplete="off">
        <label for="conex-token">Staff token</label>
        <input id="conex-token" name="token" type="password" placeholder="cnxs_…"
          spellcheck="false" required>
        <button id="conex-sign-in-button" type="submit">Sign in</button>
      </form>
      <p id="conex-sign-in-message" class="conex-message" role="alert"></p>
      <p class="conex-hint">No token? On the gateway's host:
        <code>conex-gateway token staff --name "your name"</code></p>
    </main>
    <header id="conex-staff-bar" class="conex-staff-bar" hidden>
      <span id="conex-staff-status"></span>
      <button id="conex-sign-out" type="button">Sign out</button>
    </header>
    <noscript>This page needs JavaScript.</noscript>
    <div id="graphiql" class="graphiql-container" hidden></div>"""


def sign_in_page(*, url: str = "/graphql", default_query: str | None = None) -> str:
    """Prod's page at ``/graphql``: the sign-in form; GraphiQL's files only listed, loaded by
    ``conex/staff.js`` once the browser has a staff session."""
    assets = load_assets()
    config = _config(url, default_query)
    config["staff"] = {
        "session": STAFF_SESSION_URL,
        "scripts": [assets.url(p) for p in assets.scripts],
        "styles": [assets.url(p) for p in assets.styles],
    }
    return _page(
        head=_stylesheet(assets.url(OWN_STYLES[0])),
        body=SIGN_IN_BODY,
        config=config,
        scripts=[assets.url(SIGN_IN_SCRIPT)],
    )


def graphiql_response(
    *,
    sign_in: bool = False,
    websocket: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page (``sign_in``: prod's sign-in page) with its Content-Security-Policy, which
    lets it open WebSockets to ``websocket`` (:func:`page_websocket_origin`) and nowhere
    else; ``headers`` adds e.g. ``X-Request-Id``."""
    text = sign_in_page() if sign_in else graphiql_page()
    policy = {"Content-Security-Policy": content_security_policy(websocket)}
    return HTMLResponse(text, headers={**policy, **PAGE_HEADERS, **(headers or {})})


async def graphiql_asset(request: Request) -> Response:
    asset = load_assets().files.get(request.path_params["path"])
    if asset is None:
        return PlainTextResponse("Not found.", status_code=404)
    headers = {
        "Cache-Control": IMMUTABLE,
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
    }
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.content_type, headers=headers)


def asset_route() -> Route:
    return Route(PREFIX + "{path:path}", graphiql_asset, methods=["GET"])
