"""The hybrid backend: regex first; the model only where the baseline left a section open.

A numeric section is *open* when the baseline did not fill every cell the
template has, or flagged something in it, or its figures break a consistency
rule.  Prose reports have no table to be complete, so their numeric parts are
always open.  The text parts (五, 六) are always asked: regex does not read them.
"""

from __future__ import annotations

import re

from extractor.baseline import extract_baseline
from extractor.baseline.report_check import check_is_report
from extractor.checks import check_consistency
from extractor.ingest import Document
from extractor.llm.backend import LLMBackend, Session, apply_outcomes
from extractor.reconcile.merge import reconcile, section_of
from extractor.result import Extraction
from schemas import keys_for_template
from schemas.vocabulary import (
    APPLICANT_COLUMNS,
    REVIEW_KEYS,
    TABLE2_ROWS,
    table3_data_keys,
)

TEXT_SECTIONS = ("problems", "other")


def expected_keys(template: str) -> dict[str, set[str]]:
    """The cells each numeric section of an official template has."""
    active: set[str] = set()
    for row in TABLE2_ROWS:
        prefix, cols2019, cols2021 = row.prefix, row.cols_2019, row.cols_2021
        for col in (cols2021 if template == "2021" else cols2019):
            active.add(f"{prefix}.{col}")
    applications = {f"applications.{row}.{col}" for row in table3_data_keys(template) for col in APPLICANT_COLUMNS}
    return {"active": active, "applications": applications, "appeals": set(REVIEW_KEYS)}


def narrative_keys() -> dict[str, set[str]]:
    """What a prose report can state, by part (the `narrative` scope of fields.json)."""
    by_section: dict[str, set[str]] = {"active": set(), "applications": set(), "appeals": set()}
    for key in keys_for_template("narrative"):
        section = section_of(key)
        if section in by_section:
            by_section[section].add(key)
    return by_section


def open_sections(base: Extraction) -> list[str]:
    """Sections the model should be asked about, given the baseline's reading."""
    if base.template not in ("2019", "2021"):
        # A prose report has no table to be complete: a part is settled only when the
        # baseline read every figure such a report can state for it.
        have = set(base.values)
        flagged = {section_of(k) for f in base.flags for k in f.keys if section_of(k) != "meta"}
        numeric = [name for name, keys in narrative_keys().items() if not keys <= have or name in flagged]
        return [*numeric, *TEXT_SECTIONS]
    expected = expected_keys(base.template)
    prose_scope = narrative_keys()
    have = set(base.values) | set(base.not_applicable)
    breaks, _ = check_consistency(base.flat(), base.template)
    troubled = {section_of(k) for b in breaks for k in b.keys}
    troubled |= {section_of(k) for f in base.flags for k in f.keys if section_of(k) != "meta"}
    out = []
    for name, keys in expected.items():
        # A part whose table is absent altogether (lost from the page) can only state prose figures.
        table_only = keys - prose_scope[name]       # e.g. review.total is also a prose figure
        complete = keys <= have if table_only & have else prose_scope[name] <= have
        if not complete or name in troubled:
            out.append(name)
    return [*out, *TEXT_SECTIONS]


_HAS_CONTENT = re.compile(r"[\d一二三四五六七八九十零〇]|未|没有|无")


class HybridBackend(LLMBackend):
    """Baseline + model, reconciled field by field."""

    name = "hybrid"
    #: Bulk workers compute the baseline in a process pool and hand it over (CPU off the event loop).
    wants_baseline = True

    async def aextract(self, session: Session, doc: Document, only: list[str] | None = None,
                       baseline: Extraction | None = None) -> Extraction:
        check_is_report(doc.text)  # raises NotAReport before any model call
        base = baseline if baseline is not None else extract_baseline(doc)
        asked = open_sections(base)
        if only is not None:
            asked = [s for s in asked if s in only]
        outcomes = await self.fill_sections(session, doc, base, asked)  # base supplies title, year, template
        model = Extraction(template=base.template, usage=base.usage)
        apply_outcomes(model, outcomes)
        merged = reconcile(base, model, asked)
        merged.usage = {**model.usage, "asked": asked}
        self.documents += 1
        return merged
