"""Reviewer decisions beside a run, and their export as gold files (GOLD.md format).

Decisions live in ``RUN.decisions.json`` and/or ``RUN.decisions/*.json`` (the
static page downloads one file per document), each shaped::

    {"documents": {"<path>": {"sha256": "...", "fields": {"<key>": {"decision": "confirmed|corrected|dismissed",
                                                                     "value": "..."}}}}}
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from schemas import field_spec

DECISIONS = ("confirmed", "corrected", "dismissed")


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


def decisions_paths(run: Path) -> list[Path]:
    paths = [run.with_name(run.name + ".decisions.json")] if run.with_name(run.name + ".decisions.json").exists() else []
    folder = run.with_name(run.name + ".decisions")
    if folder.is_dir():
        paths += sorted(folder.glob("*.json"))
    return paths


def load_decisions(run: Path) -> dict[str, dict[str, Any]]:
    """path -> {"sha256":..., "fields": {key: decision}}; later files win per field."""
    merged: dict[str, dict[str, Any]] = {}
    for p in decisions_paths(run):
        data = json.loads(p.read_text(encoding="utf-8"))
        for path, doc in (data.get("documents") or {}).items():
            entry = merged.setdefault(path, {"sha256": doc.get("sha256"), "fields": {}})
            entry["fields"].update(doc.get("fields") or {})
    return merged


def save_decisions(run: Path, payload: dict[str, Any]) -> Path:
    """Merge a page's decisions into RUN.decisions.json (the served page posts here)."""
    target = run.with_name(run.name + ".decisions.json")
    current = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {"documents": {}}
    for path, doc in (payload.get("documents") or {}).items():
        fields = doc.get("fields") or {}
        for key, d in fields.items():
            field_spec(key)  # KeyError for an unknown key
            if d.get("decision") not in DECISIONS:
                raise ValueError(f"{key}: decision must be one of {', '.join(DECISIONS)}")
        entry = current["documents"].setdefault(path, {"sha256": doc.get("sha256"), "fields": {}})
        entry["fields"].update(fields)
    target.write_text(json.dumps(current, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def _typed(key: str, value: Any) -> Any:
    kind = field_spec(key).type
    if value is None:
        return None
    if kind == "int":
        return int(str(value).replace(",", "").strip())
    if kind == "float":
        return float(str(value).replace(",", "").strip())
    return str(value).strip()


def export_gold(records: list[dict[str, Any]], decisions: dict[str, dict[str, Any]], out_dir: Path,
                run_name: str) -> list[Path]:
    """A gold file for every reviewed document: its fields with the decisions applied."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for rec in records:
        doc = decisions.get(rec.get("path"))
        if not doc or not doc.get("fields") or rec.get("error"):
            continue
        if doc.get("sha256") and rec.get("sha256") and doc["sha256"] != rec["sha256"]:
            continue  # decisions were made on another version of the file
        fields = dict(rec.get("fields") or {})
        counts = {d: 0 for d in DECISIONS}
        for key, d in doc["fields"].items():
            decision = d.get("decision")
            if decision not in DECISIONS:
                continue
            counts[decision] += 1
            if decision == "dismissed":
                fields.pop(key, None)
            elif decision == "corrected":
                fields[key] = _typed(key, d.get("value"))
                if fields[key] is None:
                    fields.pop(key)
        name = Path(rec["path"]).name
        gold = {"doc": name, "fields": fields, "unscored": [],
                "notes": f"exported from review of {run_name} on {dt.date.today().isoformat()}: "
                         f"{counts['confirmed']} confirmed, {counts['corrected']} corrected, "
                         f"{counts['dismissed']} dismissed; other fields as extracted ({rec.get('backend')})"}
        target = out_dir / f"{Path(name).stem}.gold.json"
        target.write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(target)
    return written
