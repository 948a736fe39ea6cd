"""Image-only PDFs and page images -> Document through OCR (rapidocr-onnxruntime, the ``ocr`` extra).

Each page is rendered (pypdfium2) and read in three steps:

1. Ruled tables are found from their lines, not from the text: long
   horizontal and vertical strokes (a morphological opening keeps only runs
   longer than any character stroke) give each table's row and column edges;
   two neighbouring grid positions with no line between them are one merged
   cell.  So a table comes out as the same grid, spans included, that the
   HTML and Word readers produce.
2. The ruling lines are erased inside tables before OCR: a cell border
   touching a digit is otherwise read as ``1`` or ``|``.
3. rapidocr reads the page (its wheel ships the Chinese PP-OCR models;
   nothing is downloaded) with a box per character.  Characters inside a
   table cell make that cell's text; the rest are grouped into lines, and a
   line running to the right margin is joined with the next, as in a text PDF.

Every character gets a PageBox (PDF points, origin top-left), and the text of
every OCR line read below ``Settings.ocr_min_confidence`` is an UncertainSpan,
which the pipeline turns into an ``ocr_low_confidence`` flag on any value
read from it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Any

from extractor.document import CELL_BAR, Document, PageBox, TableGrid, UncertainSpan, normalise
from extractor.errors import CorruptDocument, NoPagesDocument, UnsupportedFormat
from extractor.formats._grid import row_line

if TYPE_CHECKING:
    import numpy as np

    from extractor.config import Settings

OCR_DPI = 150                 # render resolution: scans are published at 150-300 dpi; PP-OCR reads 10 pt text well here
INK_LEVEL = 170               # grey values below this are ink (ruling lines are often mid-grey)
EDGE_GAP = 6                  # px: parallel strokes closer than this are one edge (double borders)
NOISE_FLOOR = 0.5             # a non-alphanumeric character read below this is a speck, not text
GARBLE_FLOOR = 0.4            # any other character but a digit read below this is a smudge
LINE_COVER = 0.6              # share of a cell side a line must cover to separate two grid positions
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–·\s]*\d{1,4}[-—–·\s]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D)")
_SENTENCE_END = "。！？!?；;：:"
INSTALL_HINT = "pip install -e '.[ocr]'"


@dataclass(frozen=True)
class _Char:
    """One recognised character: pixel box on its page, and the confidence of the OCR line it came from."""

    ch: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float
    line_id: int

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class _Table:
    """A ruled table on a page (pixels): grid edges, the merged cell owning each position, its characters."""

    xs: list[int]
    ys: list[int]
    owner: list[list[int]]
    origin: list[list[bool]]
    chars: list[list[_Char]]                       # per cell
    pages: list[int]                               # per row

    @property
    def n_rows(self) -> int:
        return len(self.owner)

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    @property
    def top(self) -> float:
        return self.ys[0]

    def cell_rect(self, k: int) -> tuple[int, int, int, int]:
        """Cell ``k``'s rectangle (x0, top, x1, bottom) over every grid position it covers."""
        spots = [(r, c) for r, row in enumerate(self.owner) for c, o in enumerate(row) if o == k]
        rows = [r for r, _ in spots]
        cols = [c for _, c in spots]
        return self.xs[min(cols)], self.ys[min(rows)], self.xs[max(cols) + 1], self.ys[max(rows) + 1]

    def cell_at(self, x: float, y: float) -> int:
        """The cell holding point (x, y), or -1 outside the grid."""
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return -1
        c = max(i for i in range(self.n_cols) if self.xs[i] <= x)
        r = max(i for i in range(self.n_rows) if self.ys[i] <= y)
        return self.owner[r][c]


@dataclass
class _Line:
    chars: list[_Char]
    page: int

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def text(self) -> str:
        return "".join(c.ch for c in self.chars)


@dataclass
class _Page:
    number: int
    scale: float                                   # pixels per PDF point
    width: float                                   # pixels
    items: list[Any] = field(default_factory=list)  # _Line or _Table, top to bottom


# ------------------------------------------------------------------ entry points

def load_scanned_pdf(data: bytes, *, name: str, sha256: str, settings: Settings | None = None) -> Document:
    """OCR every page of an image-only PDF (one page in memory at a time); tables rebuilt from their ruling lines.

    Raises:
        UnsupportedFormat: the ``ocr`` extra is not installed (the message says what to install).
        CorruptDocument / NoPagesDocument: the PDF cannot be rendered.
    """
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(f"the scanned PDF cannot be read: {exc}") from exc
    pages: list[_Page] = []
    try:
        if len(pdf) == 0:
            raise NoPagesDocument("the PDF has no pages")
        scale = OCR_DPI / 72
        engine = _engine(settings)
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            pages.append(_read_page(engine, image, index + 1, scale))
            del image
    finally:
        pdf.close()
    doc = _assemble(pages, _threshold(settings))
    doc.path, doc.sha256, doc.pages, doc.source_format = name, sha256, len(pages), "scan"
    return doc


def load_image(data: bytes, *, name: str, sha256: str, settings: Settings | None = None) -> Document:
    """OCR one page image (.png/.jpg/.tif); boxes in points at the image's own dpi (72 when it states none).

    Raises:
        UnsupportedFormat: the ``ocr`` extra is not installed.
        CorruptDocument: the image cannot be decoded.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            dpi = float((im.info.get("dpi") or (72, 72))[0]) or 72.0
            image = im.convert("L")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise CorruptDocument(f"the image cannot be decoded (damaged or not an image): {exc}") from exc
    scale = dpi / 72
    doc = _assemble([_read_page(_engine(settings), image, 1, scale)], _threshold(settings))
    doc.path, doc.sha256, doc.pages, doc.source_format = name, sha256, 1, "image"
    return doc


def _threshold(settings: Settings | None) -> float:
    return _settings(settings).ocr_min_confidence


def _settings(settings: Settings | None) -> Settings:
    """The settings passed down, or the environment's (ingest is called without them from some entry points)."""
    if settings is not None:
        return settings
    from extractor.config import Settings

    return Settings()


def _engine(settings: Settings | None):
    """A RapidOCR engine with the configured thread count, or a clear error naming the extra to install."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        text = str(exc)
        if "libGL" in text or "libgthread" in text or "libglib" in text:
            raise UnsupportedFormat(
                f"OCR needs OpenCV's system libraries ({text}); on Debian/Ubuntu: "
                "apt-get install libgl1 libglib2.0-0") from exc
        raise UnsupportedFormat(
            "scanned PDFs and page images are read with OCR, which is an optional extra: "
            f"{INSTALL_HINT} (installs rapidocr-onnxruntime with its bundled Chinese models)") from exc
    threads = _settings(settings).ocr_threads
    return RapidOCR(intra_op_num_threads=threads if threads > 0 else -1, inter_op_num_threads=1,
                    print_verbose=False)


# ------------------------------------------------------------------ one page

def _read_page(engine, image, number: int, scale: float) -> _Page:
    """Tables from ruling lines, text boxes found, each box read per table cell, characters into cells and lines."""
    import numpy as np

    gray = np.asarray(image, dtype=np.uint8)
    tables, erase = _find_tables(gray, number)
    clean = gray.copy()
    clean[erase] = 255
    rects = _text_boxes(engine, gray)
    crops = _cell_crops(rects, tables, clean < INK_LEVEL)
    read = _recognise(engine, clean, [rect for rect, _ in crops])
    page = _Page(number=number, scale=scale, width=float(gray.shape[1]))
    loose: list[_Char] = []
    for (_, target), chars in zip(crops, read):
        if target is not None:  # a cell's crop: its characters are that cell's, wherever their centres fall
            tables[target[0]].chars[target[1]].extend(chars)
            continue
        for ch in chars:
            for t in tables:
                k = t.cell_at(ch.cx, ch.cy)
                if k >= 0:
                    t.chars[k].append(ch)
                    break
            else:
                loose.append(ch)
    height = gray.shape[0]
    lines = [line for line in _group_lines(loose, number)
             if not (_PAGE_NUMBER.match(line.text) and (line.bottom < 0.1 * height or line.top > 0.9 * height))]
    page.items = sorted([*lines, *tables], key=lambda it: it.top)
    return page


def _text_boxes(engine, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Text line boxes (x0, top, x1, bottom) found on the page as printed.

    Found with the ruling lines still there: they keep neighbouring cells'
    text apart (without them a row of small numbers becomes one box).
    """
    import numpy as np

    rgb = np.ascontiguousarray(np.stack([gray, gray, gray], axis=-1))
    boxes, _ = engine(rgb, use_cls=False, use_rec=False)
    h, w = gray.shape
    out = []
    for quad in boxes or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        x0, x1 = max(0, int(min(xs))), min(w, round(max(xs)))
        top, bottom = max(0, int(min(ys))), min(h, round(max(ys)))
        if x1 - x0 >= 2 and bottom - top >= 2:
            out.append((x0, top, x1, bottom))
    return out


Rect = tuple[int, int, int, int]  # x0, top, x1, bottom in pixels


def _cell_crops(rects: list[Rect], tables: list[_Table], ink: np.ndarray) -> list[tuple[Rect, tuple[int, int] | None]]:
    """What to read: text boxes outside tables as found; inside a table, each text line of each cell.

    A box crossing cell borders is cut at them (clear of the lines), and a
    cell's line is widened to the whole cell: the detector tends to miss a
    character printed against the left border (``一、`` opening a row label);
    then narrowed again to the ink in it.
    Pieces of one cell that overlap vertically are one line.
    """
    crops: list[tuple[Rect, tuple[int, int] | None]] = []
    per_cell: dict[tuple[int, int], list[Rect]] = {}
    for rect in rects:
        x0, top, x1, bottom = rect
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        owner = next((i for i, t in enumerate(tables)
                      if t.xs[0] <= cx <= t.xs[-1] and t.ys[0] <= cy <= t.ys[-1]), None)
        if owner is None:
            crops.append((rect, None))
            continue
        t = tables[owner]
        r = max(i for i in range(t.n_rows) if t.ys[i] <= cy)
        for k in dict.fromkeys(t.owner[r]):
            cx0, ctop, cx1, cbottom = t.cell_rect(k)
            if min(x1, cx1) - max(x0, cx0) >= 3:
                per_cell.setdefault((owner, k), []).append((cx0 + 3, max(top, ctop + 3), cx1 - 2, min(bottom, cbottom - 2)))
    for i, t in enumerate(tables):  # a cell with ink the detector found nothing in (a lone digit): read it whole
        for k in range(len(t.chars)):
            if (i, k) not in per_cell:
                x0, top, x1, bottom = t.cell_rect(k)
                inner = (x0 + 3, top + 3, x1 - 2, bottom - 2)
                if inner[2] > inner[0] and inner[3] > inner[1] and _ink_rows(ink, inner) is not None:
                    per_cell[(i, k)] = [_ink_rows(ink, inner) or inner]
    for target, pieces in per_cell.items():
        pieces.sort(key=lambda p: p[1])
        merged: list[list[int]] = []
        for p in pieces:
            if p[3] - p[1] < 3:
                continue
            if merged and p[1] < merged[-1][3] - 0.3 * (p[3] - p[1]):
                merged[-1][1] = min(merged[-1][1], p[1])
                merged[-1][3] = max(merged[-1][3], p[3])
            else:
                merged.append(list(p))
        crops.extend((_ink_bounds(ink, (a, b, c, d)), target) for a, b, c, d in merged)
    return [(rect, target) for rect, target in crops if rect[2] > rect[0]]


def _ink_rows(ink: np.ndarray, rect: Rect) -> Rect | None:
    """The rect narrowed to its printed rows (a small margin kept), or None when nothing is printed in it."""
    import numpy as np

    x0, top, x1, bottom = rect
    rows = np.flatnonzero(ink[top:bottom, x0:x1].any(axis=1))
    if rows.size < 4:  # a speck is not text
        return None
    margin = 3
    return (x0, max(top, top + int(rows[0]) - margin), x1, min(bottom, top + int(rows[-1]) + 1 + margin))


def _ink_bounds(ink: np.ndarray, rect: Rect) -> Rect:
    """The rect narrowed to the printed columns in it (a little margin kept): the recogniser misreads a lone
    digit in a wide blank strip."""
    import numpy as np

    x0, top, x1, bottom = rect
    cols = np.flatnonzero(ink[top:bottom, x0:x1].any(axis=0))
    if cols.size == 0:
        return (x0, top, x0, bottom)
    margin = max(2, (bottom - top) // 4)
    return (max(x0, x0 + int(cols[0]) - margin), top, min(x1, x0 + int(cols[-1]) + 1 + margin), bottom)


def _recognise(engine, clean: np.ndarray, crops: list[Rect]) -> list[list[_Char]]:
    """Read every crop (lines erased, white margin added): per crop, its characters with a box and a confidence.

    The recogniser reports, per character, the column of its output where the
    character was read; ``steps`` columns span the crop's width, which gives
    the character's position on the page.
    """
    import numpy as np

    pad = 4
    images, kept = [], []
    for i, (x0, top, x1, bottom) in enumerate(crops):
        crop = clean[top:bottom, x0:x1]
        if crop.size == 0 or int(crop.min()) >= INK_LEVEL:
            continue  # nothing printed in this piece
        crop = np.pad(crop, pad, constant_values=255)
        images.append(np.ascontiguousarray(np.stack([crop, crop, crop], axis=-1)))
        kept.append(i)
    out: list[list[_Char]] = [[] for _ in crops]
    if not images:
        return out
    results, _ = engine.text_rec(images, True)
    for i, result in zip(kept, results):
        x0, top, x1, bottom = crops[i]
        out[i] = _chars_of(result, x0 - pad, top, x1 - x0 + 2 * pad, bottom, i)
    return out


def _chars_of(result, left: float, top: float, width: float, bottom: float, line_id: int) -> list[_Char]:
    """One crop's recognised characters with their boxes (midway between neighbouring character centres)."""
    text, score = str(result[0]), float(result[1])
    info: Any = result[2] if len(result) > 2 else None
    try:
        steps = float(info[0])
        words = [ch for word in info[1] for ch in word]
        cols = [col for word in info[2] for col in word]
        confs = [float(c) for c in info[4]]
        if not (len(words) == len(cols) and steps > 0):
            raise ValueError("recogniser detail does not line up")
        if len(confs) != len(words):
            confs = [score] * len(words)
    except (TypeError, IndexError, ValueError):
        words = list(text)
        steps = float(max(1, len(words)))
        cols = list(range(len(words)))
        confs = [score] * len(words)
    centres = [left + (col + 0.5) / steps * width for col in cols]
    chars: list[_Char] = []
    for i, (ch, cx, conf) in enumerate(zip(words, centres, confs)):
        ch = normalise(ch)
        if not ch or ch.isspace() or (conf < NOISE_FLOOR and not ch.isalnum()) or (conf < GARBLE_FLOOR and not ch.isdigit()):
            continue  # a speck read as punctuation, or a smudge as a rare character; digits stay (flagged)
        half = (bottom - top) / 2
        lo = (centres[i - 1] + cx) / 2 if i else cx - half
        hi = (cx + centres[i + 1]) / 2 if i + 1 < len(centres) else cx + half
        lo, hi = max(lo, cx - half, left), min(hi, cx + half, left + width)
        chars.append(_Char(ch, lo, top, hi, bottom, conf, line_id))
    return chars


# ------------------------------------------------------------------ ruled tables

def _find_tables(gray: np.ndarray, page: int) -> tuple[list[_Table], np.ndarray]:
    """Ruled tables on a page image, and the mask of their lines (to erase before OCR)."""
    import cv2
    import numpy as np

    h, w = gray.shape
    ink = (gray < INK_LEVEL).astype(np.uint8)
    kx, ky = max(20, w // 30), max(20, h // 50)
    # a 3-px tall band tolerates a line drifting one pixel (slight skew)
    horiz: Any = cv2.morphologyEx(cv2.dilate(ink, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (kx, 1)))
    vert: Any = cv2.morphologyEx(cv2.dilate(ink, np.ones((1, 3), np.uint8)), cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, ky)))
    horiz &= ink
    vert &= ink
    joined = cv2.dilate(horiz | vert, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    tables: list[_Table] = []
    erase = np.zeros_like(ink, dtype=bool)
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i][:4])
        if bw < 3 * kx or bh < ky:
            continue
        t = _grid_in(horiz, vert, x, y, bw, bh, kx, ky, page)
        if t is None:
            continue
        tables.append(t)
        _erase_rules(erase, horiz, vert, t)
    return tables, erase


def _erase_rules(erase: np.ndarray, horiz: np.ndarray, vert: np.ndarray, t: _Table) -> None:
    """Mark the table's rules for erasing: line pixels in a narrow band around each edge only.

    Only around the edges: a long horizontal stroke run of neighbouring
    characters (二三 printed tight) survives the opening too, and must stay.
    """
    band = EDGE_GAP
    x0, x1, y0, y1 = t.xs[0] - band, t.xs[-1] + band + 1, t.ys[0] - band, t.ys[-1] + band + 1
    x0, y0 = max(0, x0), max(0, y0)
    for y in t.ys:
        a, b = max(0, y - band), y + band + 1
        erase[a:b, x0:x1] |= (horiz[a:b, x0:x1] | vert[a:b, x0:x1]).astype(bool)
        erase[a:b, x0:x1] |= _grow(horiz[a:b, x0:x1])
    for x in t.xs:
        a, b = max(0, x - band), x + band + 1
        erase[y0:y1, a:b] |= (vert[y0:y1, a:b] | horiz[y0:y1, a:b]).astype(bool)
        erase[y0:y1, a:b] |= _grow(vert[y0:y1, a:b])


def _grow(mask: np.ndarray) -> np.ndarray:
    """A line mask one pixel wider on each side (the anti-aliased fringe of a printed rule)."""
    import cv2
    import numpy as np

    return cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)


def _edges(counts, min_count: int, offset: int) -> list[int]:
    """Positions whose line-pixel count reaches ``min_count``, runs closer than EDGE_GAP merged to their middle."""
    hits = [i for i, v in enumerate(counts) if v >= min_count]
    edges: list[list[int]] = []
    for i in hits:
        if edges and i - edges[-1][-1] <= EDGE_GAP:
            edges[-1].append(i)
        else:
            edges.append([i])
    return [offset + (run[0] + run[-1]) // 2 for run in edges]


def _rectangular_cells(roots: list[list[int]]) -> list[list[int]]:
    """Regions with no line between their positions, cut into rectangles.

    A browser draws no border round an empty cell, so the blank beside a short
    table joins the title rows above and below it into one L-shaped region.
    Cells are rectangles: each region is cut into row runs of columns, and runs
    directly above one another over the same columns are one cell again.
    """
    n_rows, n_cols = len(roots), len(roots[0])
    labels = [[-1] * n_cols for _ in range(n_rows)]
    spots: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            spots.setdefault(roots[r][c], []).append((r, c))
    next_label = 0
    for root, cells in spots.items():
        rows = [r for r, _ in cells]
        cols = [c for _, c in cells]
        if len(cells) == (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1):
            for r, c in cells:
                labels[r][c] = next_label
            next_label += 1
            continue
        above: dict[tuple[int, int], int] = {}   # (first col, last col) of a run in the row above -> label
        for r in range(min(rows), max(rows) + 1):
            here: dict[tuple[int, int], int] = {}
            c = 0
            while c < n_cols:
                if roots[r][c] != root:
                    c += 1
                    continue
                start = c
                while c + 1 < n_cols and roots[r][c + 1] == root:
                    c += 1
                run = (start, c)
                label = above.get(run)
                if label is None:
                    label, next_label = next_label, next_label + 1
                here[run] = label
                for cc in range(start, c + 1):
                    labels[r][cc] = label
                c += 1
            above = here
    return labels


def _covered(strip: np.ndarray, *, axis: int) -> bool:
    """A line crosses the whole strip (90 % of it, for breaks in a printed rule)."""
    return strip.size > 0 and float(strip.any(axis=axis).mean()) >= 0.9


def _grid_in(horiz, vert, x: int, y: int, bw: int, bh: int, kx: int, ky: int, page: int) -> _Table | None:
    """The grid of one table region; positions with no line between them are one cell (union-find)."""
    hs = horiz[y:y + bh, x:x + bw]
    vs = vert[y:y + bh, x:x + bw]
    ys = _edges(hs.sum(axis=1), max(kx, bw // 8), y)   # a rule spans a good part of the table,
    xs = _edges(vs.sum(axis=0), max(ky, bh // 8), x)   # a run of character strokes does not
    # a rule runs from one edge to the next; character strokes that survived the opening do not
    xs = [xe for xe in xs if any(_covered(vert[ys[r] + 3:ys[r + 1] - 2, max(0, xe - 3):xe + 4], axis=1)
                                 for r in range(len(ys) - 1))]
    ys = [ye for ye in ys if any(_covered(horiz[max(0, ye - 3):ye + 4, xs[c] + 3:xs[c + 1] - 2], axis=0)
                                 for c in range(len(xs) - 1))]
    if len(ys) < 2 or len(xs) < 2 or (len(ys) - 1) * (len(xs) - 1) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for r in range(n_rows):
        y0, y1 = ys[r] + 3, ys[r + 1] - 2
        for c in range(n_cols - 1):
            xe = xs[c + 1]
            if y1 <= y0 or vert[y0:y1, max(0, xe - 3):xe + 4].any(axis=1).mean() < LINE_COVER:
                union(r * n_cols + c, r * n_cols + c + 1)
    for c in range(n_cols):
        x0, x1 = xs[c] + 3, xs[c + 1] - 2
        for r in range(n_rows - 1):
            ye = ys[r + 1]
            if x1 <= x0 or horiz[max(0, ye - 3):ye + 4, x0:x1].any(axis=0).mean() < LINE_COVER:
                union(r * n_cols + c, (r + 1) * n_cols + c)
    labels = _rectangular_cells([[find(r * n_cols + c) for c in range(n_cols)] for r in range(n_rows)])
    index: dict[int, int] = {}
    owner = [[-1] * n_cols for _ in range(n_rows)]
    origin = [[False] * n_cols for _ in range(n_rows)]
    for r in range(n_rows):
        for c in range(n_cols):
            label = labels[r][c]
            if label not in index:
                index[label] = len(index)
                origin[r][c] = True
            owner[r][c] = index[label]
    return _Table(xs=xs, ys=ys, owner=owner, origin=origin, chars=[[] for _ in index], pages=[page] * n_rows)


# ------------------------------------------------------------------ lines

def _group_lines(chars: list[_Char], page: int) -> list[_Line]:
    """Characters into text lines by vertical centre, each read left to right."""
    lines: list[list[_Char]] = []
    for ch in sorted(chars, key=lambda c: c.cy):
        if lines:
            last = lines[-1]
            mid = median(c.cy for c in last)
            size = median(c.height for c in last)
            if abs(ch.cy - mid) <= 0.5 * size:
                last.append(ch)
                continue
        lines.append([ch])
    for group in lines:
        group.sort(key=lambda c: c.x0)
    return [_Line(group, page) for group in lines]


def _spaced(chars: list[_Char]) -> list[tuple[str, _Char | None]]:
    """A run of characters on one line, with a space where a wide gap separates Latin letters or digits."""
    out: list[tuple[str, _Char | None]] = []
    prev: _Char | None = None
    for ch in chars:
        if prev is not None and ch.x0 - prev.x1 > 0.6 * max(prev.height, ch.height) and (
                prev.ch.isascii() and ch.ch.isascii()):
            out.append((" ", None))
        out.append((ch.ch, ch))
        prev = ch
    return out


def _cell_pieces(chars: list[_Char]) -> list[tuple[str, _Char | None]]:
    """A cell's characters on one line: its wrapped lines run together (a space only between Latin words)."""
    out: list[tuple[str, _Char | None]] = []
    for line in _group_lines(chars, 0) if chars else []:
        piece = _spaced(line.chars)
        if out and out[-1][0].isascii() and out[-1][0].isalnum() and piece[0][0].isascii() and piece[0][0].isalnum():
            out.append((" ", None))
        out.extend(piece)
    return [(CELL_BAR, c) if ch in "|\uff5c" else (ch, c) for ch, c in out]


# ------------------------------------------------------------------ assembly

@dataclass
class _Out:
    """Text under construction, a PageBox per character and the low-confidence spans."""

    threshold: float
    parts: list[str] = field(default_factory=list)
    pos: int = 0
    boxes: list[PageBox] = field(default_factory=list)
    uncertain: list[UncertainSpan] = field(default_factory=list)

    def text(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def char(self, ch: str, src: _Char | None, page: _Page) -> None:
        if src is not None and not ch.isspace():
            k = page.scale
            self.boxes.append(PageBox(self.pos, self.pos + 1, page.number, round(src.x0 / k, 2), round(src.top / k, 2),
                                      round(src.x1 / k, 2), round(src.bottom / k, 2)))
            if src.score < self.threshold:
                last = self.uncertain[-1] if self.uncertain else None
                if last is not None and last.end == self.pos and last.confidence == round(src.score, 3):
                    self.uncertain[-1] = UncertainSpan(last.start, self.pos + 1, last.confidence)
                else:
                    self.uncertain.append(UncertainSpan(self.pos, self.pos + 1, round(src.score, 3)))
        self.text(ch)


def _assemble(pages: list[_Page], threshold: float) -> Document:
    """Lines and tables in reading order; wrapped prose joined; a table continued on the next page is one table."""
    items = _merge_continued(pages)
    by_number = {p.number: p for p in pages}
    out = _Out(threshold=threshold)
    tables: list[TableGrid] = []
    prev: _Line | None = None
    right = {p.number: _right_margin(p) for p in pages}
    for it in items:
        if isinstance(it, _Table):
            if out.pos:
                out.text("\n")
            tables.append(_emit_table(out, it, by_number))
            out.text("\n")
            prev = None
            continue
        if prev is not None:
            out.text("" if _continues(prev, it, right[prev.page]) else "\n")
        for ch, src in _spaced(it.chars):
            out.char(ch, src, by_number[it.page])
        prev = it
    text = "".join(out.parts).rstrip("\n")
    return Document(text=text, tables=tables, boxes=out.boxes, uncertain=out.uncertain)


def _right_margin(page: _Page) -> float:
    """Where long prose lines end on this page (the 90th percentile of line ends)."""
    ends = sorted(it.x1 for it in page.items if isinstance(it, _Line) and len(it.chars) >= 8)
    return ends[int(0.9 * (len(ends) - 1))] if len(ends) >= 3 else float("inf")  # fewer: no margin to run to


def _continues(prev: _Line, nxt: _Line, right: float) -> bool:
    """``nxt`` wraps ``prev``'s paragraph: ``prev`` runs to the right margin and ``nxt`` does not open a heading."""
    size = median(c.height for c in prev.chars)
    if prev.x1 < right - 2.5 * size:
        return False
    if nxt.page == prev.page and nxt.top - prev.bottom > 1.2 * size:
        return False
    text = prev.text.rstrip()
    return not (text and text[-1] in _SENTENCE_END and _HEADING_START.match(nxt.text))


def _merge_continued(pages: list[_Page]) -> list[Any]:
    """All items in order; a table opening a page joins the table that closed the page before (same columns)."""
    out: list[Any] = []
    for p in pages:
        for k, it in enumerate(p.items):
            prev = out[-1] if out else None
            if (k == 0 and isinstance(it, _Table) and isinstance(prev, _Table) and prev.pages[-1] == p.number - 1
                    and prev.n_cols == it.n_cols
                    and all(abs(a - b) <= 0.01 * p.width for a, b in zip(prev.xs, it.xs))):
                _append_rows(prev, it)
                continue
            out.append(it)
    return out


def _row_texts(t: _Table, r: int) -> list[str]:
    return ["".join(ch for ch, _ in _cell_pieces(t.chars[k])) if t.origin[r][c] else "\0"
            for c, k in enumerate(t.owner[r])]


def _append_rows(a: _Table, b: _Table) -> None:
    """``b``'s rows after ``a``'s, without the header rows ``b`` repeats from ``a``'s top."""
    skip = 0
    while skip < min(a.n_rows, b.n_rows) and _row_texts(a, skip) == _row_texts(b, skip):
        skip += 1
    if skip == b.n_rows:
        skip = 0
    shift = len(a.chars)
    a.owner.extend([[k + shift for k in row] for row in b.owner[skip:]])
    a.origin.extend(b.origin[skip:])
    a.pages.extend(b.pages[skip:])
    a.chars.extend(b.chars)


def _emit_table(out: _Out, t: _Table, pages: dict[int, _Page]) -> TableGrid:
    """The table's rows as ingest's pipe lines (merged-cell copies left out), a PageBox per character."""
    pieces = [_cell_pieces(chars) for chars in t.chars]
    strings = ["".join(ch for ch, _ in p) for p in pieces]
    grid = TableGrid(cells=[[strings[k] for k in row] for row in t.owner], origin=[list(r) for r in t.origin])
    start = out.pos
    for r in range(t.n_rows):
        if r:
            out.text("\n")
        line, places = row_line(grid, r)
        line_start = out.pos
        cursor = 0
        for col, s, _ in places:
            out.text(line[cursor:s])
            for ch, src in pieces[t.owner[r][col]]:
                out.char(ch, src, pages[t.pages[r]])
            cursor = s + len(strings[t.owner[r][col]])
        out.text(line[cursor:])
        assert out.pos - line_start == len(line)
    grid.span = (start, out.pos)
    return grid
