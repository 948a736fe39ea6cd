"""Field-by-field reconciliation of two readings of one document: the model can only add flags.

Every field gets a status (``FieldStatus``: agreed, baseline_only, model_only,
conflict), a confidence and its evidence span(s).  What the model may change:

* **Nothing the baseline read, silently.**  A conflict is settled only by the
  consistency rules, computed over cells the baseline read (or the arithmetic
  already corroborated) — never over the model's own uncorroborated cells, so
  a model that invents a row adding up to its own total settles nothing.  When
  no rule decides, the baseline's reading stays and the field is flagged with
  both candidates.
* **Gaps, openly.**  A value only the model gives is ``model_only``, never
  ``high``; unless the arithmetic over trusted cells corroborates it, it is
  named in ``open_questions`` with its quote, so a reviewer sees every such
  value.
* **"Not applicable" only as a claim.**  The model's n/a keys (grounded by a
  quoted ``/`` or ``不适用`` upstream) never override a value or an n/a the
  baseline read; a key is never both a field and not applicable.

Nothing is "fixed" beyond that.
"""

from __future__ import annotations

from typing import Any

from extractor.checks import check_consistency
from extractor.result import (BREAK_WEIGHT, Confidence, Extraction, FieldStatus, FieldValue, Flag, FlagKind,
                              ValueSource)

SECTION_OF_ROOT = {"meta": "meta", "active": "active", "applications": "applications", "review": "appeals",
                   "litigation_direct": "appeals", "litigation_after_review": "appeals", "litigation": "appeals"}

#: A model-only value that the arithmetic does not corroborate adds this much review priority.
MODEL_ONLY_WEIGHT = 1.0


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


def arithmetic_prefers(trusted: dict[str, Any], template: str, key: str, value: Any) -> bool:
    """Whether every rule touching ``key`` that the trusted cells make checkable holds with ``value``."""
    if not _rules_checkable(trusted, template, key):
        return False
    return _breaks_touching({**trusted, key: value}, template, key) == 0


def reconcile(baseline: Extraction, model: Extraction, asked: list[str]) -> Extraction:
    """Merge two extractions of the same document."""
    out = Extraction(template=baseline.template)
    out.flags = list(baseline.flags) + list(model.flags)
    out.texts = dict(model.texts)
    out.usage = dict(model.usage)
    out.quotes = dict(model.quotes)
    _merge_not_applicable(out, baseline, model)
    conflicts: list[str] = []
    for key in dict.fromkeys([*baseline.values, *model.values]):
        b = baseline.values.get(key)
        m = model.values.get(key)
        if b is not None and m is not None:
            if _equal(b.value, m.value):
                _put(out, key, b, FieldStatus.AGREED, Confidence.HIGH, b, m)
            else:
                _put(out, key, b, FieldStatus.CONFLICT, Confidence.LOW, b, m)
                conflicts.append(key)
        elif b is not None:
            asked_here = section_of(key) in asked
            high = not asked_here and b.source is not ValueSource.PROSE
            _put(out, key, b, FieldStatus.BASELINE_ONLY, Confidence.HIGH if high else Confidence.MEDIUM, b, None)
        elif m is not None and key in baseline.not_applicable:
            out.flags.append(Flag(FlagKind.CONFLICT, f"{key}: the baseline reads it as not applicable, the model "
                                                     f"reads {m.value}; not applicable kept", [key], m.span))
        elif m is not None:
            _put(out, key, m, FieldStatus.MODEL_ONLY,
                 Confidence.MEDIUM if not m.note else Confidence.LOW, None, m)
    trusted = _corroborate(out)
    _settle_conflicts(out, baseline, model, conflicts, trusted)
    _name_model_only(out)
    # Values involved in a consistency break lose confidence.
    breaks, _ = check_consistency(out.flat(), out.template)
    for br in breaks:
        for key in br.keys:
            if key in out.detail:
                out.detail[key]["confidence"] = Confidence.LOW
    out.review_priority, out.open_questions = review_priority(out, [b.as_dict() for b in breaks])
    return out


def _merge_not_applicable(out: Extraction, baseline: Extraction, model: Extraction) -> None:
    """The baseline's n/a keys stand; the model's are added only where the baseline read nothing."""
    out.not_applicable = dict(baseline.not_applicable)
    for key, span in model.not_applicable.items():
        if key in out.not_applicable:
            continue
        if key in baseline.values:
            out.flags.append(Flag(FlagKind.CONFLICT, f"{key}: the model claims it is not applicable, the baseline "
                                                     f"reads {baseline.values[key].value}; the baseline kept",
                                  [key], baseline.values[key].span))
            continue
        out.not_applicable[key] = span
        quote = model.quotes.get(key, "")
        out.detail[key] = {"value": None, "status": FieldStatus.MODEL_ONLY, "confidence": Confidence.MEDIUM,
                           "baseline": None, "model": "not applicable", "not_applicable": True,
                           "evidence": [list(span)] if span else [], "evidence_exact": None,
                           "quote": quote, "corroborated": False}


def _corroborate(out: Extraction) -> dict[str, Any]:
    """Trusted cells: the baseline's and the agreed ones, plus model-only cells the arithmetic
    over trusted cells confirms (repeated until nothing changes).  Returns the trusted flat view."""
    trusted = {k: v.value for k, v in out.values.items()
               if out.detail.get(k, {}).get("status") is not FieldStatus.MODEL_ONLY}
    pending = [k for k, d in out.detail.items() if d["status"] is FieldStatus.MODEL_ONLY and k in out.values]
    changed = True
    while changed and pending:
        changed = False
        for key in list(pending):
            value = out.values[key].value
            if arithmetic_prefers(trusted, out.template, key, value):
                trusted[key] = value
                out.detail[key]["corroborated"] = True
                pending.remove(key)
                changed = True
    return trusted


def _settle_conflicts(out: Extraction, baseline: Extraction, model: Extraction, conflicts: list[str],
                      trusted: dict[str, Any]) -> None:
    """A conflict goes to the model only when the trusted cells' arithmetic holds with its value
    and breaks with the baseline's; otherwise the baseline's reading stays, flagged if undecided."""
    for key in conflicts:
        b, m = baseline.values[key], model.values[key]
        detail = out.detail[key]
        others = {k: v for k, v in trusted.items() if k != key}
        model_fits = arithmetic_prefers(others, out.template, key, m.value)
        baseline_fits = arithmetic_prefers(others, out.template, key, b.value)
        if model_fits and not baseline_fits:
            out.values[key] = FieldValue(m.value, m.span, ValueSource.MODEL, "conflict settled by the table's arithmetic")
            trusted[key] = m.value
            detail.update(value=m.value, settled_by="arithmetic", confidence=Confidence.MEDIUM, winner="model")
            continue
        if baseline_fits and not model_fits:
            detail.update(settled_by="arithmetic", confidence=Confidence.MEDIUM, winner="baseline")
            continue
        detail.update(settled_by=None, winner=None)
        out.flags.append(Flag(FlagKind.CONFLICT, f"{key}: baseline reads {b.value}, model reads {m.value}; "
                                                 f"no consistency rule decides, baseline kept", [key], b.span))


def _name_model_only(out: Extraction) -> None:
    for key, d in out.detail.items():
        if d["status"] is FieldStatus.MODEL_ONLY:
            d.setdefault("corroborated", False)
            d["quote"] = out.quotes.get(key, d.get("quote", ""))


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
    """How urgently a person should look at this document, and what they should look at.

    Every point of priority comes with a question, so a document above 0 always says why."""
    score = 0.0
    questions: list[str] = []
    for f in ext.flags:
        score += FlagKind(f.kind).weight
        questions.append(f"{f.kind}: {f.message}")
    for br in breaks:
        score += BREAK_WEIGHT
        questions.append(f"consistency break ({br['rule']}): {br['message']}")
    for key, d in ext.detail.items():
        if d["status"] == FieldStatus.MODEL_ONLY and not d.get("corroborated"):
            score += MODEL_ONLY_WEIGHT
            what = "not applicable" if d.get("not_applicable") else f"= {d['value']}"
            quote = d.get("quote") or ""
            questions.append(f"model-only value, not read by the baseline nor confirmed by arithmetic: {key} {what}"
                             + (f" (model's quote: 「{quote[:60]}」)" if quote else ""))
        elif d["status"] == FieldStatus.CONFLICT and d.get("settled_by"):
            score += 1.0
            questions.append(f"conflict settled by arithmetic: {key} = {d['value']} "
                             f"(baseline {d['baseline']}, model {d['model']})")
    return score, questions
