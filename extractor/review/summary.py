"""Health figures of a run without gold (DESIGN_NOTES §10)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


def run_health(records: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in records if not r.get("error")]
    with_tables = [r for r in ok if r.get("checks_run")]
    passing = [r for r in with_tables if not r.get("checks")]
    agree: dict[str, Counter] = defaultdict(Counter)
    values = 0
    with_evidence = 0
    exact = 0
    model_values = 0
    for r in ok:
        fields = r.get("fields") or {}
        evidence = r.get("evidence") or {}
        detail = r.get("reconciliation") or {}
        for key in fields:
            if key.startswith("meta."):
                continue
            values += 1
            if key in evidence:
                with_evidence += 1
            d = detail.get(key)
            if d:
                if d["status"] in ("agreed", "conflict"):
                    agree[key][d["status"]] += 1
                if d.get("model") is not None:
                    model_values += 1
                    exact += 1 if d.get("evidence_exact") else 0
    per_field = {k: round(c["agreed"] / (c["agreed"] + c["conflict"]), 4) for k, c in sorted(agree.items())}
    both = sum(c["agreed"] + c["conflict"] for c in agree.values())
    return {
        "documents": len(records), "failed": len(records) - len(ok),
        "documents_with_tables": len(with_tables), "tables_passing_all_rules": len(passing),
        "share_tables_passing": round(len(passing) / len(with_tables), 4) if with_tables else None,
        "values": values, "share_values_with_evidence": round(with_evidence / values, 4) if values else None,
        "model_values": model_values,
        "share_model_evidence_exact": round(exact / model_values, 4) if model_values else None,
        "agreement_overall": round(sum(c["agreed"] for c in agree.values()) / both, 4) if both else None,
        "agreement_by_field": per_field,
    }


_COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def cross_year_breaks(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """This year's 上年结转 should equal last year's 结转下年度继续办理 for the same issuer (DESIGN_NOTES §13).

    A check no single report can make; a bulk run over several years can.
    """
    by_issuer: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in records:
        f = r.get("fields") or {}
        issuer, year = f.get("meta.issuer"), f.get("meta.year")
        if not r.get("error") and issuer and isinstance(year, int):
            by_issuer[str(issuer)][year] = r
    breaks = []
    for issuer, years in sorted(by_issuer.items()):
        for year in sorted(years):
            nxt = years.get(year + 1)
            if nxt is None:
                continue
            before, after = years[year]["fields"], nxt["fields"]
            for col in _COLUMNS:
                a = before.get(f"applications.carried_forward.{col}")
                b = after.get(f"applications.carried_over.{col}")
                if a is not None and b is not None and a != b:
                    breaks.append({"issuer": issuer, "year": year, "column": col, "carried_forward": a,
                                   "next_year_carried_over": b, "paths": [years[year].get("path"), nxt.get("path")]})
    return breaks
