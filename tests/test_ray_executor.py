"""The Ray executor: shards as Ray tasks, each with its own ledger; the same records as a local run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.jobs import RecordSummary
from extractor.record import DocumentRecord

ray = pytest.importorskip("ray")

REPORTS = ["002_392dabf3539690db.txt", "c038_pingtan_jtj_2022.txt", "000_fab06f8153dd9309.txt",
           "004_8c37ed67089d1b8b.txt"]


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray (2 CPUs, as in CI) for the module: jobs join it instead of starting their own."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["extract", *args])
    return result.exit_code, result.output


def test_ray_run_and_local_run_write_identical_records(local_ray, dev_dir: Path, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    inputs = [str(dev_dir / REPORTS[0]), str(empty), str(dev_dir / REPORTS[1]), str(dev_dir / REPORTS[2])]
    local, ray_run = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    first = run(*inputs, "--backend", "regex", "--workers", "1", "--out", str(local))
    second = run(*inputs, "--backend", "regex", "--executor", "ray", "--shard-size", "1", "--out", str(ray_run))
    assert first[0] == second[0] == 1, second[1]     # the empty file failed in both
    assert local.read_bytes() == ray_run.read_bytes()
    assert [json.loads(line)["path"] for line in ray_run.read_text(encoding="utf-8").splitlines()] == inputs
    report = json.loads((tmp_path / "ray.report.json").read_text(encoding="utf-8"))
    assert report["executor"] == "ray" and report["counts"]["failed"] == 1 and report["counts"]["done"] == 4
    assert not (tmp_path / "ray.shards").exists()   # a finished job's ledgers are folded into the run


def test_hybrid_shards_call_the_model_from_ray_workers_and_match_the_local_run(scripted_endpoint, local_ray, dev_dir,
                                                                               tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACTOR_MAX_RPS", "10")
    inputs = [str(dev_dir / name) for name in REPORTS]
    local, ray_run = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert run(*inputs, "--backend", "hybrid", "--workers", "1", "--out", str(local))[0] == 0
    local_requests = len(scripted_endpoint.chat_requests)
    scripted_endpoint.reset()
    code, output = run(*inputs, "--backend", "hybrid", "--executor", "ray", "--shard-size", "2",
                       "--out", str(ray_run))
    ray_requests = sorted(r.at for r in scripted_endpoint.chat_requests)
    assert code == 0, output
    assert f"model (on the Ray workers): {local_requests} completions" in output
    a, b = [json.loads(x) for x in local.read_text().splitlines()], [json.loads(x) for x in ray_run.read_text().splitlines()]
    assert [r["path"] for r in b] == inputs
    assert [r["fields"] for r in a] == [r["fields"] for r in b]
    assert len(ray_requests) == local_requests > 0               # the shards asked the model themselves
    report = json.loads((tmp_path / "ray.report.json").read_text(encoding="utf-8"))
    assert report["model"]["calls"] == local_requests
    # one job-wide clock: both workers' requests together took a 1/10 s slot each (two workers with
    # a limit each would have sent them in about half the time)
    assert ray_requests[-1] - ray_requests[0] >= 0.8 * (len(ray_requests) - 1) / 10


def test_the_rate_gate_spaces_requests_across_processes(local_ray):
    from extractor.ray_jobs import GateLimiter, RateGate

    gate = ray.remote(num_cpus=0)(RateGate).remote(20.0)

    @ray.remote(num_cpus=1)
    def ask(gate, n: int) -> list[float]:
        import asyncio

        async def go() -> list[float]:
            limiter, times = GateLimiter(gate), []
            for _ in range(n):
                await limiter.wait()
                times.append(time.time())
            return times
        return asyncio.run(go())

    times = sorted(t for ts in ray.get([ask.remote(gate, 5), ask.remote(gate, 5)]) for t in ts)
    assert ray.get(gate.reserved.remote()) == 10
    assert times[-1] - times[0] >= 9 / 20 * 0.9     # ten slots of 50 ms, whichever process asked


def test_resume_keeps_the_records_of_a_dead_drivers_shard_ledgers(local_ray, dev_dir, tmp_path):
    inputs = [str(dev_dir / name) for name in REPORTS]
    full = tmp_path / "full.jsonl"
    assert run(*inputs, "--backend", "regex", "--workers", "1", "--out", str(full))[0] == 0
    done = full.read_text(encoding="utf-8").splitlines()
    # the driver died: the run file has nothing yet, one shard's ledger holds two records, one cut short
    run_file = tmp_path / "run.jsonl"
    shards = tmp_path / "run.shards"
    shards.mkdir()
    (shards / "shard-00000.jsonl").write_text(done[0] + "\n" + done[1] + "\n" + done[2][:50], encoding="utf-8")
    code, output = run(*inputs, "--backend", "regex", "--executor", "ray", "--resume", "--out", str(run_file))
    assert code == 0, output
    assert "2 records kept from the shard ledgers" in output
    report = json.loads((tmp_path / "run.report.json").read_text(encoding="utf-8"))
    assert report["counts"]["resumed"] == 2 and report["counts"]["done"] == 2
    lines = run_file.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(x)["path"] for x in lines) == sorted(inputs)
    assert sorted(lines) == sorted(done)


def test_a_retried_shard_continues_from_its_ledger(dev_dir, tmp_path):
    """What Ray does after a node died: the task runs again; the ledger says what is done."""
    from extractor.ray_jobs import ShardSpec, run_shard

    inputs = tuple(str(dev_dir / name) for name in REPORTS[:3])
    ledger = tmp_path / "shard-00000.jsonl"
    spec = ShardSpec(0, inputs, "regex", None, str(ledger))
    assert run_shard(spec) == 3
    first = ledger.read_text(encoding="utf-8").splitlines()
    ledger.write_text(first[0] + "\n" + first[1][:40], encoding="utf-8")   # the node died mid-line
    assert run_shard(spec) == 3
    again = ledger.read_text(encoding="utf-8").splitlines()
    assert again[0] == first[0] and sorted(again) == sorted(first) and len(again) == 3


def test_a_summary_read_from_json_equals_the_one_made_from_the_record(dev_dir, tmp_path):
    out = tmp_path / "run.jsonl"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    run(str(dev_dir / REPORTS[0]), str(bad), "--backend", "regex", "--workers", "1", "--out", str(out))
    for line in out.read_text(encoding="utf-8").splitlines():
        assert RecordSummary.of_json(json.loads(line)) == RecordSummary.of(DocumentRecord.model_validate_json(line))


def test_a_shard_that_dies_for_good_costs_only_the_document_that_kills_it(dev_dir, tmp_path):
    """A document that crashes its Ray worker every time: after Ray's retries the shard's task
    fails; its missing documents are run alone, so only the killer is recorded as failed."""
    from dataclasses import replace

    from extractor.ray_jobs import ShardSpec, _collect, run_shard

    inputs = tuple(str(dev_dir / name) for name in REPORTS)
    killer = inputs[1]
    spec = ShardSpec(0, inputs, "regex", None, str(tmp_path / "shard-00000.jsonl"))
    run_shard(replace(spec, paths=inputs[:1]))     # the task got through one document, then died

    class FakeRay:                                  # ray.get: a task that died raises
        def get(self, ref):
            if isinstance(ref, Exception):
                raise ref
            return ref

    class FakeTask:                                 # task.remote: runs the shard, or dies on the killer
        def __init__(self) -> None:
            self.ran: list[tuple[str, ...]] = []

        def remote(self, shard):
            self.ran.append(shard.paths)
            return RuntimeError("worker crashed") if killer in shard.paths else run_shard(shard)

    task = FakeTask()
    outcomes = list(_collect(FakeRay(), task, spec, RuntimeError("worker crashed")))
    assert [o.path for o in outcomes] == list(inputs)
    assert [o.path for o in outcomes if o.summary and o.summary.error] == [killer]
    assert task.ran == [(p,) for p in inputs[1:]]   # each missing document alone
    assert "worker process died" in json.loads(outcomes[1].line)["error"]


def test_harvesting_ledgers_keeps_newer_run_records_and_never_glues_onto_a_cut_line(dev_dir, tmp_path):
    from extractor.jobs import prepare_resume
    from extractor.ray_jobs import harvest_ledgers

    full = tmp_path / "full.jsonl"
    run(*(str(dev_dir / n) for n in REPORTS[:3]), "--backend", "regex", "--workers", "1", "--out", str(full))
    a, b, c = full.read_text(encoding="utf-8").splitlines()
    stale_a = json.loads(a)
    stale_a["fields"] = {}                         # an old ledger's version of A
    shards = tmp_path / "run.shards"
    shards.mkdir()
    (shards / "shard-00000.jsonl").write_text(json.dumps(stale_a) + "\n" + b + "\n", encoding="utf-8")
    run_file = tmp_path / "run.jsonl"
    run_file.write_text(a + "\n" + c[:40], encoding="utf-8")     # A done, C cut short by a kill
    assert harvest_ledgers(shards, run_file) == 1                 # only B: the run's A is kept
    good = prepare_resume(run_file)
    assert set(good) == {json.loads(a)["path"], json.loads(b)["path"]}
    kept = {json.loads(x)["path"]: x for x in run_file.read_text(encoding="utf-8").splitlines()}
    assert kept[json.loads(a)["path"]] == a and kept[json.loads(b)["path"]] == b


def test_a_cluster_job_needs_a_run_file_every_node_sees(dev_dir):
    code, output = run(str(dev_dir / REPORTS[0]), "--backend", "regex", "--executor", "ray", "--address", "auto")
    assert code == 2 and "--address needs --out" in output
