"""Consistency rules of the official tables (GOLD.md), run on every extraction.

A break is reported with the cells involved; nothing is "fixed".  A rule is
only checked when every cell it needs was stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemas.vocabulary import (APPEAL_GROUPS, APPLICANT_COLUMNS, BALANCE_ROWS, OUTCOME_COLUMNS, RESULT_ROWS_2019,
                                RESULT_ROWS_2021)


@dataclass(frozen=True)
class Break:
    rule: str
    message: str
    keys: tuple[str, ...]
    expected: float
    found: float

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "keys": list(self.keys),
                "expected": self.expected, "found": self.found}


def _get(flat: dict[str, Any], keys: list[str]) -> list[Any] | None:
    vals = [flat.get(k) for k in keys]
    return None if any(v is None for v in vals) else vals


def check_consistency(flat: dict[str, Any], template: str) -> tuple[list[Break], int]:
    """(breaks, number of rules that could be checked)."""
    breaks: list[Break] = []
    checked = 0
    if template not in ("2019", "2021"):
        return breaks, checked
    result_rows = RESULT_ROWS_2021 if template == "2021" else RESULT_ROWS_2019
    for col in APPLICANT_COLUMNS:
        keys = [f"applications.{r}.{col}" for r in BALANCE_ROWS]
        vals = _get(flat, keys)
        if vals is not None:
            checked += 1
            if vals[0] + vals[1] != vals[2] + vals[3]:
                breaks.append(Break("balance", f"{col}: 一 + 二 = {vals[0] + vals[1]} but 三(七) + 四 = {vals[2] + vals[3]}",
                                    tuple(keys), vals[0] + vals[1], vals[2] + vals[3]))
        keys = [f"applications.{r}.{col}" for r in result_rows]
        total_key = f"applications.total_processed.{col}"
        vals = _get(flat, keys + [total_key])
        if vals is not None:
            checked += 1
            if sum(vals[:-1]) != vals[-1]:
                breaks.append(Break("results_sum", f"{col}: result rows add up to {sum(vals[:-1])} but (七)总计 is {vals[-1]}",
                                    tuple(keys + [total_key]), sum(vals[:-1]), vals[-1]))
    rows = ["new_received", "carried_over", *result_rows, "total_processed", "carried_forward"]
    for row in rows:
        keys = [f"applications.{row}.{c}" for c in APPLICANT_COLUMNS]
        vals = _get(flat, keys)
        if vals is not None:
            checked += 1
            if sum(vals[:6]) != vals[6]:
                breaks.append(Break("row_total", f"{row}: applicant columns add up to {sum(vals[:6])} but 总计 is {vals[6]}",
                                    tuple(keys), sum(vals[:6]), vals[6]))
    for group in APPEAL_GROUPS:
        keys = [f"{group}.{c}" for c in OUTCOME_COLUMNS]
        vals = _get(flat, keys)
        if vals is not None:
            checked += 1
            if sum(vals[:4]) != vals[4]:
                breaks.append(Break("appeal_total", f"{group}: 维持+纠正+其他+尚未审结 = {sum(vals[:4])} but 总计 is {vals[4]}",
                                    tuple(keys), sum(vals[:4]), vals[4]))
    return breaks, checked
