"""Field-by-field reconciliation of two readings of one document.

Every field gets a status — ``agreed``, ``baseline_only``, ``model_only`` or
``conflict`` — a confidence (``high``/``medium``/``low``) and its evidence
span(s).  A conflict is settled by the consistency rules when exactly one
candidate makes every rule touching the field hold; otherwise the baseline's
reading is kept and the field is flagged with both candidates.  Nothing is
"fixed" beyond that.
"""

from __future__ import annotations

from typing import Any

from extractor.checks import check_consistency
from extractor.result import BREAK_WEIGHT, Confidence, Extraction, FieldStatus, FieldValue, Flag, FlagKind, ValueSource

SECTION_OF_ROOT = {"meta": "meta", "active": "active", "applications": "applications", "review": "appeals",
                   "litigation_direct": "appeals", "litigation_after_review": "appeals", "litigation": "appeals"}


def section_of(key: str) -> str:
    return SECTION_OF_ROOT[key.split(".", 1)[0]]


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(a)))
    return a == b


def _breaks_touching(flat: dict[str, Any], template: str, key: str) -> int:
    breaks, _ = check_consistency(flat, template)
    return sum(1 for b in breaks if key in b.keys)


def _rules_checkable(flat: dict[str, Any], template: str, key: str) -> bool:
    """Whether any rule touching ``key`` has all its cells (so arithmetic can speak)."""
    probe = dict(flat)
    probe[key] = -10**9  # an impossible value breaks every checkable rule that touches the key
    return _breaks_touching(probe, template, key) > 0


def reconcile(baseline: Extraction, model: Extraction, asked: list[str]) -> Extraction:
    """Merge two extractions of the same document."""
    out = Extraction(template=baseline.template)
    out.flags = list(baseline.flags) + list(model.flags)
    out.not_applicable = {**model.not_applicable, **baseline.not_applicable}
    out.texts = dict(model.texts)
    out.usage = dict(model.usage)
    keys = list(dict.fromkeys([*baseline.values, *model.values]))
    conflicts: list[str] = []
    for key in keys:
        b = baseline.values.get(key)
        m = model.values.get(key)
        section = section_of(key)
        if b is not None and m is not None:
            if _equal(b.value, m.value):
                _put(out, key, b, FieldStatus.AGREED, Confidence.HIGH, b, m)
            else:
                _put(out, key, b, FieldStatus.CONFLICT, Confidence.LOW, b, m)
                conflicts.append(key)
        elif b is not None:
            asked_here = section in asked
            _put(out, key, b, FieldStatus.BASELINE_ONLY,
                 Confidence.MEDIUM if asked_here or b.source is ValueSource.PROSE else Confidence.HIGH, b, None)
        elif m is not None:
            exact = not m.note
            _put(out, key, m, FieldStatus.MODEL_ONLY, Confidence.MEDIUM if exact else Confidence.LOW, None, m)
    # Settle conflicts with the arithmetic, one at a time, against the current best reading.
    flat = out.flat()
    for key in conflicts:
        b, m = baseline.values[key], model.values[key]
        detail = out.detail[key]
        if _rules_checkable(flat, out.template, key):
            with_b = _breaks_touching({**flat, key: b.value}, out.template, key)
            with_m = _breaks_touching({**flat, key: m.value}, out.template, key)
            if with_m == 0 and with_b > 0:
                out.values[key] = FieldValue(m.value, m.span, ValueSource.MODEL, "conflict settled by the table's arithmetic")
                flat[key] = m.value
                detail.update(value=m.value, settled_by="arithmetic", confidence=Confidence.MEDIUM, winner="model")
                continue
            if with_b == 0 and with_m > 0:
                detail.update(settled_by="arithmetic", confidence=Confidence.MEDIUM, winner="baseline")
                continue
        detail.update(settled_by=None, winner=None)
        out.flags.append(Flag(FlagKind.CONFLICT, f"{key}: baseline reads {b.value}, model reads {m.value}; "
                                          f"no consistency rule decides", [key], b.span))
    # Values involved in a consistency break lose confidence.
    breaks, _ = check_consistency(out.flat(), out.template)
    for br in breaks:
        for key in br.keys:
            if key in out.detail:
                out.detail[key]["confidence"] = Confidence.LOW
    out.review_priority, out.open_questions = review_priority(out, [b.as_dict() for b in breaks])
    return out


def _put(out: Extraction, key: str, chosen: FieldValue, status: FieldStatus, confidence: Confidence,
         b: FieldValue | None, m: FieldValue | None) -> None:
    out.values[key] = FieldValue(chosen.value, chosen.span, chosen.source, chosen.note)
    evidence = [list(x.span) for x in (b, m) if x is not None and x.span is not None]
    out.detail[key] = {
        "value": chosen.value, "status": status, "confidence": confidence,
        "baseline": None if b is None else b.value, "model": None if m is None else m.value,
        "evidence": evidence, "evidence_exact": None if m is None else not m.note,
    }


def review_priority(ext: Extraction, breaks: list[dict[str, Any]]) -> tuple[float, list[str]]:
    """How urgently a person should look at this document, and what they should look at."""
    score = 0.0
    questions: list[str] = []
    for f in ext.flags:
        score += FlagKind(f.kind).weight
        questions.append(f"{f.kind}: {f.message}")
    for br in breaks:
        score += BREAK_WEIGHT
        questions.append(f"consistency break ({br['rule']}): {br['message']}")
    for key, d in ext.detail.items():
        if d["status"] == FieldStatus.MODEL_ONLY:
            score += 1.0 if d["confidence"] == Confidence.MEDIUM else 2.0
        elif d["status"] == FieldStatus.CONFLICT and d.get("settled_by"):
            score += 1.0
            questions.append(f"conflict settled by arithmetic: {key} = {d['value']} "
                             f"(baseline {d['baseline']}, model {d['model']})")
    return score, questions
