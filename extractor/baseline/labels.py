"""Find a table's printed row labels, tolerating the wordings real pages use.

Real tables rename rows (``其他法律和行政法规禁止公开``, ``…行政机关不再受理…``),
misspell them (``三类内容事务``), drop or change their numbering, and break
them with spaces or line breaks.  A label is found by the distinguishing
characters of its row (``schemas.vocabulary.RowTerm.cores``), searched in
table order, so a word that several rows share can only land on the row
whose turn it is.  Whatever the page printed around the core (numbering,
the rest of the wording, a bracketed remark) belongs to the label, not to the
cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from schemas.vocabulary import MARKER_TOKEN, RowTerm, spaced

Span = tuple[int, int]

# Characters a label is made of (besides CJK): brackets, quotes, list punctuation, whitespace.
_LABEL_PUNCT = "()（）“”\"'‘’、,，.．:：；;《》<>"
_CELL_START = re.compile(r"\s*(?:\||[\d+\-]|" + MARKER_TOKEN + ")")


@dataclass(frozen=True)
class LabelHit:
    """Where one row's label was found (``start``..``end`` covers its numbering and whole wording)."""

    key: str | None
    start: int
    end: int


@cache
def _core_pattern(cores: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(spaced(c) for c in sorted(cores, key=len, reverse=True)))


def _is_label_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in _LABEL_PUNCT or ch.isspace()


def label_start(text: str, core_start: int, floor: int) -> int:
    """Walk back from a core over the label's own wording (never over digits: they may be cells)."""
    pos = core_start
    while pos > floor and _is_label_char(text[pos - 1]) and text[pos - 1] not in "|":
        pos -= 1
    while pos < core_start and (text[pos].isspace() or text[pos] in ".．、,，:："):
        pos += 1
    return pos


def label_end(text: str, core_end: int, limit: int) -> int:
    """Walk forward from a core over the rest of the label up to where its cells start."""
    pos = core_end
    depth = 0
    while pos < limit:
        ch = text[pos]
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and _CELL_START.match(text, pos):
            break
        elif depth == 0 and not _is_label_char(ch):
            break
        elif depth == 0 and ch == "\n" and _CELL_START.match(text, pos + 1):
            break
        pos += 1
    while pos > core_end and text[pos - 1].isspace():
        pos -= 1
    return pos


def _search(term: RowTerm, text: str, start: int, end: int,
            groups: re.Pattern[str] | None = None) -> re.Match[str] | None:
    """The first core of ``term`` in range; a data row's core inside a group label (其他 in 其他处理,
    repeated in every row when a page renders rowspan cells) does not count."""
    for m in _core_pattern(term.cores).finditer(text, start, end):
        if term.key is not None and groups is not None:
            g = groups.search(text, max(start, m.start() - 8), min(end, m.end() + 8))
            if g is not None and g.start() <= m.start() and m.end() <= g.end():
                continue
        return m
    return None


def find_row_labels(text: str, start: int, end: int, terms: tuple[RowTerm, ...]) -> list[LabelHit]:
    """Every row label of ``terms`` found in ``text[start:end]``, in table order.

    A row whose core does not occur before the next row's is taken as not
    printed (a page may drop a zero row); the search then goes on from the
    same place, so one missing row never shifts the others.
    """
    hits: list[LabelHit] = []
    cursor = start
    groups = _core_pattern(tuple(c for t in terms if t.key is None for c in t.cores))
    for i, term in enumerate(terms):
        m = _search(term, text, cursor, end, groups)
        if m is None:
            continue
        nxt = terms[i + 1] if i + 1 < len(terms) else None
        if nxt is not None:
            later = _search(nxt, text, cursor, m.start(), groups)
            if later is not None and not _shares_core(term, nxt, later):
                continue
        s = label_start(text, m.start(), cursor)
        if term.number.isdigit():  # "…0002.其他法律…": the list number belongs to the label, not the cells
            numbered = re.compile(re.escape(term.number) + r"\s*[.．、]\s*$").search(text, max(cursor, s - 4), s)
            if numbered:
                s = numbered.start()
        stop = end
        if nxt is not None:
            following = _core_pattern(nxt.cores).search(text, m.end(), end)
            if following is not None:
                stop = following.start()
        e = label_end(text, m.end(), stop)
        hits.append(LabelHit(term.key, s, e))
        cursor = e
    return hits


def _shares_core(term: RowTerm, nxt: RowTerm, m: re.Match[str]) -> bool:
    """The next row's core found first is also part of this row's own wording (e.g. 其他 in 其他处理)."""
    found = re.sub(r"\s+", "", m.group(0))
    return any(found in core for core in term.cores)
