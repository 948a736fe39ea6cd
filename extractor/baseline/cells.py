"""Read the cells that follow a row label, whatever the page did to the table.

Layouts met in real pages (template_spec.md §6):
* one cell per line, each line ending in ``|`` (``6398 |``), colspan fillers ``| ||``;
* one row per line, pipe separated (HTML tables rendered by ingest, markdown from PDFs);
* cells separated by spaces, or run together with no separator at all.
``read_cells`` returns the raw cells with their spans; ``interpret`` turns
them into exactly ``n`` values, using digit-split search when cells ran together.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from extractor.baseline.splits import agreed_cells, plain_splits
from extractor.numbers import Cell, CellState, parse_cell
from schemas.vocabulary import MARKER_TOKEN, NUMBER_TOKEN

Span = tuple[int, int]

_NUMBER_TOKEN = re.compile(NUMBER_TOKEN)
_MARKER_TOKEN = re.compile(MARKER_TOKEN)
_LIST_NUMBER = re.compile(r"\d\s*[.．、]\s*[\u4e00-\u9fff]")
_MD_SEPARATOR = re.compile(r"^\s*:?-{2,}:?\s*$")


@dataclass
class RawCells:
    cells: list[tuple[str, Span]] = field(default_factory=list)
    pipe: bool = False

    @property
    def span(self) -> Span | None:
        if not self.cells:
            return None
        return (self.cells[0][1][0], self.cells[-1][1][1])


def _is_cell_text(piece: str) -> bool:
    s = piece.strip()
    if not s or _MD_SEPARATOR.match(s):
        return True
    m = _NUMBER_TOKEN.fullmatch(s) or _MARKER_TOKEN.fullmatch(s)
    if m:
        return True
    # run-together digits with inner spaces ("500000 5") are still cell text
    return bool(re.fullmatch(r"[\d\s.]+", s))


def read_cells(text: str, pos: int, limit: int) -> RawCells:
    """Cells from ``pos`` (just after a row label) up to ``limit`` or the next non-cell text."""
    limit = min(limit, len(text))
    first_nl = text.find("\n", pos, limit)
    line_end = first_nl if first_nl != -1 else limit
    first_line = text[pos:line_end]
    if "|" in first_line and re.search(r"\|\s*[^|\s]", first_line.lstrip()[1:] if first_line.lstrip().startswith("|") else first_line):
        return _read_pipe(text, pos, line_end)
    if first_line.strip() == "|" or first_line.strip().startswith("|"):
        return _read_pipe(text, pos, limit)
    return _read_plain(text, pos, limit)


def _read_pipe(text: str, pos: int, limit: int) -> RawCells:
    out = RawCells(pipe=True)
    segment = text[pos:limit]
    pieces = segment.split("|")
    offset = pos
    for i, piece in enumerate(pieces):
        start = offset
        offset += len(piece) + 1
        if i == 0 and not (piece.strip() and _is_cell_text(piece)):
            continue  # the rest of the label's own cell (a value glued to its label is kept)
        if i == len(pieces) - 1 and (offset - 1) >= limit and not piece.strip():
            break
        if not _is_cell_text(piece):
            # "0(三)不予公开": the last cell glued to a group label that follows it
            lead = len(piece) - len(piece.lstrip())
            m = _NUMBER_TOKEN.match(piece, lead) or _MARKER_TOKEN.match(piece, lead)
            if m and m.end() > lead and not piece[m.end():m.end() + 1].isdigit():
                token = m.group(0).strip()
                out.cells.append((token, (start + lead, start + lead + len(token))))
            break
        s = piece.strip()
        if _MD_SEPARATOR.match(s):
            continue
        lead = len(piece) - len(piece.lstrip())
        out.cells.append((s, (start + lead, start + lead + len(s))))
    return out


def _read_plain(text: str, pos: int, limit: int) -> RawCells:
    out = RawCells(pipe=False)
    i = pos
    while i < limit:
        ch = text[i]
        if ch.isspace() or ch == "|":
            i += 1
            continue
        m = _NUMBER_TOKEN.match(text, i, limit) or _MARKER_TOKEN.match(text, i, limit)
        if not m:
            break
        token = m.group(0)
        end = m.end()
        # "…0000001.属于国家秘密": the last digit is the next row's list number.
        nxt = _LIST_NUMBER.match(text, end - 1, limit) if token[-1].isdigit() else None
        if nxt and re.fullmatch(r"\d+", token):
            token = token[:-1]
            end -= 1
            if not token:
                break
            out.cells.append((token, (i, end)))
            break
        out.cells.append((token.strip(), (i, i + len(token.strip()))))
        i = end
    return out


@dataclass
class RowValues:
    """``n`` cells of one table row after interpretation."""

    cells: list[Cell | None]
    spans: list[Span | None]
    candidates: list[tuple[int, ...]] | None = None  # set when digits were split
    problem: str = ""


def interpret(raw: RawCells, n: int, *, split: Callable[[str], list[tuple[int, ...]]] | None = None) -> RowValues:
    """Exactly ``n`` cells from raw cells; digit runs are split with ``split`` (default: any split)."""
    if not raw.cells:
        return RowValues([None] * n, [None] * n, problem="no cells")
    parsed = [parse_cell(t) for t, _ in raw.cells]
    spans: list[Span | None] = [s for _, s in raw.cells]
    if len(raw.cells) >= n and _all_cells(raw.cells[:n]) and (raw.pipe or _no_glued(raw.cells[:n], n, len(raw.cells))):
        # Separated cells are read as printed, even when a printed total is off: the checks report that.
        return RowValues(list(parsed[:n]), spans[:n])
    # Cells ran together: split the concatenated digits.
    texts = [t for t, _ in raw.cells]
    if all(re.fullmatch(r"[\d\s]+", t) for t in texts):
        digits = re.sub(r"\s+", "", "".join(texts))
        splitter = split or (lambda d: plain_splits(d, n))
        candidates = splitter(digits)
        run_span = raw.span
        if not candidates and split is not None:
            # No split satisfies the row's own sum: the page printed a typo.  The printed reading is then
            # a split that breaks that one rule; cells every such split agrees on are kept as printed (the
            # checks report the break), the others stay undecided.  Digits as many as cells: one split.
            candidates = plain_splits(digits, n)
        if not candidates:
            return RowValues([None] * n, [None] * n, candidates=[],
                             problem=f"digits '{digits}' cannot be split into {n} cells that satisfy the table's arithmetic")
        agreed = agreed_cells(candidates)
        cells = [Cell(CellState.VALUE, v, str(v)) if v is not None else None for v in agreed]
        problem = "" if len(candidates) == 1 else f"digits '{digits}' split {len(candidates)} ways"
        return RowValues(cells, [run_span] * n, candidates=candidates, problem=problem)
    return RowValues([None] * n, [None] * n, problem=f"cannot read {n} cells from {texts!r}")


def _all_cells(cells: list[tuple[str, Span]]) -> bool:
    return all(_is_cell_text(t) for t, _ in cells)


def _no_glued(cells: list[tuple[str, Span]], n: int, total: int) -> bool:
    """Space-separated cells are trusted only when their count is exactly right."""
    return total == n and all(not re.fullmatch(r"0\d+", t) for t, _ in cells)
