"""Ingest: bytes -> normalised text (and HTML tables as grids of cells).

Every later stage works on ``Document.text``; every evidence span is a pair of
character offsets into it.  Normalisation is strictly one character for one
character (full-width ASCII -> ASCII, ideographic / no-break spaces -> space,
CRLF -> LF happens before), so offsets stay stable and a span can always be
shown in context.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from extractor.document import CellRef, Document, PageBox, TableGrid, bar_safe, normalise
from extractor.errors import BinaryDocument, EmptyDocument, UndecodableDocument, UnsupportedFormat

__all__ = ["CellRef", "Document", "PageBox", "TableGrid", "decode_bytes", "load_bytes", "load_path", "load_text",
           "normalise", "table_to_grid"]

HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ""})


# ------------------------------------------------------------------ decoding

def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        # UTF-16 text has NULs too; it announces itself with a BOM.
        return not (sample.startswith(b"\xff\xfe") or sample.startswith(b"\xfe\xff"))
    # Deleting every byte that is not a control byte leaves exactly the control bytes (done in C).
    control = len(sample.translate(None, _NOT_CONTROL))
    return control > max(8, len(sample) // 50)


_NOT_CONTROL = bytes(b for b in range(256) if not (b < 32 and b not in (9, 10, 12, 13, 27)))
"""Every byte ``_looks_binary`` does not count as a control byte (an immutable constant)."""

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SPACE_RUN = re.compile(r"\s+")


def _cjk_share(text: str) -> float:
    """Share of Chinese characters among the non-space ones in the first 4000 characters.

    Counted through runs of characters rather than one match per character: the same
    numbers with a few dozen matches instead of thousands (ingest is on the hot path).
    """
    if not text:
        return 0.0
    sample = text[:4000]
    cjk = sum(map(len, _CJK_RUN.findall(sample)))
    non_space = len(sample) - sum(map(len, _SPACE_RUN.findall(sample)))
    return cjk / max(1, non_space)


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode report bytes; returns (text, encoding).

    Order: BOMs, a declared charset (HTML meta), strict UTF-8, strict GB18030
    (a superset of GBK/GB2312, the usual legacy encodings of these pages), then
    charset-normalizer's best guess.  A result with no Chinese at all from a
    legacy guess is rejected as undecodable rather than returned as mojibake.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    candidates: list[str] = []
    if declared:
        candidates.append(declared.lower())
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(_alias(enc), errors="strict")
        except (UnicodeDecodeError, LookupError):
            continue
        if enc in ("utf-8",) or _cjk_share(text) > 0.05 or not re.search(r"[\x80-\xff]", data[:4096].decode("latin-1")):
            return text, _alias(enc)
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - library failure is reported below
        best = None
    if best is not None:
        text = str(best)
        if _cjk_share(text) > 0.05:
            return text, best.encoding
    raise UndecodableDocument(
        "could not decode the file as UTF-8 or GB18030/GBK and no other encoding gives Chinese text; "
        "re-save it as UTF-8"
    )


def _alias(enc: str) -> str:
    enc = enc.lower().strip()
    if enc in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936"):
        return "gb18030"
    if enc in ("utf8",):
        return "utf-8"
    return enc


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.I)


# ------------------------------------------------------------------- HTML

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main ol p pre section table tr td th caption ul title".split()
)
_DROP_TAGS = frozenset("script style noscript nav footer iframe form button select option svg canvas template head".split())
_CHROME_ATTR = re.compile(
    r"(^|[\s_\-])(nav|navbar|menu|footer|foot|share|bdshare|breadcrumb|crumb|sidebar|toolbar|qrcode|ewm|print|fontsize|"
    r"position|location|header|topbar|banner|copyright|link[s]?)([\s_\-]|$)",
    re.I,
)
_CHROME_LINE = re.compile(
    r"^\s*(【?\s*(打印|关闭|关闭窗口|返回顶部|收藏|扫一扫|打印本页|关闭本页)\s*】?\s*)+$|"
    r"^\s*(分享到|扫一扫在手机打开当前页|字体|字号)[:：]?.{0,20}$|^\s*【\s*字体.{0,12}】\s*$"
)


def _is_chrome(el) -> bool:
    attrs = " ".join(str(el.get(a) or "") for a in ("class", "id", "role"))
    if not attrs or not _CHROME_ATTR.search(attrs):
        return False
    if el.find(".//table") is not None:
        return False
    text = el.text_content()
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk < 200


def _cell_text(el) -> str:
    text = el.text_content()
    return bar_safe(re.sub(r"\s+", " ", text).strip())


def table_to_grid(table_el) -> TableGrid:
    """Expand an HTML table into a grid, honouring rowspan and colspan."""
    rows = [tr for tr in table_el.iter("tr") if _closest_table(tr) is table_el]
    grid: list[list[str | None]] = []
    origin: list[list[bool]] = []
    for r, tr in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
            origin.append([])
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            rowspan = _span(td.get("rowspan"))
            colspan = _span(td.get("colspan"))
            text = _cell_text(td)
            for dr in range(rowspan):
                rr = r + dr
                while len(grid) <= rr:
                    grid.append([])
                    origin.append([])
                for dc in range(colspan):
                    cc = c + dc
                    while len(grid[rr]) <= cc:
                        grid[rr].append(None)
                        origin[rr].append(False)
                    grid[rr][cc] = text
                    origin[rr][cc] = dr == 0 and dc == 0
            c += colspan
    width = max((len(r) for r in grid), default=0)
    cells = [[(x if x is not None else "") for x in row] + [""] * (width - len(row)) for row in grid]
    orig = [row + [False] * (width - len(row)) for row in origin]
    return TableGrid(cells=cells, origin=orig)


def _closest_table(el):
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _span(value: str | None) -> int:
    try:
        n = int(str(value).strip()) if value is not None else 1
    except ValueError:
        n = 1
    return min(max(n, 1), 200)


def grid_row_line(grid: TableGrid, r: int) -> str:
    """A grid row as one text line: origin cells and blank cells, pipe-separated.

    Copies made by rowspan/colspan are left out, so a value is never repeated;
    real blank cells stay (a blank is 'not stated', and its position matters).
    """
    parts = [grid.cells[r][c] for c in range(len(grid.cells[r])) if grid.origin[r][c] or grid.cells[r][c] == ""]
    return "| " + " | ".join(parts) + " |"


def _is_layout_table(table_el) -> bool:
    """A table used to lay out a page (it holds other tables, or whole paragraphs in a cell), not data."""
    if table_el.find(".//table") is not None:
        return True
    for cell in table_el.iter("td", "th"):
        if len(cell.text_content()) > 400:
            return True
    return False


def html_to_document(html: str) -> tuple[str, list[TableGrid]]:
    """Render HTML to text lines (tables as pipe rows) and collect table grids."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises several types for junk input
        raise UnsupportedFormat(f"could not parse HTML: {exc}") from exc
    title_el = root.find(".//title")
    title_text = (title_el.text or "").strip() if title_el is not None else ""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in _DROP_TAGS or (tag not in ("html", "body") and _is_chrome(el)):
            parent = el.getparent()
            if parent is not None:
                tail = el.tail
                parent.remove(el)
                if tail:
                    prev = parent
                    prev.text = (prev.text or "") + tail
    out: list[str] = []
    tables: list[TableGrid] = []
    if title_text:  # kept: some pages print the report title nowhere else
        out.append(title_text + "\n")

    def emit(s: str) -> None:
        out.append(s)

    def walk(el) -> None:
        if not isinstance(el.tag, str):
            return
        tag = el.tag.lower()
        if tag == "table" and not _is_layout_table(el):
            grid = table_to_grid(el)
            emit("\n")
            start = sum(len(x) for x in out)
            lines = [grid_row_line(grid, r) for r in range(grid.n_rows)]
            emit("\n".join(lines))
            grid.span = (start, start + len("\n".join(lines)))
            tables.append(grid)
            emit("\n")
            if el.tail:
                emit(el.tail)
            return
        if tag in _BLOCK_TAGS:
            emit("\n")
        if el.text:
            emit(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK_TAGS:
            emit("\n")
        if el.tail:
            emit(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    raw = "".join(out)
    # Collapse runs of blank lines and strip page chrome lines, keeping table spans valid.
    text, tables = _clean_lines(raw, tables)
    return text, tables


def _clean_lines(raw: str, tables: list[TableGrid]) -> tuple[str, list[TableGrid]]:
    lines = raw.split("\n")
    kept: list[str] = []
    offsets: list[tuple[int, int]] = []  # (old_start, new_start) for each kept line
    old = 0
    new = 0
    for line in lines:
        stripped = re.sub(r"[ \t\u3000\u00a0]+", " ", line).strip()
        keep = bool(stripped) and not _CHROME_LINE.match(stripped)
        if keep:
            if line.startswith("| "):
                stripped = line  # table rows stay byte-identical
            offsets.append((old, new))
            kept.append(stripped)
            new += len(stripped) + 1
        old += len(line) + 1
    text = "\n".join(kept)
    for grid in tables:
        grid.span = (_remap(grid.span[0], offsets), _remap(grid.span[1], offsets))
    return text, tables


def _remap(pos: int, offsets: list[tuple[int, int]]) -> int:
    best = 0
    for old, new in offsets:
        if old <= pos:
            best = new + (pos - old)
        else:
            break
    return best


def is_html(data: bytes, suffix: str) -> bool:
    if suffix.lower() in HTML_SUFFIXES:
        return True
    head = data[:2048].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html") or (b"<body" in head and b"</" in head)


PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})
WORD_SUFFIXES = frozenset({".docx"})
CONVERTED_SUFFIXES = frozenset({".doc", ".wps", ".odt", ".rtf"})  # through LibreOffice
MHTML_SUFFIXES = frozenset({".mhtml", ".mht"})
SUPPORTED_SUFFIXES = (HTML_SUFFIXES | frozenset({".txt", ".text", ".md"}) | PDF_SUFFIXES | IMAGE_SUFFIXES
                      | WORD_SUFFIXES | CONVERTED_SUFFIXES | MHTML_SUFFIXES)

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")


def load_bytes(data: bytes, *, name: str = "") -> Document:
    """Turn raw bytes into a Document, or raise a DocumentError with a clear message."""
    return finish_document(_dispatch(data, name))


def _dispatch(data: bytes, name: str) -> Document:
    """The reader for these bytes.

    The format is decided by the bytes first (a PDF saved as .txt is still a
    PDF) and by the suffix where bytes are ambiguous (zip containers, OLE).
    """
    suffix = Path(name).suffix.lower()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise EmptyDocument("the file is empty")
    if data[:5] == b"%PDF-" or (suffix in PDF_SUFFIXES and b"%PDF-" in data[:1024]):
        from extractor.formats.pdf import load_pdf

        return load_pdf(data, name=name, sha256=sha)
    if data.startswith(_IMAGE_MAGIC) and (suffix in IMAGE_SUFFIXES or not suffix):
        from extractor.formats.ocr import load_image

        return load_image(data, name=name, sha256=sha)
    if data[:4] == b"PK\x03\x04":
        from extractor.formats.office import convert_to_docx, load_docx

        if suffix == ".odt" or b"mimetypeapplication/vnd.oasis" in data[:200]:
            data = convert_to_docx(data, suffix=".odt")
        return load_docx(data, name=name, sha256=sha)
    if data[:4] == b"\xd0\xcf\x11\xe0" or suffix in (".wps", ".rtf") or data[:5] == b"{\\rtf":
        from extractor.formats.office import convert_to_docx, load_docx

        docx = convert_to_docx(data, suffix=suffix or ".doc")
        return load_docx(docx, name=name, sha256=sha)
    if suffix in MHTML_SUFFIXES or _looks_mhtml(data):
        from extractor.formats.mhtml import html_from_mhtml

        return _load_markup(html_from_mhtml(data), name=name, sha=sha, suffix=".html", fmt="mhtml")
    return _load_markup(data, name=name, sha=sha, suffix=suffix)


def _looks_mhtml(data: bytes) -> bool:
    """A MIME archive: starts with MIME headers (Chrome's saves open with ``From: <Saved by Blink>``)."""
    head = data[:1024].lstrip().lower()
    return head.startswith(b"mime-version:") or (
        head.startswith((b"from:", b"snapshot-content-location:", b"subject:", b"date:"))
        and b"multipart/related" in head)


def _load_markup(data: bytes, *, name: str, sha: str, suffix: str, fmt: str | None = None) -> Document:
    """Text or HTML bytes -> Document."""
    if _looks_binary(data):
        raise BinaryDocument("the file is binary, not a report format this tool reads "
                             "(text, HTML, PDF, Word, saved web page or page image)")
    html = is_html(data, suffix)
    declared = None
    if html:
        m = _META_CHARSET.search(data[:4096])
        declared = m.group(1).decode("ascii", "ignore") if m else None
    text, encoding = decode_bytes(data, declared=declared)
    tables: list[TableGrid] = []
    if html:
        text, tables = html_to_document(text)
    text = normalise(text)
    if not text.strip():
        raise EmptyDocument("the file has no text after removing markup")
    return Document(text=text, path=name, sha256=sha, encoding=encoding,
                    source_format=fmt or ("html" if html else "text"), tables=tables)


def finish_document(doc: Document) -> Document:
    """Checks every format shares: some text, and some Chinese in it."""
    if not doc.text.strip():
        raise EmptyDocument("the file has no text")
    if _cjk_share(doc.text) < 0.05:
        doc.warnings.append("very little Chinese text: is this a 政府信息公开工作年度报告?")
    return doc


def load_path(path: str | Path) -> Document:
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError as exc:
        raise UnsupportedFormat(f"{p} is a directory") from exc
    return load_bytes(data, name=str(p))


def load_text(text: str, *, name: str = "<text>") -> Document:
    """A Document from text already in memory (API and tests)."""
    return load_bytes(text.encode("utf-8"), name=name)
