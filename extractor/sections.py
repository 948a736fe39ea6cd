"""Split a report into its statutory parts and detect its template.

Headings are recognised by their wording, not by their numbering: real
reports renumber, repeat and reorder them (a department report may put its
tables under 一/二/三 after six prose parts).  Every heading starts a segment
that runs to the next heading; a part may therefore own several segments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from schemas.vocabulary import SECTION_TITLES, TEMPLATE_COLUMNS, TEMPLATE_ROWS, spaced


class SectionKind(str, Enum):
    OVERVIEW = "overview"          # 一 总体情况 / 概述
    ACTIVE = "active"              # 二 主动公开政府信息情况
    APPLICATIONS = "applications"  # 三 收到和处理政府信息公开申请情况
    FEES = "fees"                  # pre-2019: 收费及减免情况
    APPEALS = "appeals"            # 四 行政复议、行政诉讼
    PROBLEMS = "problems"          # 五 存在的主要问题及改进情况
    OTHER = "other"                # 六 其他需要报告的事项
    STATISTICS = "statistics"      # pre-2019 统计表 / 附表


SECTION_TITLES_ZH = {kind: SECTION_TITLES[kind.value] for kind in SectionKind}

_NUM = r"(?:^|(?<=[\s。；;:|>]))\s*[一二三四五六七八九十]{1,2}\s*[、.．]\s*"
_NUM_ANY = r"[一二三四五六七八九十]{1,2}\s*[、.．]\s*"

_NUM_ANY_AT = re.compile(r"(?=" + _NUM_ANY + ")")
"""Every position where a numbered heading can start (zero-width, so overlapping starts are all found)."""

_HEADING_PATTERNS: list[tuple[SectionKind, re.Pattern[str]]] = [
    (SectionKind.OVERVIEW, re.compile(_NUM_ANY + r"(?:政府信息公开工作)?(?:总体情况|(?:年度政府信息公开工作)?概述|基本情况)")),
    (SectionKind.ACTIVE, re.compile(
        _NUM_ANY + r"(?:主动公开政府信息(?:的)?(?:工作)?情况|政府信息主动公开(?:工作)?情况|主动公开工作情况|主动公开情况)")),
    (SectionKind.APPLICATIONS, re.compile(
        _NUM_ANY + r"(?:收到和处理政府信息公开申请(?:的)?情况|(?:政府信息)?依申请公开(?:政府信息)?(?:和不予公开政府信息)?(?:工作|办理)?(?:的)?情况|"
        r"依申请公开信息和不予公开政府信息的情况|政府信息公开申请(?:办理)?情况)")),
    (SectionKind.FEES, re.compile(_NUM_ANY + r"(?:政府信息公开(?:的)?)?收费及减免(?:的)?情况")),
    (SectionKind.APPEALS, re.compile(
        _NUM_ANY + r"(?:因)?(?:政府信息公开)?(?:工作)?(?:被)?(?:申请)?(?:行政复议)[^\n。]{0,16}?行政诉讼(?:的)?(?:情况)?")),
    (SectionKind.PROBLEMS, re.compile(
        _NUM_ANY + r"(?:政府信息公开(?:工作)?)?存在的(?:主要)?问题(?:及|和|与)(?:改进|下一步)[^\n。]{0,6}")),
    (SectionKind.OTHER, re.compile(_NUM_ANY + r"其他需要报告的事项")),
    (SectionKind.STATISTICS, re.compile(r"(?:政府信息公开(?:情况|数据)?统计表|附\s*表\s*[:：]|[一二三四五六七八]\s*[、.]\s*附\s*表)")),
]


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    heading: str
    start: int   # start of the heading
    body_start: int
    end: int


def find_sections(text: str) -> list[Section]:
    """All recognised headings in document order, each running to the next one."""
    hits: list[tuple[int, int, SectionKind, str]] = []
    numbered = [m.start() for m in _NUM_ANY_AT.finditer(text)]
    for kind, pattern in _HEADING_PATTERNS:
        found = pattern.finditer(text) if kind is SectionKind.STATISTICS else _matches_at(pattern, text, numbered)
        for m in found:
            start = m.start()
            if kind is SectionKind.STATISTICS:
                start = _line_or_clause_start(text, start)
            elif not _heading_context_ok(text, start):
                continue
            hits.append((start, m.end(), kind, text[start:m.end()]))
    hits.sort()
    # Drop overlapping hits (keep the earliest, longest).
    kept: list[tuple[int, int, SectionKind, str]] = []
    for hit in hits:
        if kept and hit[0] < kept[-1][1]:
            continue
        kept.append(hit)
    sections: list[Section] = []
    for i, (start, end, kind, heading) in enumerate(kept):
        stop = kept[i + 1][0] if i + 1 < len(kept) else len(text)
        sections.append(Section(kind=kind, heading=heading.strip(), start=start, body_start=end, end=stop))
    return sections


def _matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` yields, trying only ``starts`` (ascending).

    Every numbered heading pattern begins with ``_NUM_ANY``, so it can only match where
    ``_NUM_ANY_AT`` found a start: one scan of the text for that prefix replaces a full scan
    per heading pattern.  Like finditer, a match hides the starts inside it.
    """
    after = 0
    for pos in starts:
        if pos < after:
            continue
        m = pattern.match(text, pos)
        if m is not None:
            yield m
            after = m.end()


def _line_or_clause_start(text: str, pos: int) -> int:
    """A statistics-table title starts after the previous line break or sentence end (at most 40 chars back)."""
    lo = max(0, pos - 40)
    cut = max(text.rfind(ch, lo, pos) for ch in "\n。，,")
    return cut + 1 if cut >= 0 else lo


def _heading_context_ok(text: str, pos: int) -> bool:
    """A heading starts a line, follows a sentence end, or sits in run-together page text.

    It is not a heading when it is quoted inside a sentence listing the parts
    ("全文包括：总体情况、主动公开政府信息情况、…").
    """
    before = text[max(0, pos - 1):pos]
    if not before or before in "\n 。；;:|>)）”\"":
        return True
    # Run-together pages glue a heading to the previous sentence's last char.
    return "\u4e00" <= before <= "\u9fff" or before.isdigit()


def section_text(text: str, sections: list[Section], kind: SectionKind) -> str:
    """The text of every segment of one part, joined (empty if the part is absent)."""
    return "\n".join(text[s.start:s.end] for s in sections if s.kind is kind)


# ------------------------------------------------------------------ template

def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(spaced(w) for w in words))


def _count(text: str, words: tuple[str, ...], pattern: re.Pattern[str]) -> int:
    """Occurrences of the words: literal counts (fast), the whitespace-tolerant pattern only when none."""
    return sum(text.count(w) for w in words) or len(pattern.findall(text))


_COLUMNS_2019 = _alternation(TEMPLATE_COLUMNS["2019"])
_COLUMNS_2021 = _alternation(TEMPLATE_COLUMNS["2021"])
_ROWS_2021 = _alternation(TEMPLATE_ROWS["2021"])
# A 2019-only row name counts only as a table row (followed by a cell), never in a sentence
# ("在政府集中采购、行政许可等领域加大公开力度").
_ROWS_2019 = re.compile("(?:" + "|".join(spaced(w) for w in TEMPLATE_ROWS["2019"]) + r")(?=\s*(?:\||[\d/—\-]))"
                        r"|第\s*二\s*十\s*条\s*第\s*\(\s*九\s*\)\s*项")
_NEW_REGIME = re.compile(r"收到和处理政府信息公开申请|本年新收政府信息公开申请数量|国办公开办函\s*〔\s*20(?:19|21)\s*〕|政府信息公开工作年度报告格式")


def detect_template(text: str, year: int | None) -> str:
    """`2019`, `2021` or `narrative` (template_spec.md §4).

    Table markers decide; a report with the post-2019 six-part layout but no
    surviving tables is placed by its year (2019/2020 -> 2019, later -> 2021).
    """
    col2019 = _count(text, TEMPLATE_COLUMNS["2019"], _COLUMNS_2019)
    col2021 = _count(text, TEMPLATE_COLUMNS["2021"], _COLUMNS_2021)
    n2019 = col2019 + len(_ROWS_2019.findall(text))
    n2021 = col2021 + _count(text, TEMPLATE_ROWS["2021"], _ROWS_2021)
    if year is not None and year < 2019 and max(col2019, col2021) < 2:
        return "narrative"  # an old report: a word of the new tables in its prose is not a table
    if n2019 or n2021:
        return "2021" if n2021 > n2019 else "2019"
    if _NEW_REGIME.search(text) and (year is None or year >= 2019):
        if year is not None and year >= 2021:
            return "2021"
        return "2019"
    return "narrative"
