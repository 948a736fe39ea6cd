"""Image-only PDFs and page images -> Document through OCR (rapidocr-onnxruntime, the ``ocr`` extra)."""

from __future__ import annotations

from extractor.document import Document
from extractor.errors import UnsupportedFormat


def load_scanned_pdf(data: bytes, *, name: str, sha256: str) -> Document:
    """OCR every page of an image-only PDF; tables rebuilt from box coordinates."""
    raise UnsupportedFormat("scanned PDF input is not supported yet")


def load_image(data: bytes, *, name: str, sha256: str) -> Document:
    """OCR one page image (.png/.jpg)."""
    raise UnsupportedFormat("image input is not supported yet")
