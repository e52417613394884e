"""Quote and invoice PDFs (R-QUOTE-8), behind signed, expiring links.

``pdfUrl`` is resolved only on a quote or order the caller can see, and is a link to
``GET /documents/{quote|invoice}/{id}?expires=…&sig=…``: an HMAC-SHA256 (the app's secret
key) of kind, id and expiry, valid for 15 minutes. A link with a bad signature or past its
expiry is refused; a valid one renders the PDF (``gateway.integrations.pdf``) on a worker
thread, so that the event loop goes on serving while it is laid out. The links are made
and signed by ``gateway.security.document_links``.
"""

from __future__ import annotations

import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.queries.documents import document_data
from gateway.integrations.pdf import render_pdf
from gateway.security.document_links import KINDS, signature
from gateway.services import services_of


def _refusal(status: int, code: str, message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def document_endpoint(request: Request) -> Response:
    services = services_of(request)
    kind = request.path_params["kind"]
    pk_text = request.path_params["pk"]
    expires_text = request.query_params.get("expires", "")
    given = request.query_params.get("sig", "")
    if kind not in KINDS or not pk_text.isdigit() or not expires_text.isdigit():
        return _refusal(404, "NOT_FOUND", "No such document.")
    pk, expires = int(pk_text), int(expires_text)
    expected = signature(services.settings.signing_key(), kind, pk, expires)
    if not hmac.compare_digest(expected, given):
        return _refusal(403, "INVALID_SIGNATURE", "This link is not valid.")
    if services.clock().timestamp() > expires:
        return _refusal(403, "LINK_EXPIRED", "This link has expired; ask for a new one.")
    async with services.engine.connect() as conn:
        data = await document_data(conn, kind=kind, pk=pk)
    if data is None:
        return _refusal(404, "NOT_FOUND", "No such document.")
    number = data.order.invoice_number if data.order is not None else data.quote.number
    return Response(
        await run_in_threadpool(render_pdf, data),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
