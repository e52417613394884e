"""The text of a generated PDF, read back as a reader's copy-and-paste would (pypdf).

fpdf2 embeds subsets of TrueType fonts and draws glyph ids, not characters, so the page
streams cannot be searched directly; pypdf maps the glyphs back through the fonts' ToUnicode
tables. Two steps make the result comparable with the logical text that was printed:

- NFKC: a shaped Arabic glyph (initial, medial, final form) may be mapped to its Arabic
  Presentation Forms code point (U+FB50–U+FEFF); NFKC folds those back to the base letters.
- Arabic runs are drawn right to left, so the extracted words of a run come out in visual
  order (the last word first); `logical` turns each run of Arabic words back to reading order.
  The letters inside a word already come back in logical order (pypdf reverses right-to-left
  strings); a wrong shaping or ordering still fails the comparison.
"""

from __future__ import annotations

import io
import re
import unicodedata

from pypdf import PdfReader

ARABIC = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
ARABIC_RUN = re.compile(f"[{ARABIC}]+(?: +[{ARABIC}]+)*")


def pdf_text(pdf: bytes) -> str:
    """Every page's text, NFKC-normalised, in the order the glyphs are drawn."""
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def logical(text: str) -> str:
    """`text` with each run of Arabic words back in reading order."""
    return ARABIC_RUN.sub(lambda run: " ".join(reversed(run.group().split(" "))), text)
