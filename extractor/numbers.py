"""Parsing of printed figures: table cells and prose counts.

Three states are kept apart everywhere (GOLD.md): a stated number, a stated
zero (``0``, ``-``, ``—``, ``——``) and "not stated" (``/``, ``空``, ``N/A``,
``不适用``, blank).  Not-applicable markers are reported as such so the
caller can record them, never as zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from schemas.vocabulary import (
    COUNT_UNIT,
    MAGNITUDE,
    MULTIPLIERS,
    NA_MARKERS,
    PROSE_DIGITS,
    SIGN,
    ZERO_MARKERS,
)


class CellState(str, Enum):
    VALUE = "value"
    NOT_APPLICABLE = "not_applicable"
    BLANK = "blank"


@dataclass(frozen=True)
class Cell:
    """One parsed table cell.  ``value`` is set only for ``CellState.VALUE``."""

    state: CellState
    value: int | float | None = None
    text: str = ""


_MULTIPLIERS = MULTIPLIERS
# The vocabulary's number grammar with its parts named: the leading figure of a cell or a count.
_NUMBER_RE = re.compile(
    rf"^(?P<sign>{SIGN})?\s*(?P<num>{PROSE_DIGITS})\s*(?P<mult>{MAGNITUDE})?\s*(?P<unit>{COUNT_UNIT})?"
)


def parse_count(text: str) -> int | float | None:
    """Parse a printed count such as ``133.6万``, ``8(含2018年结转1件)``, ``-5``, ``1,234``.

    Returns an int when the value is whole, a float otherwise, and None when
    the text does not start with a number.  The leading figure wins: a remark
    in brackets after it is ignored, as GOLD.md asks.
    """
    s = text.strip()
    if len(s) <= 15 and s.isascii() and s.isdigit():
        # The usual cell, plain digits: what the grammar below returns for it (exact below 2**53), sooner.
        return int(s)
    m = _NUMBER_RE.match(s)
    if not m:
        return None
    raw = m.group("num").replace(",", "").replace("，", "")
    value: float = float(raw)
    mult = m.group("mult")
    if mult:
        value *= _MULTIPLIERS[mult]
    if m.group("sign") == "-":
        value = -value
    return _as_number(value, is_decimal="." in raw and not mult)


def _as_number(value: float, *, is_decimal: bool) -> int | float:
    rounded = round(value)
    if not is_decimal and abs(value - rounded) < 1e-6:
        return int(rounded)
    if abs(value - rounded) < 1e-9 and not is_decimal:
        return int(rounded)
    return round(value, 6)


def parse_cell(text: str) -> Cell:
    """Parse one table cell into its state and value."""
    s = text.strip().strip("|").strip()
    if not s:
        return Cell(CellState.BLANK, None, text)
    if s in ZERO_MARKERS:
        return Cell(CellState.VALUE, 0, text)
    if s in NA_MARKERS:
        return Cell(CellState.NOT_APPLICABLE, None, text)
    value = parse_count(s)
    if value is None:
        return Cell(CellState.BLANK, None, text)
    return Cell(CellState.VALUE, value, text)


def money_to_wan(text: str) -> float | None:
    """Convert a printed amount to 万元: ``552.94亿元`` -> 5529400.0, ``251000元`` -> 25.1.

    A bare number is taken to be in 万元 already (the 2021 template's header
    says ``本年收费金额（单位：万元）``).
    """
    s = text.strip()
    m = _NUMBER_RE.match(s)
    if not m:
        return None
    number = float(m.group("num").replace(",", "").replace("，", ""))
    if m.group("sign") == "-":
        number = -number
    mult = m.group("mult")
    unit = m.group("unit")
    rest = s[m.end():]
    if mult == "亿":
        return round(number * 10_000, 6)
    if mult == "万":
        return round(number, 6)
    if unit == "元" and not rest.startswith("万"):
        return round(number / 10_000, 6)
    return round(number, 6)


_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def chinese_numeral(text: str) -> int | None:
    """A Chinese numeral as printed in prose: 十二 -> 12, 二百零六 -> 206, 三千四百六十八 -> 3468, 一万二千 -> 12000.

    A run of bare digits reads digit by digit (二〇一三 -> 2013).  None when ``text`` is not a numeral.
    """
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS and ch not in _CN_BIG for ch in text):
        return None
    if len(text) > 1 and all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)
