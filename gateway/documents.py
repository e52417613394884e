"""Quote and invoice PDFs (R-QUOTE-8), behind signed, expiring links.

``pdfUrl`` is resolved only on a quote or order the caller can see, and is a link to
``GET /documents/{quote|invoice}/{id}?expires=…&sig=…``: an HMAC-SHA256 (the app's secret
key) of kind, id and expiry, valid for 15 minutes. A link with a bad signature or past its
expiry is refused; a valid one renders a PDF with fpdf2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fpdf import FPDF
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.queries.documents import DocumentData, document_data

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
    state = request.app.state
    kind = request.path_params["kind"]
    pk_text = request.path_params["pk"]
    expires_text = request.query_params.get("expires", "")
    signature = request.query_params.get("sig", "")
    if kind not in KINDS or not pk_text.isdigit() or not expires_text.isdigit():
        return _refusal(404, "NOT_FOUND", "No such document.")
    pk, expires = int(pk_text), int(expires_text)
    expected = _signature(state.settings.signing_key(), kind, pk, expires)
    if not hmac.compare_digest(expected, signature):
        return _refusal(403, "INVALID_SIGNATURE", "This link is not valid.")
    if state.clock().timestamp() > expires:
        return _refusal(403, "LINK_EXPIRED", "This link has expired; ask for a new one.")
    async with state.engine.connect() as conn:
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


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _text(value: Any) -> str:
    # The core PDF fonts are Latin-1: anything else is replaced, never dropped silently.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def render_pdf(data: DocumentData) -> bytes:
    quote, order = data.quote, data.order
    currency = str(quote.currency)
    pdf = FPDF(format="A4")
    pdf.set_title(order.invoice_number if order is not None else quote.number)
    pdf.set_author("Conex")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    title = f"Invoice {order.invoice_number}" if order is not None else f"Quote {quote.number}"
    pdf.cell(0, 10, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)

    def line(label: str, value: Any) -> None:
        pdf.cell(45, 6, _text(label))
        pdf.cell(0, 6, _text(value), new_x="LMARGIN", new_y="NEXT")

    if order is not None:
        line("Order", order.number)
        line("Paid on", order.paid_at.date().isoformat())
        line("Payment", str(order.payment_method).replace("_", " ").title())
    line("Quote", quote.number)
    line("Valid until", quote.valid_until.isoformat())
    po_number = order.po_number if order is not None else quote.po_number
    line("PO number", po_number or "-")  # R-QUOTE-4: a reference only
    line("Licensee", f"{data.organization.name} ({data.organization.country})")
    if data.organization.address:
        line("Address", data.organization.address)
    if data.partner is not None:
        line("Reseller", data.partner.name)  # R-QUOTE-5
    billing_name = order.billing_name if order is not None else data.billing.name
    billing_email = order.billing_email if order is not None else data.billing.email
    technical_name = order.technical_name if order is not None else data.technical.name
    technical_email = order.technical_email if order is not None else data.technical.email
    line("Billing contact", f"{billing_name} <{billing_email}>")
    line("Technical contact", f"{technical_name} <{technical_email}>")
    for tax_id in data.tax_ids:  # R-PRICE-4: shown, never applied
        line(f"Tax id ({tax_id.kind})", tax_id.value)
    if quote.fx_rate is not None:  # R-CUR-3
        line("Exchange rate", f"1 EUR = {quote.fx_rate} DZD, margin {quote.fx_margin}")
    pdf.ln(4)

    pdf.set_font("helvetica", "B", 10)
    widths = (70, 25, 15, 40, 40)
    for width, heading in zip(widths, ("Item", "Kind", "Qty", "Unit price", "Total"), strict=True):
        pdf.cell(width, 7, heading, border=1)
    pdf.ln()
    pdf.set_font("helvetica", size=9)
    for item in data.lines:
        name = f"{data.products.get(item.product_id, '?')} {str(item.tier).title()}"
        description = f"{name}, {item.deployment_entity}"
        cells = (
            description[:45],
            str(item.kind).title(),
            str(item.quantity),
            _money(item.unit_price, currency),
            _money(item.total, currency),
        )
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 6, _text(value), border=1)
        pdf.ln()
        for discount in item.discounts or []:
            percent = f" {discount['percent']}%" if discount.get("percent") else ""
            label = f"  {str(discount['kind']).replace('_', ' ').title()} discount{percent}"
            pdf.cell(widths[0] + widths[1] + widths[2] + widths[3], 6, _text(label), border=1)
            amount = _money(Decimal(discount["amount"]), currency)
            pdf.cell(widths[4], 6, _text(f"-{amount}"), border=1)
            pdf.ln()
    pdf.ln(2)
    pdf.set_font("helvetica", size=10)
    for label, amount in (
        ("Subtotal", quote.subtotal),
        ("Discounts", -quote.discount_total),
        ("Tax", quote.tax),
        ("Total", order.total if order is not None else quote.total),
    ):
        pdf.cell(150, 6, label, align="R")
        pdf.cell(40, 6, _text(_money(amount, currency)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        "Payment terms: Net 0. License keys are issued once payment is received in full; "
        "no refunds (evaluations are free). No VAT or GST is applied.",
    )
    return bytes(pdf.output())
