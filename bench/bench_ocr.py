"""OCR speed: pages per second with 1 and with 2 onnxruntime threads, side by side in one run.

    .venv/bin/python -m bench.bench_ocr [--pdf ../shared/reports/dev_formats/scan/c007_pingtan_syq_2021.pdf] [--pages 2]

Reads the first ``--pages`` pages of a scanned PDF through the real reader
(``extractor.formats.ocr.load_scanned_pdf``: rendering, rule finding, text
detection and recognition) with ``Settings.ocr_threads`` = 1, then = 2, and
prints seconds per page (wall clock, and the process's CPU time over all its
threads, which says what a page costs when the cores are shared) for each and
their ratio, next to a bare pypdfium2 render of the same pages (the part of the
work that is not OCR).  One run
each: OCR time is seconds per page, the spread between runs is small next to it.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path

from extractor.config import Settings
from extractor.formats.ocr import OCR_DPI, load_scanned_pdf

DEFAULT_PDF = Path(__file__).resolve().parent.parent / ".." / "shared" / "reports" / "dev_formats" / "scan" / \
    "c007_pingtan_syq_2021.pdf"


def first_pages(data: bytes, n: int) -> bytes:
    """A PDF of the first ``n`` pages (so the benchmark's length does not depend on the report's)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(data)
    out = pdfium.PdfDocument.new()
    out.import_pages(src, list(range(min(n, len(src)))))
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def render_only(data: bytes) -> float:
    """Seconds to render every page at the OCR resolution and nothing else."""
    import pypdfium2 as pdfium

    t0 = time.perf_counter()
    pdf = pdfium.PdfDocument(data)
    for i in range(len(pdf)):
        pdf[i].render(scale=OCR_DPI / 72, grayscale=True).to_pil()
    return time.perf_counter() - t0


def ocr_seconds(data: bytes, threads: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process over all its threads, pages)."""
    t0, c0 = time.perf_counter(), time.process_time()
    doc = load_scanned_pdf(data, name="bench.pdf", sha256="", settings=Settings(ocr_threads=threads))
    return time.perf_counter() - t0, time.process_time() - c0, doc.pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pdf", type=Path, default=DEFAULT_PDF)
    ap.add_argument("--pages", type=int, default=2)
    args = ap.parse_args()
    data = first_pages(args.pdf.read_bytes(), args.pages)
    render = render_only(data)
    one, cpu1, pages = ocr_seconds(data, 1)
    two, cpu2, _ = ocr_seconds(data, 2)
    load = os.getloadavg()[0]
    print(f"{args.pdf.name}: {pages} pages at {OCR_DPI} dpi; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"render only            {render / pages:6.2f} s/page")
    print(f"OCR, 1 thread          {one / pages:6.2f} s/page  {pages / one:.3f} pages/s  (CPU {cpu1 / pages:.2f} s/page)")
    print(f"OCR, 2 threads         {two / pages:6.2f} s/page  {pages / two:.3f} pages/s  (CPU {cpu2 / pages:.2f} s/page)")
    print(f"speed-up 2 vs 1 thread {one / two:.2f}x;  rendering is {100 * render / one:.1f} % of the 1-thread time")


if __name__ == "__main__":
    main()
