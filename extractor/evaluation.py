"""Field-level scoring against gold files (GOLD.md).

One central null policy: both absent is fine, predicted where gold is absent
is spurious (a hallucination), absent where gold has a value is missed.
A typed comparator per field: ints exact, floats with relative tolerance
1e-6, strings after NFKC and whitespace removal.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import field_spec, keys_for_template

OUTCOMES = ("correct", "wrong", "missed", "spurious")


def _norm_str(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def values_equal(key: str, gold: Any, pred: Any) -> bool:
    kind = field_spec(key).type
    try:
        if kind == "int":
            return int(gold) == int(pred) and float(pred) == int(pred)
        if kind == "float":
            g, p = float(gold), float(pred)
            return math.isclose(g, p, rel_tol=1e-6, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False
    return _norm_str(gold) == _norm_str(pred)


@dataclass
class Counts:
    correct: int = 0
    wrong: int = 0
    missed: int = 0
    spurious: int = 0

    def add(self, outcome: str | None) -> None:
        if outcome is not None:  # None: gold and prediction both absent, nothing to count
            setattr(self, outcome, getattr(self, outcome) + 1)

    @property
    def precision(self) -> float:
        d = self.correct + self.wrong + self.spurious
        return self.correct / d if d else 1.0

    @property
    def recall(self) -> float:
        d = self.correct + self.wrong + self.missed
        return self.correct / d if d else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "wrong": self.wrong, "missed": self.missed, "spurious": self.spurious,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class FieldOutcome:
    doc: str
    key: str
    gold: Any
    pred: Any
    outcome: str | None  # None: both absent


@dataclass
class EvalResult:
    overall: Counts = field(default_factory=Counts)
    by_section: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_field: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    documents: list[dict[str, Any]] = field(default_factory=list)
    rows: list[FieldOutcome] = field(default_factory=list)
    consistency: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": {**self.overall.as_dict(), "docs": len(self.documents),
                        "exact_match_docs": sum(1 for d in self.documents if d.get("exact_match")),
                        "consistency": self.consistency},
            "by_section": {k: v.as_dict() for k, v in sorted(self.by_section.items())},
            "by_field": {k: v.as_dict() for k, v in sorted(self.by_field.items())},
            "documents": self.documents,
        }


def load_gold(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if "fields" not in data or not isinstance(data["fields"], dict):
        raise ValueError(f"{path}: a gold file needs a 'fields' object")
    return data


def score_document(doc_name: str, gold: dict[str, Any], pred: dict[str, Any]) -> tuple[Counts, list[FieldOutcome]]:
    gold_fields = gold["fields"]
    template = gold_fields.get("meta.template", "narrative")
    unscored = set(gold.get("unscored") or [])
    counts = Counts()
    outcomes: list[FieldOutcome] = []
    for key in sorted(keys_for_template(template)):
        if key in unscored:
            continue
        g = gold_fields.get(key)
        p = pred.get(key)
        if g is None and p is None:
            continue
        if g is not None and p is not None:
            outcome = "correct" if values_equal(key, g, p) else "wrong"
        elif g is not None:
            outcome = "missed"
        else:
            outcome = "spurious"
        counts.add(outcome)
        outcomes.append(FieldOutcome(doc_name, key, g, p, outcome))
    return counts, outcomes


def evaluate(pairs: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]]) -> EvalResult:
    """``pairs``: (document name, gold file data, predicted flat fields, record extras)."""
    result = EvalResult()
    checked_docs = 0
    passing_docs = 0
    for name, gold, pred, extras in pairs:
        counts, outcomes = score_document(name, gold, pred)
        for o in outcomes:
            result.overall.add(o.outcome)
            result.by_section[o.key.split(".", 1)[0]].add(o.outcome)
            result.by_field[o.key].add(o.outcome)
        result.rows.extend(outcomes)
        checks_run = extras.get("checks_run", 0)
        breaks = extras.get("checks", [])
        if checks_run:
            checked_docs += 1
            passing_docs += 0 if breaks else 1
        result.documents.append({
            "doc": name, **counts.as_dict(),
            "exact_match": counts.wrong == 0 and counts.missed == 0 and counts.spurious == 0,
            "template_gold": gold["fields"].get("meta.template"), "template_pred": pred.get("meta.template"),
            "consistency_rules_checked": checks_run, "consistency_breaks": len(breaks),
            "error": extras.get("error"),
        })
    result.consistency = {
        "docs_with_tables": checked_docs,
        "docs_passing_all_rules": passing_docs,
        "share_passing": round(passing_docs / checked_docs, 4) if checked_docs else None,
    }
    return result


def write_csv(result: EvalResult, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["doc", "field", "gold", "prediction", "outcome"])
        for o in result.rows:
            w.writerow([o.doc, o.key, "" if o.gold is None else o.gold, "" if o.pred is None else o.pred, o.outcome])
