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

    def box_for(self, start: int, end: int) -> list[float] | None:
        """``[page, x0, top, x1, bottom]`` enclosing the text ``[start, end)`` (its first page), or None."""
        hits = [b for b in self.boxes if b.start < end and b.end > start]
        if not hits:
            return None
        page = hits[0].page
        same = [b for b in hits if b.page == page]
        return [page, min(b.x0 for b in same), min(b.top for b in same),
                max(b.x1 for b in same), max(b.bottom for b in same)]

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

def _build_char_map() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = chr(code - 0xFEE0)
    for space in ("\u3000", "\u00a0", "\u2002", "\u2003", "\u2009", "\u200b", "\ufeff", "\t"):
        table[ord(space)] = " "
    table[ord("\r")] = "\n"
    return table


_CHAR_MAP = _build_char_map()


def normalise(text: str) -> str:
    """One-for-one character normalisation (keeps offsets): full-width -> ASCII, odd spaces -> ' '."""
    text = text.replace("\r\n", "\n")
    return text.translate(_CHAR_MAP)


