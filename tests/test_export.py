"""Exports round-trip: every field once in long, one typed row per document in wide, merge dedupes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.export import LEAD_COLUMNS
from schemas import FIELD_KEYS

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
    applications = sheets["三 依申请公开"]
    assert applications.columns[0] == "文件" and any("申请" in str(c) for c in applications.columns)
    issues = sheets["flags and checks"]
    assert "EmptyDocument" in set(issues.iloc[:, 2])


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
