"""PDF with a text layer -> Document (pdfplumber words and ruling lines, pypdfium2 rendering)."""

from __future__ import annotations

from extractor.document import Document
from extractor.errors import UnsupportedFormat


def load_pdf(data: bytes, *, name: str, sha256: str) -> Document:
    """A PDF's text, tables as pipe rows, with a PageBox for every piece of text; scans go to OCR."""
    raise UnsupportedFormat("PDF input is not supported yet")


def render_page_png(data: bytes, page: int, *, scale: float = 1.5) -> bytes:
    """Page ``page`` (from 1) of a PDF rendered as PNG bytes; 1 PDF point = ``scale`` pixels."""
    raise UnsupportedFormat("PDF rendering is not supported yet")
