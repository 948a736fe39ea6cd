"""Saved web pages (.mhtml / .mht): the HTML part, handed back to ingest's HTML path."""

from __future__ import annotations

from extractor.errors import UnsupportedFormat


def html_from_mhtml(data: bytes) -> bytes:
    """The first text/html part of a MIME archive, decoded from its transfer encoding (charset kept in bytes)."""
    raise UnsupportedFormat(".mhtml input is not supported yet")
