"""Shared parts of the prose reader: numbers, subjects, verbs, counters, negations, scope.

Prose reports say the same thing in many ways: ``全年共受理政府信息公开申请十二件``,
``共收到8件政府信息公开申请``, ``接到各类政府信息公开申请三十五件``,
``本局未收到公民、法人或其他组织提出的政府信息公开申请``.  Patterns written
against one document miss the next county's wording, so each figure is
described here by its parts (a subject, a verb, a count with its counter, or
a negation), and the traps are described once for all of them:

* a cumulative, previous-year or year-on-year figure in the same clause
  (``累计``, ``截至``, ``上年``, ``同比``, ``较上年增加312条``) is not this year's;
* a wider scope narrowed by ``其中`` (``全县受理行政复议案件46件，其中涉及政府信息
  公开的1件``) gives the narrow figure; a wide scope never narrowed is not read;
* dates, 文号, page numbers and percentages have no counter, so they never
  match a count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractor.numbers import chinese_numeral, parse_count
from schemas.vocabulary import COUNTERS, PROSE_NUMBER

NUM = PROSE_NUMBER


def count_value(text: str) -> int | None:
    """The integer a prose count states (arabic with 万/亿, or a Chinese numeral)."""
    s = text.strip()
    if not s:
        return None
    if s[0].isdigit():
        value = parse_count(s)
        return None if value is None else int(round(value))
    return chinese_numeral(s)


def counter(*units: str) -> str:
    """The counter after a count, e.g. counter("件", "起")."""
    return r"\s*(?:" + "|".join(units or COUNTERS) + ")"


# Context in the same clause that makes a figure not this year's own total.
STALE = re.compile(r"历年|上年|上一年|去年|同比|较上|比上|增长|增加|减少|下降|多于|少于")
# 累计 is "in all" ("2017年,市政府累计公开政务信息10180条") unless the sentence counts since earlier years.
SINCE = re.compile(r"截至|截止|以来|历年|至今")
WIDE_SCOPE = re.compile(r"全(?:省|市|县|区|州|旗|镇|乡)|各级|系统内|共计受理各类")
_NARROWED = re.compile(r"其中[^。；;]{0,30}?(?:政府)?信息公开[^。；;\d]{0,20}?" + NUM)
CLAUSE_BREAK = "。；;，,\n"
SENTENCE_BREAK = "。；;\n"


def clause_start(text: str, pos: int) -> int:
    """Start of the clause holding ``pos`` (after the previous comma or sentence end)."""
    return max(text.rfind(ch, 0, pos) for ch in CLAUSE_BREAK) + 1


def sentence_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(ch, pos) for ch in SENTENCE_BREAK) if i != -1]
    return min(ends) if ends else len(text)


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole sentence around a figure read from prose, its end mark included.

    A prose figure's own span is just the number; a reviewer needs the sentence to see
    its scope ("全市受理…500件，其中涉及政府信息公开的3件" is 3) and its negations.
    """
    begin = max(text.rfind(ch, 0, start) for ch in SENTENCE_BREAK) + 1
    while begin < start and text[begin].isspace():
        begin += 1
    stop = sentence_end(text, end)
    if stop < len(text) and text[stop] != "\n":
        stop += 1  # keep the sentence's end mark
    return begin, stop


@dataclass(frozen=True)
class Reading:
    """One figure read from prose: its value and the span of the number (or of the zero statement)."""

    value: int
    start: int
    end: int


@dataclass
class Cue:
    """How prose states one narrative figure: count patterns (with group ``n``) and zero statements."""

    key: str
    counts: list[re.Pattern[str]]
    zeros: list[re.Pattern[str]] = field(default_factory=list)
    stale_check: bool = True       # drop figures whose clause says 累计 / 上年 / 同比 …
    scope_check: bool = False      # 全县…, 其中涉及政府信息公开的 N: read the narrowed figure
    # Count-first wordings ("3件涉及政府信息公开的行政复议"), tried only just before their keyword: a pattern
    # that starts with a number would otherwise be tried at every digit of every table.
    before_keyword: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)

    def read(self, text: str, start: int = 0, end: int | None = None) -> Reading | None:
        """The earliest statement of this figure in ``text[start:end]`` (a count or a zero statement)."""
        end = len(text) if end is None else end
        best: Reading | None = None
        for pattern in self.counts:
            for m in pattern.finditer(text, start, end):
                reading = self._count(text, m)
                if reading is not None:
                    if best is None or m.start() < best.start:
                        best = Reading(reading.value, reading.start, reading.end)
                    break
        for keyword, pattern in self.before_keyword:
            at = text.find(keyword, start, end)
            while at != -1 and (best is None or at - 40 < best.start):
                near = pattern.search(text, max(start, at - 40), min(end, at + len(keyword) + 30))
                reading = self._count(text, near) if near is not None and near.end() > at else None
                if reading is not None and (best is None or reading.start < best.start):
                    best = reading
                    break
                at = text.find(keyword, at + 1, end)
        for pattern in self.zeros:
            zero = pattern.search(text, start, end)
            if zero and (best is None or zero.start() < best.start):
                best = Reading(0, zero.start(), zero.end())
        return best

    def _count(self, text: str, m: re.Match[str]) -> Reading | None:
        value = count_value(m.group("n"))
        if value is None:
            return None
        clause = text[clause_start(text, m.start()):m.start("n")]
        sentence = text[max(text.rfind(ch, 0, m.start()) for ch in SENTENCE_BREAK) + 1:m.start("n")]
        if self.stale_check and (STALE.search(clause) or ("累计" in clause and SINCE.search(sentence))):
            return None
        if _in_breakdown(text, m.start()):
            return None
        if self.scope_check:
            stop = sentence_end(text, m.end())
            narrowed = _NARROWED.search(text, m.end(), stop)
            if narrowed:
                v = count_value(narrowed.group("n"))
                if v is not None:
                    return Reading(v, narrowed.start("n"), narrowed.end("n"))
            wide = WIDE_SCOPE.search(clause)
            if wide and "信息公开" not in clause[wide.end():]:
                return None
        return Reading(value, m.start("n"), m.end("n"))


def _in_breakdown(text: str, pos: int) -> bool:
    """Inside a bracketed breakdown "(其中机构职能类信息25条, …)": a part, not the total."""
    opening = max(text.rfind("(", max(0, pos - 200), pos), text.rfind("（", max(0, pos - 200), pos))
    if opening < 0:
        return False
    closing = max(text.rfind(")", opening, pos), text.rfind("）", opening, pos))
    return closing < 0 and text[opening + 1:opening + 4].lstrip().startswith(("其中", "含", "包括"))


# ------------------------------------------------------------------ the parts

_GAP = r"[^，。；;,\n\d]{0,12}?"          # a few words inside one clause, no figure
_TOTAL = r"(?:共|共计|总计|合计|为|达|计)?\s*"
SUBJECT_APPLICATION = r"(?:(?:政府)?信息公开(?:的)?申请|依申请公开(?:政府)?(?:信息)?(?:申请)?|公开申请)"
VERB_RECEIVE = r"(?:收到|受理|接到|接收|新收)"
VERB_PUBLISH = r"(?:主动公开|公开|发布|公布|推送)"
SUBJECT_INFO = r"(?:政府|政务)?信息"
NEG = r"(?:未|没有|无)"


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=1)
def cues() -> tuple[Cue, ...]:
    """The narrative figures and the wordings that state them (the earliest statement wins)."""
    apps = counter("件", "宗", "份", "个", "项", "条")
    cases = counter("件", "起", "宗", "个")
    return (
        Cue("applications.new_received.total", [
            _c(VERB_RECEIVE + r"(?:了)?" + _GAP + SUBJECT_APPLICATION + r"(?:事项|件|量|数量|数)?" + _TOTAL + NUM + apps),
            _c(VERB_RECEIVE + _TOTAL + NUM + apps + r"(?:各类)?" + SUBJECT_APPLICATION),
            _c(r"受理依申请公开的数量为\s*" + NUM + r"\s*[件条]"),
            _c(r"共收到\s*" + NUM + r"\s*件(?:政府信息公开|信息公开)?申请"),
        ], [
            _c(NEG + r"(?:收到|接到|受理)[^。；;\d]{0,25}?" + SUBJECT_APPLICATION),
        ]),
        Cue("applications.carried_over.total", [
            _c(r"上(?:一)?年(?:度)?结转(?:的)?" + _GAP + r"(?:申请)?(?:数量)?" + _TOTAL + NUM + apps),
        ], stale_check=False),
        Cue("applications.total_processed.total", [
            _c(r"(?:共计|共|已)(?:办理|办结|答复)" + _GAP + _TOTAL + NUM + apps),
            _c(r"(?:^|(?<=[，,；;。\s]))(?:全部)?(?:办结|答复)(?:申请)?" + _TOTAL + NUM + apps),  # a clause of its own
        ]),
        Cue("applications.carried_forward.total", [
            _c(r"(?:结转|转入|转)(?:至|到)?下一?年度(?:继续)?办理(?:答复)?的?有?" + _TOTAL + NUM + apps),
        ], stale_check=False, before_keyword=[
            *[(kw, _c(NUM + apps + r"(?:申请)?(?:结转|转入|顺延)(?:至|到)?(?:下一?年度|20\d\d\s*年)"))
              for kw in ("结转", "转入", "顺延")],
        ]),
        Cue("applications.partially_granted.total", [
            _c(r"部分公开(?:答复)?(?:的)?(?:申请)?" + _TOTAL + NUM + apps),
        ]),
        Cue("applications.granted.total", [
            _c(r"(?<!部分)(?<![不否])(?:同意公开|予以公开|全部公开)(?:答复)?(?:的)?(?:申请)?" + _TOTAL + NUM + apps),
        ]),
        Cue("applications.denied_total.total", [
            _c(r"(?:不予公开|不同意公开|否决公开)(?:答复|政府信息)?(?:的)?(?:申请)?" + _TOTAL + NUM + r"\s*件"),
            _c(r"(?:不予公开|不同意公开|否决公开)(?:答复|政府信息)" + _TOTAL + NUM + r"\s*条"),
        ]),
        Cue("review.total", [
            _c(r"行政复议(?:案件|案)?(?:数为|共)?" + _TOTAL + NUM + cases),
        ], [
            _c(r"(?:未|没有)被?(?:发生|收到|出现|接到|受理|提起|产生)[^。；;，,\d]{0,30}?行政复议"),
            _c(r"无(?:因|涉及|关于)[^。；;，,\d]{0,20}?行政复议"),
        ], scope_check=True, before_keyword=[
            ("行政复议", _c(NUM + cases + r"(?:涉及政府信息公开工作的|因政府信息公开申请的?|政府信息公开)?行政复议")),
        ]),
        Cue("litigation.total", [
            _c(r"行政诉讼(?:案件|案)?(?:数为|共)?" + _TOTAL + NUM + cases),
        ], [
            _c(r"(?:未|没有)被?(?:发生|收到|出现|接到|受理|提起|产生)[^。；;，,\d]{0,30}?行政诉讼"),
            _c(r"无(?:因|涉及|关于)[^。；;，,\d]{0,30}?行政诉讼"),
            _c(r"无(?:提起)?行政诉讼(?:的)?情况"),
        ], scope_check=True, before_keyword=[
            ("行政诉讼", _c(NUM + cases + r"(?:涉及政府信息公开工作的|因政府信息公开申请的?)?行政诉讼")),
        ]),
    )


@lru_cache(maxsize=1)
def application_part_cues() -> tuple[Cue, ...]:
    """Wordings read only inside the 依申请公开 part, where a bare 申请 can only be a disclosure application."""
    return (Cue("applications.new_received.total", [
        _c(VERB_RECEIVE + r"(?:了)?(?:各类)?申请" + _TOTAL + NUM + counter("件", "宗", "份", "个", "项")),
    ]),)


@lru_cache(maxsize=1)
def active_cues() -> tuple[Cue, Cue]:
    """主动公开 total: (wordings read only inside the 主动公开 part, wordings read anywhere)."""
    items = counter("条")
    anywhere = Cue("active.total_items", [
        _c(r"(?<!应)主动公开" + r"[^，。；;,\n\d]{0,10}?" + SUBJECT_INFO + r"(?:总量|总数|数量)?" + _TOTAL + NUM + items),
        _c(r"(?<!申请)(?<!依)公开(?:各类|了)?(?:政府|政务)信息" + _TOTAL + NUM + items),
        _c(r"(?:公布|发布)(?:各类|了)?(?:政府|政务)信息" + _TOTAL + NUM + items),
    ])
    in_part = Cue("active.total_items", [
        *anywhere.counts,
        _c(r"(?<![应动])" + VERB_PUBLISH + r"(?:各类|了)?" + r"[^，。；;,\n\d]{0,10}?" + SUBJECT_INFO + _TOTAL + NUM + counter("条", "件")),
    ])
    return in_part, anywhere
