"""R-QUOTE-8: the quote and invoice PDFs print every name as written, in any script.

The PDFs are rendered from a DocumentData built here and read back with pypdf
(`tests.pdftext` says how Arabic is compared: NFKC, then reading order).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import uharfbuzz as hb
from fontTools.ttLib import TTFont
from fpdf.fonts import TTFFont

from db.queries.documents import DocumentData
from gateway.integrations.pdf import FONT_DIR, layout_pdf, render_pdf
from tests.pdftext import logical, pdf_text

ARABIC = "جامعة الجزائر"
POLISH = "Uniwersytet Łódzki, Wrocław, Gdańsk, Kraków"
ACCENTED = "Université Ünïversité"
LONG_ENTITY = (
    "Faculté des Sciences Économiques, Commerciales et des Sciences de Gestion, "
    "Bibliothèque centrale, Campus Bouzaréah"
)


def line(**values: Any) -> SimpleNamespace:
    defaults: dict[str, Any] = dict(
        kind="NEW",
        product_id=1,
        tier="PROFESSIONAL",
        deployment_entity="Central Library",
        quantity=1,
        maintenance_starts_on=None,
        maintenance_ends_on=None,
        unit_price=Decimal("4800.00"),
        total=Decimal("3840.00"),
        discounts=[{"kind": "PROMOTIONAL", "percent": "20", "amount": "960.00"}],
    )
    return SimpleNamespace(**{**defaults, **values})


def document(
    *, organization: str = "Library", lines: list[SimpleNamespace] | None = None, **extra: Any
) -> DocumentData:
    quote = SimpleNamespace(
        number="Q-000123",
        currency="DZD",
        valid_until=dt.date(2026, 12, 24),
        po_number="PO-4711",
        fx_rate=Decimal("146.35"),
        fx_margin=Decimal("0.03"),
        subtotal=Decimal("4800.00"),
        discount_total=Decimal("960.00"),
        tax=Decimal("0.00"),
        total=Decimal("3840.00"),
    )
    contact = SimpleNamespace(name="Amina Benali", email="amina@univ-alger.dz")
    values: dict[str, Any] = dict(
        quote=quote,
        order=None,
        organization=SimpleNamespace(name=organization, country="DZ", address=None),
        partner=SimpleNamespace(name="شركة الأطلس Atlas Solutions"),
        billing=contact,
        technical=contact,
        tax_ids=[SimpleNamespace(kind="NIF", value="000016001234567")],
        lines=lines if lines is not None else [line()],
        products={1: "Conex Books Server"},
    )
    return DocumentData(**{**values, **extra})


def test_r_quote_8_arabic_polish_and_accented_names_read_back() -> None:
    name = f"{ARABIC} {POLISH} {ACCENTED}"
    pdf = render_pdf(document(organization=name, lines=[line(deployment_entity=ARABIC)]))
    text = logical(pdf_text(pdf))
    assert "?" not in text
    assert f"{name} (DZ)" in text
    assert f"Conex Books Server Professional, {ARABIC}" in text
    assert "شركة الأطلس Atlas Solutions" in text


def test_r_quote_8_a_character_no_font_has_is_marked_not_dropped() -> None:
    text = pdf_text(render_pdf(document(organization="北京 Київ Ελλάδα 😀")))
    assert "\ufffd\ufffd Київ Ελλάδα \ufffd (DZ)" in text


def test_r_quote_8_arabic_runs_right_to_left() -> None:
    # Drawn in visual order: without the reading-order step the words come out reversed.
    visual = pdf_text(render_pdf(document(organization=ARABIC)))
    assert "الجزائر جامعة" in visual
    assert ARABIC in logical(visual)


def test_r_quote_8_arabic_letters_are_joined() -> None:
    # Joined letters are other glyphs than the isolated ones the font's cmap maps the
    # characters to: the PDF must draw the glyphs HarfBuzz chooses for the word.
    path = FONT_DIR / "NotoSansArabic-Regular.ttf"
    cmap = TTFont(path).getBestCmap()
    isolated = {TTFont(path).getGlyphID(cmap[ord(char)]) for char in ARABIC if char != " "}
    buffer = hb.Buffer()
    buffer.add_str(ARABIC.replace(" ", ""))
    buffer.guess_segment_properties()
    hb.shape(hb.Font(hb.Face(hb.Blob.from_file_path(path))), buffer)
    joined = {info.codepoint for info in buffer.glyph_infos}
    assert joined - isolated, "the font has no joining forms for these letters"

    pdf = layout_pdf(document(organization=ARABIC))
    pdf.output()
    font = cast(TTFFont, pdf.fonts["notosansarabic"])  # a TrueType font, never a core one
    drawn = {glyph.glyph_id for glyph, _ in font.subset.items() if glyph}
    assert joined <= drawn


def test_r_quote_8_long_item_name_wraps_in_full() -> None:
    pdf = render_pdf(document(lines=[line(deployment_entity=LONG_ENTITY)]))
    text = " ".join(pdf_text(pdf).split())  # the wrapped lines, joined again
    assert f"Conex Books Server Professional, {LONG_ENTITY}" in text


def test_r_quote_8_renewal_line_shows_its_period() -> None:
    renewal = line(
        kind="RENEWAL",
        maintenance_starts_on=dt.date(2027, 1, 15),
        maintenance_ends_on=dt.date(2029, 1, 14),
    )
    text = pdf_text(render_pdf(document(lines=[renewal])))
    assert "Renewal period: 2027-01-15 to 2029-01-14" in text
    assert "Renewal" in text


def test_r_quote_8_quote_shows_valid_until() -> None:
    text = pdf_text(render_pdf(document()))
    assert "Quote Q-000123" in text
    assert "Valid until 2026-12-24" in text
    assert "Paid on" not in text


def test_r_quote_8_invoice_shows_paid_on_not_valid_until() -> None:
    order = SimpleNamespace(
        number="O-000042",
        invoice_number="INV-000042",
        paid_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        payment_method="BANK_TRANSFER",
        po_number="PO-4711",
        billing_name="Amina Benali",
        billing_email="amina@univ-alger.dz",
        technical_name="Karim Haddad",
        technical_email="karim@univ-alger.dz",
        total=Decimal("3840.00"),
    )
    text = pdf_text(render_pdf(document(order=order)))
    assert "Invoice INV-000042" in text
    assert "Paid on 2026-12-01" in text
    assert "Valid until" not in text
    assert "Bank Transfer" in text
