"""Is this text a 政府信息公开工作年度报告 at all?

A weather notice or a page of random text decodes fine and goes through every
reader without a figure, so without this check it would come out with no
error, no flags and review priority 0 — "nothing to see" where the truth is
"this is not what you think it is".  The check looks for what every report
has at least one of: a report title, two of its statutory parts, one of its
tables, or a sentence stating a disclosure figure.  It is deliberately
lenient (a fragment of a real report passes); what it refuses has none of
these.
"""

from __future__ import annotations

import re

from extractor.baseline.meta import find_title
from extractor.errors import NotAReport
from extractor.sections import find_sections
from schemas.vocabulary import REPORT_KIND, fold_variants, spaced

_TABLE_MARKS = re.compile(
    spaced("本年新收政府信息公开申请") + "|" + r"第\s*二\s*十\s*条\s*第\s*\(\s*[一五六八九]\s*\)\s*项"
    + r"|指标名称|政府信息公开情况统计表")
_FIGURE_SENTENCE = re.compile(
    r"(?:主动公开|依申请公开|信息公开申请|公开申请|政府信息|政务信息)[^。；;\n]{0,30}?"
    r"(?:\d|[一二两三四五六七八九十百千万]+\s*[件条宗个项份起])")
_ANY_DISCLOSURE_WORD = re.compile(r"信息公开|政务公开|主动公开|依申请公开")


def check_is_report(text: str) -> None:
    """Raise ``NotAReport`` when the text has nothing of a disclosure annual report."""
    if find_title(text)[0] is not None:  # the common case, decided without folding
        return
    folded = fold_variants(text)
    if not _ANY_DISCLOSURE_WORD.search(folded):
        raise NotAReport(f"not a {REPORT_KIND}: the text never mentions 政府信息公开 / 主动公开 / 依申请公开")
    if find_title(folded)[0] is not None or _TABLE_MARKS.search(folded) or _FIGURE_SENTENCE.search(folded):
        return
    kinds = {s.kind for s in find_sections(folded)}
    if len(kinds) >= 2:
        return
    raise NotAReport(f"not a {REPORT_KIND}: no report title, none of its tables, fewer than two of its parts "
                     "(一 总体情况 … 六 其他需要报告的事项) and no disclosure figure were found")
