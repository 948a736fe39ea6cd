"""Figures stated in prose, and the pre-2019 statistics tables.

Only the overall figures that prose reports state are read here (the
``narrative`` keys of fields.json).  Patterns are deliberately narrow: a
figure the text does not clearly state is left absent, because a wrong value
costs the user more than a missing one.
"""

from __future__ import annotations

import re

from extractor.baseline.cells import read_cells
from extractor.baseline.splits import plain_splits
from extractor.numbers import parse_count
from extractor.result import Extraction, Flag
from extractor.sections import Section, SectionKind

_N = r"(?P<n>\d[\d,]*(?:\.\d+)?\s*万?)"
_SEP = r"[^，。；;,\n\d]"

# (key, pattern, zero_when_matched)
_ACTIVE_PRIMARY = [
    re.compile(r"(?<!历年)(?<!累计)(?<!应)主动公开" + _SEP + r"{0,10}?(?:政府|政务)信息(?:共|共计)?\s*" + _N + r"\s*条"),
    re.compile(r"(?<!申请)(?<!依)公开(?:各类|了)?(?:政府|政务)信息(?:共|共计)?\s*" + _N + r"\s*条"),
    re.compile(r"公布(?:政府|政务)信息(?:共|共计)?\s*" + _N + r"\s*条"),
]
_ACTIVE_SECTION_ONLY = [
    re.compile(r"发布(?:政府|政务)?信息(?:共|共计)?\s*" + _N + r"\s*[条件]"),
]

_RECEIVED = [
    re.compile(r"(?:收到|新收|受理)(?:了)?(?:有关)?(?:政府信息公开|信息公开)申请(?:件|量|数量|数)?(?:为)?(?:共|共计)?\s*" + _N + r"\s*件"),
    re.compile(r"受理依申请公开(?:政府)?信息\s*" + _N + r"\s*件"),
    re.compile(r"共收到\s*" + _N + r"\s*件(?:政府信息公开|信息公开)?申请"),
    re.compile(r"受理依申请公开的数量为\s*" + _N + r"\s*[件条]"),
]
_RECEIVED_ZERO = [
    re.compile(r"(?:未|没有)收到(?:有关|任何)?(?:政府信息公开|信息公开)(?:的)?申请"),
]
_CARRIED_OVER = [re.compile(r"上年(?:度)?结转(?:的)?(?:政府信息公开)?申请(?:数量)?(?:为)?\s*" + _N + r"\s*件")]
_PROCESSED = [re.compile(r"(?:本年度)?(?:共计|共)办理\s*" + _N + r"\s*件")]
_CARRIED_FORWARD = [
    re.compile(r"结转下年度(?:继续)?办理\s*" + _N + r"\s*件"),
    re.compile(r"转下一?年度办理(?:答复)?的?有?\s*" + _N + r"\s*件"),
]
_DENIED = [re.compile(r"不予公开(?:答复|政府信息)\s*" + _N + r"\s*[件条]")]
_REVIEW = [
    re.compile(r"行政复议(?:案件|案)?(?:数为|共)?\s*" + _N + r"\s*(?:件|起)"),
    re.compile(_N + r"\s*(?:件|起)(?:涉及政府信息公开工作的|因政府信息公开申请的?|政府信息公开)?行政复议"),
]
_REVIEW_ZERO = [re.compile(r"未(?:收到|发生)" + r"[^。；\d]{0,20}?行政复议")]
_LITIGATION = [
    re.compile(r"行政诉讼(?:案件|案)?(?:数为|共)?\s*" + _N + r"\s*(?:件|起)"),
    re.compile(_N + r"\s*(?:件|起)(?:涉及政府信息公开工作的|因政府信息公开申请的?)?行政诉讼"),
]
_LITIGATION_ZERO = [
    re.compile(r"未(?:收到|发生)[^。；\d]{0,30}?行政诉讼"),
    re.compile(r"无(?:提起)?行政诉讼(?:的)?情况"),
]


class JoinedText:
    """Text with line breaks inside sentences removed (PDF text breaks lines mid-word).

    ``pos[i]`` is the offset in the original text of ``text[i]``, so spans map back.
    """

    _BREAK = re.compile(r"[ \t]*\n[ \t]*")

    def __init__(self, original: str) -> None:
        parts: list[str] = []
        pos: list[int] = []
        last = 0
        for m in self._BREAK.finditer(original):
            before = original[m.start() - 1] if m.start() > 0 else ""
            after = original[m.end()] if m.end() < len(original) else ""
            if _joinable(before) and _joinable(after):
                parts.append(original[last:m.start()])
                pos.extend(range(last, m.start()))
                last = m.end()
        parts.append(original[last:])
        pos.extend(range(last, len(original)))
        self.text = "".join(parts)
        self.pos = pos
        self.original_length = len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        if start >= len(self.pos):
            return (self.original_length, self.original_length)
        return (self.pos[start], self.pos[end - 1] + 1 if end > start else self.pos[start])

    def to_joined(self, original_offset: int) -> int:
        import bisect

        return bisect.bisect_left(self.pos, original_offset)


def _joinable(ch: str) -> bool:
    return bool(ch) and ("\u4e00" <= ch <= "\u9fff" or ch.isdigit() or ch in "，、（）()“”")


def _value(m: re.Match[str]) -> int | None:
    v = parse_count(m.group("n"))
    if v is None:
        return None
    return int(round(v))


def _first(patterns: list[re.Pattern[str]], text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    end = len(text) if end is None else end
    best: re.Match[str] | None = None
    for p in patterns:
        m = p.search(text, start, end)
        if m and (best is None or m.start() < best.start()):
            best = m
    return best


def _set_from(ext: Extraction, key: str, m: re.Match[str] | None, joined: JoinedText, *, zero: bool = False) -> bool:
    if m is None:
        return False
    if zero:
        return ext.setdefault(key, 0, joined.span(m.start(), m.end()), "prose")
    v = _value(m)
    if v is None:
        return False
    return ext.setdefault(key, v, joined.span(m.start("n"), m.end("n")), "prose")


# key, patterns stating a count, patterns stating "none" (read as 0); the earlier statement wins
_COUNTS: list[tuple[str, list[re.Pattern[str]], list[re.Pattern[str]]]] = [
    ("applications.new_received.total", _RECEIVED, _RECEIVED_ZERO),
    ("applications.carried_over.total", _CARRIED_OVER, []),
    ("applications.total_processed.total", _PROCESSED, []),
    ("applications.carried_forward.total", _CARRIED_FORWARD, []),
    ("applications.denied_total.total", _DENIED, []),
    ("review.total", _REVIEW, _REVIEW_ZERO),
    ("litigation.total", _LITIGATION, _LITIGATION_ZERO),
]


def extract_prose(original: str, sections: list[Section], ext: Extraction) -> None:
    joined = JoinedText(original)
    _active_total(joined, sections, ext)
    for key, count_patterns, none_patterns in _COUNTS:
        count = _first(count_patterns, joined.text)
        none = _first(none_patterns, joined.text) if none_patterns else None
        if count and (none is None or count.start() < none.start()):
            _set_from(ext, key, count, joined)
        elif none:
            _set_from(ext, key, none, joined, zero=True)


def _active_total(joined: JoinedText, sections: list[Section], ext: Extraction) -> None:
    """主动公开 count: first in the 主动公开 part(s), then anywhere (never 历年累计)."""
    text = joined.text
    for s in sections:
        if s.kind is SectionKind.ACTIVE:
            m = _first(_ACTIVE_PRIMARY + _ACTIVE_SECTION_ONLY, text, joined.to_joined(s.body_start), joined.to_joined(s.end))
            if m and _set_from(ext, "active.total_items", m, joined):
                return
    for group in (_ACTIVE_PRIMARY[:1], _ACTIVE_PRIMARY[1:]):
        m = _first(group, text)
        if m and _set_from(ext, "active.total_items", m, joined):
            return


# ------------------------------------------------- pre-2019 statistics tables

_STATS_ROWS: list[tuple[str | None, str]] = [
    ("active.total_items", r"主动公开(?:政府)?(?:信息|文件)(?:总)?数"),
    (None, r"(?:政府)?网站公开(?:数)?"),
    (None, r"政府公报公开(?:数)?"),
    ("applications.new_received.total", r"受理(?:依申请公开信息|政府信息公开申请|依申请公开申请)总数"),
    (None, r"当面申请(?:数|书)"),
    (None, r"传真申请数"),
    (None, r"电子邮件申请数"),
    (None, r"网上申请数"),
    (None, r"网络申请数"),
    (None, r"信函[、,，]?\s*(?:传真)?申请数"),
    (None, r"其[它他]形式申请数"),
    ("applications.total_processed.total", r"对申请的答复总?数"),
    ("applications.granted.total", r"(?<!部分)同意公开答复数"),
    ("applications.partially_granted.total", r"同意部分公开答复数"),
    ("applications.denied_total.total", r"(?:否决公开答复|不予公开答复|不同意公开答复)总?数"),
    (None, r"其他类型答复数"),
    (None, r"政府信息公开收费减免金额"),
    (None, r"接受行政(?:诉讼|申诉)[、,，]?举报数"),
    ("review.total", r"行政复议数"),
    ("litigation.total", r"行政诉讼数"),
    (None, r"行政申诉数"),
]
_STATS_UNIT = re.compile(r"\s*(?:条|件|个|元|项|次)")
_STATS_HEAD = re.compile(r"指标名称|计量单位")


def extract_stats_table(text: str, ext: Extraction) -> None:
    """Old 《政府信息公开情况统计表》: label, unit, this year's figure [, cumulative figure]."""
    head = _STATS_HEAD.search(text)
    if head is None:
        return
    two_columns = "历年累计" in text[head.start(): head.start() + 200]
    numbering = r"(?:其中\s*[:：]?\s*)?(?:\d\s*[.．、]\s*)?"
    anchors: list[tuple[int, int, str | None]] = []
    for key, label in _STATS_ROWS:
        for m in re.finditer(numbering + label, text[head.start():]):
            s = head.start() + m.start()
            anchors.append((s, head.start() + m.end(), key))
    anchors.sort()
    dedup: list[tuple[int, int, str | None]] = []
    for a in anchors:
        if dedup and a[0] < dedup[-1][1]:
            continue
        dedup.append(a)
    for i, (_start, a1, key) in enumerate(dedup):
        if key is None:
            continue
        limit = dedup[i + 1][0] if i + 1 < len(dedup) else len(text)
        unit = _STATS_UNIT.match(text, a1, limit)
        if unit is None:
            continue
        raw = read_cells(text, unit.end(), limit)
        tokens = [t for t, _ in raw.cells]
        if not tokens or not all(re.fullmatch(r"\d+", t) for t in tokens):
            continue
        span = raw.cells[0][1]
        if two_columns and len(tokens) == 1:
            candidates = [c for c in plain_splits(tokens[0], 2) if c[1] >= c[0]]
            firsts = sorted({c[0] for c in candidates})
            if len(firsts) == 1:
                value = firsts[0]
            else:
                stated = ext.values.get(key)
                if stated is not None and stated.value in firsts:
                    continue  # prose already states it and the table agrees
                ext.flags.append(Flag("ambiguous_split",
                                      f"statistics table row {key}: '{tokens[0]}' can be read as "
                                      f"{', '.join(f'{a}|{b}' for a, b in candidates)}", [key], raw.span))
                continue
        else:
            value = int(tokens[0])
        if key in ext.values and ext.values[key].value != value:
            ext.flags.append(Flag("prose_table_disagree",
                                  f"{key}: prose says {ext.values[key].value}, statistics table says {value}",
                                  [key], span))
            continue
        ext.setdefault(key, value, span, "stats_table")
