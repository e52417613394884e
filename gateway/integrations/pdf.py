"""Quote and invoice PDFs (R-QUOTE-8), rendered with fpdf2."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fpdf import FPDF

from db.queries.documents import DocumentData


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
