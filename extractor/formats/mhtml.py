"""Saved web pages (.mhtml / .mht): the HTML part, handed back to ingest's HTML path.

A browser's "save as single file" wraps the page and its images in a MIME
``multipart/related`` message; the page itself is the first ``text/html`` part
(``Content-Location`` names the original URL), usually quoted-printable or
base64.  The stdlib email package undoes the transfer encoding.  The part's
own ``charset`` parameter is the authority on its encoding (the page's
``<meta charset>`` may disagree after the browser re-encoded it), so the HTML
is decoded with it and handed on as UTF-8 with a byte-order mark, which ingest
trusts before any meta tag.
"""

from __future__ import annotations

import codecs
import email
import email.policy
from email.message import Message

from extractor.errors import CorruptDocument, EmptyDocument


def html_from_mhtml(data: bytes) -> bytes:
    """The first text/html part of a MIME archive as UTF-8 bytes with a BOM (decoded by the part's charset).

    A part without a charset is returned as it was, for ingest's usual detection
    (meta charset, UTF-8, GB18030).

    Raises:
        CorruptDocument: the archive holds no HTML part.
        EmptyDocument: the HTML part is empty.
    """
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    part = _first_html_part(message)
    if part is None:
        raise CorruptDocument("the saved web page (.mhtml) holds no text/html part")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        raise EmptyDocument("the saved web page's HTML part is empty")
    charset = _known_charset(part.get_content_charset())
    if charset is None:
        return payload
    try:
        text = payload.decode(charset, errors="strict")
    except UnicodeDecodeError:
        return payload  # the label lies; let ingest's detection decide
    return codecs.BOM_UTF8 + text.encode("utf-8")


def _first_html_part(message: Message) -> Message | None:
    """Depth-first, the first part whose type is text/html (a single-part page is its own part)."""
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part
    return None


def _known_charset(label: str | None) -> str | None:
    """A Python codec for a MIME charset label; GBK and GB2312 read as their superset GB18030."""
    if not label:
        return None
    label = label.strip().strip('"').lower()
    if label in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "euc-cn"):
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None
