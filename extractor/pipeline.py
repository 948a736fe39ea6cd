"""One document -> one record; many documents -> a JSONL job where nothing is lost.

The record (documented in the README) is what users' scripts read:
``path, sha256, template, backend, fields, evidence, not_applicable, checks, flags, warnings, error``.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.baseline import extract_baseline
from extractor.baseline.report_check import check_is_report
from extractor.checks import check_consistency
from extractor.errors import DocumentError
from extractor.ingest import SUPPORTED_SUFFIXES, Document, load_path
from extractor.result import Extraction, Flag

REPORT_SUFFIXES = SUPPORTED_SUFFIXES

Backend = Callable[[Document], Extraction]


@dataclass
class DocumentRecord:
    path: str
    sha256: str | None = None
    template: str | None = None
    backend: str = "regex"
    fields: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, list[int]] = field(default_factory=dict)
    boxes: dict[str, list[float]] = field(default_factory=dict)      # PDF/scan: key -> [page, x0, top, x1, bottom]
    cells: dict[str, dict[str, int]] = field(default_factory=dict)   # Word: key -> {table, row, col}
    not_applicable: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    checks_run: int = 0
    flags: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    reconciliation: dict[str, dict[str, Any]] = field(default_factory=dict)
    review_priority: float = 0.0
    open_questions: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "sha256": self.sha256, "template": self.template, "backend": self.backend,
            "fields": self.fields, "evidence": self.evidence, "boxes": self.boxes, "cells": self.cells,
            "not_applicable": self.not_applicable,
            "checks": self.checks, "checks_run": self.checks_run, "flags": self.flags,
            "warnings": self.warnings, "texts": self.texts, "usage": self.usage,
            "reconciliation": self.reconciliation, "review_priority": self.review_priority,
            "open_questions": self.open_questions, "error": self.error,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=False)


def record_from_extraction(doc: Document, ext: Extraction, backend: str) -> DocumentRecord:
    from extractor.reconcile.merge import review_priority

    flat = ext.flat()
    evidence = ext.evidence()
    ext.flags.extend(_ocr_flags(doc, evidence))
    breaks, checked = check_consistency(flat, ext.template)
    if ext.detail:  # the hybrid backend has already weighed its conflicts and the breaks
        priority, questions = ext.review_priority, list(ext.open_questions)
    else:
        priority, questions = review_priority(ext, [b.as_dict() for b in breaks])
    return DocumentRecord(
        path=doc.path, sha256=doc.sha256, template=ext.template, backend=backend, fields=flat,
        evidence=evidence, boxes=_boxes(doc, evidence), cells=_cells(doc, evidence), not_applicable=sorted(ext.not_applicable), checks=[b.as_dict() for b in breaks],
        checks_run=checked, flags=[f.as_dict() for f in ext.flags], warnings=list(doc.warnings),
        texts=dict(ext.texts), usage=dict(ext.usage), reconciliation=dict(ext.detail),
        review_priority=priority, open_questions=questions, error=_all_sections_failed(ext),
    )


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
            flags.append(Flag(kind="ocr_low_confidence", message=f"OCR read this value with confidence {conf:.2f}",
                              keys=[key], span=(start, end)))
    return flags


def _all_sections_failed(ext: Extraction) -> str | None:
    """A model run where every section call failed is a failed document (the job's exit code says so)."""
    errors = [f.message for f in ext.flags if f.kind == "model_error"]
    sections = ext.usage.get("sections", {}) if ext.usage else {}
    if errors and sections and len(errors) >= len(sections) and not any(
            v.source != "meta" for v in ext.values.values()):
        return "every model call failed: " + "; ".join(errors[:3])
    return None


def process_document(doc: Document, backend: Backend = extract_baseline, backend_name: str = "regex") -> DocumentRecord:
    """Raises NotAReport (before any backend runs, so no model is asked) for text that is not a report."""
    check_is_report(doc.text)
    ext = backend(doc)
    return record_from_extraction(doc, ext, backend_name)


def process_path(path: str | Path, backend: Backend = extract_baseline, backend_name: str = "regex") -> DocumentRecord:
    """Never raises for a bad document: the error goes into the record."""
    try:
        doc = load_path(path)
    except DocumentError as exc:
        return DocumentRecord(path=str(path), sha256=_sha_or_none(path), backend=backend_name, error=str(exc))
    except OSError as exc:
        return DocumentRecord(path=str(path), backend=backend_name, error=f"cannot read file: {exc.strerror or exc}")
    try:
        return process_document(doc, backend, backend_name)
    except DocumentError as exc:
        return DocumentRecord(path=str(path), sha256=doc.sha256, backend=backend_name, error=str(exc))
    except Exception as exc:  # a bug must not lose the rest of the job
        return DocumentRecord(path=str(path), sha256=doc.sha256, backend=backend_name,
                              error=f"internal error ({type(exc).__name__}): {exc}")


def _sha_or_none(path: str | Path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def already_done(run: Path) -> dict[str, str]:
    """path -> sha256 of the documents a run already holds without error (the resume ledger)."""
    done: dict[str, str] = {}
    for line in run.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by an interrupted job: that document is redone
        if isinstance(rec, dict) and not rec.get("error") and rec.get("sha256"):
            done[str(rec.get("path"))] = rec["sha256"]
    return done


def expand_inputs(inputs: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Files, folders (report files inside, recursively) and globs -> (files, inputs that matched nothing)."""
    files: list[Path] = []
    missing: list[str] = []
    seen: set[str] = set()

    def add(p: Path) -> None:
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            files.append(p)

    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in REPORT_SUFFIXES
                           and not q.name.endswith(".gold.json"))
            if not found:
                missing.append(item)
            for q in found:
                add(q)
        elif p.is_file():
            add(p)
        else:
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                missing.append(item)
            for m in matches:
                if Path(m).is_file():
                    add(Path(m))
    return files, missing


def run_job(files: list[Path], backend: Backend = extract_baseline, backend_name: str = "regex",
            progress: Callable[[int, int, str], None] | None = None) -> Iterator[DocumentRecord]:
    """Records for every file.  Concurrent backends (with ``stream``) yield in completion order."""
    if hasattr(backend, "stream"):
        yield from _run_concurrent(files, backend, backend_name, progress)
        return
    for i, f in enumerate(files):
        record = process_path(f, backend, backend_name)
        if progress:
            progress(i + 1, len(files), str(f))
        yield record


def _run_concurrent(files: list[Path], backend: Any, backend_name: str,
                    progress: Callable[[int, int, str], None] | None) -> Iterator[DocumentRecord]:
    loaded: dict[str, Document] = {}

    def load(path: Path) -> Document:
        doc = load_path(path)
        loaded[str(path)] = doc
        check_is_report(doc.text)  # before any model call: a non-report costs no tokens
        return doc

    done = 0
    for path, result in backend.stream(files, load):
        doc = loaded.pop(str(path), None)
        if isinstance(result, DocumentError):
            record = DocumentRecord(path=str(path), sha256=_sha_or_none(path), backend=backend_name, error=str(result))
        elif isinstance(result, OSError):
            record = DocumentRecord(path=str(path), backend=backend_name, error=f"cannot read file: {result}")
        elif isinstance(result, Exception) or doc is None:
            record = DocumentRecord(path=str(path), sha256=doc.sha256 if doc else None, backend=backend_name,
                                    error=f"internal error ({type(result).__name__}): {result}")
        else:
            record = record_from_extraction(doc, result, backend_name)
        done += 1
        if progress:
            progress(done, len(files), str(path))
        yield record


def make_backend(name: str, settings: Any) -> Any:
    """A backend by name: 'regex', 'llm' (model only) or 'hybrid' (baseline + model, reconciled)."""
    if name == "regex":
        return extract_baseline
    if name == "llm":
        from extractor.llm.backend import LLMBackend

        return LLMBackend(settings)
    if name == "hybrid":
        from extractor.reconcile.hybrid import HybridBackend

        return HybridBackend(settings)
    raise ValueError(f"unknown backend '{name}'")
