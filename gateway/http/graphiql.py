"""GraphiQL from the gateway itself: the page and its assets, no other origin involved.

The assets of a pinned GraphiQL release and of React are committed package data under
``graphiql_static/`` (``scripts/refresh-graphiql`` downloads them from the npm registry,
verifies their checksums and writes ``MANIFEST.json``), with a small script and stylesheet of
ours under ``graphiql_static/conex/``. ``/graphiql/{path}`` serves exactly those files; the
page itself is built here and served by the ``/graphql`` endpoint to a browser (whoever may
see it there: in prod, staff only).

Asset URLs carry a digest of the file (``?v=…``) and vendor files a versioned folder, so a
browser may cache them for a year. The page's Content-Security-Policy allows scripts and
styles from 'self' only: the settings travel in a JSON data block, not an inline script;
styles also allow 'unsafe-inline' because GraphiQL's components (Radix dialogs) insert
``<style>`` elements at run time; fonts and icons are ``data:`` URLs inside GraphiQL's CSS.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parent / "graphiql_static"
PREFIX = "/graphiql/"
DEFAULT_QUERY = STATIC / "conex" / "catalog.graphql"
OWN_SCRIPTS = ("conex/graphiql.js",)  # after the vendor scripts
OWN_STYLES = ("conex/graphiql.css",)  # after the vendor styles

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}
IMMUTABLE = "public, max-age=31536000, immutable"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
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
    for path in (*OWN_SCRIPTS, *OWN_STYLES):
        files[path] = _asset(static / path)
    return Assets(files=files, scripts=(*scripts, *OWN_SCRIPTS), styles=(*styles, *OWN_STYLES))


def _json_for_html(value: Any) -> str:
    # Inside <script type="application/json">: no "</script>" or "<!--" can end the block.
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def graphiql_page(*, url: str = "/graphql", default_query: str | None = None) -> str:
    """The HTML page: GraphiQL posting to ``url``, opening on ``default_query`` (Catalog)."""
    assets = load_assets()
    config = {
        "url": url,
        "defaultQuery": default_query
        if default_query is not None
        else DEFAULT_QUERY.read_text(encoding="utf-8"),
    }
    styles = "\n".join(
        f'    <link rel="stylesheet" href="{html.escape(assets.url(p))}">' for p in assets.styles
    )
    scripts = "\n".join(
        f'    <script src="{html.escape(assets.url(p))}"></script>' for p in assets.scripts
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Conex GraphiQL</title>
    <link rel="icon" href="data:,">
{styles}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading…</div>
    <script id="conex-graphiql-config" type="application/json">{_json_for_html(config)}</script>
{scripts}
  </body>
</html>
"""


def graphiql_response(*, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The page with its Content-Security-Policy; ``headers`` adds e.g. ``X-Request-Id``."""
    return HTMLResponse(graphiql_page(), headers={**PAGE_HEADERS, **(headers or {})})


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
