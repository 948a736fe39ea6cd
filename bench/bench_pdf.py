"""PDF ingest throughput, measured side by side with a bare pypdfium2 text pass.

    .venv/bin/python -m bench.bench_pdf [--folder ../shared/reports/dev_formats/pdf] [--repeat 3]

Over the same files (the folder's PDFs, ``--repeat`` times), in one run:
  * bare pypdfium2: open, and ``get_text_range()`` on every page (a floor: plain
    text, no boxes, no tables, no layout);
  * our ingest (``load_path``: characters with boxes, ruled tables, running heads,
    joined lines, normalisation) in the job's own process pool with 1 and with 2
    workers (the executor ``extract --workers N`` uses: inline for 1, a process pool for 2).
Prints pages/s and docs/s for each, ingest's cost relative to the bare pass, and the
2-worker speed-up (the issue asks >= 1.6x; it needs two otherwise idle cores).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / ".." / "shared" / "reports" / "dev_formats" / "pdf"


def ingest_one(path: str) -> tuple[int, int]:
    """One document through our ingest; only its size goes back (the pool's pickling is not the subject)."""
    from extractor.ingest import load_path

    doc = load_path(path)
    return doc.pages, len(doc.text)


def bare_one(path: str) -> tuple[int, int]:
    """The floor: pdfium's plain text of every page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        chars = 0
        for page in pdf:
            chars += len(page.get_textpage().get_text_range())
        return len(pdf), chars
    finally:
        pdf.close()


def timed_pool(files: list[str], workers: int) -> tuple[float, int]:
    from extractor.jobs import make_executor

    executor = make_executor(workers)
    try:
        # Warm-up: start the workers and import everything before the clock runs.
        list(executor.map_ordered(ingest_one, files[:workers], window=workers, on_error=_fail))
        t0 = time.perf_counter()
        pages = sum(p for p, _ in executor.map_ordered(ingest_one, files, window=2 * workers, on_error=_fail))
        return time.perf_counter() - t0, pages
    finally:
        executor.close()


def _fail(path: str, exc: BaseException) -> tuple[int, int]:
    raise RuntimeError(f"{path}: {exc}") from exc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    originals = sorted(str(p) for p in args.folder.glob("*.pdf"))
    if not originals:
        raise SystemExit(f"no PDFs in {args.folder}")
    files = originals * args.repeat

    bare_one(files[0])
    t0 = time.perf_counter()
    bare_pages = sum(bare_one(f)[0] for f in files)
    t_bare = time.perf_counter() - t0
    t1, pages1 = timed_pool(files, 1)
    t2, pages2 = timed_pool(files, 2)
    assert pages1 == pages2 == bare_pages

    n = len(files)
    print(f"corpus: {n} PDFs, {bare_pages} pages ({len(originals)} files x {args.repeat}) from {args.folder}; "
          f"{os.cpu_count()} cores")
    rows = [("bare pypdfium2 text pass", t_bare), ("ingest, 1 worker", t1), ("ingest, 2 workers", t2)]
    for label, t in rows:
        print(f"  {label:<26} {t:7.2f} s  {bare_pages / t:7.1f} pages/s  {n / t:6.1f} docs/s")
    print(f"ingest (1 worker) takes {t1 / t_bare:.1f}x the bare pass; "
          f"2 workers: {t1 / t2:.2f}x the pages/s of 1 (aim >= 1.6x)")


if __name__ == "__main__":
    main()
