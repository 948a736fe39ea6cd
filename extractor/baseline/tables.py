"""The official tables of sections 二, 三 and 四, read from normalised text.

Rows are found by their official labels (tolerant of punctuation and
numbering variants); cells by ``cells.read_cells``.  Where labels were lost
(PDF text), rows are assigned by their canonical position when the count of
numeric rows is exactly the template's.  The tables' own arithmetic settles
digit splits; whatever stays ambiguous is flagged and left out, never guessed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from extractor.baseline.cells import RawCells, RowValues, interpret, read_cells
from extractor.baseline.labels import find_row_labels
from extractor.baseline.splits import agreed_cells, grouped_total_splits, total_splits
from extractor.numbers import Cell, CellState, money_to_wan
from extractor.result import Extraction, Flag, FlagKind
from schemas.vocabulary import (
    APPLICANT_COLUMNS,
    BARE_NUMBER,
    MARKER_TOKEN,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
    REVIEW_KEYS,
    TABLE3_ROWS,
    RowTerm,
    Table2Row,
    spaced,
    table3_data_keys,
)
from schemas.vocabulary import TABLE2_ROWS as _TABLE2_TERMS

Span = tuple[int, int]



def table3_rows(variant: str) -> tuple[RowTerm, ...]:
    """Table 三's printed rows for a template (group labels included)."""
    return TABLE3_ROWS["2021" if variant == "2021" else "2019"]


_T3_START = re.compile(r"(?:一\s*[、.]\s*)?" + spaced("本年新收政府信息公开申请数量"))
_T3_CONTEXT = re.compile(r"勾稽关系|申请人情况|自然人")
_T3_2021 = re.compile(r"逾期不补正|逾期未按收费通知")
_T4_HEAD = re.compile(r"行\s*政\s*复\s*议")


@dataclass
class RowRead:
    key: str
    values: RowValues
    label_span: Span | None


@dataclass
class TableRead:
    rows: dict[str, RowRead] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    region: Span | None = None


# ----------------------------------------------------------------- table 三

def _table3_region(text: str) -> Span | None:
    starts = list(_T3_START.finditer(text))
    if not starts:
        return None
    chosen = None
    for m in starts:
        if _T3_CONTEXT.search(text, max(0, m.start() - 800), m.start()):
            chosen = m
            break
    chosen = chosen or starts[0]
    start = chosen.start()
    end_m = _T4_HEAD.search(text, chosen.end())
    end = end_m.start() if end_m else len(text)
    return (start, end)


def _table3_variant(text: str, r0: int, r1: int, template: str) -> str:
    """Which row set the table uses: the 2021 split of （六） or the single 2019 row."""
    region = re.sub(r"\s+", "", text[r0:r1])
    if _T3_2021.search(region):
        return "2021"
    if re.search(r"\(六\)其他处理\|?[\d—\-/]", region):
        return "2019"
    return "2021" if template == "2021" else "2019"


def read_table3(text: str, template: str = "2019") -> TableRead:
    """Section 三: 23 (2019) or 25 (2021) rows × 7 applicant columns."""
    region = _table3_region(text)
    out = TableRead(region=region)
    if region is None:
        return out
    r0, r1 = region
    variant = _table3_variant(text, r0, r1, template)
    rows = table3_rows(variant)
    data_keys = table3_data_keys(variant)
    anchors = find_row_labels(text, r0, r1, rows)
    for i, hit in enumerate(anchors):
        if hit.key is None:
            continue
        limit = anchors[i + 1].start if i + 1 < len(anchors) else r1
        raw = read_cells(text, hit.end, limit)
        values = interpret(raw, 7, split=lambda d: total_splits(d, 6))
        out.rows[hit.key] = RowRead(key=hit.key, values=values, label_span=(hit.start, hit.end))
        _flag_unknown_row(text, raw.span[1] if raw.span else hit.end, limit, out)
    positional = _positional_rows(text, r0, r1, len(data_keys))
    labelled_with_values = sum(1 for r in out.rows.values() if any(c is not None for c in r.values.cells))
    if positional is not None and labelled_with_values < len(data_keys):
        merged: dict[str, RowRead] = {}
        for key, raw in zip(data_keys, positional):
            values = interpret(raw, 7, split=lambda d: total_splits(d, 6))
            labelled = out.rows.get(key)
            if labelled and any(c is not None for c in labelled.values.cells) and _cells_tuple(labelled.values) != _cells_tuple(values):
                out.flags.append(Flag(FlagKind.ROW_POSITION_CONFLICT,
                                      f"table 三 row {key}: labelled cells differ from the row at its canonical position",
                                      [f"applications.{key}.{c}" for c in APPLICANT_COLUMNS], raw.span))
            merged[key] = RowRead(key=key, values=values, label_span=labelled.label_span if labelled else None)
        out.rows = merged
        out.flags.append(Flag(FlagKind.ROWS_BY_POSITION,
                              f"table 三 row labels were lost; {len(data_keys)} numeric rows assigned by canonical position",
                              [], region))
    _settle_table3_splits(out, variant)
    missing = [k for k in data_keys if k not in out.rows or all(c is None for c in out.rows[k].values.cells)]
    if missing and len(missing) < len(data_keys):
        out.flags.append(Flag(FlagKind.TABLE_INCOMPLETE, f"table 三: no cells read for rows {', '.join(missing)}",
                              [f"applications.{k}.total" for k in missing], region))
    for row in out.rows.values():
        if row.values.problem and row.values.candidates is None:
            out.flags.append(Flag(FlagKind.ROW_UNREADABLE, f"table 三 row {row.key}: {row.values.problem}",
                                  [f"applications.{row.key}.{c}" for c in APPLICANT_COLUMNS], row.label_span))
    return out


_UNKNOWN_ROW = re.compile(r"(?P<label>[\u4e00-\u9fff][\u4e00-\u9fff()（）、，,\s]{1,40}?)\s*\|?\s*(?=\d)")


def _flag_unknown_row(text: str, after_cells: int, limit: int, out: TableRead) -> None:
    """A labelled row the template does not have (a province's extra row, a 小计): flag it, read past it."""
    m = _UNKNOWN_ROW.search(text, after_cells, limit)
    if m is None:
        return
    label = re.sub(r"\s+", "", m.group("label"))
    out.flags.append(Flag(FlagKind.ROW_UNKNOWN, f"table 三: a row labelled '{label}' fits no row of the template; "
                          "its cells were not read", [], (m.start("label"), m.end("label"))))


def _cells_tuple(values: RowValues) -> tuple:
    return tuple(c.value if c is not None else None for c in values.cells)


_PIPE_ROW = re.compile(r"^\|(.*)\|\s*$", re.M)


def _positional_rows(text: str, r0: int, r1: int, expected: int) -> list[RawCells] | None:
    """Numeric pipe rows of the region in order, when there are exactly ``expected`` of them."""
    rows: list[RawCells] = []
    r0 = text.rfind("\n", 0, r0) + 1  # the first row's line starts before its label
    for m in _PIPE_ROW.finditer(text, r0, r1):
        line_start = m.start()
        parts = m.group(1).split("|")
        offset = line_start + 1
        cells: list[tuple[str, Span]] = []
        for part in parts:
            s = part.strip()
            lead = len(part) - len(part.lstrip())
            cells.append((s, (offset + lead, offset + lead + len(s))))
            offset += len(part) + 1
        # drop leading label cells
        while cells and cells[0][0] and not _numericish(cells[0][0]):
            cells.pop(0)
        if not cells or any(c and not _numericish(c) for c, _ in cells):
            continue
        if not any(re.search(r"\d", c) for c, _ in cells):
            continue
        while len(cells) > 7 and not cells[-1][0]:
            cells.pop()
        rows.append(RawCells(cells=cells, pipe=True))
    if len(rows) != expected:
        return None
    return rows


def _numericish(s: str) -> bool:
    return bool(re.fullmatch(BARE_NUMBER + "|" + MARKER_TOKEN, s.strip()))


def _settle_table3_splits(out: TableRead, variant: str) -> None:
    """Use the column balances to choose among digit splits; keep only what all survivors agree on."""
    ambiguous = {k: r for k, r in out.rows.items() if r.values.candidates and len(r.values.candidates) > 1}
    if not ambiguous:
        _flag_splits(out)
        return
    result_rows = RESULT_ROWS_2021 if variant == "2021" else RESULT_ROWS_2019
    needed = ["new_received", "carried_over", "total_processed", "carried_forward", *result_rows]

    def fixed(key: str) -> tuple[int | None, ...] | None:
        row = out.rows.get(key)
        if row is None:
            return None
        return tuple(int(c.value) if c is not None and c.state is CellState.VALUE and c.value is not None else None
                     for c in row.values.cells)

    keys = list(ambiguous)
    options = [ambiguous[k].values.candidates or [] for k in keys]
    total = 1
    for o in options:
        total *= len(o)
    if total > 200_000 or any(k not in out.rows for k in needed):
        _flag_splits(out)
        return
    # The printed reading is a split that breaks the fewest column rules (none, unless the page has a typo).
    survivors: list[tuple[tuple[int, ...], ...]] = []
    fewest = None
    base = {k: fixed(k) for k in needed}
    for combo in itertools.product(*options):
        table = dict(base)
        table.update(dict(zip(keys, combo)))
        broken = _broken_column_rules(table, result_rows)
        if fewest is None or broken < fewest:
            fewest, survivors = broken, [combo]
        elif broken == fewest:
            survivors.append(combo)
    if fewest:
        out.flags.append(Flag(FlagKind.SPLIT_UNSETTLED, f"table 三: every digit split breaks at least {fewest} column "
                              "rule(s); cells all the least-breaking splits agree on are kept as printed", [],
                              out.region))
    for i, key in enumerate(keys):
        cands = sorted({s[i] for s in survivors})
        row = out.rows[key]
        row.values.candidates = cands
        agreed = agreed_cells(cands)
        row.values.cells = [Cell(CellState.VALUE, v, str(v)) if v is not None else None for v in agreed]
    _flag_splits(out)


def _broken_column_rules(table: dict[str, tuple[int | None, ...] | None], result_rows: list[str]) -> int:
    """How many per-column rules (一+二 = 三(七)+四; results add up to (七)) the table breaks."""
    def cell(key: str, col: int) -> int | None:
        row = table.get(key)
        return None if row is None else row[col]

    broken = 0
    for col in range(7):
        a, b, c, d = (cell(k, col) for k in ("new_received", "carried_over", "total_processed", "carried_forward"))
        if None not in (a, b, c, d) and a + b != c + d:  # type: ignore[operator]
            broken += 1
        parts = [cell(k, col) for k in result_rows]
        if c is not None and None not in parts and sum(parts) != c:  # type: ignore[arg-type]
            broken += 1
    return broken


def _flag_splits(out: TableRead) -> None:
    for row in out.rows.values():
        cands = row.values.candidates
        if cands and len(cands) > 1:
            unsettled = [APPLICANT_COLUMNS[i] for i, c in enumerate(row.values.cells) if c is None]
            if unsettled:
                out.flags.append(Flag(
                    FlagKind.AMBIGUOUS_SPLIT,
                    f"table 三 row {row.key}: {len(cands)} digit splits satisfy the arithmetic; "
                    f"cells {', '.join(unsettled)} left out",
                    [f"applications.{row.key}.{c}" for c in unsettled], row.values.spans[0]))


def emit_table3(read: TableRead, ext: Extraction) -> None:
    for key, row in read.rows.items():
        for col, cell, span in zip(APPLICANT_COLUMNS, row.values.cells, row.values.spans):
            _emit(ext, f"applications.{key}.{col}", cell, span)
    ext.flags.extend(read.flags)


def _emit(ext: Extraction, key: str, cell: Cell | None, span: Span | None, *, value=None) -> None:
    if cell is None:
        return
    if cell.state is CellState.VALUE:
        ext.set(key, cell.value if value is None else value, span, "table")
    elif cell.state is CellState.NOT_APPLICABLE:
        ext.not_applicable[key] = span


# ----------------------------------------------------------------- table 二

_T2_START = re.compile(r"第\s*二\s*十\s*条\s*第\s*\(\s*[一五六八九]\s*\)\s*项")
_T2_END = re.compile(r"勾稽关系|本年新收\s*政府信息公开申请|申请人情况|收到和处理政府信息公开申请")

# key prefix, label pattern, cells (2019), cells (2021)
def _table2_label_pattern(row: Table2Row) -> str:
    words = sorted((row.label, *row.variants), key=len, reverse=True)
    return "(?:" + "|".join(spaced(w) for w in words) + ")"


# key prefix, label pattern, cells (2019), cells (2021) — built from the vocabulary
TABLE2_ROWS: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    (r.prefix, _table2_label_pattern(r), r.cols_2019, r.cols_2021) for r in _TABLE2_TERMS
]


def read_table2(text: str, template: str, ext: Extraction) -> None:
    """Section 二 table cells, written straight into ``ext``."""
    start = _T2_START.search(text)
    if start is None:
        return
    end_m = _T2_END.search(text, start.end())
    r0, r1 = start.start(), (end_m.start() if end_m else len(text))
    variant = "2021" if template == "2021" else "2019"
    anchors: list[tuple[int, int, str, tuple[str, ...]]] = []
    for prefix, pattern, cols2019, cols2021 in TABLE2_ROWS:
        cols = cols2021 if variant == "2021" else cols2019
        if not cols:
            continue
        # the label as a table row: followed by a cell separator, a digit or a marker
        m = re.compile(pattern + r"(?:\s*\([^()\n]{0,40}\))?(?=\s*(?:\||[\d+\-—/－]|\n\s*[\d\-—/]))").search(text, r0, r1)
        if m is None:
            continue
        anchors.append((m.start(), m.end(), prefix, cols))
    anchors.sort()
    for i, (a0, a1, prefix, cols) in enumerate(anchors):
        limit = anchors[i + 1][0] if i + 1 < len(anchors) else r1
        raw = read_cells(text, a1, limit)
        n = len(cols)
        values = interpret(raw, n)
        if values.candidates is not None and len(values.candidates) > 1:
            unsettled = [c for c, cell in zip(cols, values.cells) if cell is None]
            if unsettled:
                ext.flags.append(Flag(FlagKind.AMBIGUOUS_SPLIT,
                                      f"table 二 row {prefix}: digits split {len(values.candidates)} ways and no "
                                      f"arithmetic decides; {', '.join(unsettled)} left out",
                                      [f"{prefix}.{c}" for c in unsettled], raw.span))
        elif values.problem and values.candidates is None:
            ext.flags.append(Flag(FlagKind.ROW_UNREADABLE, f"table 二 row {prefix}: {values.problem}",
                                  [f"{prefix}.{c}" for c in cols], (a0, a1)))
        for col, cell, span in zip(cols, values.cells, values.spans):
            key = f"{prefix}.{col}"
            if cell is not None and cell.state is CellState.VALUE and col == "amount_wan":
                money = money_to_wan(cell.text) if cell.text else None
                if money is None and cell.value is not None:
                    money = float(cell.value)
                if money is None:
                    continue
                _emit(ext, key, cell, span, value=float(money))
            elif cell is not None and cell.state is CellState.VALUE and isinstance(cell.value, float) and col != "amount_wan":
                ext.flags.append(Flag(FlagKind.NOT_A_COUNT, f"{key}: '{cell.text}' is not a whole number", [key], span))
            else:
                _emit(ext, key, cell, span)


# ----------------------------------------------------------------- table 四

_T4_WORD = re.compile(r"[结果维持纠正其他尚未审总计行政复议诉讼经直接起后情况因被申请提的、和及\s|:\-]")


def read_table4(text: str, after: int, ext: Extraction) -> None:
    """Section 四: one row of 15 cells after the 行政复议/行政诉讼 header."""
    for head in _T4_HEAD.finditer(text, after):
        # Skip the header (words, or single characters of vertical PDF headers) to the first cell.
        pos = head.end()
        while pos < len(text) and (_T4_WORD.match(text, pos) or text[pos] == "\n"):
            pos += 1
        if pos >= len(text) or not (text[pos].isdigit() or text[pos] in "—-/－"):
            continue
        header = text[head.start():pos]
        if "维" not in header or "审" not in header:
            continue  # a prose sentence ("被申请行政复议230件"), not the table
        raw = read_cells(text, pos, len(text))
        if not raw.cells:
            continue
        values = interpret(raw, 15, split=lambda d: grouped_total_splits(d, 3, 4))
        if values.candidates is not None and len(values.candidates) > 1:
            unsettled = [k for k, c in zip(REVIEW_KEYS, values.cells) if c is None]
            if unsettled:
                ext.flags.append(Flag(FlagKind.AMBIGUOUS_SPLIT, f"table 四: digits split {len(values.candidates)} ways; "
                                      f"{len(unsettled)} cells left out", unsettled, raw.span))
        elif values.problem:
            ext.flags.append(Flag(FlagKind.ROW_UNREADABLE, f"table 四: {values.problem}", REVIEW_KEYS, raw.span))
        for key, cell, span in zip(REVIEW_KEYS, values.cells, values.spans):
            _emit(ext, key, cell, span)
        return

