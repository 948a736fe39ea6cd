"""The official tables 二, 三 and 四 re-drawn as the report prints them, for the spot-check page.

A reviewer thinks in the report's tables, not in 206 flat keys: here each table is rows × columns
with the official Chinese headings (rows and columns from ``schemas.vocabulary``), and each cell
says what the record holds for it:

* a value (coloured by its status and confidence), a printed zero (``0``), not applicable
  (``n/a``, listed in the record's ``not_applicable``) or nothing stated (``·``) — three states
  kept visibly apart;
* cells of a broken consistency rule are outlined;
* a cell with a key is clickable (``data-key``): the page jumps to its evidence, and a click on the
  evidence selects the cell again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from schemas.vocabulary import (
    APPEAL_GROUP_LABELS,
    APPEAL_GROUPS,
    APPLICANT_COLUMN_LABELS,
    APPLICANT_COLUMNS,
    OUTCOME_COLUMN_LABELS,
    OUTCOME_COLUMNS,
    TABLE2_COLUMN_LABELS,
    TABLE2_ROWS,
    TABLE3_ROWS,
)

TEMPLATES = ("2019", "2021")


@dataclass(frozen=True)
class Cell:
    """One printed cell: its key (None for a cell the template does not have) and what the record says."""

    key: str | None
    state: str = "absent"          # value | zero | na | empty | absent
    value: Any = None
    status: str = ""
    confidence: str = ""
    in_break: bool = False
    flagged: bool = False


@dataclass
class GridRow:
    number: str
    label: str
    cells: list[Cell] = field(default_factory=list)
    group: bool = False            # a heading row without cells (三(三) 不予公开 …)


@dataclass
class Grid:
    part: str                      # 二 / 三 / 四
    title: str
    columns: list[str]
    rows: list[GridRow]
    header_groups: list[tuple[str, int]] = field(default_factory=list)  # a second header line: (label, span)


def _cell(key: str, record: dict[str, Any], detail: dict[str, dict[str, Any]]) -> Cell:
    fields = record.get("fields") or {}
    in_break = any(key in (c.get("keys") or []) for c in record.get("checks") or [])
    flagged = any(key in (f.get("keys") or []) for f in record.get("flags") or [])
    d = detail.get(key) or {}
    if key in fields:
        value = fields[key]
        state = "zero" if value == 0 else "value"
        return Cell(key, state, value, str(d.get("status") or "extracted"), str(d.get("confidence") or ""),
                    in_break, flagged)
    if key in (record.get("not_applicable") or []):
        return Cell(key, "na", None, "", "", in_break, flagged)
    return Cell(key, "empty", None, "flagged" if flagged else "", "", in_break, flagged)


def _table2_column_label(col: str, template: str) -> str:
    labels = TABLE2_COLUMN_LABELS[col]
    if col in ("decisions", "amount_wan") and len(labels) > 1:
        return labels[1] if (col == "decisions") == (template == "2021") else labels[0]
    return labels[0]


def table2(record: dict[str, Any], template: str, detail: dict[str, dict[str, Any]]) -> list[Grid]:
    """二 主动公开: as printed, one small table per group of 第二十条 items that share their columns
    (规章/规范性文件; 行政许可…; 行政事业性收费; 政府集中采购)."""
    groups: list[tuple[tuple[str, ...], list[GridRow]]] = []
    for row in TABLE2_ROWS:
        cols = row.cols_2019 if template == "2019" else row.cols_2021
        if not cols:
            continue
        grid_row = GridRow("", row.label, [_cell(f"{row.prefix}.{c}", record, detail) for c in cols])
        if groups and groups[-1][0] == cols:
            groups[-1][1].append(grid_row)
        else:
            groups.append((cols, [grid_row]))
    return [Grid("二", "二、主动公开政府信息情况" if i == 0 else "", [_table2_column_label(c, template) for c in cols],
                 rows, header_groups=[("信息内容", 0)]) for i, (cols, rows) in enumerate(groups)]


def table3(record: dict[str, Any], template: str, detail: dict[str, dict[str, Any]]) -> Grid:
    """三 收到和处理政府信息公开申请: the printed rows (group headings included) × the applicant columns."""
    rows = []
    for term in TABLE3_ROWS[template]:
        if term.key is None:
            rows.append(GridRow(term.number, term.label, [], group=True))
            continue
        rows.append(GridRow(term.number, term.label,
                            [_cell(f"applications.{term.key}.{c}", record, detail) for c in APPLICANT_COLUMNS]))
    labels = [APPLICANT_COLUMN_LABELS[c] for c in APPLICANT_COLUMNS]
    return Grid("三", "三、收到和处理政府信息公开申请情况", labels, rows,
                header_groups=[("申请人情况", len(labels))])


def table4(record: dict[str, Any], detail: dict[str, dict[str, Any]]) -> Grid:
    """四 行政复议、行政诉讼: one line of fifteen cells in three groups, as printed."""
    cells = [_cell(f"{g}.{c}", record, detail) for g in APPEAL_GROUPS for c in OUTCOME_COLUMNS]
    columns = [OUTCOME_COLUMN_LABELS[c] for _ in APPEAL_GROUPS for c in OUTCOME_COLUMNS]
    return Grid("四", "四、政府信息公开行政复议、行政诉讼情况", columns, [GridRow("", "", cells)],
                header_groups=[(APPEAL_GROUP_LABELS[g], len(OUTCOME_COLUMNS)) for g in APPEAL_GROUPS])


def grids_for(record: dict[str, Any]) -> list[Grid]:
    """The official tables of a record's template (none for a prose report: it has no tables)."""
    template = str(record.get("template") or "")
    if template not in TEMPLATES:
        return []
    detail = record.get("reconciliation") or {}
    return [*table2(record, template, detail), table3(record, template, detail), table4(record, detail)]


def _td(cell: Cell) -> str:
    if cell.key is None:
        return '<td class="cell none"></td>'
    classes = ["cell", cell.state]
    if cell.status:
        classes.append("st-" + cell.status)
    if cell.confidence:
        classes.append("conf-" + cell.confidence)
    if cell.in_break:
        classes.append("brk")
    if cell.flagged:
        classes.append("flag")
    text = {"value": str(cell.value), "zero": "0", "na": "n/a", "empty": "·"}.get(cell.state, "")
    tip = cell.key + (f" · {cell.status}" if cell.status else "") + (f" · {cell.confidence}" if cell.confidence else "")
    tip += {"na": " · not applicable", "empty": " · not stated"}.get(cell.state, "")
    tip += " · in a broken rule" if cell.in_break else ""
    return (f'<td class="{" ".join(classes)}" data-key="{html.escape(cell.key)}" title="{html.escape(tip)}">'
            f"{html.escape(text)}</td>")


def render_grid(grid: Grid) -> str:
    """One table as HTML: a heading, an optional group header line, the column headings, the rows."""
    head = ""
    spans = [(label, span) for label, span in grid.header_groups if span]
    corner = next((label for label, span in grid.header_groups if not span), "")
    if spans:
        head += "<tr><th></th>" + "".join(f'<th colspan="{span}">{html.escape(label)}</th>'
                                          for label, span in spans) + "</tr>"
    head += f"<tr><th>{html.escape(corner)}</th>" + "".join(f"<th>{html.escape(c)}</th>" for c in grid.columns) + "</tr>"
    body = []
    for row in grid.rows:
        label = html.escape((row.number + " " if row.number else "") + row.label)
        if row.group:
            body.append(f'<tr class="grp"><th class="rl" colspan="{len(grid.columns) + 1}">{label}</th></tr>')
        else:
            body.append(f'<tr><th class="rl">{label}</th>' + "".join(_td(c) for c in row.cells) + "</tr>")
    caption = f"<caption>{html.escape(grid.title)}</caption>" if grid.title else ""
    return (f'<table class="grid" data-part="{html.escape(grid.part)}">{caption}'
            f"<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>")


def render_grids(record: dict[str, Any]) -> str:
    """Every official table of the record, or a line saying why there are none."""
    grids = grids_for(record)
    if not grids:
        return '<p class="nogrid">a prose report: no official tables to draw; see the field list</p>'
    return "".join(render_grid(g) for g in grids)
