"""Word fixtures built in the test: a report page's text and tables written as a real .docx.

The tables keep their merged cells: every rowspan/colspan of the HTML report
becomes a python-docx merge, which Word stores as ``w:gridSpan`` and ``w:vMerge``.
"""

from __future__ import annotations

import io

from extractor.document import TableGrid
from extractor.ingest import load_bytes


def _extent(grid: TableGrid, r: int, c: int) -> tuple[int, int]:
    """(rows, cols) a merged cell at origin (r, c) covers: the copies of it right of and below it."""
    text = grid.cells[r][c]
    cols = 1
    while c + cols < len(grid.cells[r]) and not grid.origin[r][c + cols] and grid.cells[r][c + cols] == text:
        cols += 1
    rows = 1
    while r + rows < grid.n_rows and not grid.origin[r + rows][c] and grid.cells[r + rows][c] == text:
        rows += 1
    return rows, cols


def add_grid_table(document, grid: TableGrid) -> None:
    """Write a grid as a Word table, merged cells merged."""
    width = len(grid.cells[0])
    table = document.add_table(rows=grid.n_rows, cols=width)
    for r in range(grid.n_rows):
        for c in range(width):
            if not grid.origin[r][c]:
                continue
            rows, cols = _extent(grid, r, c)
            cell = table.cell(r, c)
            if rows > 1 or cols > 1:
                cell = cell.merge(table.cell(r + rows - 1, c + cols - 1))
            cell.text = grid.cells[r][c]


def docx_from_html(html: str) -> bytes:
    """The report page as a .docx: its prose lines as paragraphs, its tables as merged Word tables."""
    import docx

    page = load_bytes(html.encode("utf-8"), name="page.html")
    document = docx.Document()
    pos = 0
    for grid in sorted(page.tables, key=lambda g: g.span[0]):
        for line in page.text[pos:grid.span[0]].splitlines():
            if line.strip():
                document.add_paragraph(line)
        add_grid_table(document, grid)
        pos = grid.span[1]
    for line in page.text[pos:].splitlines():
        if line.strip():
            document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
