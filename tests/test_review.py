"""Review workflow: priority listing, health figures, decisions -> gold files that the evaluator reads."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from extractor.cli import app
from extractor.evaluation import load_gold, score_document


def _run(tmp_path, dev_dir):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("002_392dabf3539690db.txt", "c007_pingtan_syq_2021.txt", "c014_pingtan_syq_2019.txt"):
        shutil.copy(dev_dir / name, reports / name)
    run = tmp_path / "run.jsonl"
    result = CliRunner().invoke(app, ["extract", str(reports), "--backend", "regex", "--out", str(run)])
    assert result.exit_code == 0, result.output
    return reports, run


def test_review_lists_documents_by_priority_with_open_questions(tmp_path, dev_dir):
    _, run = _run(tmp_path, dev_dir)
    result = CliRunner().invoke(app, ["review", str(run)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("c014_pingtan_syq_2019") < out.index("c007_pingtan_syq_2021") < out.index("002_392dabf3539690db")
    assert "ambiguous_split" in out
    assert "tables passing every rule: 3/3" in out


def test_summary_health_figures(tmp_path, dev_dir):
    _, run = _run(tmp_path, dev_dir)
    out_json = tmp_path / "health.json"
    result = CliRunner().invoke(app, ["summary", str(run), "--json-out", str(out_json)])
    assert result.exit_code == 0
    health = json.loads(out_json.read_text(encoding="utf-8"))
    assert health["documents"] == 3 and health["share_tables_passing"] == 1.0
    assert health["share_values_with_evidence"] == 1.0


def test_decisions_export_to_gold_files_the_evaluator_reads(tmp_path, dev_dir):
    reports, run = _run(tmp_path, dev_dir)
    records = [json.loads(line) for line in run.read_text(encoding="utf-8").splitlines()]
    c007 = next(r for r in records if r["path"].endswith("c007_pingtan_syq_2021.txt"))
    folder = tmp_path / "run.jsonl.decisions"
    folder.mkdir()
    (folder / "c007.decisions.json").write_text(json.dumps({"documents": {c007["path"]: {
        "sha256": c007["sha256"], "fields": {
            "active.normative_docs.issued": {"decision": "corrected", "value": "69"},
            "review.total": {"decision": "confirmed"},
            "active.total_items": {"decision": "dismissed"}}}}}), encoding="utf-8")
    gold_dir = tmp_path / "gold"
    result = CliRunner().invoke(app, ["review", str(run), "--export-gold", str(gold_dir), "--html", str(tmp_path / "pages")])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in gold_dir.iterdir())
    assert files == ["c007_pingtan_syq_2021.gold.json"]    # only reviewed documents
    gold = load_gold(gold_dir / files[0])
    assert gold["doc"] == "c007_pingtan_syq_2021.txt"
    assert gold["fields"]["active.normative_docs.issued"] == 69
    assert "active.total_items" not in gold["fields"] and gold["fields"]["review.total"] == 3
    counts, _ = score_document(gold["doc"], gold, c007["fields"])
    assert counts.spurious == 1 and counts.missed == 1      # the dismissed and the corrected field
    assert len(list((tmp_path / "pages").glob("*.html"))) == 3


def test_inspect_terminal_and_html(dev_dir, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["inspect", str(dev_dir / "c007_pingtan_syq_2021.txt"), "--backend", "regex"])
    assert result.exit_code == 0
    assert "open questions" in result.output and "ambiguous_split" in result.output
    page = tmp_path / "p.html"
    result = runner.invoke(app, ["inspect", str(dev_dir / "c007_pingtan_syq_2021.txt"), "--backend", "regex", "--html", str(page)])
    html = page.read_text(encoding="utf-8")
    assert result.exit_code == 0 and "<link" not in html and "src=\"http" not in html   # self-contained
    assert html.index('data-key="active.normative_docs.issued"') < html.index('data-key="meta.title"')  # flagged first
    assert 'data-keys="applications.new_received.commercial' in html


def test_cross_year_carry_over_check():
    from extractor.review.summary import cross_year_breaks

    def rec(year, over, forward):
        return {"path": f"{year}.txt", "error": None, "fields": {
            "meta.issuer": "某县", "meta.year": year, "applications.carried_over.total": over,
            "applications.carried_forward.total": forward}}

    records = [rec(2020, 0, 3), rec(2021, 3, 5), rec(2022, 4, 0), rec(2024, 9, 9)]
    [b] = cross_year_breaks(records)
    assert (b["year"], b["carried_forward"], b["next_year_carried_over"]) == (2021, 5, 4)


def test_page_lists_text_items_escaped():
    from extractor.review.html import render_page

    record = {"path": "x.txt", "fields": {"review.total": 1}, "evidence": {"review.total": [0, 1]},
              "texts": {"problems": ["公开意识<b>不足</b>"], "improvements": ["加强培训"]}, "checks": [], "flags": []}
    page = render_page("1 件", record)
    assert "公开意识&lt;b&gt;不足&lt;/b&gt;" in page and "加强培训" in page and "<b>不足" not in page
