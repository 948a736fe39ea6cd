"""Bulk jobs: many documents on worker processes (or Ray), one JSONL run, nothing lost.

Why it is shaped this way:

* The CPU half of the work (ingest: PDF parsing, OCR, Word; and the regex
  baseline) runs in worker processes.  Model calls stay async on the parent's
  event loop, fed with documents (and baselines) the workers prepared.
* The parent writes each record once, in input order, flushed as it goes, so a
  killed job leaves at most one cut-off line; ``--resume`` drops that line and
  failed records, and skips every document already done (same path and sha256)
  whatever the worker count was.
* Memory stays flat: inputs are submitted through a bounded window and records
  are written and dropped, never held; the run report keeps counters only.
* A document that fails is a record with ``error``/``error_type`` and a line in
  RUN.failures.tsv; ``max_failures`` stops a job that fails across the board.
"""

from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import os
import platform
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar

from extractor import __version__
from extractor.pipeline import (
    Prepared,
    Skipped,
    prepare_document,
    process_path,
    record_from_result,
)
from extractor.record import DocumentRecord
from extractor.result import Backend, StreamingBackend

T = TypeVar("T")
R = TypeVar("R")

#: Modules a worker needs, imported once by the forkserver before it forks workers.
WORKER_PRELOAD = ("extractor.jobs", "extractor.pipeline", "extractor.baseline", "extractor.formats.pdf")

#: How many of the first failures the run report (and the end-of-job message) lists.
FAILURES_LISTED = 20


# ------------------------------------------------------------------ the unit of work


@dataclass(frozen=True)
class Task:
    """One document for a worker: the path as given, and what the backend needs done there."""

    path: str
    backend_name: str
    prepare_only: bool       # a model backend: the worker ingests (and baselines), the parent asks the model
    want_baseline: bool


@dataclass(frozen=True)
class RecordSummary:
    """What the run report needs of a record; the record itself is already a JSON line."""

    path: str
    error: str | None
    error_type: str | None
    template: str | None
    flagged: bool
    model_error: bool
    model_usage: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of_json(cls, record: dict[str, Any]) -> RecordSummary:
        """The same summary read from a record's JSON (a Ray shard's ledger line)."""
        return cls(str(record.get("path")), record.get("error"), record.get("error_type"), record.get("template"),
                   bool(record.get("checks") or record.get("flags")),
                   any(f.get("kind") == "model_error" for f in record.get("flags") or []),
                   _usage_counts((record.get("usage") or {}).get("total")))

    @classmethod
    def of(cls, record: DocumentRecord) -> RecordSummary:
        return cls(record.path, record.error, record.error_type, record.template,
                   bool(record.checks or record.flags), any(f.kind == "model_error" for f in record.flags),
                   _usage_counts(record.usage.get("total") if record.usage else None))


def _usage_counts(total: Any) -> tuple[tuple[str, int], ...]:
    """The numeric counters of a record's ``usage.total`` (calls, tokens, cache hits ...)."""
    if not isinstance(total, dict):
        return ()
    return tuple((k, int(v)) for k, v in total.items() if isinstance(v, (int, float)) and not isinstance(v, bool))


@dataclass
class Outcome:
    """What a worker hands back: a finished record (serialised there, so the parent only writes
    it), or a document prepared for the model."""

    path: str
    line: str | None = None
    summary: RecordSummary | None = None
    prepared: Prepared | None = None

    @classmethod
    def finished(cls, record: DocumentRecord) -> Outcome:
        return cls(record.path, line=record.to_json(), summary=RecordSummary.of(record))


def work(task: Task) -> Outcome:
    """The per-document function every executor runs (process pool, Ray task, or inline).

    Never raises for a document: a bad one comes back as its failure record."""
    if not task.prepare_only:
        from extractor.pipeline import RegexBackend

        return Outcome.finished(process_path(task.path, RegexBackend(), task.backend_name))
    result = prepare_document(task.path, task.want_baseline, task.backend_name)
    if isinstance(result, DocumentRecord):
        return Outcome.finished(result)
    return Outcome(task.path, prepared=result)


# ------------------------------------------------------------------ executors


class Executor(Protocol):
    """Runs ``fn`` over items with a bounded number in flight and yields results in input order."""

    name: str
    workers: int

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T], window: int,
                    on_error: Callable[[T, BaseException], R]) -> Iterator[R]: ...

    def submit(self, fn: Callable[[T], R], item: T) -> Future[R] | None:
        """Start ``fn(item)`` elsewhere; None when this executor runs work in the caller."""

    def close(self) -> None: ...


class InlineExecutor:
    """One worker: the work runs in this process (no start-up cost, easiest to debug)."""

    name = "inline"
    workers = 1

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T], window: int,
                    on_error: Callable[[T, BaseException], R]) -> Iterator[R]:
        for item in items:
            yield fn(item)

    def submit(self, fn: Callable[[T], R], item: T) -> Future[R] | None:
        return None

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A local process pool.  A worker that dies (a PDF library crashing, the OOM killer) breaks
    the pool and fails every document in flight with it.  The pool is restarted and those
    documents are read again **one at a time**, so the one that breaks it again is known and
    recorded as failed, and the others get their records; one bad file never ends the job."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        self._ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            # Workers fork from a server that has already imported the pipeline: each starts in
            # milliseconds instead of importing it anew (~1 s each, most of a small job's time).
            self._ctx.set_forkserver_preload(list(WORKER_PRELOAD))
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=self._ctx)

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T], window: int,
                    on_error: Callable[[T, BaseException], R]) -> Iterator[R]:
        pending: deque[tuple[T, Future[R]]] = deque()
        source = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(pending) < max(window, self.workers):
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending.append((item, self.submit_or_restart(fn, item)))
            if not pending:
                return
            item, fut = pending.popleft()
            try:
                yield fut.result()
            except BrokenProcessPool:
                self._restart()
                suspects = [item, *(it for it, _f in pending)]   # still in input order
                pending.clear()
                for suspect in suspects:
                    yield self.alone(fn, suspect, on_error)

    def alone(self, fn: Callable[[T], R], item: T, on_error: Callable[[T, BaseException], R]) -> R:
        """``fn(item)`` with nothing else in the pool: if the pool breaks now, this item broke it."""
        try:
            return self.submit_or_restart(fn, item).result()
        except BrokenProcessPool as exc:
            self._restart()
            return on_error(item, exc)

    def submit_or_restart(self, fn: Callable[[T], R], item: T) -> Future[R]:
        try:
            return self._pool.submit(fn, item)
        except BrokenProcessPool:
            self._restart()
            return self._pool.submit(fn, item)

    def submit(self, fn: Callable[[T], R], item: T) -> Future[R] | None:
        return self.submit_or_restart(fn, item)

    def _restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def worker_died(task: Task, exc: BaseException) -> Outcome:
    """The record of a document whose worker died twice while reading it (a crashing library, OOM)."""
    return Outcome.finished(worker_died_record(task.path, task.backend_name, exc))


def worker_died_record(path: str, backend_name: str, exc: BaseException | None) -> DocumentRecord:
    """A failure record for a document whose worker (process or Ray task) died for good."""
    why = type(exc).__name__ if exc is not None else "no record was written"
    return DocumentRecord.failure(path, exc or RuntimeError(why), backend=backend_name,
                                  message=f"the worker process died while reading this document ({why})")


def make_executor(workers: int, inline: bool = True) -> Executor:
    """Worker processes, or (``inline`` allowed) this process for one worker.
    (A Ray job runs shards: ``ray_jobs``.)"""
    return InlineExecutor() if workers <= 1 and inline else ProcessExecutor(workers)


# ------------------------------------------------------------------ resume ledger


def prepare_resume(run: Path) -> dict[str, str]:
    """Keep the run's good records and return them as path -> sha256.

    Rewrites the file (atomically) without failed records, cut-off lines and
    repeated paths (the last one wins), so after the resumed job every input has
    exactly one record, whatever worker count either job used."""
    good: dict[str, str] = {}
    lines: dict[str, str] = {}
    with run.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a killed job: that document is redone
            if not isinstance(rec, dict) or rec.get("error") or not rec.get("sha256") or not line.endswith("\n"):
                continue
            path = str(rec.get("path"))
            lines.pop(path, None)  # keep file order of the last occurrence
            lines[path] = line
            good[path] = rec["sha256"]
    tmp = run.with_name(run.name + ".resume-tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(lines.values())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, run)
    return good


def file_sha256(path: Path) -> str | None:
    import hashlib

    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


# ------------------------------------------------------------------ run report


@dataclass
class RunReport:
    """Counters of a job (never the records themselves: memory stays flat)."""

    backend: str
    executor: str
    workers: int
    inputs: int = 0
    done: int = 0
    failed: int = 0
    resumed: int = 0
    flagged: int = 0
    by_format: Counter[str] = field(default_factory=Counter)
    by_template: Counter[str] = field(default_factory=Counter)
    by_error_type: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)   # the first FAILURES_LISTED
    skipped: list[Skipped] = field(default_factory=list)
    model: Counter[str] = field(default_factory=Counter)
    model_error_documents: int = 0
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    stopped: str | None = None

    def add(self, record: RecordSummary) -> None:
        self.done += 1
        self.by_format[Path(record.path).suffix.lower().lstrip(".") or "(none)"] += 1
        if record.error:
            self.failed += 1
            self.by_error_type[record.error_type or "error"] += 1
            if len(self.failures) < FAILURES_LISTED:
                self.failures.append({"path": record.path, "error_type": record.error_type or "",
                                      "error": record.error})
        else:
            self.by_template[record.template or "(none)"] += 1
        if record.flagged:
            self.flagged += 1
        for k, v in record.model_usage:
            self.model[k] += v
        if record.model_error:
            self.model_error_documents += 1

    @property
    def every_model_call_failed(self) -> bool:
        """A model backend where no call ever got an answer: a wrong key or an endpoint that is down."""
        reached_model = self.done - self.failed + self.by_error_type.get("ModelFailure", 0)
        return (self.backend in ("llm", "hybrid") and reached_model > 0 and self.model.get("calls", 0) == 0
                and self.model.get("cache_hits", 0) == 0 and self.model_error_documents >= reached_model)

    def as_dict(self, failures_tsv: str | None = None) -> dict[str, Any]:
        secs = self.seconds or (time.time() - self.started)
        ok = self.done - self.failed
        return {
            "extractor_version": __version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "backend": self.backend, "executor": self.executor, "workers": self.workers,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "seconds": round(secs, 3),
            "docs_per_s": round(self.done / secs, 3) if secs > 0 else None,
            "inputs": self.inputs,
            "counts": {"done": self.done, "ok": ok, "failed": self.failed, "resumed": self.resumed,
                       "skipped_files": len(self.skipped), "flagged": self.flagged},
            "by_format": dict(sorted(self.by_format.items())),
            "by_template": dict(sorted(self.by_template.items())),
            "by_error_type": dict(self.by_error_type.most_common()),
            "failures_first": self.failures,
            "failures_file": failures_tsv,
            "skipped_by_reason": dict(Counter(s.reason for s in self.skipped).most_common()),
            "skipped_first": [{"path": s.path, "reason": s.reason} for s in self.skipped[:FAILURES_LISTED]],
            "model": dict(self.model) or None,
            "model_error_documents": self.model_error_documents,
            "every_model_call_failed": self.every_model_call_failed,
            "stopped": self.stopped,
        }


def shards_folder(out: Path) -> Path:
    """RUN.jsonl -> RUN.shards/ (a Ray job's per-shard ledgers)."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(stem + ".shards")


def report_paths(out: Path) -> tuple[Path, Path]:
    """RUN.jsonl -> (RUN.report.json, RUN.failures.tsv)."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(stem + ".report.json"), out.with_name(stem + ".failures.tsv")


class _FailureLog:
    """RUN.failures.tsv, one line per failed document, written as they happen."""

    def __init__(self, path: Path | None, append: bool) -> None:
        self.path = path
        self._fh: TextIO | None = None
        if path is not None:
            new = not (append and path.exists())
            self._fh = path.open("a" if append else "w", encoding="utf-8")
            if new:
                self._fh.write("path\terror_type\terror\n")

    def write(self, record: RecordSummary) -> None:
        if self._fh is not None and record.error:
            clean = record.error.replace("\t", " ").replace("\n", " ")
            self._fh.write(f"{record.path}\t{record.error_type or ''}\t{clean}\n")
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


# ------------------------------------------------------------------ the job


class TooManyFailures(Exception):
    """The job stopped: ``max_failures`` documents failed (wrong key, endpoint down, wrong inputs)."""


@dataclass
class JobOptions:
    workers: int = 1
    executor: str = "local"
    address: str | None = None
    max_failures: int | None = None
    resume: bool = False
    window: int | None = None     # documents in flight; default: a few per worker
    shard_dir: Path | None = None  # Ray: where each shard writes its ledger
    shard_size: int = 100          # Ray: documents per shard (one Ray task)
    drop_shards: bool = True       # Ray: remove the ledgers once the run holds every record


#: Collector thresholds during a job (Python's defaults: 700, 10, 10).
JOB_GC_THRESHOLDS = (20_000, 50, 100)


@contextmanager
def collector_tuned_for_jobs() -> Iterator[None]:
    """Tune Python's cyclic garbage collector for the job, and restore it afterwards.

    Why: with the defaults, a hybrid job over 1 000 reports spent 2.4-2.9 s of its
    ~18 s in the collector, mostly in ten full (generation 2) passes over the
    heap of ~190 ms each, during which the event loop answers no response, so
    every request slot stays held for the stall.  Objects alive at the start
    (imported modules, schemas, the SDK's types) are frozen out of the collector's
    walks, and young collections run less often; reference counting still frees
    nearly everything a document leaves behind, so memory stays flat (measured:
    ``bench.bench_bulk``).  Measured on the same job: 0.47 s in the collector."""
    before = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0   # nested (a Ray shard inside a job) or frozen by a host: leave it be
    if freeze:
        gc.freeze()
    gc.set_threshold(*JOB_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()


#: Makes a job's records in input order on some other executor (``ray_jobs.shard_outcomes``).
OutcomeSource = Callable[[list[Path], Backend, "JobOptions", RunReport], Iterator[Outcome]]


def run_bulk(files: list[Path], backend: Backend, sink: TextIO, report: RunReport, options: JobOptions,
             progress: Callable[[str], None] | None = None, failures: Path | None = None,
             outcomes: OutcomeSource | None = None) -> RunReport:
    """Run a job: every file -> one record written to ``sink`` in input order.

    Records come from local worker processes, or from ``outcomes`` (the Ray executor's
    shards); either way they are written, counted and checked here, the same way.
    Raises TooManyFailures once ``options.max_failures`` documents have failed; the
    records written so far stay valid and the report says where it stopped."""
    with collector_tuned_for_jobs():
        return _run_bulk(files, backend, sink, report, options, progress, failures, outcomes)


def _run_bulk(files: list[Path], backend: Backend, sink: TextIO, report: RunReport, options: JobOptions,
              progress: Callable[[str], None] | None, failures: Path | None,
              outcomes: OutcomeSource | None) -> RunReport:
    report.inputs += len(files)
    executor: Executor | None = None
    if outcomes is not None:        # another executor (Ray shards) makes the records
        report.executor = options.executor
        finished = outcomes(files, backend, options, report)
    elif options.executor == "local":
        streaming = isinstance(backend, StreamingBackend)
        tasks = (Task(str(f), backend.name, prepare_only=streaming, want_baseline=bool(backend.wants_baseline))
                 for f in files)   # made as submitted: nothing per document is held beyond the window
        # No more workers than documents: a one-file job needs no pool to start.
        workers = max(1, min(options.workers, len(files)))
        # A model job reads in worker processes even with one worker: read on a thread of the
        # loop's own process, the baseline's Python competes with the loop for the interpreter
        # (measured: 0.54-0.67 of ideal calls/s against 0.76-0.81 with the reading elsewhere).
        executor = make_executor(workers, inline=not (streaming and len(files) > 1))
        report.executor, report.workers = executor.name, executor.workers
        concurrency = int(getattr(getattr(backend, "settings", None), "concurrency", 8))
        # Read-ahead for a model backend: enough documents read ahead to keep every request slot busy.
        model_window = options.window or max(64, 4 * concurrency)
        window = options.window or 16 * executor.workers
        finished = (_model_records(tasks, backend, executor, model_window) if streaming
                    else executor.map_ordered(work, tasks, window, worker_died))
    else:
        raise ValueError(f"executor '{options.executor}' needs its outcomes function (ray: ray_jobs.shard_outcomes)")
    log = _FailureLog(failures, append=options.resume)
    written = 0
    try:
        for outcome in finished:
            record = outcome.summary
            assert record is not None and outcome.line is not None
            sink.write(outcome.line + "\n")
            sink.flush()
            written += 1
            if written % 100 == 0:
                _sync(sink)
            report.add(record)
            log.write(record)
            if progress:
                progress(record.path)
            if options.max_failures is not None and report.failed >= options.max_failures:
                report.stopped = (f"stopped after {report.failed} failed documents (--max-failures "
                                  f"{options.max_failures}); {report.done} of {len(files)} written")
                raise TooManyFailures(report.stopped)
    finally:
        _sync(sink)
        # Closed here, after the run is synced, not whenever the collector gets to it: a Ray
        # job's shards are cancelled and its ledgers dropped only once the run holds them.
        close = getattr(finished, "close", None)
        if close is not None:
            close()
        log.close()
        if executor is not None:
            executor.close()
        report.seconds = time.time() - report.started
    return report


def _sync(sink: TextIO) -> None:
    try:
        sink.flush()
        os.fsync(sink.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout pipes cannot be synced


class _Finished(Exception):
    """A document the worker already turned into a record (it could not be read): no model call."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.path)
        self.outcome = outcome


@dataclass
class _Pending:
    task: Task
    future: Future[Outcome] | None


def _model_records(tasks: Iterator[Task], backend: Backend, executor: Executor, window: int) -> Iterator[Outcome]:
    """Documents stream through the model backend in one pass, records in input order.

    Each document is submitted to a worker ``window`` documents before the backend
    takes it, so it is usually read (and baselined) by the time its turn comes (so about
    twice ``window`` documents are held at most: those read ahead, and those finished
    behind a slow one); the
    event loop awaits the worker's future, it never blocks on it.  There is no batch
    boundary: the backend pulls a new document whenever one finishes, so the request
    slots never drain mid-job.  With no worker processes a document is read inside
    the loop when its turn comes (the serial behaviour)."""
    assert isinstance(backend, StreamingBackend)
    import asyncio

    # The first ``window`` documents go to the workers now, so the pool starts (and reads them)
    # while the backend opens its client, which imports much of the SDK on first use.
    queue = deque(_Pending(task, executor.submit(work, task)) for task in itertools.islice(tasks, window))

    def submitted() -> Iterator[_Pending]:
        """The tasks, each handed to a worker ``window`` places ahead of being yielded."""
        for task in tasks:
            queue.append(_Pending(task, executor.submit(work, task)))
            yield queue.popleft()
        while queue:
            yield queue.popleft()

    loaded: dict[int, Outcome] = {}
    retry_one_at_a_time = asyncio.Lock()   # binds to the backend's loop on first use

    def handed_over(p: _Pending, outcome: Outcome) -> Any:
        if outcome.prepared is None:
            raise _Finished(outcome)
        loaded[id(p)] = outcome
        return outcome.prepared.doc, outcome.prepared.baseline

    def load(p: _Pending) -> Any:
        if p.future is None:
            # No worker processes (one worker, or a Ray shard): read it on the one reader thread,
            # so a long PDF or OCR page does not stop the loop from answering the responses in
            # flight.  One thread, never several: pdfium is not thread-safe.
            async def read_here() -> Any:
                outcome = await asyncio.get_running_loop().run_in_executor(reader, work, p.task)
                return handed_over(p, outcome)
            return read_here()

        async def wait() -> Any:
            assert p.future is not None
            try:
                outcome = await asyncio.wrap_future(p.future)
            except BrokenProcessPool:
                # A worker died (a crashing PDF library, the OOM killer) and took the pool with
                # it: every document in flight failed with it, most of them innocent.  Each is
                # read again, one at a time (the lock), so the one that kills the pool again is
                # the one recorded, not the innocent ones in flight beside it.
                async with retry_one_at_a_time:
                    outcome = await _retry_once(p.task)
            except Exception as exc:  # noqa: BLE001 - the worker died: recorded for this document
                outcome = worker_died(p.task, exc)
            return handed_over(p, outcome)
        return wait()

    async def _retry_once(task: Task) -> Outcome:
        try:
            again = executor.submit(work, task)
            return await asyncio.wrap_future(again) if again is not None else work(task)
        except Exception as exc:  # noqa: BLE001 - died twice: this document's record says so
            return worker_died(task, exc)

    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extractor-reader")
    try:
        for p, result in backend.stream(submitted(), load, ordered=True, ahead=window):
            if isinstance(result, _Finished):
                yield result.outcome
                continue
            outcome = loaded.pop(id(p), None)
            yield Outcome.finished(record_from_result(
                p.task.path, outcome.prepared if outcome else None, result, backend.name))
    finally:
        reader.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def write_report(report: RunReport, path: Path, failures_tsv: Path | None) -> dict[str, Any]:
    data = report.as_dict(str(failures_tsv) if failures_tsv else None)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data


# ------------------------------------------------------------------ merging shards


@dataclass
class MergeReport:
    """What ``merge_runs`` did: kept, dropped as duplicates, and the disagreements it found."""

    shards: int = 0
    records_read: int = 0
    written: int = 0
    duplicates: int = 0
    bad_lines: dict[str, list[int]] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)   # same file, different fields
    changed: list[str] = field(default_factory=list)                # same path, different sha256

    def as_dict(self) -> dict[str, Any]:
        return {"shards": self.shards, "records_read": self.records_read, "written": self.written,
                "duplicates": self.duplicates, "bad_lines": self.bad_lines, "conflicts": self.conflicts,
                "changed_files": self.changed}


@dataclass
class _Seen:
    shard: int
    offset: int
    ok: bool
    digest: str


def merge_runs(shards: list[Path], out: Path) -> MergeReport:
    """Join shard runs into one: one record per (path, sha256), the newest winning.

    Shards are taken oldest first (file modification time, then argument order) and
    later lines beat earlier ones, except that a good record always beats a failed one
    (a retry that worked).  Two good records of the same file whose fields differ are a
    conflict: the newest is kept and the conflict reported.  Only offsets are held, not
    records, so merging a corpus stays in flat memory."""
    import hashlib

    order = sorted(range(len(shards)), key=lambda i: (shards[i].stat().st_mtime, i))
    ordered = [shards[i] for i in order]
    report = MergeReport(shards=len(ordered))
    winners: dict[tuple[str, str], _Seen] = {}
    shas_by_path: dict[str, set[str]] = {}
    for si, shard in enumerate(ordered):
        offset = 0
        with shard.open("rb") as fh:
            for number, raw in enumerate(fh, 1):
                start, offset = offset, offset + len(raw)
                try:
                    rec = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    if raw.strip():
                        report.bad_lines.setdefault(str(shard), []).append(number)
                    continue
                if not isinstance(rec, dict) or "path" not in rec or not raw.endswith(b"\n"):
                    report.bad_lines.setdefault(str(shard), []).append(number)
                    continue
                report.records_read += 1
                path, sha = str(rec["path"]), str(rec.get("sha256") or "")
                shas_by_path.setdefault(path, set()).add(sha)
                digest = hashlib.sha256(json.dumps(rec.get("fields"), sort_keys=True).encode()).hexdigest()
                seen = _Seen(si, start, not rec.get("error"), digest)
                old = winners.get((path, sha))
                if old is None:
                    winners[(path, sha)] = seen
                    continue
                report.duplicates += 1
                if old.ok and seen.ok and old.digest != seen.digest:
                    report.conflicts.append({"path": path, "sha256": sha, "kept": str(shard),
                                             "dropped": str(ordered[old.shard])})
                if seen.ok or not old.ok:
                    winners[(path, sha)] = seen
    report.changed = sorted(p for p, shas in shas_by_path.items() if len(shas - {""}) > 1)
    tmp = out.with_name(out.name + ".merge-tmp")
    handles = [s.open("rb") for s in ordered]
    try:
        with tmp.open("wb") as sink:
            for seen in winners.values():
                fh = handles[seen.shard]
                fh.seek(seen.offset)
                sink.write(fh.readline())
                report.written += 1
            sink.flush()
            os.fsync(sink.fileno())
    finally:
        for fh in handles:
            fh.close()
    os.replace(tmp, out)
    return report
