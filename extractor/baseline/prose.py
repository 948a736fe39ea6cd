"""Figures stated in prose, and the pre-2019 statistics tables.

Only the overall figures that prose reports state are read here (the
``narrative`` keys of fields.json).  Patterns are deliberately narrow: a
figure the text does not clearly state is left absent, because a wrong value
costs the user more than a missing one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extractor.baseline.cells import read_cells
from extractor.baseline.prose_parts import (
    Cue,
    Reading,
    active_cues,
    application_part_cues,
    cues,
)
from extractor.baseline.splits import plain_splits
from extractor.result import Extraction, Flag, FlagKind
from extractor.sections import Section, SectionKind
from schemas.vocabulary import STATS_ROWS


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


def extract_prose(original: str, sections: list[Section], ext: Extraction) -> None:
    """Every narrative figure the prose states (tables, read before, win: ``setdefault``)."""
    joined = JoinedText(original)
    _active_total(joined, sections, ext)
    for cue in cues():
        _set(ext, cue.key, cue.read(joined.text), joined)
    for s in sections:
        if s.kind is SectionKind.APPLICATIONS:
            for cue in application_part_cues():
                _set(ext, cue.key, cue.read(joined.text, joined.to_joined(s.body_start), joined.to_joined(s.end)),
                     joined)


def _set(ext: Extraction, key: str, reading: Reading | None, joined: JoinedText) -> bool:
    if reading is None:
        return False
    return ext.setdefault(key, reading.value, joined.span(reading.start, reading.end), "prose")


def _active_total(joined: JoinedText, sections: list[Section], ext: Extraction) -> None:
    """主动公开 count: first in the 主动公开 part(s), then anywhere (never 累计, 上年 …)."""
    in_part, anywhere = active_cues()
    for s in sections:
        if s.kind is SectionKind.ACTIVE:
            reading = in_part.read(joined.text, joined.to_joined(s.body_start), joined.to_joined(s.end))
            if _set(ext, "active.total_items", reading, joined):
                return
    for pattern in anywhere.counts:
        if _set(ext, "active.total_items", Cue(anywhere.key, [pattern]).read(joined.text), joined):
            return


# ------------------------------------------------- pre-2019 statistics tables

_STATS_ROWS = STATS_ROWS
_STATS_UNIT = re.compile(r"\s*\|?\s*(?:万元|条|件|个|元|项|次)")
_STATS_HEAD = re.compile(r"指标名称|计量单位")


@lru_cache(maxsize=1)
def _stats_row_patterns() -> tuple[tuple[str | None, re.Pattern[str]], ...]:
    numbering = r"(?:其中\s*[:：]?\s*)?(?:\d\s*[.．、]\s*)?"
    return tuple((key, re.compile(numbering + label)) for key, label in _STATS_ROWS)


def extract_stats_table(text: str, ext: Extraction) -> None:
    """Old 《政府信息公开情况统计表》: label, unit, this year's figure [, cumulative figure]."""
    head = _STATS_HEAD.search(text)
    if head is None:
        return
    two_columns = "历年累计" in text[head.start(): head.start() + 200]
    anchors: list[tuple[int, int, str | None]] = []
    for key, label in _stats_row_patterns():
        for m in label.finditer(text[head.start():]):
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
        raw.cells = [c for c in raw.cells if c[0]]  # a table row's closing pipe is no cell
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
                ext.flags.append(Flag(FlagKind.AMBIGUOUS_SPLIT,
                                      f"statistics table row {key}: '{tokens[0]}' can be read as "
                                      f"{', '.join(f'{a}|{b}' for a, b in candidates)}", [key], raw.span))
                continue
        else:
            value = int(tokens[0])
        if key in ext.values and ext.values[key].value != value:
            ext.flags.append(Flag(FlagKind.PROSE_TABLE_DISAGREE,
                                  f"{key}: prose says {ext.values[key].value}, statistics table says {value}",
                                  [key], span))
            continue
        ext.setdefault(key, value, span, "stats_table")
