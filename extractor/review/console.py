"""The terminal spot-check (``extractor inspect``): a report's fields with their status and the text
around each value, narrowed to what a person should look at (``--only``) or to one part of the
report (``--section``), because 900 lines for one report is not a spot-check."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from extractor.review.html import field_rows

STATUS_STYLE = {"agreed": "green", "baseline_only": "cyan", "extracted": "cyan", "model_only": "magenta",
                "conflict": "bold red", "flagged": "bold yellow"}

# The report's parts as a reader numbers them (二 主动公开, 三 申请, 四 复议/诉讼) -> key prefixes.
SECTION_PREFIXES: dict[str, tuple[str, ...]] = {
    "meta": ("meta",),
    "2": ("active",),
    "3": ("applications",),
    "4": ("review", "litigation_direct", "litigation_after_review", "litigation"),
}
SECTION_ALIASES = {"二": "2", "三": "3", "四": "4", "active": "2", "applications": "3", "appeals": "4", "0": "meta"}
ONLY = ("flagged", "conflicts")


def section_of(name: str) -> tuple[str, ...]:
    """Key prefixes of a part given as 2/3/4, 二/三/四, a section name or ``meta``; ValueError otherwise."""
    key = SECTION_ALIASES.get(name.strip(), name.strip())
    if key not in SECTION_PREFIXES:
        raise ValueError(f"unknown section {name!r}: use 2 (主动公开), 3 (申请), 4 (复议/诉讼) or meta")
    return SECTION_PREFIXES[key]


def needs_a_look(row: dict[str, Any]) -> bool:
    """A field a reviewer should see: a conflict, a broken rule, a flag, or low/medium confidence."""
    return (row["status"] in ("conflict", "flagged", "model_only") or row["in_break"] or row["flagged"]
            or row["confidence"] in ("low", "medium"))


def select_rows(record: dict[str, Any], *, only: str | None = None,
                section: str | None = None) -> list[dict[str, Any]]:
    """The field rows to show, in review order."""
    rows = field_rows(record)
    if section is not None:
        prefixes = section_of(section)
        rows = [r for r in rows if r["key"].split(".")[0] in prefixes]
    if only == "conflicts":
        rows = [r for r in rows if r["status"] == "conflict"]
    elif only == "flagged":
        rows = [r for r in rows if needs_a_look(r)]
    elif only is not None:
        raise ValueError(f"--only takes {' or '.join(ONLY)}")
    return rows


def around(text: str, span: list[int] | tuple[int, int] | None, context: int) -> str:
    """The evidence in brackets with ``context`` characters either side, on one line."""
    if not span:
        return ""
    s, e = span[0], span[1]
    return (text[max(0, s - context):s] + "[" + text[s:e] + "]" + text[e:e + context]).replace("\n", "⏎")


def fields_table(text: str, record: dict[str, Any], rows: list[dict[str, Any]], *, title: str,
                 context: int) -> Table:
    """A rich table: key, label, value, coloured status, and the text around the value."""
    table = Table(title=title)
    table.add_column("field", no_wrap=True)  # keys stay whole, so they can be copied
    for col in ("label", "value", "status", "evidence"):
        table.add_column(col, overflow="fold")
    for r in rows:
        style = "bold red" if r["in_break"] and r["status"] != "conflict" else STATUS_STYLE.get(r["status"], "")
        status = r["status"] + (f" ({r['confidence']})" if r["confidence"] else "") + (" · break" if r["in_break"] else "")
        table.add_row(r["key"], r["label"], "" if r["value"] is None else str(r["value"]),
                      f"[{style}]{status}[/]" if style else status,
                      around(text, r["evidence"][0] if r["evidence"] else None, context))
    return table
