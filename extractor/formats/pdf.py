"""PDF with a text layer -> Document.

pypdfium2 reads every character with its box (it is several times faster than
pdfminer for that); pdfplumber is asked only about pages that draw lines or
rectangles, for the table cells those ruling lines make.  Characters are then
laid out as the rest of the pipeline expects text: prose lines (lines wrapped
mid-sentence joined again), tables as ``| a | b |`` rows with a TableGrid, a
table continued on the next page as one table, running headers, footers and
page numbers dropped.  Every printed character lands in a PageBox (page from
1, PDF points, origin top-left as pdfplumber has it), so each evidence span
can be shown on the rendered page.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median
from typing import Any

from extractor.document import CELL_BAR, Document, PageBox, TableGrid, normalise
from extractor.errors import CorruptDocument, EncryptedDocument, NoPagesDocument

# (char, x0, top, x1, bottom) in PDF points, origin top-left.
Glyph = tuple[str, float, float, float, float]

MARGIN_SHARE = 0.12              # top/bottom share of the page where running heads and page numbers sit
MIN_CHARS_PER_PAGE = 8           # below this on average the text layer is not usable: OCR instead
MAX_PAGES = 300                  # pages read from one PDF: memory and time stay bounded (reports run to ~50)

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－·•\s]*\d{1,4}[-—–－·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)\s*$",
    re.IGNORECASE,
)
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D|第[一二三四五六七八九十]+[章节部分])")
_SENTENCE_END = "。！？!?；;：:"


@dataclass
class _Line:
    """A row of printed characters on one page (prose, outside any ruled table)."""

    glyphs: list[Glyph]
    page: int

    @property
    def text(self) -> str:
        return "".join(g[0] for g in self.glyphs)

    @property
    def x0(self) -> float:
        return min(g[1] for g in self.glyphs if not g[0].isspace()) if self.has_ink else self.glyphs[0][1]

    @property
    def x1(self) -> float:
        return max(g[3] for g in self.glyphs if not g[0].isspace()) if self.has_ink else self.glyphs[-1][3]

    @property
    def top(self) -> float:
        return min(g[2] for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g[4] for g in self.glyphs)

    @property
    def has_ink(self) -> bool:
        return any(not g[0].isspace() for g in self.glyphs)


@dataclass
class _CellBox:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class _Table:
    """A ruled table read on one page (or continued over several).

    ``owner[r][c]`` is the index of the cell covering that grid position (-1: none);
    a merged cell covers several positions and is ``origin`` only at its top-left one.
    """

    owner: list[list[int]]
    origin: list[list[bool]]
    glyphs: list[list[Glyph]]               # per cell
    cell_boxes: list[_CellBox]              # per cell (on the page it was read from)
    pages: list[int]                        # page of each row
    col_edges: list[float]
    top: float
    bottom: float

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1

    @property
    def n_rows(self) -> int:
        return len(self.owner)


@dataclass
class _Page:
    number: int
    width: float
    height: float
    items: list[Any] = field(default_factory=list)   # _Line or _Table, top to bottom


# ------------------------------------------------------------------ entry points

def load_pdf(data: bytes, *, name: str, sha256: str) -> Document:
    """A PDF's text, tables as pipe rows, with a PageBox for every piece of text; scans go to OCR."""
    pdf = _open(data)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise NoPagesDocument("the PDF has no pages")
        pages = _read_pages(pdf, data, min(n_pages, MAX_PAGES))
    finally:
        pdf.close()
    ink = sum(_ink(it) for p in pages for it in p.items)
    if ink < MIN_CHARS_PER_PAGE * len(pages):
        from extractor.formats.ocr import load_scanned_pdf

        return load_scanned_pdf(data, name=name, sha256=sha256)
    _drop_running_lines(pages)
    items = _merge_continued_tables(pages)
    doc = _assemble(items, pages)
    doc.path, doc.sha256, doc.pages = name, sha256, n_pages
    if n_pages > MAX_PAGES:
        doc.warnings.append(f"the PDF has {n_pages} pages; only the first {MAX_PAGES} were read")
    return doc


def _ink(item: _Line | _Table) -> int:
    """Printed (non-space) characters in a line or a table."""
    glyphs = item.glyphs if isinstance(item, _Line) else [g for cell in item.glyphs for g in cell]
    return sum(1 for g in glyphs if not g[0].isspace())


def render_page_png(data: bytes, page: int, *, scale: float = 1.5) -> bytes:
    """Page ``page`` (from 1) of a PDF rendered as PNG bytes; 1 PDF point = ``scale`` pixels."""
    pdf = _open(data)
    try:
        if not 1 <= page <= len(pdf):
            raise NoPagesDocument(f"the PDF has {len(pdf)} pages; page {page} does not exist")
        image = pdf[page - 1].render(scale=scale).to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=False)
        return buf.getvalue()
    finally:
        pdf.close()


# ------------------------------------------------------------------ opening

def _open(data: bytes):
    """Open with pdfium; the empty password is tried implicitly (owner-only protection opens)."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (4, 5):  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
            raise EncryptedDocument(
                "the PDF is password-protected (the empty password did not open it); "
                "save an unprotected copy and try again") from exc
        if _has_no_pages(data):
            raise NoPagesDocument("the PDF has no pages") from exc
        raise CorruptDocument(f"the PDF cannot be read (damaged or not really a PDF): {exc}") from exc


def _has_no_pages(data: bytes) -> bool:
    """pdfium refuses a PDF whose page tree is empty as if it were damaged; pdfminer tells the two apart."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser

        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        return next(iter(PDFPage.create_pages(document)), None) is None
    except Exception:  # noqa: BLE001 - pdfminer raises many types on damaged files: then it is simply corrupt
        return False


# ------------------------------------------------------------------ characters

def _read_pages(pdf, data: bytes, n_pages: int) -> list[_Page]:
    """The first ``n_pages`` pages' prose lines and ruled tables, top to bottom; one pdfium page open at a time."""

    plumber = None
    pages: list[_Page] = []
    try:
        for index in range(n_pages):
            page = pdf[index]
            try:
                left, bottom, right, top = page.get_cropbox()
                width, height = right - left, top - bottom
                origin = (left, top)  # the visible page's top-left corner, in PDF user space
                turn = page.get_rotation() % 360
                glyphs = _page_glyphs(page, origin)
                edges = _ruling_edges(page, origin)
            finally:
                page.close()
            if turn:
                glyphs = [_turn_glyph(g, turn, width, height) for g in glyphs]
                edges = None if edges is None else [_turn_edge(e, turn, width, height) for e in edges]
                if turn in (90, 270):
                    width, height = height, width
            tables: list[_Table] = []
            if edges is None and glyphs:  # rulings drawn in a way read here only through pdfminer
                if plumber is None:
                    plumber = _open_plumber(data)
                tables, glyphs = _place_glyphs(_plumber_cells(plumber, index), index + 1, glyphs)
            elif edges and glyphs:
                tables, glyphs = _place_glyphs(_cells_from_edges(edges), index + 1, glyphs)
            p = _Page(number=index + 1, width=width, height=height)
            lines = _group_lines(glyphs, index + 1)
            p.items = sorted([*lines, *tables], key=lambda it: it.top)
            pages.append(p)
    finally:
        if plumber is not None:
            plumber.close()
    return pages


def _turn_point(x: float, y: float, turn: int, width: float, height: float) -> tuple[float, float]:
    """A point of the unturned page (from its top-left, y down) where it shows on a page /Rotate'd
    clockwise by ``turn`` degrees (as pdfium renders it)."""
    if turn == 90:
        return height - y, x
    if turn == 180:
        return width - x, height - y
    if turn == 270:
        return y, width - x
    return x, y


def _turn_glyph(g: Glyph, turn: int, width: float, height: float) -> Glyph:
    ax, ay = _turn_point(g[1], g[2], turn, width, height)
    bx, by = _turn_point(g[3], g[4], turn, width, height)
    return (g[0], min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def _turn_edge(e: dict[str, Any], turn: int, width: float, height: float) -> dict[str, Any]:
    ax, ay = _turn_point(e["x0"], e["top"], turn, width, height)
    bx, by = _turn_point(e["x1"], e["bottom"], turn, width, height)
    x0, x1, top, bottom = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
    return _edge("h" if bottom - top < x1 - x0 or (bottom == top) else "v", x0, x1, top, bottom)


def _page_glyphs(page, origin: tuple[float, float]) -> list[Glyph]:
    """The page's characters in content order with loose (font-height) boxes; pdfium's own line breaks dropped.

    Coordinates are measured from ``origin`` (the crop box's top-left corner), downwards, as pdfplumber's
    are and as the page is rendered.
    """
    import ctypes

    from pypdfium2 import raw

    ox, oy = origin
    textpage = page.get_textpage()
    try:
        n = raw.FPDFText_CountChars(textpage)
        codes = _page_codes(textpage, n)
        rect = raw.FS_RECTF()
        out: list[Glyph] = []
        pending_space = False
        for i, code in enumerate(codes):
            if code in (0, 0xFFFE, 0xFFFF):
                continue
            ch = chr(code)
            if ch.isspace() and raw.FPDFText_IsGenerated(textpage, i) == 1:
                # pdfium's inferred word gaps (many producers print no space glyphs); its line breaks are ignored
                pending_space = code == 32
                continue
            if not raw.FPDFText_GetLooseCharBox(textpage, i, ctypes.byref(rect)):
                continue
            if ch.isspace():
                ch = " "
            x0, top, x1, bottom = rect.left - ox, oy - rect.top, rect.right - ox, oy - rect.bottom
            if pending_space and out and ch != " ":
                prev = out[-1]
                gap_from = prev[3] if prev[3] < x0 else x0 - 0.02
                out.append((" ", gap_from, top, max(gap_from, x0 - 0.01), bottom))
            pending_space = False
            out.append((ch, x0, top, x1, bottom))
        return out
    finally:
        textpage.close()


def _page_codes(textpage, n: int) -> list[int]:
    """The code point of each of the page's ``n`` characters: one bulk call, or one call each when
    the bulk text does not line up with the character indices (characters outside the BMP)."""
    import ctypes

    from pypdfium2 import raw

    buffer = ctypes.create_string_buffer(2 * (n + 1))
    written = raw.FPDFText_GetText(textpage, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    units = buffer.raw[: 2 * max(0, written - 1)]
    codes = [int.from_bytes(units[k:k + 2], "little") for k in range(0, len(units), 2)]
    if len(codes) == n and not any(0xD800 <= c <= 0xDFFF for c in codes):
        return codes
    return [raw.FPDFText_GetUnicode(textpage, i) for i in range(n)]


def _group_lines(glyphs: list[Glyph], page: int) -> list[_Line]:
    """Characters into lines by position: bands of vertical centres, each read left to right.

    Position, not content order: browsers and word processors draw bold runs,
    headings inside a paragraph and table cells in whatever order they like.
    A gap wider than a character and a half becomes one space.
    """
    ordered = sorted(glyphs, key=lambda g: (g[2] + g[4]) / 2)
    bands: list[list[Glyph]] = []
    last_mid = -1e9
    for g in ordered:
        mid, size = (g[2] + g[4]) / 2, max(1.0, g[4] - g[2])
        if bands and mid - last_mid <= 0.45 * size:
            bands[-1].append(g)
        else:
            bands.append([g])
        last_mid = mid
    lines: list[_Line] = []
    for band in bands:
        band.sort(key=lambda g: g[1])
        size = median(g[4] - g[2] for g in band)
        out: list[Glyph] = []
        for g in band:
            if g[0].isspace():
                if out and not out[-1][0].isspace():
                    out.append((" ", g[1], g[2], g[3], g[4]))
                continue
            if out and not out[-1][0].isspace() and g[1] - out[-1][3] > 1.5 * size:
                out.append((" ", out[-1][3], out[-1][2], g[1], out[-1][4]))
            out.append(g)
        while out and out[-1][0].isspace():
            out.pop()
        if out:
            lines.append(_Line(out, page))
    return lines


# ------------------------------------------------------------------ tables

def _open_plumber(data: bytes):
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-descriptor chatter on every page
    return pdfplumber.open(io.BytesIO(data))


def _plumber_cells(plumber, index: int) -> list[list[tuple[float, float, float, float]]]:
    """pdfplumber's own table finder on one page (pdfminer parses the page: slow, the fallback)."""
    page = plumber.pages[index]
    try:
        return [list(found.cells) for found in page.find_tables()]
    finally:
        page.close()


def _place_glyphs(found: list[list[tuple[float, float, float, float]]], page_number: int,
                  glyphs: list[Glyph]) -> tuple[list[_Table], list[Glyph]]:
    """Tables from their cell boxes, each glyph in the cell under its centre; returns the glyphs left for prose."""
    tables = [t for t in (_table_from_cells(cells, page_number) for cells in found) if t is not None]
    if not tables:
        return [], glyphs
    rest: list[Glyph] = []
    for g in glyphs:
        if not any(_place_in_table(t, g) for t in tables):
            rest.append(g)
    for t in tables:
        t.glyphs = [sorted(cell, key=lambda g: ((g[2] + g[4]) / 2, g[1])) for cell in t.glyphs]
    return tables, rest


# A path segment is a line, a Bézier curve or a move (FPDF_SEGMENT_*).
_SEG_LINETO, _SEG_BEZIERTO, _SEG_MOVETO = 0, 1, 2


def _ruling_edges(page, origin: tuple[float, float]) -> list[dict[str, Any]] | None:
    """Horizontal and vertical edges of the page's straight paths (cell borders, rules), pdfplumber-shaped.

    Read from pdfium's path objects (their matrices applied, so a table drawn
    turned still gives straight edges), so pdfminer never parses the page.  Returns
    None when a path sits in a form XObject (then pdfplumber reads the page), an
    empty list when nothing is ruled.
    """
    import ctypes

    from pypdfium2 import raw

    ox, oy = origin
    edges: list[dict[str, Any]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    matrix = raw.FS_MATRIX()
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM and _form_has_paths(obj):
            return None
        if kind != raw.FPDF_PAGEOBJ_PATH or not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
            continue
        a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
        subpaths: list[list[tuple[float, float]]] = []
        curved: list[bool] = []
        for k in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, k)
            raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            kind = raw.FPDFPathSegment_GetType(seg)
            point = (a * x.value + c * y.value + e - ox, oy - (b * x.value + d * y.value + f))
            if kind == _SEG_MOVETO or not subpaths:
                subpaths.append([point])
                curved.append(False)
            else:
                subpaths[-1].append(point)
                curved[-1] = curved[-1] or kind == _SEG_BEZIERTO
        for points, is_curved in zip(subpaths, curved):
            if not is_curved and len(points) >= 2:
                edges.extend(_subpath_edges(points))
    return edges


def _form_has_paths(form) -> bool:
    """Does a form XObject (at any depth) draw paths? Its coordinates are the form's own then."""
    from pypdfium2 import raw

    for i in range(raw.FPDFFormObj_CountObjects(form)):
        obj = raw.FPDFFormObj_GetObject(form, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH or (kind == raw.FPDF_PAGEOBJ_FORM and _form_has_paths(obj)):
            return True
    return False


def _subpath_edges(points: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """A straight axis-aligned subpath as its bounding box's edges (a rule: one edge; a box: four)."""
    for (x0, y0), (x1, y1) in pairwise(points):
        if abs(x0 - x1) > 0.5 and abs(y0 - y1) > 0.5:
            return []  # a slanted stroke is no ruling
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    out = []
    if right - left >= 1:
        out.append(_edge("h", left, right, top, top))
        if bottom - top > 0:
            out.append(_edge("h", left, right, bottom, bottom))
    if bottom - top >= 1:
        out.append(_edge("v", left, left, top, bottom))
        if right - left > 0:
            out.append(_edge("v", right, right, top, bottom))
    return out


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict[str, Any]:
    return {"object_type": "rect_edge", "orientation": orientation, "x0": x0, "x1": x1, "top": top,
            "bottom": bottom, "doctop": top, "width": x1 - x0, "height": bottom - top}


def _cells_from_edges(edges: list[dict[str, Any]]) -> list[list[tuple[float, float, float, float]]]:
    """pdfplumber's table finder ("lines" strategy, default tolerances) run on edges we read ourselves."""
    from pdfplumber.table import (
        DEFAULT_JOIN_TOLERANCE,
        DEFAULT_SNAP_TOLERANCE,
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    merged = merge_edges(edges, snap_x_tolerance=DEFAULT_SNAP_TOLERANCE, snap_y_tolerance=DEFAULT_SNAP_TOLERANCE,
                         join_x_tolerance=DEFAULT_JOIN_TOLERANCE, join_y_tolerance=DEFAULT_JOIN_TOLERANCE)
    merged = [m for m in merged if (m["height"] if m["orientation"] == "v" else m["width"]) >= 3]
    cells = intersections_to_cells(edges_to_intersections(merged, 3, 3))
    return [list(group) for group in cells_to_tables(cells)]


def _table_from_cells(cell_bboxes: list[tuple[float, float, float, float]], page_number: int) -> _Table | None:
    """Cells (x0, top, x1, bottom) as a grid over their distinct edges; a merged cell owns every position it covers."""
    boxes = [_CellBox(*c) for c in cell_bboxes]
    if len(boxes) < 2:
        return None
    xs = _edges([b.x0 for b in boxes] + [b.x1 for b in boxes])
    ys = _edges([b.top for b in boxes] + [b.bottom for b in boxes])
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    owner = [[-1] * n_cols for _ in range(n_rows)]
    origin = [[False] * n_cols for _ in range(n_rows)]
    seen: set[int] = set()
    for r in range(n_rows):
        for c in range(n_cols):
            cx, cy = (xs[c] + xs[c + 1]) / 2, (ys[r] + ys[r + 1]) / 2
            for k, b in enumerate(boxes):
                if b.x0 <= cx <= b.x1 and b.top <= cy <= b.bottom:
                    owner[r][c] = k
                    origin[r][c] = k not in seen
                    seen.add(k)
                    break
    _fill_holes(owner, origin, boxes, xs, ys)
    return _Table(owner=owner, origin=origin, glyphs=[[] for _ in boxes], cell_boxes=boxes,
                  pages=[page_number] * n_rows, col_edges=xs, top=ys[0], bottom=ys[-1])


def _fill_holes(owner: list[list[int]], origin: list[list[bool]], boxes: list[_CellBox],
                xs: list[float], ys: list[float]) -> None:
    """Grid positions no found cell covers become cells too, one per run down a column.

    A merged cell cut by a page break has no border on the cut side, so the table
    finder sees no cell there, yet its text ("三、本年度办理结果") is printed inside.
    Such a cut cell spans rows; runs never cross columns, so two cut cells side by
    side stay two cells.
    """
    n_rows, n_cols = len(owner), len(owner[0])
    for r0 in range(n_rows):
        for c0 in range(n_cols):
            if owner[r0][c0] != -1:
                continue
            k = len(boxes)
            patch, stack = [], [(r0, c0)]
            owner[r0][c0] = k
            while stack:
                r, c = stack.pop()
                patch.append((r, c))
                for rr, cc in ((r + 1, c), (r - 1, c)):
                    if 0 <= rr < n_rows and 0 <= cc < n_cols and owner[rr][cc] == -1:
                        owner[rr][cc] = k
                        stack.append((rr, cc))
            origin[r0][c0] = True
            boxes.append(_CellBox(min(xs[c] for _, c in patch), min(ys[r] for r, _ in patch),
                                  max(xs[c + 1] for _, c in patch), max(ys[r + 1] for r, _ in patch)))


def _edges(values: list[float], tol: float = 2.0) -> list[float]:
    """Distinct coordinates (within ``tol`` points), ascending."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _place_in_table(t: _Table, g: Glyph) -> bool:
    """Put the glyph in the cell under its centre; True when it is inside the table at all."""
    cx, cy = (g[1] + g[3]) / 2, (g[2] + g[4]) / 2
    if not (t.col_edges[0] - 1 <= cx <= t.col_edges[-1] + 1 and t.top - 1 <= cy <= t.bottom + 1):
        return False
    if g[0].isspace():
        return True  # a space inside a table belongs to no prose line
    for k, box in enumerate(t.cell_boxes):
        if box.x0 - 0.5 <= cx <= box.x1 + 0.5 and box.top - 0.5 <= cy <= box.bottom + 0.5:
            t.glyphs[k].append(g)
            return True
    return False


# ------------------------------------------------------------------ page furniture

def _furniture_key(line: _Line) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))


def _drop_running_lines(pages: list[_Page]) -> None:
    """Remove running heads/feet (same text, digits aside, in the margin of several pages) and page numbers."""
    candidates: list[tuple[_Page, _Line]] = []
    for p in pages:
        lines = [it for it in p.items if isinstance(it, _Line)]
        edge = lines[:2] + lines[-2:]
        for line in edge:
            if line.bottom <= p.height * MARGIN_SHARE or line.top >= p.height * (1 - MARGIN_SHARE):
                candidates.append((p, line))
    counts: dict[str, set[int]] = {}
    for p, line in candidates:
        counts.setdefault(_furniture_key(line), set()).add(p.number)
    need = max(2, (len(pages) + 1) // 2)
    drop = {id(line) for p, line in candidates
            if _PAGE_NUMBER.match(line.text) or (len(pages) >= 2 and len(counts[_furniture_key(line)]) >= need)}
    for p in pages:
        p.items = [it for it in p.items if id(it) not in drop]


def _merge_continued_tables(pages: list[_Page]) -> list[Any]:
    """All items in reading order; a table that ends a page and one that starts the next, same columns, become one."""
    out: list[Any] = []
    for p in pages:
        for k, it in enumerate(p.items):
            prev = out[-1] if out else None
            if (k == 0 and isinstance(it, _Table) and isinstance(prev, _Table)
                    and prev.pages[-1] == p.number - 1 and _same_columns(prev, it)):
                _append_rows(prev, it)
                continue
            out.append(it)
    return out


def _same_columns(a: _Table, b: _Table) -> bool:
    if a.n_cols != b.n_cols:
        return False
    return all(abs(x - y) <= 3.0 for x, y in zip(a.col_edges, b.col_edges))


def _row_text(t: _Table, r: int) -> list[str]:
    return [_cell_text(t.glyphs[k]) if t.origin[r][c] else "\0" for c, k in enumerate(t.owner[r])]


def _carried_cells(a: _Table, b: _Table, first: int) -> dict[int, int]:
    """Cells of ``b`` that continue a merged cell of ``a`` across the page break: b-cell -> a-cell.

    An empty cell at the top of the continuation, under a cell of ``a`` that spans
    rows down to the break, is the rest of that cell (its text was printed above).
    """
    carried: dict[int, int] = {}
    if first >= b.n_rows or a.n_rows < 2:
        return carried
    for c, k in enumerate(b.owner[first]):
        above = a.owner[-1][c]
        if k < 0 or above < 0 or a.owner[-2][c] != above or _ink_glyphs(b.glyphs[k]):
            continue
        carried[k] = above
    return carried


def _ink_glyphs(glyphs: list[Glyph]) -> int:
    return sum(1 for g in glyphs if not g[0].isspace())


def _append_rows(a: _Table, b: _Table) -> None:
    """Rows of ``b`` after ``a``'s, without a header ``b`` repeats from ``a``'s top."""
    skip = 0
    while skip < min(a.n_rows, b.n_rows) and _row_text(a, skip) == _row_text(b, skip):
        skip += 1
    if skip == b.n_rows:
        skip = 0  # the same rows twice is data, not a repeated header
    shift = len(a.glyphs)
    carried = _carried_cells(a, b, skip)
    a.owner.extend([[carried.get(k, k + shift) if k >= 0 else -1 for k in row] for row in b.owner[skip:]])
    origin_rows = [[o and k not in carried for o, k in zip(orow, krow)]
                   for orow, krow in zip(b.origin[skip:], b.owner[skip:])]
    a.origin.extend(origin_rows)
    a.pages.extend(b.pages[skip:])
    a.glyphs.extend(b.glyphs)
    a.cell_boxes.extend(b.cell_boxes)
    a.bottom = b.bottom


# ------------------------------------------------------------------ text

def _join_sep(left: str, right: str) -> str:
    """What goes between two pieces of text run together: a space only between Latin letters."""
    if left and right and left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].isalpha():
        return " "
    return ""


def _cell_text(glyphs: list[Glyph]) -> str:
    return _cell_string(glyphs)[0]


def _cell_string(glyphs: list[Glyph]) -> tuple[str, list[Glyph | None]]:
    """A cell's text on one line (its wrapped lines run together) and the glyph behind each character."""
    lines = _group_lines(glyphs, 0) if glyphs else []
    chars: list[str] = []
    src: list[Glyph | None] = []
    for line in lines:
        piece = [g for g in line.glyphs]
        while piece and piece[0][0].isspace():
            piece.pop(0)
        if not piece:
            continue
        sep = _join_sep("".join(chars), piece[0][0]) if chars else ""
        for ch in sep:
            chars.append(ch)
            src.append(None)
        for g in piece:
            # A "|" printed in a cell would split the pipe row (see document.CELL_BAR).
            ch = CELL_BAR if g[0] in "|\uff5c" else (" " if g[0].isspace() else g[0])
            chars.append(ch)
            src.append(None if ch == " " else g)
    return "".join(chars), src


class _Builder:
    """Text under construction with a PageBox per token (a run of Latin letters/digits, or one other character)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.boxes: list[PageBox] = []
        self._run: list[Any] | None = None  # [start, end, page, x0, top, x1, bottom]

    def text(self, s: str) -> None:
        self._close()
        self.parts.append(s)
        self.pos += len(s)

    def glyph(self, ch: str, g: Glyph | None, page: int) -> None:
        if g is None or ch.isspace():
            self.text(ch)
            return
        token = ch.isascii() and (ch.isalnum() or ch in ".,%")
        run = self._run
        if run is not None and token and run[7] and run[2] == page and abs(run[4] - g[2]) < 2.0:
            run[1] = self.pos + 1
            run[3], run[4], run[5], run[6] = min(run[3], g[1]), min(run[4], g[2]), max(run[5], g[3]), max(run[6], g[4])
        else:
            self._close()
            self._run = [self.pos, self.pos + 1, page, g[1], g[2], g[3], g[4], token]
        self.parts.append(ch)
        self.pos += 1

    def _close(self) -> None:
        if self._run is not None:
            s, e, page, x0, top, x1, bottom, _ = self._run
            self.boxes.append(PageBox(s, e, page, x0, top, x1, bottom))
            self._run = None

    def finish(self) -> str:
        self._close()
        return "".join(self.parts)


def _assemble(items: list[Any], pages: list[_Page]) -> Document:
    """Lay the items out as text: prose lines (wrapped lines joined), tables as pipe rows."""
    geometry = _prose_geometry(pages)
    b = _Builder()
    tables: list[TableGrid] = []
    prev_line: _Line | None = None
    for it in items:
        if isinstance(it, _Table):
            if b.pos:
                b.text("\n")
            tables.append(_emit_table(b, it))
            b.text("\n")
            prev_line = None
            continue
        if prev_line is not None:
            if _continues(prev_line, it, geometry):
                b.text(_join_sep(prev_line.text, it.text.lstrip()))
            else:
                b.text("\n")
        glyphs = it.glyphs
        if prev_line is not None and b.parts and b.parts[-1] != "\n":
            while glyphs and glyphs[0][0].isspace():
                glyphs = glyphs[1:]
        for g in glyphs:
            b.glyph(" " if g[0].isspace() else g[0], g, it.page)
        prev_line = it
    raw_text = b.finish()
    text = normalise(raw_text)
    return Document(text=text, source_format="pdf", tables=tables, boxes=b.boxes)


def _prose_geometry(pages: list[_Page]) -> tuple[float, float, float]:
    """(left margin, right margin, typical character width) of the document's prose lines.

    The right margin is where most long lines end (one overflowing URL must not
    move it); unless two lines end there, nothing says where it is, and no
    line counts as running to it (and none is joined to the next).
    """
    lines = [it for p in pages for it in p.items if isinstance(it, _Line)]
    if not lines:
        return 0.0, float("inf"), 10.0
    widths = [g[3] - g[1] for line in lines for g in line.glyphs if not g[0].isspace() and not g[0].isascii()]
    if not widths:
        widths = [g[3] - g[1] for line in lines for g in line.glyphs if not g[0].isspace()] or [10.0]
    w = median(widths)
    ends = sorted(line.x1 for line in lines if len(line.glyphs) >= 8)
    right = ends[min(len(ends) - 1, int(0.9 * len(ends)))] if ends else float("inf")
    if sum(1 for x in ends if abs(x - right) <= 3.0 * w) < 2:
        right = float("inf")  # no two lines end together: no margin to run to
    return min(line.x0 for line in lines), right, w


def _continues(prev: _Line, nxt: _Line, geometry: tuple[float, float, float]) -> bool:
    """Was ``nxt`` the same paragraph, wrapped: ``prev`` runs to the right margin and ``nxt`` is not indented."""
    left, right, w = geometry
    if prev.x1 < right - 3.0 * w:  # ragged right: wrapping before punctuation leaves up to ~2 characters
        return False
    if nxt.x0 > left + 0.8 * w:
        return False
    if nxt.page == prev.page and nxt.top - prev.bottom > 1.2 * (prev.bottom - prev.top):
        return False  # a blank line between them
    prev_text = prev.text.rstrip()
    ends_sentence = bool(prev_text) and prev_text[-1] in _SENTENCE_END
    return not (ends_sentence and _HEADING_START.match(nxt.text))


def _emit_table(b: _Builder, t: _Table) -> TableGrid:
    """The table's rows as pipe lines (merged-cell copies left out, blanks kept) and its grid.

    The row rule is ingest's for HTML tables, so the baseline reads PDF tables unchanged.
    """
    strings = [_cell_string(cell) for cell in t.glyphs]
    grid = TableGrid(cells=[[strings[k][0] if k >= 0 else "" for k in row] for row in t.owner],
                     origin=[list(row) for row in t.origin])
    start = b.pos
    for r in range(t.n_rows):
        if r:
            b.text("\n")
        b.text("| ")
        first = True
        for c, k in enumerate(t.owner[r]):
            if not (grid.origin[r][c] or grid.cells[r][c] == ""):
                continue
            if not first:
                b.text(" | ")
            first = False
            if k >= 0 and grid.origin[r][c]:
                for ch, g in zip(*strings[k]):
                    b.glyph(ch, g, t.pages[r])
        b.text(" |")
    grid.span = (start, b.pos)
    return grid


