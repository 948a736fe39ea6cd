"""Command-line interface: extract, merge, export, eval, inspect, review, summary, serve, cache, schema.

Conventions (as in the ``llm`` and ``instructor`` CLIs): ``-h``/``--help`` and ``--version``
everywhere, boolean flags as ``--x/--no-x``, every option with a help text and its default
shown, bad values refused with one clear line (exit 2), and stderr messages never hard-wrapped,
so the paths in them stay copy-pasteable when piped.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from extractor import __version__
from extractor.config import Settings

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}
app = typer.Typer(add_completion=False, no_args_is_help=True, context_settings=CONTEXT, rich_markup_mode=None,
                  help="Structured, checked data from 政府信息公开工作年度报告.")
err = Console(stderr=True, soft_wrap=True)
out = Console()

BACKENDS = ("auto", "regex", "llm", "hybrid")


class BackendName(str, Enum):
    """The backends every command offers (``auto``: hybrid with an endpoint, regex without)."""

    auto = "auto"
    regex = "regex"
    llm = "llm"
    hybrid = "hybrid"


BACKEND_HELP = "auto (hybrid with a model endpoint, regex without) | regex | llm | hybrid"


def _version_callback(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Structured, checked data from 政府信息公开工作年度报告."""


def suffix(*allowed: str) -> Callable[[Optional[Path]], Optional[Path]]:
    """An option callback refusing a file whose suffix is not one of ``allowed`` (e.g. ``--html x.txt``)."""

    def check(value: Optional[Path]) -> Optional[Path]:
        if value is not None and value.suffix.lower() not in allowed:
            raise typer.BadParameter(f"{value} should end in {' or '.join(allowed)}")
        return value

    return check


def existing_run(value: Path) -> Path:
    """An argument callback for a run file: it must exist and be a file."""
    if not value.exists():
        raise typer.BadParameter(f"{value} does not exist")
    if not value.is_file():
        raise typer.BadParameter(f"{value} is not a file (a run is one JSONL file from `extractor extract`)")
    return value


def _resolve_backend(name: str | BackendName, settings: Settings) -> tuple[Any, str]:
    """(callable, name) for a backend; 'auto' says once on stderr which one runs."""
    from extractor.pipeline import RegexBackend

    name = name.value if isinstance(name, BackendName) else name
    if name not in BACKENDS:
        raise typer.BadParameter(f"unknown backend '{name}'; choose one of {', '.join(BACKENDS)}")
    if name == "auto":
        if settings.endpoint_configured:
            name = "hybrid"
            err.print(f"[bold]backend:[/] hybrid (model {settings.model} at {settings.base_url or 'api.openai.com'})")
        else:
            err.print("[bold]backend:[/] regex — no language-model endpoint configured "
                      "(set OPENAI_BASE_URL / OPENAI_API_KEY and EXTRACTOR_MODEL); using the deterministic baseline")
            return RegexBackend(), "regex"
    if name == "regex":
        return RegexBackend(), "regex"
    from extractor.llm.transport import ModelCallError
    from extractor.pipeline import make_backend

    if not settings.model:
        err.print(f"[red]error:[/] backend '{name}' needs a model: set EXTRACTOR_MODEL (and OPENAI_BASE_URL / OPENAI_API_KEY)")
        raise typer.Exit(2)
    import logging

    logging.getLogger("instructor").setLevel(logging.CRITICAL)  # failures are reported per section, plainly
    try:
        return make_backend(name, settings), name
    except (ModelCallError, ImportError) as exc:
        err.print(f"[red]error:[/] backend '{name}' is not available: {exc}")
        raise typer.Exit(2) from exc


@app.command()
def version() -> None:
    """Print the version (the same as --version)."""
    print(__version__)


EXECUTORS = ("local", "ray")


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Report files, folders or globs (.txt, .html, .pdf, .docx, .doc, images)"),
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="Write JSON lines here (default: stdout); "
                                            "RUN.report.json and RUN.failures.tsv are written beside it"),
    backend: BackendName = typer.Option(BackendName.auto, "--backend", "-b", help=BACKEND_HELP),
    concurrency: Optional[int] = typer.Option(None, "--concurrency", min=1, help="Concurrent model calls (llm/hybrid)"),
    resume: bool = typer.Option(False, "--resume/--no-resume", help="Keep the good records already in --out and "
                                "skip their documents (same path and sha256); failed ones are redone"),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, show_default="the core count",
                                          help="Worker processes reading documents (ingest and baseline)"),
    executor: str = typer.Option("local", "--executor", help="local (worker processes) | ray (the ray extra)"),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster: auto, or ray://HEAD:10001 "
                                          "(default: a local Ray on --workers cores)"),
    max_failures: Optional[int] = typer.Option(None, "--max-failures", min=1,
                                               help="Stop the job once this many documents have failed"),
    shard_size: int = typer.Option(100, "--shard-size", min=1, help="Ray: documents per shard (one Ray task, "
                                   "one ledger in RUN.shards/)"),
) -> None:
    """Extract every document into one JSON line each, in input order; failures are recorded, never skipped."""
    from extractor.jobs import JobOptions, RunReport, TooManyFailures, default_workers, file_sha256
    from extractor.jobs import prepare_resume, report_paths, run_bulk, shards_folder, write_report
    from extractor.pipeline import Skipped, expand_inputs

    if executor not in EXECUTORS:
        err.print(f"[red]error:[/] unknown executor '{executor}'; choose one of {', '.join(EXECUTORS)}")
        raise typer.Exit(2)
    if address and executor != "ray":
        err.print("[red]error:[/] --address is for --executor ray")
        raise typer.Exit(2)
    if executor == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            err.print("[red]error:[/] --executor ray needs the ray extra: pip install -e '.\\[ray]'", soft_wrap=True)
            raise typer.Exit(2)
    settings = Settings()
    if concurrency:
        settings.concurrency = concurrency
    skipped: list[Skipped] = []
    files, missing = expand_inputs(paths, skipped)
    for m in missing:
        err.print(f"[yellow]warning:[/] {m}: no report files found")
    if skipped:
        reasons = ", ".join(f"{n} {r}" for r, n in Counter(s.reason for s in skipped).most_common())
        err.print(f"[yellow]skipped {len(skipped)} files:[/] {reasons}")
    if not files:
        err.print("[red]error:[/] nothing to extract")
        raise typer.Exit(2)
    if resume and not out_file:
        err.print("[red]error:[/] --resume needs --out")
        raise typer.Exit(2)
    if address and not out_file:
        err.print("[red]error:[/] --executor ray --address needs --out on a folder every node sees (the shards "
                  "write their ledgers beside it)", soft_wrap=True)
        raise typer.Exit(2)
    if out_file:
        _check_out(out_file, RUN_SUFFIXES, "a run (JSON lines)")
    fn, name = _resolve_backend(backend, settings)
    report = RunReport(backend=name, executor=executor, workers=workers or default_workers(), skipped=skipped)
    shard_dir = shards_folder(out_file) if executor == "ray" and out_file else None
    if resume and out_file and shard_dir is not None:
        from extractor.ray_jobs import harvest_ledgers

        kept_from_shards = harvest_ledgers(shard_dir, out_file)
        if kept_from_shards:
            err.print(f"resume: {kept_from_shards} records kept from the shard ledgers in {shard_dir}")
    if resume and out_file and out_file.exists():
        done_before = prepare_resume(out_file)
        kept = [f for f in files if str(f) not in done_before or done_before[str(f)] != file_sha256(f)]
        report.resumed = len(files) - len(kept)
        files = kept
        err.print(f"resume: {report.resumed} documents already in {out_file}, {len(files)} to do")
    report_file = failures_file = None
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        report_file, failures_file = report_paths(out_file)
    sink = out_file.open("a" if resume else "w", encoding="utf-8") if out_file else sys.stdout
    scratch = None
    if executor == "ray" and shard_dir is None:   # records go to stdout: the ledgers live in a scratch folder
        import tempfile

        scratch = shard_dir = Path(tempfile.mkdtemp(prefix="extractor-shards-"))
    options = JobOptions(workers=report.workers, executor=executor, address=address, max_failures=max_failures,
                         resume=resume, shard_dir=shard_dir, shard_size=shard_size)
    stopped = False
    try:
        with _progress(len(files)) as advance:
            run_bulk(files, fn, sink, report, options, progress=advance, failures=failures_file,
                     outcomes=_ray_shards() if executor == "ray" else None)
    except TooManyFailures as exc:
        stopped = True
        err.print(f"[red]error:[/] {exc}")
    finally:
        if out_file:
            sink.close()
        if report_file:
            write_report(report, report_file, failures_file)
        if scratch is not None:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)
    if executor == "ray":
        _print_shard_model_totals(report)   # the calls were made on the workers, not by this process
    else:
        _print_llm_totals(fn)
    _print_run_end(report, out_file, report_file, failures_file)
    if stopped:
        raise typer.Exit(3)
    if report.every_model_call_failed:
        err.print(f"[bold red]error: every model call failed[/] ({report.model_error_documents} documents): "
                  "check OPENAI_BASE_URL / OPENAI_API_KEY / EXTRACTOR_MODEL; the records hold only what the "
                  "baseline read")
        raise typer.Exit(1)
    if report.failed:
        raise typer.Exit(1)


#: What ``--out`` of a run may be called (JSON lines), and the suffixes each export format writes.
RUN_SUFFIXES = (".jsonl", ".ndjson")
EXPORT_SUFFIXES = {"csv": (".csv",), "parquet": (".parquet", ".pq"), "xlsx": (".xlsx",)}


def _check_out(out_file: Path, suffixes: tuple[str, ...], what: str) -> None:
    """``--out`` must name a file of the right kind: a typo (``--out runs/``, ``--out run.csv`` for
    a run) would otherwise write JSON lines where a spreadsheet or a folder was expected."""
    if out_file.is_dir():
        err.print(f"[red]error:[/] --out {out_file} is a folder; name the file to write, e.g. "
                  f"{out_file / ('all' + suffixes[0])}", soft_wrap=True)
        raise typer.Exit(2)
    if out_file.suffix.lower() not in suffixes:
        err.print(f"[red]error:[/] --out {out_file}: {what} is written as {' or '.join(suffixes)}; "
                  f"e.g. {out_file.with_suffix(suffixes[0])}", soft_wrap=True)
        raise typer.Exit(2)


def _ray_shards() -> Any:
    from extractor.ray_jobs import shard_outcomes

    return shard_outcomes


@app.command()
def merge(
    shards: list[Path] = typer.Argument(..., help="Run files (JSONL) to join, e.g. one per machine or per job"),
    out_file: Path = typer.Option(..., "--out", "-o", help="The merged run (JSONL)"),
) -> None:
    """Join shard runs: one record per (path, sha256), the newest winning; conflicts are reported."""
    from extractor.jobs import merge_runs

    _check_out(out_file, RUN_SUFFIXES, "a merged run (JSON lines)")
    for s in shards:
        if not s.is_file():
            err.print(f"[red]error:[/] {s}: no such run file")
            raise typer.Exit(2)
        if out_file.exists() and s.resolve() == out_file.resolve():
            err.print(f"[red]error:[/] --out {out_file} is one of the shards; write the merge elsewhere")
            raise typer.Exit(2)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    report = merge_runs(shards, out_file)
    err.print(f"merged {report.shards} shards: {report.records_read} records read, {report.written} written, "
              f"{report.duplicates} duplicates dropped, {len(report.conflicts)} conflicts -> {out_file}", soft_wrap=True)
    for c in report.conflicts[:10]:
        err.print(f"  [yellow]conflict:[/] {c['path']}: fields differ between {c['dropped']} and {c['kept']} "
                  f"(kept the newer, {c['kept']})", soft_wrap=True)
    for p in report.changed[:10]:
        err.print(f"  [yellow]changed:[/] {p}: the shards hold different versions of this file (kept each)", soft_wrap=True)
    for shard, lines in report.bad_lines.items():
        err.print(f"  [yellow]warning:[/] {shard}: {len(lines)} lines are not records (lines "
                  f"{', '.join(map(str, lines[:5]))})", soft_wrap=True)


@app.command("export")
def export_cmd(
    run: Path = typer.Argument(..., help="A run (JSONL from `extractor extract` or `extractor merge`)"),
    fmt: str = typer.Option(..., "--format", "--to", "-f", help="csv | parquet | xlsx"),
    out_file: Path = typer.Option(..., "--out", "-o", help="The file to write"),
    shape: str = typer.Option("wide", "--shape", help="wide (a row per document) | long (a row per document × field)"),
    evidence: bool = typer.Option(False, "--evidence/--no-evidence", help="wide: add KEY@start / KEY@end columns "
                                  "(character span of each value's evidence)"),
) -> None:
    """Write a run as a table analysts load in one line (pandas.read_csv / read_parquet / read_excel)."""
    from extractor.export import FORMATS, SHAPES, ExportUnavailable, export_run

    if fmt not in FORMATS:
        err.print(f"[red]error:[/] unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    if shape not in SHAPES:
        err.print(f"[red]error:[/] unknown shape '{shape}'; choose one of {', '.join(SHAPES)}")
        raise typer.Exit(2)
    if not run.is_file():
        err.print(f"[red]error:[/] {run}: no such run file")
        raise typer.Exit(2)
    _check_out(out_file, EXPORT_SUFFIXES[fmt], f"--format {fmt}")
    try:
        stats = export_run(run, out_file, fmt, shape, evidence)
    except ExportUnavailable as exc:
        from rich.markup import escape

        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    err.print(f"wrote {stats.rows} rows ({stats.documents} documents, {shape}) -> {out_file}", soft_wrap=True)
    if stats.bad_lines:
        err.print(f"[yellow]warning:[/] {len(stats.bad_lines)} lines of {run} are not records (lines "
                  f"{', '.join(map(str, stats.bad_lines[:5]))})", soft_wrap=True)
    for key, n in sorted(stats.coerced.items()):
        err.print(f"[yellow]warning:[/] {key}: {n} values did not fit the contract type and were written as null",
                  soft_wrap=True)


def _print_run_end(report, out_file: Optional[Path], report_file: Optional[Path],
                   failures_file: Optional[Path]) -> None:
    """The end-of-job lines: counts, speed, the first failures and where the rest are."""
    secs = report.seconds or 0.0
    rate = f", {report.done / secs:.2f} docs/s" if secs > 0 and report.done else ""
    err.print(f"{report.done} documents, {report.failed} failed, {report.flagged} with checks or flags to review"
              f" ({report.executor}, {report.workers} workers, {secs:.1f} s{rate})"
              + (f" -> {out_file}" if out_file else ""))
    for f in report.failures[:5]:
        err.print(f"  failed: {f['path']}: {f['error_type']}: {f['error']}", soft_wrap=True)
    if report.failed > 5:
        where = f"; all in {failures_file}" if failures_file else ""
        err.print(f"  … {report.failed - 5} more failures{where}", soft_wrap=True)
    if report_file:
        err.print(f"run report: {report_file}", soft_wrap=True)


class _progress:
    """A progress bar on a terminal, silence when stderr is piped."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._progress = None

    def __enter__(self):
        if err.is_terminal and self.total > 1:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(),
                                      TimeRemainingColumn(), console=err, transient=True)
            self._progress.start()
            task = self._progress.add_task("extract", total=self.total)
            return lambda _p: self._progress.advance(task)
        return lambda _p: None

    def __exit__(self, *exc) -> None:
        if self._progress:
            self._progress.stop()


def _print_shard_model_totals(report) -> None:
    """A Ray job's model totals, summed from its records (the workers made the calls)."""
    m = report.model
    if m:
        err.print(f"model (on the Ray workers): {m.get('calls', 0)} completions ({m.get('reasks', 0)} re-asks, "
                  f"{m.get('failed_requests', 0)} failed requests retried), {m.get('cache_hits', 0)} cache hits, "
                  f"{m.get('prompt_tokens', 0)} prompt + {m.get('completion_tokens', 0)} completion tokens",
                  soft_wrap=True)


def _print_llm_totals(fn) -> None:
    from extractor.result import StreamingBackend

    if isinstance(fn, StreamingBackend):
        err.print(fn.usage_summary(), soft_wrap=True)


@app.command("eval")
def eval_cmd(
    reports: Path = typer.Option(..., "--reports", help="Folder of reports", exists=True, file_okay=False),
    gold: Optional[Path] = typer.Option(None, "--gold", exists=True, file_okay=False, show_default="beside each report",
                                        help="Folder of <name>.gold.json (or <name>-<sha8>.gold.json from review --export-gold)"),
    backend: BackendName = typer.Option(BackendName.auto, "--backend", "-b", help=BACKEND_HELP),
    json_out: Optional[Path] = typer.Option(None, "--json-out", callback=suffix(".json"), help="Write the full scores as JSON"),
    csv_out: Optional[Path] = typer.Option(None, "--csv-out", callback=suffix(".csv"), help="One row per document × field"),
    fields_shown: int = typer.Option(15, "--show-fields", min=0, help="How many weakest fields to list"),
) -> None:
    """Score a backend against gold files (precision, recall, F1 per field, section, overall)."""
    from extractor.evaluation import evaluate, load_gold, write_csv
    from extractor.jobs import file_sha256
    from extractor.review.decisions import gold_file_for
    from extractor.pipeline import expand_inputs, run_job

    if not reports.is_dir():
        err.print(f"[red]error:[/] {reports} is not a folder")
        raise typer.Exit(2)
    files, _ = expand_inputs([str(reports)])
    pairs_files = []
    for f in files:
        gold_path = gold_file_for(f, file_sha256(f) or "", gold) if gold else f.with_name(f"{f.stem}.gold.json")
        if gold_path is not None and gold_path.exists():
            pairs_files.append((f, gold_path))
    if not pairs_files:
        err.print(f"[red]error:[/] no report in {reports} has a gold file")
        raise typer.Exit(2)
    settings = Settings()
    fn, name = _resolve_backend(backend, settings)
    records = {str(r.path): r for r in run_job([f for f, _ in pairs_files], fn, name)}
    pairs = []
    for f, g in pairs_files:
        rec = records[str(f)]
        pairs.append((f.name, load_gold(g), rec.fields, {"checks_run": rec.checks_run, "checks": rec.checks,
                                                          "error": rec.error}))
    result = evaluate(pairs)
    _print_eval(result, fields_shown)
    if json_out:
        json_out.write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    if csv_out:
        write_csv(result, csv_out)
    _print_llm_totals(fn)
    o = result.overall
    print(f"overall: precision={o.precision:.4f} recall={o.recall:.4f} f1={o.f1:.4f} docs={len(result.documents)}")


def _print_eval(result, fields_shown: int) -> None:
    docs = Table(title="documents", show_lines=False)
    for col in ("doc", "template", "correct", "wrong", "missed", "spurious", "f1", "exact", "checks"):
        docs.add_column(col)
    for d in result.documents:
        docs.add_row(d["doc"], f"{d['template_pred']}/{d['template_gold']}", str(d["correct"]), str(d["wrong"]),
                     str(d["missed"]), str(d["spurious"]), f"{d['f1']:.3f}", "yes" if d["exact_match"] else "no",
                     "-" if not d["consistency_rules_checked"] else ("ok" if not d["consistency_breaks"] else f"{d['consistency_breaks']} breaks"))
    out.print(docs)
    sec = Table(title="by section")
    for col in ("section", "correct", "wrong", "missed", "spurious", "precision", "recall", "f1"):
        sec.add_column(col)
    for name, c in sorted(result.by_section.items()):
        sec.add_row(name, str(c.correct), str(c.wrong), str(c.missed), str(c.spurious), f"{c.precision:.3f}",
                    f"{c.recall:.3f}", f"{c.f1:.3f}")
    out.print(sec)
    weak = sorted(((k, c) for k, c in result.by_field.items() if c.wrong or c.missed or c.spurious),
                  key=lambda kc: kc[1].f1)[:fields_shown]
    if weak:
        ft = Table(title=f"weakest fields (up to {fields_shown})")
        for col in ("field", "correct", "wrong", "missed", "spurious", "f1"):
            ft.add_column(col)
        for k, c in weak:
            ft.add_row(k, str(c.correct), str(c.wrong), str(c.missed), str(c.spurious), f"{c.f1:.3f}")
        out.print(ft)
    cons = result.consistency
    if cons.get("docs_with_tables"):
        out.print(f"consistency: {cons['docs_passing_all_rules']}/{cons['docs_with_tables']} documents with tables "
                  f"pass every rule ({cons['share_passing']:.0%})")
    exact = sum(1 for d in result.documents if d["exact_match"])
    out.print(f"document exact match: {exact}/{len(result.documents)}")


class Only(str, Enum):
    flagged = "flagged"
    conflicts = "conflicts"


@app.command()
def inspect(
    file: Path = typer.Argument(..., help="One report (.txt, .html, .pdf, .docx, …)", exists=True, dir_okay=False),
    html_out: Optional[Path] = typer.Option(None, "--html", callback=suffix(".html", ".htm"),
                                            help="Write the self-contained spot-check page here"),
    backend: BackendName = typer.Option(BackendName.auto, "--backend", "-b", help=BACKEND_HELP),
    only: Optional[Only] = typer.Option(None, "--only", show_default="every field",
                                        help="flagged: conflicts, broken rules, flags, model-only and "
                                             "low/medium-confidence values; conflicts: conflicts only"),
    section: Optional[str] = typer.Option(None, "--section", "-s", show_default="every part",
                                          help="One part of the report: 2 (二 主动公开), 3 (三 申请), 4 (四 复议/诉讼) or meta"),
    context: int = typer.Option(14, "--context", min=0, max=500, help="Characters of text shown around each value"),
) -> None:
    """Spot-check one report: its fields with their status and the text around their evidence."""
    from extractor.errors import DocumentError
    from extractor.ingest import load_path
    from extractor.pipeline import process_document
    from extractor.review.console import fields_table, section_of, select_rows
    from extractor.review.html import pdf_page_images, render_page

    if section is not None:
        try:
            section_of(section)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--section") from exc
    try:
        doc = load_path(file)
    except (DocumentError, OSError) as exc:
        err.print(f"[red]error:[/] {file}: {exc}")
        raise typer.Exit(1) from exc
    fn, name = _resolve_backend(backend, Settings())
    try:
        record = process_document(doc, fn, name).as_dict()
    except DocumentError as exc:  # NotAReport: the text reads fine but is not a report
        err.print(f"[red]error:[/] {file}: {exc}")
        raise typer.Exit(1) from exc
    if html_out:
        from extractor.review.decisions import write_atomically

        images = pdf_page_images(file.read_bytes(), record) if doc.source_format == "pdf" else None
        write_atomically(html_out, render_page(doc.text, record, page_images=images))
        err.print(f"wrote {html_out}")
        return
    if record["open_questions"]:
        out.print("[bold]open questions[/]")
        for q in record["open_questions"]:
            out.print(f"  • {q}", soft_wrap=True)
    rows = select_rows(record, only=only.value if only else None, section=section)
    title = (f"{file.name} · template {record['template']} · priority {record['review_priority']:g} · "
             f"{len(rows)} fields" + (f" ({only.value})" if only else "") + (f" · part {section}" if section else ""))
    wide = out if out.is_terminal else Console(width=200)  # piped: no 80-column squeeze
    wide.print(fields_table(doc.text, record, rows, title=title, context=context))


@app.command()
def review(
    run: Path = typer.Argument(..., help="A bulk run (JSONL from `extractor extract`)", callback=existing_run),
    export_gold: Optional[Path] = typer.Option(None, "--export-gold", file_okay=False,
                                               help="Write a gold file per reviewed document into this folder"),
    html_dir: Optional[Path] = typer.Option(None, "--html", file_okay=False,
                                            help="Write a spot-check page per document into this folder"),
    top: int = typer.Option(20, "--top", min=1, help="How many documents to list"),
) -> None:
    """Documents of a run in review-priority order, with their open questions; export reviewed ones as gold."""
    from extractor.review.decisions import DecisionsError, decisions_paths, export_gold as export
    from extractor.review.decisions import load_decisions, match_decisions
    from extractor.review.summary import run_health

    records = _load_run_or_exit(run)
    try:
        decisions = load_decisions(run)
    except DecisionsError as exc:
        err.print(f"[red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(2) from exc
    reviewed, unmatched = match_decisions(records, decisions)
    order = sorted(range(len(records)), key=lambda i: (-(records[i].get("review_priority") or 0),
                                                       str(records[i].get("path", ""))))
    table = Table(title=f"{run.name}: {len(records)} documents by review priority")
    table.add_column("priority")
    table.add_column("document", overflow="fold")
    table.add_column("reviewed")
    table.add_column("open questions", overflow="fold")
    names = Counter(Path(str(r.get("path"))).name for r in records)
    for i in order[:top]:
        r = records[i]
        name = Path(str(r.get("path"))).name
        shown_name = name if names[name] == 1 else str(r.get("path"))  # same name in two folders: the path
        qs = ([f"error: {r['error']}"] if r.get("error") else []) + (r.get("open_questions") or [])
        shown = "\n".join(qs[:4]) + (f"\n… {len(qs) - 4} more" if len(qs) > 4 else "")
        table.add_row(f"{r.get('review_priority') or 0:g}", shown_name,
                      "yes" if i in reviewed else "", shown or "—")
    out.print(table)
    health = run_health(records)
    out.print(_health_line(health), soft_wrap=True)
    if html_dir:
        _write_pages(records, order, html_dir)
    for u in unmatched:
        err.print(f"[yellow]warning:[/] {u.n_fields} decisions on {u.path} (sha256 {(u.sha256 or '?')[:12]}) "
                  f"match no record of {run.name}: {u.reason}; in {', '.join(u.sources)}", soft_wrap=True)
    if export_gold:
        result = export(records, decisions, export_gold, run.name)
        for k in result.kept:
            err.print(f"[yellow]kept[/] {k}: it belongs to another document; wrote a hashed name beside it",
                      soft_wrap=True)
        src = ", ".join(str(p) for p in decisions_paths(run)) or "none found"
        err.print(f"exported {len(result.written)} gold files to {export_gold} (decisions: {src})", soft_wrap=True)


def _load_run_or_exit(run: Path) -> list[dict]:
    """The records of a run, or one clear line and exit 2 when the file is not a run."""
    from extractor.review.decisions import load_run

    bad: list[int] = []
    try:
        records = load_run(run, bad)
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]error:[/] {run}: cannot read it ({exc.__class__.__name__})", soft_wrap=True)
        raise typer.Exit(2) from exc
    records = [r for r in records if "path" in r]
    if not records:
        err.print(f"[red]error:[/] {run} holds no extraction records (is it a run from `extractor extract`?)",
                  soft_wrap=True)
        raise typer.Exit(2)
    if bad:
        err.print(f"[yellow]warning:[/] {len(bad)} lines of {run} are not JSON records "
                  f"(lines {', '.join(map(str, bad[:5]))})", soft_wrap=True)
    return records


def _health_line(h: dict) -> str:
    parts = [f"{h['documents']} documents ({h['failed']} failed)"]
    if h["share_tables_passing"] is not None:
        parts.append(f"tables passing every rule: {h['tables_passing_all_rules']}/{h['documents_with_tables']} "
                     f"({h['share_tables_passing']:.0%})")
    if h["share_values_with_evidence"] is not None:
        parts.append(f"values with evidence: {h['share_values_with_evidence']:.0%}")
    if h["agreement_overall"] is not None:
        parts.append(f"model-baseline agreement: {h['agreement_overall']:.0%}")
    if h["share_model_evidence_exact"] is not None:
        parts.append(f"model quotes matched exactly: {h['share_model_evidence_exact']:.0%}")
    return "health: " + "; ".join(parts)


def _write_pages(records: list, order: list[int], html_dir: Path) -> None:
    """A spot-check page per document, under a name unique in the run (see ``output_stems``)."""
    from extractor.errors import DocumentError
    from extractor.ingest import load_path
    from extractor.review.decisions import output_stems, write_atomically
    from extractor.review.html import pdf_page_images, render_page

    html_dir.mkdir(parents=True, exist_ok=True)
    stems = output_stems(records)
    written = 0
    for i in order:
        r = records[i]
        try:
            doc = load_path(r["path"])
        except (DocumentError, OSError) as exc:
            err.print(f"[yellow]skipped[/] {r['path']}: {exc}", soft_wrap=True)
            continue
        if r.get("sha256") and doc.sha256 != r["sha256"]:
            err.print(f"[yellow]skipped[/] {r['path']}: the file changed since the run", soft_wrap=True)
            continue
        images = pdf_page_images(Path(r["path"]).read_bytes(), r) if doc.source_format == "pdf" else None
        write_atomically(html_dir / f"{stems[i]}.html", render_page(doc.text, r, page_images=images))
        written += 1
    err.print(f"wrote {written} spot-check pages to {html_dir}", soft_wrap=True)


@app.command()
def summary(run: Path = typer.Argument(..., help="A bulk run (JSONL from `extractor extract`)", callback=existing_run),
            json_out: Optional[Path] = typer.Option(None, "--json-out", callback=suffix(".json"),
                                                    help="Write the health figures as JSON")) -> None:
    """Health figures of a run without gold: tables whose arithmetic holds, agreement, evidence."""
    from extractor.review.summary import cross_year_breaks, run_health

    records = _load_run_or_exit(run)
    health = run_health(records)
    health["cross_year_breaks"] = cross_year_breaks(records)
    print(_health_line(health))
    for b in health["cross_year_breaks"]:
        print(f"  cross-year: {b['issuer']} {b['year']}→{b['year'] + 1} {b['column']}: 结转下年度 {b['carried_forward']} "
              f"but next year's 上年结转 {b['next_year_carried_over']}")
    weakest = sorted(health["agreement_by_field"].items(), key=lambda kv: kv[1])[:10]
    for key, share in weakest:
        if share < 1:
            print(f"  agreement {share:.0%}  {key}")
    if json_out:
        json_out.write_text(json.dumps(health, ensure_ascii=False, indent=1), encoding="utf-8")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0: every interface)"),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="TCP port"),
    backend: BackendName = typer.Option(BackendName.auto, "--backend", "-b", help=BACKEND_HELP),
    run: Optional[Path] = typer.Option(None, "--run", dir_okay=False, show_default="decisions are not saved",
                                       help="A run (JSONL): the page's Save decisions writes RUN.decisions.json beside it"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log every request on stderr"),
) -> None:
    """Serve POST /v1/extract, a paste-or-upload spot-check page at / and the API description at /docs."""
    import importlib.util
    import logging

    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        err.print("[red]error:[/] the service needs the serve extra: pip install 'govreport-extractor[serve]'")
        raise typer.Exit(2)
    import uvicorn

    from extractor.review.decisions import decisions_file
    from extractor.service import create_app

    settings = Settings()
    _, name = _resolve_backend(backend, settings)
    if access_log:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger = logging.getLogger("extractor.access")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    shown = f"[{host}]" if ":" in host else host
    saves = f"decisions saved to {decisions_file(run)}" if run else "decisions not saved (no --run)"
    err.print(f"serving on http://{shown}:{port}/ (backend {name}; API description at /docs; {saves}); Ctrl-C stops")
    uvicorn.run(create_app(settings, backend_name=name, run=run), host=host, port=port, log_level="warning",
                access_log=False)


cache_app = typer.Typer(help="The model-answer cache (EXTRACTOR_CACHE_DIR).", no_args_is_help=True,
                        context_settings=CONTEXT, rich_markup_mode=None)
app.add_typer(cache_app, name="cache")


@cache_app.command("stats")
def cache_stats_cmd() -> None:
    """Entries and size of the answer cache."""
    from extractor.llm.cache import cache_stats

    stats = cache_stats(Settings())
    print(f"{stats['path']}: {stats['entries']} cached section answers, {stats['bytes'] / 1e6:.2f} MB")


@cache_app.command("clear")
def cache_clear_cmd() -> None:
    """Delete every cached answer."""
    from extractor.llm.cache import cache_clear

    n = cache_clear(Settings())
    print(f"removed {n} cached section answers")


@app.command()
def schema(
    section: Optional[str] = typer.Option(None, "--section", help="meta | active | applications | appeals | problems | other"),
    out_dir: Optional[Path] = typer.Option(None, "--out-dir", help="Write one <section>.schema.json per section here"),
    record: bool = typer.Option(False, "--record/--no-record", help="The JSON Schema of a run's record "
                                "(one JSON line per document) instead of the report model"),
) -> None:
    """Print the JSON Schema of the report (or one section) model, or of a run's record (--record)."""
    from extractor.record import record_json_schema
    from schemas import Report

    if record:
        text = json.dumps(record_json_schema(), ensure_ascii=False, indent=1)
        if out_dir:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / "record.schema.json").write_text(text + "\n", encoding="utf-8")
            err.print(f"wrote {out_dir / 'record.schema.json'}")
        else:
            print(text)
        return

    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "report.schema.json").write_text(json.dumps(Report.model_json_schema(), ensure_ascii=False, indent=1),
                                                  encoding="utf-8")
        for name, f in Report.model_fields.items():
            (out_dir / f"{name}.schema.json").write_text(
                json.dumps(_section_model(f.annotation).model_json_schema(), ensure_ascii=False, indent=1),
                encoding="utf-8")
        err.print(f"wrote {len(Report.model_fields) + 1} schema files to {out_dir}")
        return
    if section:
        if section not in Report.model_fields:
            err.print(f"[red]error:[/] unknown section '{section}'; one of {', '.join(Report.model_fields)}")
            raise typer.Exit(2)
        model: type[BaseModel] = _section_model(Report.model_fields[section].annotation)
    else:
        model = Report
    print(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=1))


def _section_model(annotation: Any) -> type[BaseModel]:
    """A section field's model class (every field of ``Report`` is one)."""
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        raise TypeError(f"not a section model: {annotation!r}")
    return annotation


if __name__ == "__main__":  # pragma: no cover
    app()
