"""Exports round-trip: every field once in long, one typed row per document in wide, merge dedupes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.export import LEAD_COLUMNS, NA_SHOWN
from schemas import FIELD_KEYS
from schemas.vocabulary import APPLICANT_COLUMN_LABELS, APPLICANT_COLUMNS, TABLE3_ROWS

REPORTS = ["002_392dabf3539690db.txt", "c038_pingtan_jtj_2022.txt", "000_fab06f8153dd9309.txt"]


@pytest.fixture(scope="module")
def run(tmp_path_factory, dev_dir) -> Path:
    """A real run of three reports plus one failed document."""
    folder = tmp_path_factory.mktemp("export")
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    out = folder / "run.jsonl"
    result = CliRunner().invoke(app, ["extract", *[str(dev_dir / n) for n in REPORTS], str(empty),
                                      "--backend", "regex", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 1, result.output   # the empty file failed
    return out


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def export(*args: str) -> str:
    result = CliRunner().invoke(app, ["export", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_wide_parquet_is_one_typed_row_per_document_with_nulls_where_absent(run, tmp_path):
    out = tmp_path / "wide.parquet"
    export(str(run), "--format", "parquet", "--out", str(out))
    table = pq.read_table(out)
    assert table.column_names == [*LEAD_COLUMNS, *FIELD_KEYS]
    assert str(table.schema.field("applications.new_received.total").type) == "int64"
    assert str(table.schema.field("meta.title").type) == "string"
    df = pd.read_parquet(out, dtype_backend="numpy_nullable")
    recs = records(run)
    assert len(df) == len(recs) and list(df["path"]) == [r["path"] for r in recs]
    for rec, (_, row) in zip(recs, df.iterrows()):
        for key in FIELD_KEYS:
            if key in rec["fields"]:
                assert row[key] == rec["fields"][key], key
            else:
                assert pd.isna(row[key]), key       # absent is null, never 0 or ""
    failed = df[df["path"].str.endswith("empty.txt")].iloc[0]
    assert failed["error"] and pd.isna(failed["applications.new_received.total"])


def test_long_csv_has_every_field_of_every_record_exactly_once(run, tmp_path):
    out = tmp_path / "long.csv"
    export(str(run), "--to", "csv", "--shape", "long", "--out", str(out))
    df = pd.read_csv(out)
    expected = {(r["path"], k) for r in records(run) for k in [*r["fields"], *r["not_applicable"]]}
    got = list(zip(df["path"], df["key"]))
    assert len(got) == len(set(got)) == len(expected) and set(got) == expected
    rec = records(run)[0]
    some = next(k for k, v in rec["fields"].items() if isinstance(v, int) and k in rec["evidence"])
    row = df[(df["path"] == rec["path"]) & (df["key"] == some)].iloc[0]
    assert str(row["value"]) == str(rec["fields"][some])
    assert [row["evidence_start"], row["evidence_end"]] == rec["evidence"][some]
    assert row["label"] and row["section"] == some.split(".")[0]


def test_xlsx_has_the_documents_the_official_tables_and_the_flags(run, tmp_path):
    out = tmp_path / "run.xlsx"
    export(str(run), "--format", "xlsx", "--out", str(out))
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["documents", "二 主动公开", "三 依申请公开", "四 复议诉讼", "flags and checks"]
    assert len(sheets["documents"]) == len(records(run))
    issues = sheets["flags and checks"]
    assert "EmptyDocument" in set(issues.iloc[:, 2])


def blocks(path: Path, sheet: str) -> list[list[tuple]]:
    """The sheet's document blocks: runs of rows separated by an empty row."""
    out: list[list[tuple]] = [[]]
    for row in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True):
        if all(c is None for c in row):
            out.append([])
        else:
            out[-1].append(row)
    return [b for b in out if b]


def cell(block: list[tuple], row_prefix: str, column: str, header_row: int = 1) -> object:
    """The value under the Chinese ``column`` header in the row whose label starts with ``row_prefix``."""
    col = block[header_row].index(column)
    row = next(r for r in block if isinstance(r[0], str) and r[0].startswith(row_prefix))
    return row[col]


def test_xlsx_table_three_is_one_block_per_document_laid_out_like_the_printed_table(run, tmp_path):
    out = tmp_path / "run.xlsx"
    export(str(run), "--format", "xlsx", "--out", str(out))
    recs = records(run)
    three = blocks(out, "三 依申请公开")
    assert [b[0][0] for b in three] == [r["path"] for r in recs]          # one titled block per document
    chongqing, fields = three[0], recs[0]["fields"]
    assert cell(chongqing, "一、本年新收", "自然人") == fields["applications.new_received.natural_person"]
    for term in TABLE3_ROWS[recs[0]["template"]]:                          # every printed row, every column
        label = next(r for r in chongqing if isinstance(r[0], str) and r[0].endswith(term.label))
        for column in APPLICANT_COLUMNS:
            value = label[chongqing[1].index(APPLICANT_COLUMN_LABELS[column])]
            assert value == (fields.get(f"applications.{term.key}.{column}") if term.key else None), term.label
    narrative = three[2]                                                   # only totals stated
    assert "applications.new_received.natural_person" not in recs[2]["fields"]
    assert cell(narrative, "一、本年新收", "自然人") is None                  # missing is an empty cell, never 0


def test_xlsx_cells_hold_their_own_key_only_and_not_applicable_is_the_printed_marker(tmp_path):
    run = tmp_path / "run.jsonl"
    one = {"path": "one.txt", "sha256": "1" * 64, "template": "2019",
           "fields": {"meta.issuer": "甲市", "meta.year": 2020, "applications.carried_over.natural_person": 777,
                      "review.upheld": 5, "litigation_after_review.total": 9, "active.penalty.change": -3},
           "not_applicable": ["applications.granted.total"]}
    two = {"path": "two.txt", "sha256": "2" * 64, "template": "2021",
           "fields": {"applications.other_misc.commercial": 4}, "not_applicable": []}
    run.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (one, two)), encoding="utf-8")
    out = tmp_path / "t.xlsx"
    export(str(run), "--format", "xlsx", "--out", str(out))
    three = blocks(out, "三 依申请公开")
    assert [b[0][:3] for b in three] == [("one.txt", "甲市", 2020), ("two.txt", None, None)]
    first = three[0]
    assert cell(first, "二、上年结转", "自然人") == 777
    assert cell(first, "一、本年新收", "自然人") is None                      # 777 is not under the wrong row
    assert sum(v == 777 for row in first for v in row) == 1
    assert cell(first, "(一)予以公开", "总计") == NA_SHOWN
    assert cell(three[1], "3.其他", "商业企业") == 4                           # the 2021 layout for a 2021 record
    assert not any(r[0] and r[0].endswith("3.其他") for r in first)         # the 2019 table has no such row
    four = blocks(out, "四 复议诉讼")[0]
    groups, outcomes, values = four[1], four[2], four[3]
    assert groups[outcomes.index("结果维持")] == "行政复议" and values[outcomes.index("结果维持")] == 5
    assert values[len(values) - 1] == 9 and groups[len(groups) - 5] == "行政诉讼 复议后起诉"
    assert sum(v == 9 for v in values) == 1 and sum(v == 5 for v in values) == 1
    two_ = blocks(out, "二 主动公开")[0]
    penalty = next(r for r in two_ if r[0] == "行政处罚")
    header = max((i for i, r in enumerate(two_) if r[0] is None and i < two_.index(penalty)))
    assert penalty[two_[header].index("本年增/减")] == -3


def test_a_value_that_breaks_its_contract_type_is_null_and_reported(tmp_path):
    run = tmp_path / "run.jsonl"
    rec = {"path": "a.txt", "sha256": "0" * 64, "fields": {"applications.new_received.total": "twelve",
                                                            "meta.year": 2020}}
    run.write_text(json.dumps(rec) + "\n" + "not json\n", encoding="utf-8")
    out = tmp_path / "w.parquet"
    output = export(str(run), "--format", "parquet", "--out", str(out))
    df = pd.read_parquet(out)
    assert pd.isna(df.loc[0, "applications.new_received.total"]) and df.loc[0, "year"] == 2020
    assert "applications.new_received.total: 1 values" in output and "1 lines" in output


def test_merge_dedupes_overlapping_shards_newest_wins_and_reports_conflicts(run, tmp_path):
    recs = records(run)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs[:3]), encoding="utf-8")
    changed = dict(recs[1], fields={**recs[1]["fields"], "meta.year": 1999})
    fixed = dict(recs[3], error=None, error_type=None)          # a retry of the failed one that worked
    b.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (recs[2], changed, fixed)), encoding="utf-8")
    os.utime(a, (1_000_000, 1_000_000))                          # b is the newer shard
    out = tmp_path / "merged.jsonl"
    result = CliRunner().invoke(app, ["merge", str(b), str(a), "--out", str(out)])
    assert result.exit_code == 0, result.output
    merged = records(out)
    assert [r["path"] for r in merged] == [r["path"] for r in recs]
    assert merged[1]["fields"]["meta.year"] == 1999 and merged[3]["error"] is None
    assert "2 duplicates dropped, 1 conflicts" in result.output and recs[1]["path"] in result.output
