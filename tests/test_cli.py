import json

from typer.testing import CliRunner

from extractor.cli import app


def test_extract_bulk_job_records_every_document(dev_dir, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "good.txt").write_bytes((dev_dir / "002_392dabf3539690db.txt").read_bytes())
    (tmp_path / "gbk.txt").write_bytes((dev_dir / "c038_pingtan_jtj_2022.txt").read_text(encoding="utf-8").encode("gbk"))
    out = tmp_path / "run.jsonl"
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "--out", str(out), "--backend", "regex"])
    assert result.exit_code == 1  # some documents failed
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_name = {r["path"].split("/")[-1]: r for r in records}
    assert set(by_name) == {"empty.txt", "binary.txt", "good.txt", "gbk.txt"}
    assert by_name["empty.txt"]["error"] == "the file is empty"
    assert "binary" in by_name["binary.txt"]["error"]
    good = by_name["good.txt"]
    assert good["error"] is None and good["template"] == "2019" and good["fields"]["review.total"] == 271
    assert set(good) >= {"path", "sha256", "template", "fields", "evidence", "checks", "error"}
    assert good["evidence"]["review.total"][1] > good["evidence"]["review.total"][0]
    assert by_name["gbk.txt"]["fields"]["applications.new_received.total"] == 11


def test_extract_all_good_exits_zero_and_auto_says_which_backend(dev_dir, tmp_path, monkeypatch):
    for var in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "EXTRACTOR_MODEL"):
        monkeypatch.delenv(var, raising=False)
    out = tmp_path / "run.jsonl"
    result = CliRunner().invoke(app, ["extract", str(dev_dir / "c0*.txt"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 12
    assert "backend: regex" in result.output  # CliRunner mixes stderr into output


def test_missing_input_is_an_error(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "nothing*.txt")])
    assert result.exit_code == 2


def test_schema_command_prints_json_schema():
    result = CliRunner().invoke(app, ["schema", "--section", "applications"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "new_received" in schema["properties"]


def test_resume_skips_documents_already_done_and_redoes_changed_ones(dev_dir, tmp_path):
    import shutil

    reports = tmp_path / "r"
    reports.mkdir()
    for name in ("002_392dabf3539690db.txt", "c038_pingtan_jtj_2022.txt", "c007_pingtan_syq_2021.txt"):
        shutil.copy(dev_dir / name, reports / name)
    out = tmp_path / "run.jsonl"
    runner = CliRunner()
    assert runner.invoke(app, ["extract", str(reports / "002_392dabf3539690db.txt"), "--out", str(out),
                               "--backend", "regex"]).exit_code == 0
    with out.open("a", encoding="utf-8") as fh:
        fh.write('{"path": "cut sho')          # an interrupted write
    (reports / "c007_pingtan_syq_2021.txt").write_text("", encoding="utf-8")   # will fail, recorded
    result = runner.invoke(app, ["extract", str(reports), "--out", str(out), "--backend", "regex", "--resume"])
    assert "resume: 1 documents already" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert '{"path": "cut sho' not in lines                # the cut line is dropped: one valid record per input
    records = [json.loads(line) for line in lines]
    names = sorted(r["path"].split("/")[-1] for r in records)
    assert names == ["002_392dabf3539690db.txt", "c007_pingtan_syq_2021.txt", "c038_pingtan_jtj_2022.txt"]
