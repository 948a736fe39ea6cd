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


# --- conventions: -h, --version, flags, validation, unwrapped messages ------------------------

import re  # noqa: E402

import pytest  # noqa: E402

from extractor import __version__  # noqa: E402

COMMANDS = ["extract", "merge", "export", "eval", "inspect", "review", "summary", "serve", "schema", "cache"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_dash_h(command):
    result = CliRunner().invoke(app, [command, "-h"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "-h, --help" in result.output


def test_version_flag_and_command_print_the_package_version():
    import importlib.metadata

    assert __version__ == importlib.metadata.version("govreport-extractor")
    for args in (["--version"], ["version"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0 and result.output.strip() == __version__


def test_boolean_options_are_flag_pairs_and_every_option_has_help():
    import typer.core
    import typer.main

    group = typer.main.get_command(app)

    def walk(cmd):
        yield cmd
        for sub in getattr(cmd, "commands", {}).values():
            yield from walk(sub)

    flags = 0
    for cmd in walk(group):
        for p in cmd.params:
            if not isinstance(p, typer.core.TyperOption) or p.name in ("help", "version"):
                continue
            assert p.help, f"{cmd.name} {p.opts}: every option has a help text"
            if p.is_flag:
                flags += 1
                assert p.secondary_opts, f"{cmd.name} {p.opts}: boolean flags come as --x/--no-x"
    assert flags >= 3  # extract --resume, export --evidence, serve --access-log, schema --record, …


@pytest.mark.parametrize("args,needle", [
    (["inspect", "/no/such/report.txt"], "does not exist"),
    (["inspect", "eval/dev/002_392dabf3539690db.txt", "--html", "page.txt"], "should end in .html"),
    (["inspect", "eval/dev/002_392dabf3539690db.txt", "--section", "9"], "unknown section"),
    (["inspect", "eval/dev/002_392dabf3539690db.txt", "--only", "everything"], "everything"),
    (["inspect", "eval/dev/002_392dabf3539690db.txt", "--context", "-1"], "--context"),
    (["inspect", "eval/dev/002_392dabf3539690db.txt", "--backend", "gpt"], "gpt"),
    (["review", "/no/such/run.jsonl"], "does not exist"),
    (["review", "eval/dev"], "is not a file"),
    (["summary", "eval/dev/002_392dabf3539690db.txt"], "holds no extraction records"),
    (["summary", "eval/dev/002_392dabf3539690db.gold.json", "--json-out", "h.csv"], "should end in .json"),
    (["eval", "--reports", "/no/such/dir"], "does not exist"),
    (["eval", "--reports", "eval/dev", "--csv-out", "x.json"], "should end in .csv"),
    (["serve", "--port", "0"], "--port"),
    (["serve", "--port", "70000"], "--port"),
])
def test_bad_values_are_refused_with_one_clear_message(args, needle, monkeypatch):
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "Traceback" not in result.output


def test_stderr_messages_are_not_hard_wrapped(tmp_path, dev_dir):
    deep = tmp_path / ("a-very-long-folder-name-" * 4) / ("and-another-long-one-" * 3)
    deep.mkdir(parents=True)
    import shutil

    shutil.copy(dev_dir / "c007_pingtan_syq_2021.txt", deep / "report.txt")
    run = tmp_path / "run.jsonl"
    assert CliRunner().invoke(app, ["extract", str(deep), "--backend", "regex", "--out", str(run)]).exit_code == 0
    pages = deep / "pages-folder-with-a-long-name"
    result = CliRunner().invoke(app, ["review", str(run), "--html", str(pages)], terminal_width=80)
    assert result.exit_code == 0
    assert f"wrote 1 spot-check pages to {pages}" in result.output  # one line, the path intact


def test_inspect_only_and_section_narrow_the_listing(dev_dir):
    report = str(dev_dir / "c007_pingtan_syq_2021.txt")
    runner = CliRunner()

    def keys(*extra):
        result = runner.invoke(app, ["inspect", report, "--backend", "regex", *extra], terminal_width=250)
        assert result.exit_code == 0, result.output
        rows = "\n".join(line for line in result.output.splitlines() if "│" in line)  # the table, not the questions
        return set(re.findall(r"\b((?:meta|active|applications|review|litigation\w*)\.[\w.]+)", rows))

    every = keys()
    part3 = keys("--section", "3")
    part4 = keys("-s", "四")
    flagged = keys("--only", "flagged")
    assert part3 and all(k.startswith("applications.") for k in part3) and part3 < every
    assert part4 and all(k.split(".")[0] in ("review", "litigation_direct", "litigation_after_review", "litigation")
                         for k in part4)
    # c007's 二 table has an ambiguous split: those rows are flagged, the clean 三 table is not
    assert flagged and any(k.startswith("active.normative_docs") for k in flagged)
    assert not any(k.startswith("applications.") for k in flagged) and len(flagged) < len(every) / 3
    assert keys("--only", "conflicts") == set()  # the regex backend has no conflicts


def test_out_must_name_a_file_of_the_right_kind(dev_dir, tmp_path):
    """A typo in --out (a folder, a spreadsheet name for a run) is refused before anything is written."""
    report = str(dev_dir / "002_392dabf3539690db.txt")
    runner = CliRunner()
    run = tmp_path / "run.jsonl"
    assert runner.invoke(app, ["extract", report, "--backend", "regex", "--out", str(run)]).exit_code == 0
    cases = [
        (["extract", report, "--backend", "regex", "--out", str(tmp_path / "run.csv")], "run.jsonl"),
        (["extract", report, "--backend", "regex", "--out", str(tmp_path)], "is a folder"),
        (["merge", str(run), "--out", str(tmp_path / "merged.json")], "merged.jsonl"),
        (["export", str(run), "--format", "parquet", "--out", str(tmp_path / "all.csv")], "all.parquet"),
        (["export", str(run), "--format", "xlsx", "--out", str(tmp_path / "all.xls")], "all.xlsx"),
    ]
    for args, hint in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and hint in result.output, (args, result.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.failures.tsv", "run.jsonl", "run.report.json"]
    ok = runner.invoke(app, ["merge", str(run), "--out", str(tmp_path / "merged.ndjson")])
    assert ok.exit_code == 0 and (tmp_path / "merged.ndjson").read_text() == run.read_text()
