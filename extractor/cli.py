"""Command-line interface: extract, eval, schema (and the model backend's commands)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from extractor import __version__
from extractor.config import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Structured, checked data from 政府信息公开工作年度报告.")
err = Console(stderr=True)
out = Console()

BACKENDS = ("auto", "regex", "llm", "hybrid")


def _resolve_backend(name: str, settings: Settings):
    """(callable, name) for a backend; 'auto' says once on stderr which one runs."""
    from extractor.baseline import extract_baseline

    if name not in BACKENDS:
        raise typer.BadParameter(f"unknown backend '{name}'; choose one of {', '.join(BACKENDS)}")
    if name == "auto":
        if settings.endpoint_configured:
            name = "hybrid"
            err.print(f"[bold]backend:[/] hybrid (model {settings.model} at {settings.base_url or 'api.openai.com'})")
        else:
            err.print("[bold]backend:[/] regex — no language-model endpoint configured "
                      "(set OPENAI_BASE_URL / OPENAI_API_KEY and EXTRACTOR_MODEL); using the deterministic baseline")
            return extract_baseline, "regex"
    if name == "regex":
        return extract_baseline, "regex"
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
    """Print the version."""
    out.print(__version__)


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Report files, folders or globs (.txt, .html, .htm)"),
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="Write JSON lines here (default: stdout)"),
    backend: str = typer.Option("auto", "--backend", "-b", help="auto | regex | llm | hybrid"),
    concurrency: Optional[int] = typer.Option(None, "--concurrency", help="Concurrent model calls (llm/hybrid)"),
) -> None:
    """Extract every document into one JSON line each; failures are recorded, never skipped."""
    from extractor.pipeline import expand_inputs, run_job

    settings = Settings()
    if concurrency:
        settings.concurrency = concurrency
    files, missing = expand_inputs(paths)
    for m in missing:
        err.print(f"[yellow]warning:[/] {m}: no report files found")
    if not files:
        err.print("[red]error:[/] nothing to extract")
        raise typer.Exit(2)
    fn, name = _resolve_backend(backend, settings)
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
    sink = out_file.open("w", encoding="utf-8") if out_file else sys.stdout
    failed = 0
    flagged = 0
    done = 0
    try:
        with _progress(len(files)) as advance:
            for record in run_job(files, fn, name, progress=lambda i, n, p: advance(p)):
                sink.write(record.to_json() + "\n")
                sink.flush()
                done += 1
                failed += 1 if record.error else 0
                flagged += 1 if (record.checks or record.flags) else 0
    finally:
        if out_file:
            sink.close()
    _print_llm_totals(fn)
    err.print(f"{done} documents, {failed} failed, {flagged} with checks or flags to review"
              + (f" -> {out_file}" if out_file else ""))
    if failed:
        raise typer.Exit(1)


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


def _print_llm_totals(fn) -> None:
    usage = getattr(fn, "usage_summary", None)
    if callable(usage):
        err.print(usage())


@app.command("eval")
def eval_cmd(
    reports: Path = typer.Option(..., "--reports", help="Folder of reports"),
    gold: Optional[Path] = typer.Option(None, "--gold", help="Folder of <name>.gold.json (default: beside each report)"),
    backend: str = typer.Option("regex", "--backend", "-b", help="auto | regex | llm | hybrid"),
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Write the full scores as JSON"),
    csv_out: Optional[Path] = typer.Option(None, "--csv-out", help="One row per document × field"),
    fields_shown: int = typer.Option(15, "--show-fields", help="How many weakest fields to list"),
) -> None:
    """Score a backend against gold files (precision, recall, F1 per field, section, overall)."""
    from extractor.evaluation import evaluate, load_gold, write_csv
    from extractor.pipeline import expand_inputs, run_job

    if not reports.is_dir():
        err.print(f"[red]error:[/] {reports} is not a folder")
        raise typer.Exit(2)
    files, _ = expand_inputs([str(reports)])
    pairs_files = []
    for f in files:
        gold_path = (gold / f"{f.stem}.gold.json") if gold else f.with_name(f"{f.stem}.gold.json")
        if gold_path.exists():
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


cache_app = typer.Typer(help="The model-answer cache (EXTRACTOR_CACHE_DIR).", no_args_is_help=True)
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
) -> None:
    """Print the JSON Schema of the report (or one section) model."""
    from schemas import Report

    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "report.schema.json").write_text(json.dumps(Report.model_json_schema(), ensure_ascii=False, indent=1),
                                                  encoding="utf-8")
        for name, f in Report.model_fields.items():
            (out_dir / f"{name}.schema.json").write_text(
                json.dumps(f.annotation.model_json_schema(), ensure_ascii=False, indent=1), encoding="utf-8")
        err.print(f"wrote {len(Report.model_fields) + 1} schema files to {out_dir}")
        return
    if section:
        if section not in Report.model_fields:
            err.print(f"[red]error:[/] unknown section '{section}'; one of {', '.join(Report.model_fields)}")
            raise typer.Exit(2)
        model = Report.model_fields[section].annotation
    else:
        model = Report
    print(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=1))


if __name__ == "__main__":  # pragma: no cover
    app()
