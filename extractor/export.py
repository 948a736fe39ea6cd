"""Exports analysts load in one line: CSV, Parquet, XLSX from a run's JSONL.

Why typed columns: a count that becomes a float or the empty string makes every
downstream sum wrong, so each fields.json key gets the column type its contract
says (int -> int64, float -> float64, the rest strings) and a missing value is
null, never 0.  Records are read and written in batches, so a corpus-sized run
exports in flat memory.  pyarrow and openpyxl come with the ``export`` extra.

Shapes:
* ``wide`` — one row per document: ``path, sha256, issuer, year, template, error,
  review_priority``, then one column per fields.json key in contract order
  (with ``--evidence``: ``KEY@start``/``KEY@end`` after each key).
* ``long`` — one row per (document, field): ``path, key, label, section, value,
  status, confidence, evidence_start, evidence_end, page``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import FIELDS, FieldSpec
from schemas.vocabulary import (
    APPEAL_GROUP_LABELS,
    APPEAL_GROUPS,
    APPLICANT_COLUMN_LABELS,
    APPLICANT_COLUMNS,
    NA_MARKERS,
    OUTCOME_COLUMN_LABELS,
    OUTCOME_COLUMNS,
    TABLE2_ROWS,
    TABLE3_ROWS,
)

_SPECS = {s.key: s for s in FIELDS}

FORMATS = ("csv", "parquet", "xlsx")
SHAPES = ("wide", "long")
BATCH = 1000
LEAD_COLUMNS = ("path", "sha256", "issuer", "year", "template", "error", "review_priority")
LONG_COLUMNS = ("path", "key", "label", "section", "value", "status", "confidence", "evidence_start",
                "evidence_end", "page")
#: The official tables, as XLSX sheets (sheet name -> sections of the flat keys).
TABLE_SHEETS = {"二 主动公开": ("active",), "三 依申请公开": ("applications",),
                "四 复议诉讼": ("review", "litigation_direct", "litigation_after_review", "litigation")}

NA_SHOWN = "/"
"""How a not-applicable cell is shown in the XLSX tables: the marker the official tables print for it."""
assert NA_SHOWN in NA_MARKERS

INSTALL_HINT = "exports need the export extra: pip install -e '.[export]'"


class ExportUnavailable(ImportError):
    """pyarrow/openpyxl are missing; the message says how to install them."""


@dataclass
class ExportStats:
    """What an export wrote, and what it had to leave out (never silently)."""

    documents: int = 0
    rows: int = 0
    bad_lines: list[int] = field(default_factory=list)
    coerced: dict[str, int] = field(default_factory=dict)   # key -> values that did not fit the contract type


def read_records(run: Path, stats: ExportStats) -> Iterator[dict[str, Any]]:
    """The run's records one by one; lines that are not records are counted, not fatal."""
    with run.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                stats.bad_lines.append(number)
                continue
            if not isinstance(rec, dict) or "path" not in rec:
                stats.bad_lines.append(number)
                continue
            stats.documents += 1
            yield rec


# ------------------------------------------------------------------ typing values by the contract


def _typed(spec: FieldSpec, value: Any, stats: ExportStats) -> Any:
    """The value as its contract type; one that does not fit becomes null and is counted."""
    if value is None:
        return None
    try:
        if spec.type == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if spec.type == "float":
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        stats.coerced[spec.key] = stats.coerced.get(spec.key, 0) + 1
        return None


def _arrow_type(spec: FieldSpec) -> Any:
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64()}.get(spec.type, pa.string())


# ------------------------------------------------------------------ rows


def wide_columns(evidence: bool) -> list[str]:
    cols = list(LEAD_COLUMNS)
    for spec in FIELDS:
        cols.append(spec.key)
        if evidence:
            cols += [f"{spec.key}@start", f"{spec.key}@end"]
    return cols


def wide_row(rec: dict[str, Any], evidence: bool, stats: ExportStats) -> dict[str, Any]:
    fields = rec.get("fields") or {}
    spans = rec.get("evidence") or {}
    year = fields.get("meta.year")
    row: dict[str, Any] = {
        "path": rec.get("path"), "sha256": rec.get("sha256"), "issuer": fields.get("meta.issuer"),
        "year": year if isinstance(year, int) and not isinstance(year, bool) else None,
        "template": rec.get("template"), "error": rec.get("error"),
        "review_priority": float(rec.get("review_priority") or 0.0),
    }
    for spec in FIELDS:
        row[spec.key] = _typed(spec, fields.get(spec.key), stats)
        if evidence:
            span = spans.get(spec.key)
            row[f"{spec.key}@start"], row[f"{spec.key}@end"] = (span[0], span[1]) if span else (None, None)
    return row


def long_rows(rec: dict[str, Any], stats: ExportStats) -> Iterator[dict[str, Any]]:
    """Every field a record holds (values and not-applicable marks), once each, in contract order."""
    fields = rec.get("fields") or {}
    na = set(rec.get("not_applicable") or [])
    detail = rec.get("reconciliation") or {}
    spans = rec.get("evidence") or {}
    boxes = rec.get("boxes") or {}
    extra = [k for k in fields if k not in _SPECS]   # keys outside the contract still appear, last
    for key in [s.key for s in FIELDS if s.key in fields or s.key in na] + extra:
        spec = _SPECS.get(key)
        value = fields.get(key)
        d = detail.get(key) or {}
        span = spans.get(key)
        box = boxes.get(key)
        yield {
            "path": rec.get("path"), "key": key, "label": spec.label_zh if spec else None,
            "section": key.split(".", 1)[0], "value": None if value is None else _as_text(value),
            "status": d.get("status") or ("not_applicable" if key in na and key not in fields else "extracted"),
            "confidence": d.get("confidence"),
            "evidence_start": span[0] if span else None, "evidence_end": span[1] if span else None,
            "page": int(box[0]) if box else None,
        }


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _schema(shape: str, evidence: bool) -> Any:
    import pyarrow as pa

    if shape == "long":
        types = {"evidence_start": pa.int64(), "evidence_end": pa.int64(), "page": pa.int64()}
        return pa.schema([(c, types.get(c, pa.string())) for c in LONG_COLUMNS])
    cols: list[tuple[str, Any]] = [("path", pa.string()), ("sha256", pa.string()), ("issuer", pa.string()),
                                   ("year", pa.int64()), ("template", pa.string()), ("error", pa.string()),
                                   ("review_priority", pa.float64())]
    for spec in FIELDS:
        cols.append((spec.key, _arrow_type(spec)))
        if evidence:
            cols += [(f"{spec.key}@start", pa.int64()), (f"{spec.key}@end", pa.int64())]
    return pa.schema(cols)


def _rows(records: Iterable[dict[str, Any]], shape: str, evidence: bool, stats: ExportStats) -> Iterator[dict[str, Any]]:
    for rec in records:
        if shape == "wide":
            yield wide_row(rec, evidence, stats)
        else:
            yield from long_rows(rec, stats)


def _batches(rows: Iterator[dict[str, Any]], schema: Any, stats: ExportStats) -> Iterator[Any]:
    import pyarrow as pa

    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            stats.rows += len(batch)
            yield pa.RecordBatch.from_pylist(batch, schema=schema)
            batch = []
    if batch:
        stats.rows += len(batch)
        yield pa.RecordBatch.from_pylist(batch, schema=schema)


# ------------------------------------------------------------------ writers


def export_run(run: Path, out: Path, fmt: str, shape: str = "wide", evidence: bool = False) -> ExportStats:
    """Write ``run`` as ``fmt`` (csv | parquet | xlsx) in ``shape`` (wide | long)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    if shape not in SHAPES:
        raise ValueError(f"unknown shape '{shape}'; choose one of {', '.join(SHAPES)}")
    stats = ExportStats()
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        _write_xlsx(run, out, shape, evidence, stats)
        return stats
    try:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ExportUnavailable(INSTALL_HINT) from exc
    schema = _schema(shape, evidence)
    batches = _batches(_rows(read_records(run, stats), shape, evidence, stats), schema, stats)
    if fmt == "parquet":
        with pq.ParquetWriter(out, schema) as writer:
            for b in batches:
                writer.write_batch(b)
    else:
        with pacsv.CSVWriter(out, schema) as writer:
            for b in batches:
                writer.write_batch(b)
    return stats


def _write_xlsx(run: Path, out: Path, shape: str, evidence: bool, stats: ExportStats) -> None:
    """A sheet with the chosen shape, a sheet per official table with each document as a block laid out
    like the printed table, and a sheet of every flag and broken check, so a reviewer in Excel sees what
    they know."""
    try:
        from openpyxl import Workbook
    except ImportError as exc:
        raise ExportUnavailable(INSTALL_HINT) from exc
    wb = Workbook(write_only=True)
    main = wb.create_sheet("documents" if shape == "wide" else "fields")
    columns = wide_columns(evidence) if shape == "wide" else list(LONG_COLUMNS)
    main.append(columns)
    tables = {name: wb.create_sheet(name) for name in TABLE_SHEETS}
    layouts = {(name, t): table_layout(name, t) for name in TABLE_SHEETS for t in ("2019", "2021")}
    issues = wb.create_sheet("flags and checks")
    issues.append(["文件 path", "类别 kind", "规则或类型 rule/kind", "说明 message", "字段 keys", "应为 expected",
                   "实为 found"])
    for rec in read_records(run, stats):
        for row in ([wide_row(rec, evidence, stats)] if shape == "wide" else long_rows(rec, stats)):
            main.append([row[c] for c in columns])
            stats.rows += 1
        template = "2021" if _template(rec) == "2021" else "2019"
        for name, sheet in tables.items():
            for cells in table_block(rec, name, layouts[(name, template)], stats):
                sheet.append(cells)
        if rec.get("error"):
            issues.append([rec.get("path"), "error", rec.get("error_type") or "", rec["error"], "", None, None])
        for c in rec.get("checks") or []:
            issues.append([rec.get("path"), "check", c.get("rule"), c.get("message"), " ".join(c.get("keys") or []),
                           _cell(c.get("expected")), _cell(c.get("found"))])
        for f in rec.get("flags") or []:
            issues.append([rec.get("path"), "flag", f.get("kind"), f.get("message"), " ".join(f.get("keys") or []),
                           None, None])
    wb.save(out)


# ------------------------------------------------------------------ the official tables, one block per document


@dataclass(frozen=True)
class Cell:
    """A layout cell that shows the value of one flat key (a plain ``str`` in a layout is a printed label)."""

    key: str


Layout = list[list[str | Cell | None]]


def _template(rec: dict[str, Any]) -> str | None:
    return rec.get("template") or (rec.get("fields") or {}).get("meta.template")


def table_layout(sheet: str, template: str) -> Layout:
    """The printed rows of one official table for one template (2019 | 2021): Chinese headers and row labels
    from the vocabulary and the contract's labels, a ``Cell`` where a value goes.  A report without the
    standard tables (narrative) is shown on the 2019 layout, whose 总计 cells its prose values fill."""
    if sheet.startswith("二"):
        return _table2_layout(template)
    if sheet.startswith("三"):
        head: list[str | Cell | None] = [None, *[APPLICANT_COLUMN_LABELS[c] for c in APPLICANT_COLUMNS]]
        rows: Layout = [head]
        for term in TABLE3_ROWS[template]:
            label = f"{term.number}{'.' if term.number.isdigit() else ''}{term.label}"
            cells = [None] * len(APPLICANT_COLUMNS) if term.key is None else \
                [Cell(f"applications.{term.key}.{c}") for c in APPLICANT_COLUMNS]
            rows.append([label, *cells])
        return rows
    groups: list[str | Cell | None] = [None]
    for g in APPEAL_GROUPS:
        groups += [APPEAL_GROUP_LABELS[g]] + [None] * (len(OUTCOME_COLUMNS) - 1)
    outcomes: list[str | Cell | None] = [None, *[OUTCOME_COLUMN_LABELS[c] for c in OUTCOME_COLUMNS] * len(APPEAL_GROUPS)]
    return [groups, outcomes, [None, *[Cell(f"{g}.{c}") for g in APPEAL_GROUPS for c in OUTCOME_COLUMNS]]]


def _table2_layout(template: str) -> Layout:
    """Table 二 is printed as sub-tables of rows that share their columns; a new header row starts each one.
    Column headers are the contract's labels after the row name (``规章·本年新制作数量``), the template's
    wording where the contract gives both (``处理决定数量 / 本年处理决定数量``)."""
    rows: Layout = []
    header: list[str | Cell | None] | None = None
    for row in TABLE2_ROWS:
        cols = row.cols_2021 if template == "2021" else row.cols_2019
        if not cols:
            continue
        keys = [f"{row.prefix}.{c}" for c in cols]
        labels: list[str | Cell | None] = [None, *[_column_label(_SPECS[k], template) for k in keys]]
        if labels != header:
            rows.append(labels)
            header = labels
        rows.append([row.label, *[Cell(k) for k in keys]])
    return rows


def _column_label(spec: FieldSpec, template: str) -> str:
    wordings = spec.label_zh.split("·")[-1].split(" / ")
    return wordings[-1] if template == "2021" else wordings[0]


def table_block(rec: dict[str, Any], sheet: str, layout: Layout, stats: ExportStats) -> Iterator[list[Any]]:
    """One document on one table sheet: a title row (path, issuer, year, template, error), the table with its
    values — a missing value an empty cell, never 0; a not-applicable one the printed marker — then the
    sheet's keys the table has no cell for (values stated in prose), and a blank row."""
    fields = rec.get("fields") or {}
    na = set(rec.get("not_applicable") or [])
    yield [rec.get("path"), fields.get("meta.issuer"), fields.get("meta.year"), _template(rec), rec.get("error")]
    placed: set[str] = set()
    for row in layout:
        cells: list[Any] = []
        for c in row:
            if isinstance(c, Cell):
                placed.add(c.key)
                cells.append(_shown(c.key, fields, na, stats))
            else:
                cells.append(c)
        yield cells
    sections = TABLE_SHEETS[sheet]
    for spec in FIELDS:
        if spec.section in sections and spec.key not in placed and (spec.key in fields or spec.key in na):
            yield [spec.label_zh, _shown(spec.key, fields, na, stats)]
    yield []


def _shown(key: str, fields: dict[str, Any], na: set[str], stats: ExportStats) -> Any:
    if key in fields:
        return _typed(_SPECS[key], fields[key], stats)
    return NA_SHOWN if key in na else None


def _cell(value: Any) -> Any:
    """A spreadsheet cell holds a scalar; anything else is written as JSON text."""
    if value is None or isinstance(value, (int, float, str)):
        return value
    return json.dumps(value, ensure_ascii=False)
