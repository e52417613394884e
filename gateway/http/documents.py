"""Quote and invoice PDFs (R-QUOTE-8), behind signed, expiring links.

``pdfUrl`` is resolved only on a quote or order the caller can see, and is a link to
``GET /documents/{quote|invoice}/{id}?expires=…&sig=…``: an HMAC-SHA256 (the app's secret
key) of kind, id and expiry, valid for 15 minutes. A link with a bad signature or past its
expiry is refused; a valid one renders the PDF (``gateway.integrations.pdf``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.queries.documents import document_data
from gateway.integrations.pdf import render_pdf
from gateway.services import services_of

if TYPE_CHECKING:
    from gateway.context import Context

LINK_LIFETIME = dt.timedelta(minutes=15)
KINDS = ("quote", "invoice")


def _signature(key: str, kind: str, pk: int, expires: int) -> str:
    message = f"{kind}:{pk}:{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def document_url(context: Context, kind: str, pk: int) -> str:
    expires = int((context.now + LINK_LIFETIME).timestamp())
    signature = _signature(context.settings.signing_key(), kind, pk, expires)
    query = urlencode({"expires": expires, "sig": signature})
    return f"{context.settings.public_url.rstrip('/')}/documents/{kind}/{pk}?{query}"


def _refusal(status: int, code: str, message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def document_endpoint(request: Request) -> Response:
    services = services_of(request)
    kind = request.path_params["kind"]
    pk_text = request.path_params["pk"]
    expires_text = request.query_params.get("expires", "")
    signature = request.query_params.get("sig", "")
    if kind not in KINDS or not pk_text.isdigit() or not expires_text.isdigit():
        return _refusal(404, "NOT_FOUND", "No such document.")
    pk, expires = int(pk_text), int(expires_text)
    expected = _signature(services.settings.signing_key(), kind, pk, expires)
    if not hmac.compare_digest(expected, signature):
        return _refusal(403, "INVALID_SIGNATURE", "This link is not valid.")
    if services.clock().timestamp() > expires:
        return _refusal(403, "LINK_EXPIRED", "This link has expired; ask for a new one.")
    async with services.engine.connect() as conn:
        data = await document_data(conn, kind=kind, pk=pk)
    if data is None:
        return _refusal(404, "NOT_FOUND", "No such document.")
    number = data.order.invoice_number if data.order is not None else data.quote.number
    return Response(
        render_pdf(data),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
