"""Review workflow: priority listing, health figures, decisions -> gold files that the evaluator reads."""

from __future__ import annotations

import json
import shutil

import pytest

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
    (folder / "c007.decisions.json").write_text(json.dumps({"documents": {c007["path"]: {  # format 1 is still read
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


# --- decisions are never lost -------------------------------------------------------------------

def _two_reports_named_alike(tmp_path, dev_dir):
    """a/report.txt and b/report.txt: same name, different reports."""
    for sub, src in (("a", "c007_pingtan_syq_2021.txt"), ("b", "c014_pingtan_syq_2019.txt")):
        (tmp_path / "in" / sub).mkdir(parents=True)
        shutil.copy(dev_dir / src, tmp_path / "in" / sub / "report.txt")
    run = tmp_path / "run.jsonl"
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--backend", "regex", "--out", str(run)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in run.read_text(encoding="utf-8").splitlines()]
    return run, {r["path"].split("/")[-2]: r for r in records}


def _decide(run, rec, path, fields):
    from extractor.review.decisions import save_decisions

    return save_decisions(run, {"documents": [{"sha256": rec["sha256"], "path": path, "fields": fields}]})


def test_colliding_names_give_two_pages_and_two_gold_files_and_true_counts(tmp_path, dev_dir):
    run, recs = _two_reports_named_alike(tmp_path, dev_dir)
    _decide(run, recs["a"], recs["a"]["path"], {"review.total": {"decision": "corrected", "value": "11"}})
    _decide(run, recs["b"], recs["b"]["path"], {"review.total": {"decision": "corrected", "value": "22"}})
    gold_dir, pages = tmp_path / "gold", tmp_path / "pages"
    result = CliRunner().invoke(app, ["review", str(run), "--export-gold", str(gold_dir), "--html", str(pages)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in pages.iterdir()) == sorted(
        f"report-{recs[k]['sha256'][:8]}.html" for k in "ab")
    assert "wrote 2 spot-check pages" in result.output and "exported 2 gold files" in result.output
    golds = {json.loads(p.read_text(encoding="utf-8"))["sha256"]: json.loads(p.read_text(encoding="utf-8"))
             for p in gold_dir.iterdir()}
    assert len(golds) == 2
    assert golds[recs["a"]["sha256"]]["fields"]["review.total"] == 11
    assert golds[recs["b"]["sha256"]]["fields"]["review.total"] == 22
    # each page carries its own document
    page_a = (pages / f"report-{recs['a']['sha256'][:8]}.html").read_text(encoding="utf-8")
    assert recs["a"]["sha256"] in page_a and recs["b"]["sha256"] not in page_a


def test_eval_finds_gold_exported_under_hashed_names(tmp_path, dev_dir):
    run, recs = _two_reports_named_alike(tmp_path, dev_dir)
    for k in "ab":
        _decide(run, recs[k], recs[k]["path"], {"review.total": {"decision": "confirmed"}})
    gold_dir = tmp_path / "gold"
    assert CliRunner().invoke(app, ["review", str(run), "--export-gold", str(gold_dir)]).exit_code == 0
    for k in "ab":
        result = CliRunner().invoke(app, ["eval", "--reports", str(tmp_path / "in" / k), "--gold", str(gold_dir),
                                          "--backend", "regex"])
        assert result.exit_code == 0, result.output
        assert "f1=1.0000 docs=1" in result.output


def test_served_page_decisions_on_an_upload_are_exported(tmp_path, dev_dir):
    """The served page knows the upload by its bare name; the run knows it as in/b/report.txt."""
    import re

    from fastapi.testclient import TestClient

    from extractor.config import Settings
    from extractor.service import create_app

    run, recs = _two_reports_named_alike(tmp_path, dev_dir)
    client = TestClient(create_app(Settings(EXTRACTOR_CACHE_DIR=str(tmp_path / "c")), backend_name="regex", run=run))
    data = (tmp_path / "in" / "b" / "report.txt").read_bytes()
    page = client.post("/inspect", files={"file": ("report.txt", data, "text/plain")})
    assert page.status_code == 200
    meta = json.loads(re.search(r'<script type="application/json" id="record">(.*?)</script>', page.text, re.S)
                      .group(1))["meta"]
    assert meta["path"] == "report.txt" and meta["save_url"] == "/v1/decisions"
    r = client.post(meta["save_url"], json={"format": 2, "documents": [{
        "sha256": meta["sha256"], "path": meta["path"],
        "fields": {"review.total": {"decision": "corrected", "value": "99"}}}]})
    assert r.status_code == 200, r.text
    gold_dir = tmp_path / "gold"
    result = CliRunner().invoke(app, ["review", str(run), "--export-gold", str(gold_dir)])
    assert result.exit_code == 0, result.output
    [gold_file] = list(gold_dir.iterdir())
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    assert gold["sha256"] == recs["b"]["sha256"] and gold["fields"]["review.total"] == 99
    assert "match no record" not in result.output


def test_renamed_file_keeps_its_decisions_and_a_changed_one_is_reported(tmp_path, dev_dir):
    run, recs = _two_reports_named_alike(tmp_path, dev_dir)
    _decide(run, recs["a"], recs["a"]["path"], {"review.total": {"decision": "dismissed"}})
    _decide(run, recs["b"], recs["b"]["path"], {"review.total": {"decision": "confirmed"}})
    (tmp_path / "in" / "a" / "report.txt").rename(tmp_path / "in" / "a" / "renamed.txt")
    b = tmp_path / "in" / "b" / "report.txt"
    b.write_text(b.read_text(encoding="utf-8") + "\n附注\n", encoding="utf-8")  # changed after review
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "in"), "--backend", "regex", "--out", str(run)])
    assert result.exit_code == 0
    gold_dir = tmp_path / "gold"
    result = CliRunner().invoke(app, ["review", str(run), "--export-gold", str(gold_dir)])
    assert result.exit_code == 0, result.output
    [gold_file] = list(gold_dir.iterdir())
    assert gold_file.name == "renamed.gold.json"
    assert "review.total" not in json.loads(gold_file.read_text(encoding="utf-8"))["fields"]
    out = " ".join(result.output.split())
    assert "1 decisions on " + recs["b"]["path"] in out and "has changed since the decisions were made" in out
    # the re-run of extract did not touch the decisions
    from extractor.review.decisions import load_decisions

    assert len(load_decisions(run)) == 2


def test_saving_merges_keeps_history_and_never_writes_over_an_unreadable_file(tmp_path):
    from extractor.review.decisions import UnreadableDecisions, decisions_file, load_decisions, save_decisions

    run = tmp_path / "run.jsonl"
    doc = {"sha256": "ab" * 32, "path": "x/report.txt"}
    save_decisions(run, {"documents": [{**doc, "fields": {"review.total": {"decision": "confirmed"}}}]}, now="2026-01-01T00:00:00")
    save_decisions(run, {"documents": [{**doc, "fields": {"active.total_items": {"decision": "dismissed"}}}]}, now="2026-01-02T00:00:00")
    save_decisions(run, {"documents": [{**doc, "fields": {"review.total": {"decision": "corrected", "value": "4"}}}]}, now="2026-01-03T00:00:00")
    [entry] = load_decisions(run)
    assert set(entry.fields) == {"review.total", "active.total_items"}
    assert entry.fields["review.total"]["value"] == "4"
    assert entry.history == [{"key": "review.total", "decision": "confirmed", "saved_at": "2026-01-01T00:00:00"}]
    assert not list(tmp_path.glob(".*.tmp"))                                 # no temporary file left behind
    target = decisions_file(run)
    target.write_text('{"documents": [', encoding="utf-8")                   # damaged by hand
    with pytest.raises(UnreadableDecisions):
        save_decisions(run, {"documents": [{**doc, "fields": {"review.total": {"decision": "confirmed"}}}]})
    assert target.read_text(encoding="utf-8") == '{"documents": ['
    run.write_text(json.dumps({**doc, "fields": {}, "error": None}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["review", str(run)])
    assert result.exit_code == 2 and "cannot read decisions" in result.output
    assert target.read_text(encoding="utf-8") == '{"documents": ['


@pytest.mark.parametrize("payload,message", [
    ({"documents": [{"path": "a.txt", "fields": {"review.total": {"decision": "confirmed"}}}]}, "sha256"),
    ({"documents": [{"sha256": "x", "path": "a.txt", "fields": {"no.such": {"decision": "confirmed"}}}]}, "unknown field"),
    ({"documents": [{"sha256": "x", "path": "a.txt", "fields": {"review.total": {"decision": "maybe"}}}]}, "decision must be"),
    ({"documents": [{"sha256": "x", "path": "a.txt", "fields": {"review.total": {"decision": "corrected", "value": "abc"}}}]}, "not a int"),
])
def test_bad_decisions_are_refused_before_anything_is_written(tmp_path, payload, message):
    from extractor.review.decisions import DecisionsError, decisions_file, save_decisions

    run = tmp_path / "run.jsonl"
    with pytest.raises(DecisionsError, match=message):
        save_decisions(run, payload)
    assert not decisions_file(run).exists()


def test_a_foreign_gold_file_is_kept(tmp_path, dev_dir):
    run, recs = _two_reports_named_alike(tmp_path, dev_dir)
    (tmp_path / "in" / "b" / "report.txt").unlink()
    run.write_text(json.dumps(recs["a"]) + "\n", encoding="utf-8")
    _decide(run, recs["a"], recs["a"]["path"], {"review.total": {"decision": "confirmed"}})
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    hand_made = '{"doc": "report.txt", "fields": {"review.total": 1}}'
    (gold_dir / "report.gold.json").write_text(hand_made, encoding="utf-8")
    for _ in range(2):  # and a second export replaces its own file, not the hand-made one
        result = CliRunner().invoke(app, ["review", str(run), "--export-gold", str(gold_dir)])
        assert result.exit_code == 0, result.output
    assert (gold_dir / "report.gold.json").read_text(encoding="utf-8") == hand_made
    assert sorted(p.name for p in gold_dir.iterdir()) == ["report-" + recs["a"]["sha256"][:8] + ".gold.json",
                                                          "report.gold.json"]


# --- the spot-check page shaped like the report -------------------------------------------------

def test_grids_draw_the_official_tables_with_empty_zero_and_na_apart():
    from extractor.review.grids import grids_for, render_grids

    record = {"template": "2021", "fields": {"applications.new_received.natural_person": 3,
                                             "applications.new_received.commercial": 0,
                                             "applications.new_received.total": 9, "review.total": 4},
              "not_applicable": ["applications.new_received.research"],
              "checks": [{"rule": "row_total", "keys": ["applications.new_received.natural_person",
                                                       "applications.new_received.total"]}],
              "flags": [], "reconciliation": {"review.total": {"status": "conflict", "confidence": "low"}}}
    grids = {g.part + g.title[:2]: g for g in grids_for(record)}
    t3 = grids["三三、"]
    assert t3.columns == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    data_rows = [r for r in t3.rows if not r.group]
    assert len(data_rows) == 25 and [r.label for r in t3.rows if r.group] == ["本年度办理结果", "不予公开", "无法提供",
                                                                               "不予处理", "其他处理"]
    first = data_rows[0].cells
    assert [c.state for c in first[:4]] == ["value", "zero", "na", "empty"]
    assert first[0].in_break and first[6].in_break and not first[1].in_break
    page = render_grids(record)
    assert '<td class="cell value st-extracted brk" data-key="applications.new_received.natural_person"' in page
    assert '<td class="cell zero st-extracted" data-key="applications.new_received.commercial"' in page
    assert 'data-key="applications.new_received.research" title="applications.new_received.research · not applicable">n/a' in page
    assert 'class="cell value st-conflict conf-low" data-key="review.total"' in page
    # 2019 has one (六) row and its own 二 columns; a prose report has no tables to draw
    assert sum(1 for r in grids_for({**record, "template": "2019"})[-2].rows if not r.group) == 23
    assert "本年新制作数量" in render_grids({**record, "template": "2019"})
    assert grids_for({**record, "template": "narrative"}) == [] and "prose report" in render_grids(
        {**record, "template": "narrative"})
