"""Acceptance on the bundled dev reports (issue #2)."""

import json

from typer.testing import CliRunner

from extractor.cli import app


def test_regex_backend_on_dev_reports(dev_dir, tmp_path):
    out_json = tmp_path / "scores.json"
    out_csv = tmp_path / "scores.csv"
    result = CliRunner().invoke(app, ["eval", "--reports", str(dev_dir), "--backend", "regex",
                                      "--json-out", str(out_json), "--csv-out", str(out_csv)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("overall: precision=") and last.endswith("docs=17")
    scores = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(scores) == {"overall", "by_section", "by_field", "documents"}
    assert scores["overall"]["f1"] >= 0.98
    assert scores["overall"]["spurious"] == 0
    docs = {d["doc"]: d for d in scores["documents"]}
    chongqing = docs["002_392dabf3539690db.txt"]
    assert chongqing["wrong"] == chongqing["missed"] == chongqing["spurious"] == 0 and chongqing["correct"] == 204
    assert scores["overall"]["consistency"]["share_passing"] == 1.0
    assert out_csv.read_text(encoding="utf-8").splitlines()[0] == "doc,field,gold,prediction,outcome"


def test_harbin_yields_no_table_figures(dev_dir):
    from extractor.pipeline import process_path

    record = process_path(dev_dir / "004_8c37ed67089d1b8b.txt")
    assert record.checks_run == 0
    assert not any(k.startswith(("review.", "litigation_")) for k in record.fields)


def test_synthetic_layouts_set(tmp_path):
    """eval/synthetic: generated reports in layouts the dev set lacks (gold from the generator's figures)."""
    from pathlib import Path

    synthetic = Path(__file__).resolve().parent.parent / "eval" / "synthetic"
    out_json = tmp_path / "s.json"
    result = CliRunner().invoke(app, ["eval", "--reports", str(synthetic), "--backend", "regex", "--json-out", str(out_json)])
    assert result.exit_code == 0, result.output
    scores = json.loads(out_json.read_text(encoding="utf-8"))["overall"]
    assert scores["docs"] == 5 and scores["f1"] >= 0.98 and scores["spurious"] == 0
