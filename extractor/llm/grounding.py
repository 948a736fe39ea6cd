"""Whether a model's quote proves the values it gives: the check that makes a quote mean something.

A quote must occur in the section text the model was sent (``answers.locate_quote``);
this module decides whether the quote *prints* the row's values:

* every value is one number token of the quote (``3100`` is not grounded by
  "行政处罚31 行政强制0": no token reads 3100), and a row's values appear in
  column order (a model that swaps two cells of a printed row is caught);
* or, for a run-together row (``…申请数量640020470``), the row's values written
  one after another in column order are exactly one digit run of the quote, so
  a model that reads such a row correctly can prove it and one that misreads
  it cannot;
* a 0 is grounded by a 0 token or a printed zero marker (``—``), or, for a
  single figure, by a negation in prose (``未收到``) — not by a ``0`` digit
  inside another number, nor by the ``无`` of ``无法提供``;
* a quote that names another row of the section and not this one grounds
  nothing (the model put a row's figures under another row's name).

A "not applicable" claim is grounded when its quote is in the text and prints
an n/a marker (``/``, ``不适用``, ``无此项`` ...).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel

from extractor.numbers import money_to_wan, parse_count
from schemas.vocabulary import DIGITS, MAGNITUDE, NA_MARKERS, SIGN, ZERO_MARKERS

#: The characters that name each row in the official tables, by section and row.
#: A row's label is matched when any of its names occurs in the (normalised) quote.
ROW_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "active": {
        "rules": ("规章",), "normative_docs": ("规范性文件",), "licensing": ("行政许可",),
        "other_services": ("其他对外管理服务",), "penalty": ("行政处罚",), "coercion": ("行政强制",),
        "fees": ("事业性收费",), "procurement": ("集中采购",),
    },
    "applications": {
        "new_received": ("本年新收",), "carried_over": ("上年结转",), "granted": ("予以公开",),
        "partially_granted": ("部分公开",), "denied_state_secret": ("国家秘密",),
        "denied_prohibited_by_law": ("禁止公开",), "denied_safety_stability": ("三安全一稳定", "三安全"),
        "denied_third_party": ("第三方",), "denied_internal_affairs": ("内部事务",),
        "denied_process_info": ("过程性信息",), "denied_enforcement_file": ("执法案卷",),
        "denied_admin_query": ("行政查询",), "unavailable_not_held": ("不掌握",),
        "unavailable_needs_creation": ("另行制作",), "unavailable_unclear": ("仍不明确",),
        "rejected_complaint": ("信访",), "rejected_repeated": ("重复申请",),
        "rejected_publication": ("出版物",), "rejected_excessive": ("大量反复",),
        "rejected_confirmation": ("重新出具",), "other_no_correction": ("逾期不补正",),
        "other_unpaid_fee": ("缴纳费用",), "carried_forward": ("结转下年",),
    },
    "appeals": {
        "review": ("行政复议",), "litigation_direct": ("直接起诉",), "litigation_after_review": ("复议后起诉",),
    },
}

# A quote's figures are read tight (NFKC text, so ``－`` is already ``-``): a figure, 万/亿 and 元 written
# against it.  Units and remarks are left out so every figure inside a remark is a token of its own.
_NUMBER = re.compile(rf"{SIGN}?{DIGITS}{MAGNITUDE}?元?")
_ZERO_CELL = re.compile("(?:^|[\\s|｜])(?:" + "|".join(re.escape(m) for m in sorted(ZERO_MARKERS, key=len, reverse=True))
                        + ")(?=$|[\\s|｜])")
_NEGATION = re.compile(r"未(?:收到|发生|产生|出现|涉及|接到|受理|办理|有)|没有|(?:^|[，,。；;：:\s])无(?![法此正])|均为零|为零")
_NA_CELL = re.compile("(?:^|[\\s|｜（(])(?:" + "|".join(re.escape(m) for m in sorted(NA_MARKERS, key=len, reverse=True))
                      + ")(?=$|[\\s|｜）)])")


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _equal(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def number_tokens(quote: str) -> list[float]:
    """The numbers a quote prints, in order, each read whole (``133.6万`` is 1336000; money also in 万元)."""
    out: list[float] = []
    for m in _NUMBER.finditer(_plain(quote)):
        token = m.group(0).replace("－", "-")
        count = parse_count(token)
        if count is not None:
            out.append(float(count))
    return out


def _token_matches(value: float, quote: str) -> list[int]:
    """Positions of the quote's number tokens that read ``value`` (as a count, or as money in 万元)."""
    hits = []
    for i, m in enumerate(_NUMBER.finditer(_plain(quote))):
        token = m.group(0).replace("－", "-")
        for parsed in (parse_count(token), money_to_wan(token)):
            if parsed is not None and _equal(float(parsed), float(value)):
                hits.append(i)
                break
    return hits


def _prints_zero(quote: str, *, single: bool) -> bool:
    if 0.0 in number_tokens(quote):
        return True
    plain = _plain(quote)
    if _ZERO_CELL.search(plain):
        return True
    return single and bool(_NEGATION.search(plain))


def _written(value: Any) -> str:
    v = float(value)
    return str(int(v)) if v.is_integer() else repr(v)


def run_together(values: list[Any], quote: str) -> bool:
    """Whether the values, written one after another, are a whole digit run of the quote.

    The run may be followed by the next row's numbering (``…00000002.其他…``) — a digit
    and a dot — but never by more of the same run, so a dropped or shifted digit fails.
    """
    if len(values) < 2:
        return False
    joined = "".join(_written(v) for v in values)
    compact = re.sub(r"[\s|｜,，]", "", _plain(quote))
    pattern = re.compile(r"(?<![\d.])" + re.escape(joined) + r"(?:(?![\d.])|(?=[1-9]\d?[.、．](?!\d)))")
    return bool(pattern.search(compact))


def values_grounded(values: list[Any], quote: str) -> list[Any]:
    """The values the quote does not print (empty: grounded).  ``values`` are one row's, in column order."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not numbers:
        return []
    if run_together(numbers, quote):
        return []
    missing: list[Any] = []
    last = -1
    in_order = True
    single = len(numbers) == 1
    for v in numbers:
        if v == 0 and _prints_zero(quote, single=single):
            continue
        hits = _token_matches(v, quote)
        if not hits:
            missing.append(v)
            continue
        later = [h for h in hits if h > last]
        if later:
            last = later[0]
        else:
            in_order = False
    if not missing and not in_order:
        return [numbers[-1]]
    return missing


def row_values(value: Any) -> list[Any]:
    """A row's values in column order (a sub-model's fields, or a scalar alone)."""
    if isinstance(value, BaseModel):
        return [v for _name, v in value if v is not None and not isinstance(v, list)]
    return [value]


def names_other_row(section: str, row: str, quote: str) -> str | None:
    """Another row of the section that the quote names while not naming ``row`` (None when fine)."""
    names = ROW_NAMES.get(section)
    if not names or row not in names:
        return None
    compact = re.sub(r"\s", "", _plain(quote))
    if any(n in compact for n in names[row]):
        return None
    for other, labels in names.items():
        if other != row and any(n in compact for n in labels):
            return other
    return None


def why_ungrounded(section: str, row: str, value: Any, quote: str) -> str | None:
    """Why this row's quote does not prove its values (None: it does)."""
    other = names_other_row(section, row, quote)
    if other is not None:
        return f"摘录是另一行（{other}）的内容"
    missing = values_grounded(row_values(value), quote)
    if missing:
        return f"摘录中没有数值 {', '.join(str(m) for m in missing[:5])}"
    return None


def prints_not_applicable(quote: str) -> bool:
    """Whether a quote prints an n/a marker as a cell (``/``, ``不适用``, ``无此项`` ...)."""
    plain = _plain(quote)
    if _NA_CELL.search(plain):
        return True
    return any(m in plain for m in NA_MARKERS if len(m) >= 2 and not m.isascii())
