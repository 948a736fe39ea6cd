"""One document -> one record; many documents -> a JSONL job where nothing is lost.

The record (``extractor.record.DocumentRecord``, documented in the README) is
what users' scripts read.  Bulk execution (worker processes, Ray) lives in
``extractor.jobs``; it calls the per-document functions defined here.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.baseline import extract_baseline
from extractor.baseline.prose_parts import sentence_span
from extractor.baseline.report_check import check_is_report
from extractor.checks import check_consistency
from extractor.errors import DocumentError
from extractor.ingest import SUPPORTED_SUFFIXES, Document, load_bytes, load_path
from extractor.record import CheckRecord, DocumentRecord, FlagRecord
from extractor.result import (
    Backend,
    Extraction,
    Flag,
    FlagKind,
    StreamingBackend,
    ValueSource,
)

REPORT_SUFFIXES = SUPPORTED_SUFFIXES

__all__ = ["Backend", "DocumentRecord", "Prepared", "RegexBackend", "expand_inputs", "make_backend",
           "prepare_document", "process_bytes", "process_document", "process_path", "run_job"]


class RegexBackend:
    """The deterministic baseline as a Backend: no model, no event loop, fully reproducible."""

    name = "regex"
    wants_baseline = False

    def __call__(self, doc: Document) -> Extraction:
        return extract_baseline(doc)


@dataclass
class Prepared:
    """A document read (and, for backends that want it, its baseline computed) by a worker,
    waiting for the model calls that run in the parent's event loop."""

    doc: Document
    baseline: Extraction | None = None


def record_from_extraction(doc: Document, ext: Extraction, backend: str) -> DocumentRecord:
    from extractor.reconcile.merge import review_priority

    flat = ext.flat()
    evidence = ext.evidence()
    ext.flags.extend(_ocr_flags(doc, evidence))
    breaks, checked = check_consistency(flat, ext.template)
    error = _all_sections_failed(ext)
    if ext.detail:  # the hybrid backend has already weighed its conflicts and the breaks
        priority, questions = ext.review_priority, list(ext.open_questions)
    else:
        priority, questions = review_priority(ext, [b.as_dict() for b in breaks])
    return DocumentRecord(
        path=doc.path, sha256=doc.sha256, template=ext.template, backend=backend, fields=flat,
        evidence=evidence, sentences=_sentences(doc, ext, evidence), boxes=_boxes(doc, evidence),
        cells=_cells(doc, evidence),
        not_applicable=sorted(ext.not_applicable), checks=[CheckRecord(**b.as_dict()) for b in breaks],
        checks_run=checked, flags=[FlagRecord(**f.as_dict()) for f in ext.flags], warnings=list(doc.warnings),
        texts=dict(ext.texts), usage=dict(ext.usage), reconciliation=dict(ext.detail),
        review_priority=priority, open_questions=questions, error=error,
        error_type="ModelFailure" if error else None,
    )


def _sentences(doc: Document, ext: Extraction, evidence: dict[str, list[int]]) -> dict[str, list[int]]:
    """For every value read from prose, the sentence it stands in (see ``sentence_span``)."""
    out: dict[str, list[int]] = {}
    for key, (start, end) in evidence.items():
        value = ext.values.get(key)
        if value is not None and value.source == ValueSource.PROSE:
            out[key] = list(sentence_span(doc.text, start, end))
    return out


def _boxes(doc: Document, evidence: dict[str, list[int]]) -> dict[str, list[float]]:
    """Each value's place on the page, for documents read from a page layout."""
    if not doc.boxes:
        return {}
    out = {}
    for key, (start, end) in evidence.items():
        box = doc.box_for(start, end)
        if box is not None:
            out[key] = box
    return out


def _cells(doc: Document, evidence: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    """Each value's Word table cell, for documents read from Word tables."""
    if not doc.cells:
        return {}
    out = {}
    for key, (start, end) in evidence.items():
        ref = doc.cell_for(start, end)
        if ref is not None:
            out[key] = ref
    return out


def _ocr_flags(doc: Document, evidence: dict[str, list[int]]) -> list[Flag]:
    """Values read from OCR below the trusted confidence are flagged, never trusted silently."""
    if not doc.uncertain:
        return []
    flags = []
    for key, (start, end) in evidence.items():
        conf = doc.confidence_for(start, end)
        if conf is not None:
            flags.append(Flag(kind=FlagKind.OCR_LOW_CONFIDENCE, message=f"OCR read this value with confidence {conf:.2f}",
                              keys=[key], span=(start, end)))
    return flags


def _all_sections_failed(ext: Extraction) -> str | None:
    """A model run where every section call failed is a failed document (the job's exit code says so)."""
    errors = [f.message for f in ext.flags if f.kind is FlagKind.MODEL_ERROR]
    sections = ext.usage.get("sections", {}) if ext.usage else {}
    if errors and sections and len(errors) >= len(sections) and not any(
            v.source is not ValueSource.META for v in ext.values.values()):
        return "every model call failed: " + "; ".join(errors[:3])
    return None


def process_document(doc: Document, backend: Backend | Callable[[Document], Extraction] = extract_baseline,
                     backend_name: str = "regex") -> DocumentRecord:
    """Raises NotAReport (before any backend runs, so no model is asked) for text that is not a report."""
    check_is_report(doc.text)
    ext = backend(doc)
    return record_from_extraction(doc, ext, backend_name)


def _failure(path: str, exc: BaseException, backend_name: str, sha256: str | None = None) -> DocumentRecord:
    """A failed document's record: typed errors keep their message, anything else says it is a bug."""
    if isinstance(exc, DocumentError):
        return DocumentRecord.failure(path, exc, sha256=sha256, backend=backend_name)
    if isinstance(exc, OSError):
        return DocumentRecord.failure(path, exc, sha256=sha256, backend=backend_name,
                                      message=f"cannot read file: {exc.strerror or exc}")
    return DocumentRecord.failure(path, exc, sha256=sha256, backend=backend_name,
                                  message=f"internal error ({type(exc).__name__}): {exc}")


def process_bytes(data: bytes, name: str, backend: Backend | Callable[[Document], Extraction] = extract_baseline,
                  backend_name: str = "regex") -> DocumentRecord:
    """A report's bytes -> its record.  Never raises for a bad document: the error goes into the record."""
    try:
        doc = load_bytes(data, name=name)
    except Exception as exc:  # noqa: BLE001 - recorded in the document's record, the job goes on
        return _failure(name, exc, backend_name, _sha_of(data))
    try:
        return process_document(doc, backend, backend_name)
    except Exception as exc:  # noqa: BLE001 - a bug must not lose the rest of the job
        return _failure(name, exc, backend_name, doc.sha256)


def process_path(path: str | Path, backend: Backend | Callable[[Document], Extraction] = extract_baseline,
                 backend_name: str = "regex") -> DocumentRecord:
    """Never raises for a bad document: the error goes into the record."""
    try:
        doc = load_path(path)
    except Exception as exc:  # noqa: BLE001 - recorded in the document's record, the job goes on
        return _failure(str(path), exc, backend_name, _sha_or_none(path))
    try:
        return process_document(doc, backend, backend_name)
    except Exception as exc:  # noqa: BLE001 - a bug must not lose the rest of the job
        return _failure(str(path), exc, backend_name, doc.sha256)


def prepare_document(path: str | Path, want_baseline: bool, backend_name: str) -> Prepared | DocumentRecord:
    """The CPU half of a model backend's work (ingest, and the baseline when wanted), done in a
    worker; a document that cannot be read is already its (failure) record."""
    try:
        doc = load_path(path)
    except Exception as exc:  # noqa: BLE001 - recorded in the document's record, the job goes on
        return _failure(str(path), exc, backend_name, _sha_or_none(path))
    try:
        check_is_report(doc.text)  # a non-report is a failure record before any model is asked
        return Prepared(doc=doc, baseline=extract_baseline(doc) if want_baseline else None)
    except Exception as exc:  # noqa: BLE001 - recorded in the document's record, the job goes on
        return _failure(str(path), exc, backend_name, doc.sha256)


def record_from_result(path: str, prepared: Prepared | None, result: Extraction | BaseException,
                       backend_name: str) -> DocumentRecord:
    """A streaming backend's answer for one document -> its record."""
    if isinstance(result, BaseException) or prepared is None:
        exc = result if isinstance(result, BaseException) else RuntimeError("the document was not loaded")
        return _failure(path, exc, backend_name, prepared.doc.sha256 if prepared else _sha_or_none(path))
    try:
        return record_from_extraction(prepared.doc, result, backend_name)
    except Exception as exc:  # noqa: BLE001 - recorded in the document's record, the job goes on
        return _failure(path, exc, backend_name, prepared.doc.sha256)


def _sha_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _sha_or_none(path: str | Path) -> str | None:
    try:
        return _sha_of(Path(path).read_bytes())
    except OSError:
        return None


@dataclass(frozen=True)
class Skipped:
    """An input file the job did not process, and why (a bulk job drops nothing silently)."""

    path: str
    reason: str


def expand_inputs(inputs: Iterable[str], skipped: list[Skipped] | None = None) -> tuple[list[Path], list[str]]:
    """Files, folders (report files inside, recursively) and globs -> (files, inputs that matched nothing).

    Files inside a folder or glob that are not reports (other extensions, gold files) are
    appended to ``skipped`` with the reason, so the run report can list them.  A file named
    explicitly is always attempted: if it is not a report, its record says so.
    """
    files: list[Path] = []
    missing: list[str] = []
    seen: set[str] = set()

    def note(p: Path, reason: str) -> None:
        if skipped is not None:
            skipped.append(Skipped(str(p), reason))

    def add(p: Path) -> None:
        key = os.path.abspath(p)
        if key in seen:
            note(p, "duplicate input (already listed)")
            return
        seen.add(key)
        files.append(p)

    def consider(q: Path) -> bool:
        if q.name.endswith(".gold.json"):
            note(q, "gold file")
            return False
        if q.suffix.lower() not in REPORT_SUFFIXES:
            note(q, f"unsupported extension '{q.suffix.lower() or '(none)'}'")
            return False
        return True

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = [q for q in sorted(p.rglob("*")) if q.is_file() and consider(q)]
            if not found:
                missing.append(item)
            for q in found:
                add(q)
        elif p.is_file():
            add(p)
        else:
            matches = sorted(glob.glob(item, recursive=True))
            found = [Path(m) for m in matches if Path(m).is_file() and consider(Path(m))]
            if not found:
                missing.append(item)
            for q in found:
                add(q)
    return files, missing


def run_job(files: list[Path], backend: Backend | Callable[[Document], Extraction] = extract_baseline,
            backend_name: str = "regex",
            progress: Callable[[int, int, str], None] | None = None) -> Iterator[DocumentRecord]:
    """Records for every file, in this process.  Streaming backends yield in completion order.

    (``extractor.jobs.run_bulk`` is the bulk version: worker processes, input order, resume.)"""
    if isinstance(backend, StreamingBackend):
        yield from _run_concurrent(files, backend, backend_name, progress)
        return
    for i, f in enumerate(files):
        record = process_path(f, backend, backend_name)
        if progress:
            progress(i + 1, len(files), str(f))
        yield record


def _run_concurrent(files: list[Path], backend: StreamingBackend, backend_name: str,
                    progress: Callable[[int, int, str], None] | None) -> Iterator[DocumentRecord]:
    prepared: dict[str, Prepared] = {}

    def load(path: Path) -> tuple[Document, Extraction | None]:
        doc = load_path(path)
        prepared[str(path)] = Prepared(doc)
        check_is_report(doc.text)  # before any model call: a non-report costs no tokens
        return doc, None

    for done, (path, result) in enumerate(backend.stream(files, load), 1):
        record = record_from_result(str(path), prepared.pop(str(path), None), result, backend_name)
        if progress:
            progress(done, len(files), str(path))
        yield record


def make_backend(name: str, settings: Any) -> Backend:
    """A backend by name: 'regex', 'llm' (model only) or 'hybrid' (baseline + model, reconciled)."""
    if name == "regex":
        return RegexBackend()
    if name == "llm":
        from extractor.llm.backend import LLMBackend

        return LLMBackend(settings)
    if name == "hybrid":
        from extractor.reconcile.hybrid import HybridBackend

        return HybridBackend(settings)
    raise ValueError(f"unknown backend '{name}'")
