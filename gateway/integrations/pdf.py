"""Quote and invoice PDFs (R-QUOTE-8), rendered with fpdf2.

Names are printed as they are written, in any script the customers use: organisations in
Algeria are often named in Arabic, in Poland with Ł, ó, ń. The core PDF fonts cannot do that
(Latin-1 only), so the documents embed Noto Sans for Latin, Greek and Cyrillic, with Noto Sans
Arabic as its fallback (both SIL OFL 1.1, shipped in ``fonts/`` beside this module). Text
shaping (HarfBuzz, through ``uharfbuzz``) joins the Arabic letters and runs them right to left
by the Unicode bidirectional algorithm; fpdf2 embeds only the glyphs a document uses.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.fonts import TTFFont

from db.queries.documents import DocumentData

FONT_DIR = Path(__file__).with_name("fonts")
# family -> {style: file}; the first is the main font, the others its fallbacks in order.
FONTS: dict[str, dict[str, str]] = {
    "NotoSans": {"": "NotoSans-Regular.ttf", "B": "NotoSans-Bold.ttf"},
    "NotoSansArabic": {"": "NotoSansArabic-Regular.ttf", "B": "NotoSansArabic-Bold.ttf"},
}
MAIN_FONT = "NotoSans"
# Drawn for a character none of the fonts has (Chinese, Hebrew, emoji…): a visible mark where
# fpdf2 would leave the character out without a trace.
REPLACEMENT = "\ufffd"
# (heading, share of the width between the margins, alignment)
COLUMNS = (
    ("Item", 80, "LEFT"),
    ("Kind", 22, "LEFT"),
    ("Qty", 12, "RIGHT"),
    ("Unit price", 38, "RIGHT"),
    ("Total", 38, "RIGHT"),
)


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _date(value: dt.date | dt.datetime) -> str:
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


class _Document(FPDF):
    covered: frozenset[int] = frozenset()  # the code points the registered fonts can draw

    def normalize_text(self, text: str) -> str:
        return "".join(
            char if char == "\n" or ord(char) in self.covered else REPLACEMENT
            for char in super().normalize_text(text)
        )


def _new_document(title: str) -> FPDF:
    pdf = _Document(format="A4")
    pdf.set_title(title)
    pdf.set_author("Conex")
    for family, styles in FONTS.items():
        for style, file_name in styles.items():
            pdf.add_font(family, style, FONT_DIR / file_name)
    pdf.covered = frozenset(
        code for font in pdf.fonts.values() if isinstance(font, TTFFont) for code in font.cmap
    )
    pdf.set_fallback_fonts([family for family in FONTS if family != MAIN_FONT])
    # The documents are English: a paragraph runs left to right, an Arabic run in it right to
    # left (fpdf2 applies the Unicode bidirectional algorithm to each fragment).
    pdf.set_text_shaping(True, direction="ltr")
    return pdf


def _item_description(data: DocumentData, item: Any) -> str:
    name = f"{data.products.get(item.product_id, '?')} {str(item.tier).title()}"
    description = f"{name}, {item.deployment_entity}"
    starts, ends = item.maintenance_starts_on, item.maintenance_ends_on
    if starts is not None and ends is not None:
        # A renewal (or a line that buys maintenance) says which period it pays for.
        label = "Renewal period" if str(item.kind) == "RENEWAL" else "Maintenance"
        description += f"\n{label}: {_date(starts)} to {_date(ends)}"
    return description


def _header(pdf: FPDF, data: DocumentData) -> None:
    quote, order = data.quote, data.order

    def line(label: str, value: Any) -> None:
        pdf.cell(45, 6, label)
        # A long name or address wraps instead of running off the page.
        pdf.multi_cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")

    if order is not None:
        # An invoice states when it was paid; the quote's validity no longer matters.
        line("Order", order.number)
        line("Paid on", _date(order.paid_at))
        line("Payment", str(order.payment_method).replace("_", " ").title())
    line("Quote", quote.number)
    if order is None:
        line("Valid until", _date(quote.valid_until))
    po_number = order.po_number if order is not None else quote.po_number
    line("PO number", po_number or "-")  # R-QUOTE-4: a reference only
    line("Licensee", f"{data.organization.name} ({data.organization.country})")
    if data.organization.address:
        line("Address", data.organization.address)
    for sen, address in data.billing_addresses:  # R-ACC-8: as it was when paid
        label = "Billing address" if len(data.billing_addresses) == 1 else f"Billing ({sen})"
        line(label, address.as_address().printed())
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


def _lines_table(pdf: FPDF, data: DocumentData, currency: str) -> None:
    with pdf.table(
        col_widths=tuple(width for _, width, _ in COLUMNS),
        headings_style=FontFace(emphasis="BOLD"),
        text_align="LEFT",
        line_height=5,
        padding=1,
        width=pdf.epw,
    ) as table:
        heading = table.row()
        for title, _, align in COLUMNS:
            heading.cell(title, align=align)
        for item in data.lines:
            row = table.row()
            row.cell(_item_description(data, item))
            row.cell(str(item.kind).title())
            row.cell(str(item.quantity), align="RIGHT")
            row.cell(_money(item.unit_price, currency), align="RIGHT")
            row.cell(_money(item.total, currency), align="RIGHT")
            for discount in item.discounts or []:
                percent = f" {discount['percent']}%" if discount.get("percent") else ""
                kind = str(discount["kind"]).replace("_", " ").title()
                row = table.row()
                row.cell(f"  {kind} discount{percent}", colspan=len(COLUMNS) - 1)
                row.cell(f"-{_money(Decimal(discount['amount']), currency)}", align="RIGHT")


def render_pdf(data: DocumentData) -> bytes:
    return bytes(layout_pdf(data).output())


def layout_pdf(data: DocumentData) -> FPDF:
    """The document laid out, before output (the tests look at the glyphs it drew)."""
    quote, order = data.quote, data.order
    currency = str(quote.currency)
    pdf = _new_document(order.invoice_number if order is not None else quote.number)
    pdf.add_page()
    pdf.set_font(MAIN_FONT, "B", 16)
    title = f"Invoice {order.invoice_number}" if order is not None else f"Quote {quote.number}"
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN_FONT, size=10)
    _header(pdf, data)
    pdf.ln(4)
    pdf.set_font(MAIN_FONT, size=9)
    _lines_table(pdf, data, currency)
    pdf.ln(2)
    pdf.set_font(MAIN_FONT, size=10)
    for label, amount in (
        ("Subtotal", quote.subtotal),
        ("Discounts", -quote.discount_total),
        ("Tax", quote.tax),
        ("Total", order.total if order is not None else quote.total),
    ):
        pdf.cell(pdf.epw - 40, 6, label, align="R")
        pdf.cell(40, 6, _money(amount, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(MAIN_FONT, size=8)
    pdf.multi_cell(
        0,
        4,
        "Payment terms: Net 0. License keys are issued once payment is received in full; "
        "no refunds (evaluations are free). No VAT or GST is applied.",
    )
    return pdf
