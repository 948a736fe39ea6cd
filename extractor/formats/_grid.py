"""A table grid as ingest's pipe rows, with where each cell's text landed.

Ingest writes every table row as ``| a | b |`` (``ingest.grid_row_line``):
copies made by merged cells are left out so a value is never repeated, real
blank cells stay so positions still count.  The format readers sit below
ingest, so the same rule lives here once for them, and also says at which
offset of the line each written cell starts (for CellRef / PageBox).
"""

from __future__ import annotations

from extractor.document import TableGrid, bar_safe

# (column, start, end) of a written cell inside the line
CellPlace = tuple[int, int, int]


def row_line(grid: TableGrid, r: int) -> tuple[str, list[CellPlace]]:
    """Row ``r`` as one pipe line, and the place of every origin cell's text in that line."""
    parts: list[str] = ["| "]
    pos = 2
    places: list[CellPlace] = []
    first = True
    for c, text in enumerate(grid.cells[r]):
        if not (grid.origin[r][c] or text == ""):
            continue
        if not first:
            parts.append(" | ")
            pos += 3
        first = False
        if grid.origin[r][c]:
            places.append((c, pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    parts.append(" |")
    return "".join(parts), places


def cell_safe(text: str) -> str:
    """Cell text on one line, with a printed '|' kept apart from the column separator (``CELL_BAR``)."""
    return bar_safe(" ".join(text.split()))
