"""The Ray executor: a job split into shards, each a Ray task writing its own durable ledger.

Why Ray and not a home-made cluster: a national corpus is days of CPU on one
machine; Ray schedules tasks over a cluster's cores, retries tasks whose node
died, and runs locally with the same code.

Why shards: a shard (``--shard-size`` documents, contiguous in input order) runs
on one Ray worker through the ordinary one-process job (``jobs.run_bulk`` with
the same per-document function as a local run, model calls included), and
writes each record to its own ledger (``RUN.shards/shard-00007.jsonl``) as it is
made, flushed and synced.  A task Ray retries (its node died) resumes from its
ledger instead of starting over; a driver that dies leaves ledgers that
``extractor extract --resume`` (or ``extractor merge RUN.shards/*.jsonl``)
picks up.  The driver keeps at most a few shards per core in flight (flat
memory) and copies each finished shard's records into the run in input order,
so a Ray run writes the same bytes as a local run.

Model calls from every worker go through one job-wide rate limit
(``EXTRACTOR_MAX_RPS``): a small Ray actor hands out request slots.  The answer
cache is the shared ``EXTRACTOR_CACHE_DIR`` (on a cluster: a shared filesystem).

``address=None`` starts a local Ray (``num_cpus=workers``); ``"auto"`` joins the
cluster this machine belongs to; ``"ray://head:10001"`` connects a Ray client.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from extractor.config import Settings
from extractor.jobs import (JobOptions, Outcome, RecordSummary, RunReport, file_sha256, prepare_resume, run_bulk,
                            worker_died_record)
from extractor.llm.transport import RateLimiter
from extractor.pipeline import make_backend
from extractor.result import Backend

INSTALL_HINT = "the Ray executor needs the ray extra: pip install -e '.[ray]'"
#: Ledger file names inside the shard folder.
LEDGER_GLOB = "shard-*.jsonl"


class RayUnavailable(ImportError):
    """Ray is not installed (or cannot start); the message says how to install it."""


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailable(INSTALL_HINT) from exc
    return ray


# ------------------------------------------------------------------ one shard, on a Ray worker


@dataclass(frozen=True)
class ShardSpec:
    """What one Ray task needs: its documents, the backend to build there, its ledger."""

    index: int
    paths: tuple[str, ...]
    backend_name: str
    settings: Settings | None        # None for the regex backend (no model)
    ledger: str                      # absolute: workers may run in another folder
    rate_gate: Any = None            # a RateGate actor handle: the job-wide rate limit, or None
    cwd: str | None = None           # the driver's folder: relative input paths resolve as there


def ledger_name(index: int) -> str:
    return f"shard-{index:05d}.jsonl"


def run_shard(spec: ShardSpec) -> int:
    """Run one shard on this (Ray worker) process; returns the records its ledger holds.

    Documents already in the ledger with the same sha256 are skipped, so a retried
    task continues where the dead one stopped."""
    if spec.cwd and os.path.isdir(spec.cwd):
        os.chdir(spec.cwd)   # records keep each path as given; it must read the same file as on the driver
    ledger = Path(spec.ledger)
    done = prepare_resume(ledger) if ledger.exists() else {}
    todo = [Path(p) for p in spec.paths if not (p in done and done[p] == file_sha256(Path(p)))]
    backend = make_backend(spec.backend_name, spec.settings)
    if spec.rate_gate is not None and hasattr(backend, "shared_limiter"):
        backend.shared_limiter = GateLimiter(spec.rate_gate)
    report = RunReport(backend=spec.backend_name, executor="ray-shard", workers=1)
    with ledger.open("a", encoding="utf-8") as sink:
        run_bulk(todo, backend, sink, report, JobOptions(workers=1, executor="local"))
    return len(done) + report.done


# ------------------------------------------------------------------ the job-wide rate limit


class RateGate:
    """The job's one request clock, run as a Ray actor: each request of any worker takes the
    next slot, so the whole job stays under ``EXTRACTOR_MAX_RPS`` however many workers ask."""

    def __init__(self, per_second: float) -> None:
        self._limiter = RateLimiter(per_second, clock=time.monotonic)

    def slot(self) -> float:
        """Seconds the caller waits before its request goes out."""
        return self._limiter.slot()

    def reserved(self) -> int:
        return self._limiter.reserved


class GateLimiter:
    """A worker's side of the ``RateGate``: ask for a slot, sleep until it comes."""

    def __init__(self, gate: Any) -> None:
        self.gate = gate

    async def wait(self) -> None:
        delay = await self.gate.slot.remote()
        if delay > 0:
            await asyncio.sleep(delay)


# ------------------------------------------------------------------ the driver


@dataclass
class RayJob:
    """A started Ray runtime (local or a cluster) for one job."""

    ray: Any
    cpus: int
    started_here: bool

    @classmethod
    def start(cls, workers: int, address: str | None) -> RayJob:
        ray = _ray()
        started_here = not ray.is_initialized()
        if started_here:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "configure_logging": False}
            if address:
                ray.init(address=address, **kwargs)
            else:
                ray.init(num_cpus=max(1, workers), **kwargs)
        cpus = int(ray.cluster_resources().get("CPU", workers)) or workers
        return cls(ray, cpus, started_here)

    def close(self) -> None:
        if self.started_here:
            self.ray.shutdown()


def shard_outcomes(files: list[Path], backend: Backend, options: JobOptions, report: RunReport) -> Iterator[Outcome]:
    """Every document's record, in input order, from shards run as Ray tasks.

    The caller (``jobs.run_bulk``) writes them to the run exactly as it writes a local
    job's, so the run report, the failures file and ``--max-failures`` work the same.
    The backend is rebuilt on each worker from its name and settings (the driver's
    instance makes no model calls)."""
    backend_name = backend.name
    settings: Settings | None = getattr(backend, "settings", None)
    if options.shard_dir is None:
        raise ValueError("a Ray job needs a folder for its shard ledgers")
    shard_dir = Path(options.shard_dir)
    shard_dir.mkdir(parents=True, exist_ok=True)
    for stale in shard_dir.glob(LEDGER_GLOB):   # a previous job's ledgers (harvested by --resume already)
        stale.unlink()
    job = RayJob.start(options.workers, options.address)
    report.workers = job.cpus
    ray = job.ray
    gate = None
    if settings is not None:
        # One job, one concurrency: each of the shards running at once gets its share.
        settings = settings.model_copy(update={"concurrency": max(1, settings.concurrency // max(1, job.cpus))})
        if settings.max_rps:
            gate = ray.remote(num_cpus=0)(RateGate).remote(settings.max_rps)
    task = ray.remote(num_cpus=1, max_retries=2)(run_shard)
    size = max(1, options.shard_size)
    ledgers = shard_dir.resolve()
    cwd = os.getcwd()
    specs = (ShardSpec(i, tuple(str(f) for f in files[start:start + size]), backend_name, settings,
                       str(ledgers / ledger_name(i)), gate, cwd)
             for i, start in enumerate(range(0, len(files), size)))
    in_flight: deque[tuple[ShardSpec, Any]] = deque()
    limit = max(2, 2 * job.cpus)
    finished_cleanly = False
    try:
        for spec in specs:
            in_flight.append((spec, task.remote(spec)))
            if len(in_flight) >= limit:
                yield from _collect(ray, task, *in_flight.popleft())
        while in_flight:
            yield from _collect(ray, task, *in_flight.popleft())
        finished_cleanly = True
    finally:
        for _spec, ref in in_flight:
            ray.cancel(ref)
        job.close()
        if finished_cleanly and options.drop_shards:
            shutil.rmtree(shard_dir, ignore_errors=True)


def _collect(ray: Any, task: Any, spec: ShardSpec, ref: Any) -> Iterator[Outcome]:
    """A finished shard's records from its ledger, in the shard's input order.

    A shard whose task died for good (a document that crashes its worker every time, after
    Ray's retries) is missing the records from that document on.  Each missing document is
    then run as a shard of its own, so only the one that keeps crashing is recorded as failed
    (``worker_died_record``), not the rest of its shard."""
    error: BaseException | None = None
    try:
        ray.get(ref)
    except Exception as exc:  # noqa: BLE001 - RayTaskError, WorkerCrashedError, ...: the records say so
        error = exc
    lines = _ledger_lines(Path(spec.ledger))
    missing = [p for p in spec.paths if p not in lines]
    if error is not None and missing:
        alone = [(path, replace(spec, paths=(path,), ledger=f"{spec.ledger}.{n}.jsonl"))
                 for n, path in enumerate(missing)]
        refs = {path: task.remote(single) for path, single in alone}
        for path, single in alone:
            try:
                ray.get(refs[path])
            except Exception as exc:  # noqa: BLE001 - this one crashes its worker: recorded below
                error = exc
            lines.update(_ledger_lines(Path(single.ledger)))
    for path in spec.paths:
        line = lines.get(path)
        if line is None:
            yield Outcome.finished(worker_died_record(path, spec.backend_name, error))
            continue
        yield Outcome(path, line=line, summary=RecordSummary.of_json(json.loads(line)))


def _ledger_lines(ledger: Path) -> dict[str, str]:
    """path -> its last whole line in the ledger (a retried task may have written a document twice)."""
    lines: dict[str, str] = {}
    if not ledger.exists():
        return lines
    with ledger.open(encoding="utf-8", errors="replace") as fh:
        for raw in fh:
            if not raw.endswith("\n"):
                continue
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and "path" in rec:
                lines[str(rec["path"])] = raw.rstrip("\n")
    return lines


def harvest_ledgers(shard_dir: Path, run: Path) -> int:
    """Append the good records of a previous job's shard ledgers to the run (``--resume``):
    the work of shards that finished before the driver died is kept, not redone.  A document
    the run already holds a good record of keeps that one (the run may be newer than an old
    ledger).  Returns how many records were appended; ``prepare_resume`` then checks them."""
    if not shard_dir.is_dir():
        return 0
    have: set[str] = set()
    ends_cut = False
    if run.exists() and run.stat().st_size:
        with run.open("rb") as fh:
            for raw in fh:
                ends_cut = not raw.endswith(b"\n")
                try:
                    rec = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue
                if isinstance(rec, dict) and not rec.get("error") and not ends_cut:
                    have.add(str(rec.get("path")))
    added = 0
    with run.open("a", encoding="utf-8") as sink:
        if ends_cut:
            sink.write("\n")   # never glue a harvested record onto a line a killed job cut short
        for ledger in sorted(shard_dir.glob(LEDGER_GLOB)):
            for path, line in _ledger_lines(ledger).items():
                if path not in have and not json.loads(line).get("error"):
                    sink.write(line + "\n")
                    have.add(path)
                    added += 1
        sink.flush()
        os.fsync(sink.fileno())   # the ledgers are removed when the job starts: the run must hold them first
    return added
