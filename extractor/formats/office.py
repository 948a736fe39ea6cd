"""Word documents -> Document: .docx through python-docx; .doc/.wps/.odt through LibreOffice first."""

from __future__ import annotations

from extractor.document import Document
from extractor.errors import UnsupportedFormat


def load_docx(data: bytes, *, name: str, sha256: str) -> Document:
    """Paragraphs and tables (gridSpan / vMerge as real grids), with a CellRef for every table cell."""
    raise UnsupportedFormat(".docx input is not supported yet")


def convert_to_docx(data: bytes, *, suffix: str, timeout: float = 120.0) -> bytes:
    """Convert .doc/.wps/.odt bytes to .docx bytes with LibreOffice headless (temporary profile, timeout)."""
    raise UnsupportedFormat(f"{suffix} input is not supported yet")
