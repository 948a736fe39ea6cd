"""The document every stage reads: normalised text, and where its pieces came from.

This is the bottom layer.  Every evidence span is a pair of character offsets
into ``Document.text``; for files with a layout (PDF, scans, Word) the document
also maps text spans back to their place in the file: ``boxes`` (page and
coordinates, PDF points, pdfplumber's convention: origin top-left) and
``cells`` (Word tables: table, row, column).  OCR'd text carries its
recogniser's confidence in ``uncertain`` (spans read below the threshold).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int]


@dataclass
class TableGrid:
    """A table as a rectangular grid; spanned cells repeat their origin's text.

    ``origin[r][c]`` is True where the cell starts (not a rowspan/colspan copy).
    ``span`` is where the table's text rows sit in ``Document.text``.
    """

    cells: list[list[str]]
    origin: list[list[bool]]
    span: tuple[int, int] = (0, 0)

    @property
    def n_rows(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class PageBox:
    """Text ``[start, end)`` of ``Document.text`` sits on ``page`` (from 1) inside this box (PDF points)."""

    start: int
    end: int
    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class CellRef:
    """Text ``[start, end)`` of ``Document.text`` is the content of a Word table cell (all from 0)."""

    start: int
    end: int
    table: int
    row: int
    col: int


@dataclass(frozen=True)
class UncertainSpan:
    """Text ``[start, end)`` was recognised (OCR) with a confidence below the trusted threshold."""

    start: int
    end: int
    confidence: float


@dataclass
class Document:
    """A report after ingest: the normalised text every span points into."""

    text: str
    path: str = ""
    sha256: str = ""
    encoding: str = "utf-8"
    source_format: str = "text"
    tables: list[TableGrid] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    boxes: list[PageBox] = field(default_factory=list)      # sorted by start; PDF and scans
    cells: list[CellRef] = field(default_factory=list)      # sorted by start; Word tables
    uncertain: list[UncertainSpan] = field(default_factory=list)  # OCR below threshold
    pages: int = 0
    _box_starts: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    def box_for(self, start: int, end: int) -> list[float] | None:
        """``[page, x0, top, x1, bottom]`` enclosing the text ``[start, end)`` (its first page), or None."""
        hits = self._boxes_overlapping(start, end)
        if not hits:
            return None
        page = hits[0].page
        same = [b for b in hits if b.page == page]
        return [page, round(min(b.x0 for b in same), 2), round(min(b.top for b in same), 2),
                round(max(b.x1 for b in same), 2), round(max(b.bottom for b in same), 2)]

    def _boxes_overlapping(self, start: int, end: int) -> list[PageBox]:
        """Boxes meeting ``[start, end)``; boxes are sorted and disjoint, so a bisection finds the first."""
        from bisect import bisect_right

        if len(self._box_starts) != len(self.boxes):
            self._box_starts = [b.start for b in self.boxes]
        i = max(0, bisect_right(self._box_starts, start) - 1)
        hits = []
        while i < len(self.boxes) and self.boxes[i].start < end:
            if self.boxes[i].end > start:
                hits.append(self.boxes[i])
            i += 1
        return hits

    def cell_for(self, start: int, end: int) -> dict[str, int] | None:
        """``{"table", "row", "col"}`` of the Word table cell holding ``[start, end)``, or None."""
        for c in self.cells:
            if c.start <= start and end <= c.end:
                return {"table": c.table, "row": c.row, "col": c.col}
        return None

    def confidence_for(self, start: int, end: int) -> float | None:
        """The lowest OCR confidence below threshold inside ``[start, end)``, or None when all was trusted."""
        low = [u.confidence for u in self.uncertain if u.start < end and u.end > start]
        return min(low) if low else None


# ---------------------------------------------------------------- normalising

# Radicals-supplement code points that stand in for whole characters in real text
# layers and have no compatibility decomposition (NFKC leaves them alone).
_RADICAL_SUPPLEMENT = {
    "⺠": "民", "⻅": "见", "⻆": "角", "⻈": "讠", "⻉": "贝", "⻋": "车", "⻓": "长", "⻔": "门", "⻘": "青",
    "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼",
    "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻪": "黾", "⻬": "齐", "⻮": "齿", "⻰": "龙", "⻄": "西",
    "⻗": "雨", "⻁": "虎", "⺮": "竹", "⺯": "糸", "⺶": "羊", "⺼": "肉", "⻐": "钅", "⻊": "足",
}


def _build_char_map() -> dict[int, str]:
    """One character -> one character: full-width ASCII, odd spaces, and the CJK look-alikes PDFs carry.

    PDF text layers (browser-printed ones especially) spell common characters with
    Kangxi radicals (⼆ U+2F06 for 二, ⽂ for 文, ⼈⺠ for 人民) or CJK compatibility
    ideographs; they look right on the page but no pattern matches them.  Their
    NFKC form is a single unified ideograph, so folding keeps offsets.
    """
    import unicodedata

    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = chr(code - 0xFEE0)
    ranges = (range(0x2E80, 0x2F00), range(0x2F00, 0x2FE0), range(0xF900, 0xFB00), range(0x2F800, 0x2FA20))
    for block in ranges:
        for code in block:
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and folded != chr(code):
                table[code] = folded
    for radical, char in _RADICAL_SUPPLEMENT.items():
        table[ord(radical)] = char
    for space in ("\u3000", "\u00a0", "\u2002", "\u2003", "\u2009", "\u200b", "\ufeff", "\t"):
        table[ord(space)] = " "
    table[ord("\r")] = "\n"
    return table


_CHAR_MAP = _build_char_map()


CELL_BAR = "\u00a6"
"""What a '|' printed inside a table cell becomes: '¦' survives ``normalise`` (full-width '｜' would
fold back to '|') and cannot be taken for the pipe that separates the columns of a grid row."""


def bar_safe(text: str) -> str:
    """``text`` with every '|' or '｜' turned into ``CELL_BAR``, so a grid row keeps its columns."""
    return text.replace("|", CELL_BAR).replace("\uff5c", CELL_BAR)


def normalise(text: str) -> str:
    """One-for-one character normalisation (keeps offsets).

    Full-width -> ASCII, odd spaces -> ' ', Kangxi radicals and CJK compatibility
    ideographs -> the unified ideographs they stand for.
    """
    text = text.replace("\r\n", "\n")
    return text.translate(_CHAR_MAP)
