"""Reviewer decisions beside a run, and their export as gold files (GOLD.md format).

A reviewer's decisions are the one thing in this project a person invests work in, so they are
never keyed by a bare file name and never rewritten in place:

* Each decision belongs to a **document**, identified by its content sha256 *and* the path it was
  known by when the decision was made.  A record matches a decision entry by sha256 (a renamed or
  uploaded file keeps its decisions) or, for an entry without a sha256, by path.  Two files called
  ``report.txt`` in different folders have different sha256s and never share decisions.
* ``RUN.decisions.json`` (written by the served page) is replaced atomically (write a temporary
  file, fsync, rename) under a lock, merged with what is already there; a decision that is changed
  keeps its predecessor in ``history``.  A decisions file that cannot be read is an error, never
  silently replaced by a fresh one.
* ``RUN.decisions/*.json`` holds the files a page opened from disk downloads.  Per field the
  decision with the latest ``saved_at`` wins.
* A decision that matches no record of the run is reported (:class:`Unmatched`), never dropped.

File shape (``format`` 2; the older shape ``{"documents": {"<path>": {...}}}`` is still read)::

    {"format": 2, "documents": [
        {"sha256": "...", "path": "a/report.txt",
         "fields": {"<key>": {"decision": "confirmed|corrected|dismissed", "value": "...", "saved_at": "..."}},
         "history": [{"key": "<key>", "decision": ..., "value": ..., "saved_at": ...}]}]}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import field_spec

DECISIONS = ("confirmed", "corrected", "dismissed")
FORMAT = 2


class DecisionsError(ValueError):
    """A decisions payload that cannot be used (unknown key or decision, no sha256)."""


class UnreadableDecisions(DecisionsError):
    """A decisions file on disk that cannot be read: someone's work, so nothing is written over it."""


@dataclass
class DocumentDecisions:
    """The decisions on one document, as the reviewer saw it (content hash and path)."""

    sha256: str | None
    path: str | None
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sha256": self.sha256, "path": self.path, "fields": self.fields}
        if self.history:
            out["history"] = self.history
        return out


@dataclass
class Unmatched:
    """Decisions that no record of the run carries (another file, or a file changed since)."""

    path: str | None
    sha256: str | None
    n_fields: int
    sources: list[str]
    reason: str


def load_run(run: Path, bad_lines: list[int] | None = None) -> list[dict[str, Any]]:
    """The records of a run; lines that are not JSON (a job cut off mid-write) are skipped and their
    numbers appended to ``bad_lines``."""
    records = []
    for n, line in enumerate(run.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            rec = None
        if not isinstance(rec, dict):
            if bad_lines is not None:
                bad_lines.append(n)
            continue
        records.append(rec)
    return records


def decisions_file(run: Path) -> Path:
    """Where the served page's decisions for a run live."""
    return run.with_name(run.name + ".decisions.json")


def decisions_folder(run: Path) -> Path:
    """Where downloaded decision files of a run's static pages go."""
    return run.with_name(run.name + ".decisions")


def decisions_paths(run: Path) -> list[Path]:
    paths = [decisions_file(run)] if decisions_file(run).exists() else []
    folder = decisions_folder(run)
    if folder.is_dir():
        paths += sorted(folder.glob("*.json"))
    return paths


def _entries(data: Any, source: str) -> Iterator[dict[str, Any]]:
    """The document entries of a decisions file or payload, in either shape (list, or path -> entry)."""
    if not isinstance(data, dict):
        raise DecisionsError(f"{source}: expected a JSON object with 'documents'")
    docs = data.get("documents") or []
    if isinstance(docs, dict):  # format 1: keyed by path
        docs = [{"path": path, **(doc if isinstance(doc, dict) else {})} for path, doc in docs.items()]
    if not isinstance(docs, list):
        raise DecisionsError(f"{source}: 'documents' must be a list or an object")
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("fields") or {}, dict):
            raise DecisionsError(f"{source}: each document needs a 'fields' object")
        yield doc


def validate_fields(fields: dict[str, Any]) -> None:
    """Unknown keys and decisions are refused before anything is written."""
    for key, d in fields.items():
        try:
            field_spec(key)
        except KeyError:
            raise DecisionsError(f"unknown field key {key!r}") from None
        if not isinstance(d, dict) or d.get("decision") not in DECISIONS:
            raise DecisionsError(f"{key}: decision must be one of {', '.join(DECISIONS)}")
        if d["decision"] == "corrected" and d.get("value") not in (None, ""):
            try:
                typed_value(key, d.get("value"))
            except ValueError as exc:
                raise DecisionsError(f"{key}: corrected value {d.get('value')!r} is not a {field_spec(key).type}") from exc


def _doc_id(sha256: str | None, path: str | None) -> tuple[str, str]:
    return (sha256 or "", path or "")


def _merge_field(doc: DocumentDecisions, key: str, new: dict[str, Any]) -> None:
    """Apply a decision; the one it replaces goes to history (the later ``saved_at`` wins)."""
    old = doc.fields.get(key)
    if old is not None:
        if str(old.get("saved_at") or "") > str(new.get("saved_at") or ""):
            doc.history.append({"key": key, **new})
            return
        if old != new:
            doc.history.append({"key": key, **old})
    doc.fields[key] = new


def read_decisions(path: Path) -> list[DocumentDecisions]:
    """One decisions file; an unreadable one is an error (it holds someone's work)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableDecisions(f"{path}: cannot read decisions ({exc}); fix or move it, nothing was written") from exc
    docs = []
    try:
        entries = list(_entries(data, str(path)))
    except DecisionsError as exc:
        raise UnreadableDecisions(str(exc)) from exc
    for entry in entries:
        doc = DocumentDecisions(entry.get("sha256") or None, entry.get("path") or None,
                                dict(entry.get("fields") or {}), list(entry.get("history") or []), [str(path)])
        docs.append(doc)
    return docs


def load_decisions(run: Path) -> list[DocumentDecisions]:
    """Every decision saved for a run, one entry per (sha256, path), merged across files."""
    merged: dict[tuple[str, str], DocumentDecisions] = {}
    for p in decisions_paths(run):
        for doc in read_decisions(p):
            ident = _doc_id(doc.sha256, doc.path)
            have = merged.get(ident)
            if have is None:
                merged[ident] = doc
                continue
            have.sources += doc.sources
            have.history += doc.history
            for key, d in doc.fields.items():
                _merge_field(have, key, d)
    return list(merged.values())


def match_decisions(records: list[dict[str, Any]], decisions: list[DocumentDecisions]
                    ) -> tuple[dict[int, list[DocumentDecisions]], list[Unmatched]]:
    """record index -> the decision entries that belong to it, and the entries that belong to none.

    An entry with a sha256 belongs to every record with that sha256 (whatever its path: a renamed
    file or an upload); an entry without one (format 1) belongs to the record with its path, if the
    record's content is the one it was made on."""
    by_sha: dict[str, list[int]] = {}
    by_path: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        if rec.get("error"):
            continue
        if rec.get("sha256"):
            by_sha.setdefault(rec["sha256"], []).append(i)
        by_path.setdefault(str(rec.get("path")), []).append(i)
    matched: dict[int, list[DocumentDecisions]] = {}
    unmatched: list[Unmatched] = []
    for doc in decisions:
        if not doc.fields:
            continue
        hits = by_sha.get(doc.sha256 or "", []) if doc.sha256 else by_path.get(str(doc.path), [])
        if not hits:
            same_path = doc.sha256 and by_path.get(str(doc.path))
            reason = ("the file at this path has changed since the decisions were made" if same_path
                      else "no record of the run has this document")
            unmatched.append(Unmatched(doc.path, doc.sha256, len(doc.fields), doc.sources, reason))
            continue
        for i in hits:
            matched.setdefault(i, []).append(doc)
    return matched, unmatched


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """An exclusive lock beside ``target`` (two browser tabs saving at once must not lose either)."""
    lock = target.with_name(target.name + ".lock")
    with open(lock, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_atomically(target: Path, text: str) -> None:
    """Write a file so that a reader (or a crash) sees the old content or the new, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_decisions(run: Path, payload: dict[str, Any], *, now: str | None = None) -> Path:
    """Merge a page's decisions into RUN.decisions.json (the served page posts here).

    Everything is validated before the file is touched; a document without a sha256 is refused
    (a decision must say which content it was made on)."""
    stamp = now or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    incoming = list(_entries(payload, "payload"))
    for entry in incoming:
        if not entry.get("sha256"):
            raise DecisionsError(f"{entry.get('path')}: decisions need the document's sha256")
        validate_fields(entry.get("fields") or {})
    target = decisions_file(run)
    with _locked(target):
        current = read_decisions(target) if target.exists() else []
        index = {_doc_id(d.sha256, d.path): d for d in current}
        for entry in incoming:
            ident = _doc_id(entry["sha256"], entry.get("path"))
            doc = index.get(ident)
            if doc is None:
                doc = index[ident] = DocumentDecisions(entry["sha256"], entry.get("path"))
                current.append(doc)
            for key, d in (entry.get("fields") or {}).items():
                _merge_field(doc, key, {**d, "saved_at": stamp})  # the server's clock, not the browser's
        data = {"format": FORMAT, "documents": [d.as_dict() for d in current]}
        write_atomically(target, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return target


def typed_value(key: str, value: Any) -> Any:
    """A corrected value as the field's type (a reviewer types text)."""
    kind = field_spec(key).type
    if value is None or str(value).strip() == "":
        return None
    if kind == "int":
        return int(str(value).replace(",", "").strip())
    if kind == "float":
        return float(str(value).replace(",", "").strip())
    return str(value).strip()


def output_stems(records: list[dict[str, Any]]) -> list[str]:
    """A file stem per record for its page and gold file: the report's name, plus a short hash
    when another record of the run has the same name (``report-1a2b3c4d``).  Stable: the hash is the
    content's, so the same document gets the same name in every export and ``eval`` finds it."""
    stems = [Path(str(r.get("path") or "report")).stem for r in records]
    distinct: dict[str, set[str]] = {}
    for stem, rec in zip(stems, records):
        distinct.setdefault(stem, set()).add(str(rec.get("path")))
    out = []
    for stem, rec in zip(stems, records):
        if len(distinct[stem]) == 1:
            out.append(stem)
            continue
        tag = (rec.get("sha256") or "")[:8] or hashlib.sha256(str(rec.get("path")).encode()).hexdigest()[:8]
        out.append(f"{stem}-{tag}")
    counts = Counter(out)
    return [s if counts[s] == 1 else f"{s}-{hashlib.sha256(str(r.get('path')).encode()).hexdigest()[:6]}"
            for s, r in zip(out, records)]


def gold_file_for(report: Path, sha256: str, gold_dir: Path) -> Path | None:
    """The gold file of a report in a folder of exported gold: ``<stem>-<sha8>.gold.json`` (when names
    collided at export) before ``<stem>.gold.json``."""
    for candidate in (gold_dir / f"{report.stem}-{sha256[:8]}.gold.json", gold_dir / f"{report.stem}.gold.json"):
        if candidate.exists():
            return candidate
    return None


@dataclass
class Export:
    """What an export wrote, and the decisions it could not place."""

    written: list[Path]
    unmatched: list[Unmatched]
    kept: list[Path] = field(default_factory=list)


def _apply(rec: dict[str, Any], docs: list[DocumentDecisions]) -> tuple[dict[str, Any], Counter[str]]:
    fields = dict(rec.get("fields") or {})
    counts: Counter[str] = Counter({d: 0 for d in DECISIONS})
    chosen: dict[str, dict[str, Any]] = {}
    exact = [d for d in docs if d.path == rec.get("path")]
    for doc in [d for d in docs if d not in exact] + exact:  # decisions made on this very path win ties
        for key, d in doc.fields.items():
            if key not in chosen or str(d.get("saved_at") or "") >= str(chosen[key].get("saved_at") or ""):
                chosen[key] = d
    for key, d in chosen.items():
        decision = d.get("decision")
        if decision not in DECISIONS:
            continue
        counts[decision] += 1
        if decision == "dismissed":
            fields.pop(key, None)
        elif decision == "corrected":
            value = typed_value(key, d.get("value"))
            if value is None:
                fields.pop(key, None)
            else:
                fields[key] = value
    return fields, counts


def export_gold(records: list[dict[str, Any]], decisions: list[DocumentDecisions], out_dir: Path,
                run_name: str) -> Export:
    """A gold file for every reviewed document: its fields with the decisions applied.

    Names come from :func:`output_stems`; a file already in ``out_dir`` under that name that is not
    this document's earlier export (no ``sha256``, or another one: a hand-made gold file, another
    run's document) is kept and this one gets a hashed name, which ``eval`` looks for first."""
    out_dir.mkdir(parents=True, exist_ok=True)
    matched, unmatched = match_decisions(records, decisions)
    stems = output_stems(records)
    result = Export([], unmatched)
    for i, rec in enumerate(records):
        docs = matched.get(i)
        if not docs:
            continue
        fields, counts = _apply(rec, docs)
        name = Path(str(rec["path"])).name
        gold: dict[str, Any] = {"doc": name, "sha256": rec.get("sha256"), "fields": fields, "unscored": [],
                "notes": f"exported from review of {run_name} on {dt.date.today().isoformat()}: "
                         f"{counts['confirmed']} confirmed, {counts['corrected']} corrected, "
                         f"{counts['dismissed']} dismissed; other fields as extracted ({rec.get('backend')})"}
        target = out_dir / f"{stems[i]}.gold.json"
        if target.exists() and _gold_sha(target) != rec.get("sha256"):
            result.kept.append(target)
            target = out_dir / f"{Path(name).stem}-{(rec.get('sha256') or '')[:8]}.gold.json"
        if target in result.written:
            continue  # the same content under two paths: one gold file
        write_atomically(target, json.dumps(gold, ensure_ascii=False, indent=1) + "\n")
        result.written.append(target)
    return result


def _gold_sha(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unreadable"
    return data.get("sha256") if isinstance(data, dict) else "unreadable"


def reviewed_indices(records: list[dict[str, Any]], decisions: list[DocumentDecisions]) -> set[int]:
    """Indices of the records that have at least one decision."""
    return set(match_decisions(records, decisions)[0])
