"""Bulk jobs: worker processes, input order, failure records, resume after kill -9, run report."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import errors
from extractor.cli import app
from extractor.config import Settings
from extractor.jobs import JobOptions, RunReport, run_bulk
from extractor.pipeline import Skipped, expand_inputs, make_backend
from extractor.record import DocumentRecord, record_json_schema

REPORTS = ["002_392dabf3539690db.txt", "c038_pingtan_jtj_2022.txt", "000_fab06f8153dd9309.txt",
           "004_8c37ed67089d1b8b.txt"]


@pytest.fixture
def corpus(tmp_path: Path, dev_dir: Path) -> Path:
    """Four real reports, three broken files (each a different typed error) and one non-report file."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in REPORTS:
        shutil.copy(dev_dir / name, folder / name)
    (folder / "b_truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n")  # cut short
    (folder / "c_empty.txt").write_bytes(b"")
    (folder / "d_binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "notes.xyz").write_text("not a report", encoding="utf-8")
    return folder


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def extract(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["extract", *args])
    return result.exit_code, result.output


def test_two_workers_write_byte_identical_records_in_input_order(corpus, tmp_path):
    serial, parallel = tmp_path / "serial.jsonl", tmp_path / "parallel.jsonl"
    code1, _ = extract(str(corpus), "--backend", "regex", "--workers", "1", "--out", str(serial))
    code2, output = extract(str(corpus), "--backend", "regex", "--workers", "2", "--out", str(parallel))
    assert code1 == code2 == 1          # the broken files failed, and the exit code says so
    assert serial.read_bytes() == parallel.read_bytes()
    files, _ = expand_inputs([str(corpus)])
    assert [r["path"] for r in lines(parallel)] == [str(f) for f in files]
    assert "2 workers" in output


def test_each_failed_document_is_a_record_with_its_error_type_and_is_reported(corpus, tmp_path):
    out = tmp_path / "run.jsonl"
    code, output = extract(str(corpus), "--backend", "regex", "--workers", "2", "--out", str(out))
    assert code == 1
    records = {Path(r["path"]).name: r for r in lines(out)}
    assert len(records) == 7
    assert records["c_empty.txt"]["error_type"] == "EmptyDocument"
    assert records["d_binary.txt"]["error_type"] == "BinaryDocument"
    pdf_error = records["b_truncated.pdf"]["error_type"]     # CorruptDocument once the PDF reader lands
    assert issubclass(getattr(errors, pdf_error), errors.DocumentError)
    assert all(records[n]["error"] is None and records[n]["fields"] for n in REPORTS)
    report = json.loads((tmp_path / "run.report.json").read_text(encoding="utf-8"))
    assert report["counts"]["done"] == 7 and report["counts"]["failed"] == 3 and report["counts"]["ok"] == 4
    assert report["by_error_type"] == {"EmptyDocument": 1, "BinaryDocument": 1, pdf_error: 1}
    assert report["by_format"] == {"pdf": 1, "txt": 6}
    assert sum(report["by_template"].values()) == 4
    assert report["skipped_first"] == [{"path": str(corpus / "notes.xyz"), "reason": "unsupported extension '.xyz'"}]
    tsv = (tmp_path / "run.failures.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0] == "path\terror_type\terror" and len(tsv) == 4
    assert "b_truncated.pdf" in output and pdf_error in output


def test_every_record_validates_against_the_record_schema(corpus, tmp_path):
    import jsonschema

    out = tmp_path / "run.jsonl"
    extract(str(corpus), "--backend", "regex", "--workers", "1", "--out", str(out))
    schema = record_json_schema()
    for raw in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(raw)
        jsonschema.validate(rec, schema)
        assert DocumentRecord.model_validate(rec).to_json() == raw   # a line round-trips byte for byte
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"path": "x", "fields": {"a": [1]}}, schema)
    code, printed = CliRunner().invoke(app, ["schema", "--record"]).exit_code, \
        CliRunner().invoke(app, ["schema", "--record"]).output
    assert code == 0 and json.loads(printed)["properties"]["error_type"]


def test_max_failures_stops_the_job_with_one_message(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for i in range(6):
        (folder / f"{i}.txt").write_bytes(b"")
    out = tmp_path / "run.jsonl"
    code, output = extract(str(folder), "--backend", "regex", "--workers", "1", "--max-failures", "2",
                           "--out", str(out))
    assert code == 3
    assert "--max-failures 2" in output
    assert len(lines(out)) == 2
    report = json.loads((tmp_path / "run.report.json").read_text(encoding="utf-8"))
    assert report["stopped"] and report["counts"]["failed"] == 2


def test_resume_redoes_failed_and_cut_off_records_only(corpus, tmp_path):
    out = tmp_path / "run.jsonl"
    extract(str(corpus), "--backend", "regex", "--workers", "1", "--out", str(out))
    first = lines(out)
    (corpus / "c_empty.txt").write_text((corpus / REPORTS[0]).read_text(encoding="utf-8"), encoding="utf-8")
    with out.open("a", encoding="utf-8") as fh:
        fh.write('{"path": "cut off mid-li')          # what a killed job leaves
    _, output = extract(str(corpus), "--backend", "regex", "--workers", "2", "--resume", "--out", str(out))
    assert "resume: 4 documents already" in output
    records = lines(out)
    assert sorted(r["path"] for r in records) == sorted(r["path"] for r in first)
    fixed = next(r for r in records if r["path"].endswith("c_empty.txt"))
    assert fixed["error"] is None and fixed["fields"]


def test_kill_9_during_a_two_worker_run_then_resume_gives_one_record_per_input(tmp_path, dev_dir):
    folder = tmp_path / "many"
    folder.mkdir()
    texts = [(dev_dir / n).read_text(encoding="utf-8") for n in REPORTS]
    for i in range(120):
        (folder / f"r{i:03d}.txt").write_text(texts[i % len(texts)] + f"\n<!-- copy {i} -->\n", encoding="utf-8")
    out = tmp_path / "run.jsonl"
    cmd = [sys.executable, "-m", "extractor.cli", "extract", str(folder), "--backend", "regex", "--workers", "2",
           "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 5):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = out.read_bytes().count(b"\n")
    assert 5 <= partial < 120, partial   # really killed mid-run
    subprocess.run([*cmd, "--resume"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records = lines(out)
    assert sorted(r["path"] for r in records) == sorted(str(p) for p in folder.iterdir())
    assert all(r["error"] is None for r in records)


def test_expand_inputs_says_why_each_file_was_skipped(corpus):
    (corpus / "x.gold.json").write_text("{}", encoding="utf-8")
    skipped: list[Skipped] = []
    files, missing = expand_inputs([str(corpus), str(corpus / REPORTS[0]), str(corpus / "*.nothing")], skipped)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons == {"notes.xyz": "unsupported extension '.xyz'", "x.gold.json": "gold file",
                       REPORTS[0]: "duplicate input (already listed)"}
    assert len(files) == 7 and missing == [str(corpus / "*.nothing")]


def test_hybrid_with_workers_reuses_the_workers_baseline_and_matches_the_serial_run(
        scripted_endpoint, tmp_path, dev_dir):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    inputs = [str(dev_dir / REPORTS[0]), str(empty), str(dev_dir / REPORTS[1])]
    serial, parallel = tmp_path / "serial.jsonl", tmp_path / "parallel.jsonl"
    code1, _ = extract(*inputs, "--backend", "hybrid", "--workers", "1", "--out", str(serial))
    code2, _ = extract(*inputs, "--backend", "hybrid", "--workers", "2", "--out", str(parallel))
    # a read-ahead of one document: each is handed to a worker just before the event loop takes it
    chunked = tmp_path / "chunked.jsonl"
    backend = make_backend("hybrid", Settings())
    report = RunReport(backend="hybrid", executor="local", workers=2)
    with chunked.open("w", encoding="utf-8") as sink:
        run_bulk([Path(p) for p in inputs], backend, sink, report, JobOptions(workers=2, window=1))
    assert code1 == code2 == 1       # the empty file
    a, b, c = lines(serial), lines(parallel), lines(chunked)
    assert [r["path"] for r in a] == [r["path"] for r in b] == [r["path"] for r in c] == inputs
    assert [r["fields"] for r in a] == [r["fields"] for r in b] == [r["fields"] for r in c]
    assert b[1]["error_type"] == c[1]["error_type"] == "EmptyDocument"
    assert all(r["backend"] == "hybrid" and r["usage"] for r in (b[0], b[2], c[0], c[2]))
    assert report.model["calls"] > 0 and report.failed == 1


def _crash_on_killer(item: str) -> str:
    """A worker function that kills its process on one item, like a crashing PDF library."""
    if item == "killer":
        os._exit(1)
    time.sleep(0.05)
    return item


def test_a_pool_that_breaks_fails_only_the_document_that_broke_it():
    """A real worker process dies: the pool breaks and fails every document in flight.  They are
    read again one at a time, so only the one that kills the pool again is recorded as failed."""
    from extractor.jobs import ProcessExecutor

    items = ["a", "b", "killer", "c", "d", "e", "f"]
    executor = ProcessExecutor(2)
    try:
        out = list(executor.map_ordered(_crash_on_killer, items, window=8, on_error=lambda it, exc: f"failed {it}"))
        assert list(executor.map_ordered(_crash_on_killer, ["g", "h"], window=8, on_error=lambda it, exc: "x")) == ["g", "h"]
    finally:
        executor.close()
    assert out == ["a", "b", "failed killer", "c", "d", "e", "f"]


def test_a_pool_that_breaks_during_a_model_job_costs_only_the_document_that_broke_it(
        scripted_endpoint, dev_dir):
    """The same in a model job: a break fails every document in flight (as a real pool does);
    each is read again, one at a time, and only the killer is recorded as failed, while every
    other document still gets its model answers."""
    import threading
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from extractor.jobs import Task, _model_records

    killer = str(dev_dir / REPORTS[1])
    inputs = [str(dev_dir / name) for name in REPORTS]

    class BreakingPool:
        """Runs what was submitted within 20 ms as one batch; a batch holding ``killer`` breaks
        the pool, and every future of the batch fails, as a real process pool's do."""

        name, workers = "fake", 2

        def __init__(self) -> None:
            self.submitted: list[str] = []
            self._batch: list[tuple] = []
            self._lock = threading.Lock()

        def submit(self, fn, task: Task) -> Future:
            future: Future = Future()
            with self._lock:
                self.submitted.append(task.path)
                self._batch.append((fn, task, future))
            threading.Timer(0.02, self._run_batch).start()
            return future

        def _run_batch(self) -> None:
            with self._lock:
                batch, self._batch = self._batch, []
            broken = any(task.path == killer for _fn, task, _f in batch)
            for fn, task, future in batch:
                if broken:
                    future.set_exception(BrokenProcessPool("A child process terminated abruptly"))
                else:
                    future.set_result(fn(task))

    backend = make_backend("hybrid", Settings())
    pool = BreakingPool()
    tasks = iter([Task(p, "hybrid", prepare_only=True, want_baseline=True) for p in inputs])
    outcomes = list(_model_records(tasks, backend, pool, window=8))
    assert [o.path for o in outcomes] == inputs
    failed = [o.path for o in outcomes if o.summary and o.summary.error]
    assert failed == [killer]
    assert pool.submitted.count(killer) == 2     # read, then read again alone: broke it again
    records = [json.loads(o.line) for o in outcomes if o.line]
    assert all(r["usage"] for r in records if r["path"] != killer)
    assert "worker process died" in records[1]["error"]


def test_without_worker_processes_a_model_job_reads_one_document_at_a_time(scripted_endpoint, dev_dir, monkeypatch):
    """With one worker (and in Ray shards) documents are read on a thread beside the event loop,
    but never two at once: pdfium is not thread-safe."""
    import threading

    import extractor.jobs as jobs

    real_work = jobs.work
    state = {"now": 0, "most": 0, "threads": set()}
    lock = threading.Lock()

    def counting_work(task):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            state["threads"].add(threading.current_thread().name)
        time.sleep(0.05)
        try:
            return real_work(task)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(jobs, "work", counting_work)
    backend = make_backend("hybrid", Settings())
    tasks = iter([jobs.Task(str(dev_dir / name), "hybrid", prepare_only=True, want_baseline=True)
                  for name in REPORTS])
    outcomes = list(jobs._model_records(tasks, backend, jobs.InlineExecutor(), window=8))
    assert [json.loads(o.line)["error"] for o in outcomes] == [None] * len(REPORTS)
    assert state["most"] == 1
    assert state["threads"] and threading.main_thread().name not in state["threads"]   # off the loop's thread


def test_the_collector_is_tuned_for_the_job_and_restored_after():
    import gc

    from extractor.jobs import JOB_GC_THRESHOLDS, collector_tuned_for_jobs

    before = gc.get_threshold()
    with collector_tuned_for_jobs():
        assert gc.get_threshold() == JOB_GC_THRESHOLDS and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_ray_executor_without_the_extra_says_how_to_install_it(monkeypatch, dev_dir):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    code, output = extract(str(dev_dir / REPORTS[0]), "--executor", "ray", "--backend", "regex")
    assert code == 2 and "pip install -e '.[ray]'" in output
