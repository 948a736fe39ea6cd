"""Recover cells from digits that a page printed run together.

``一、本年新收政府信息公开申请数量640020470`` holds seven cells.  Which seven
is decided by the tables' own arithmetic: the row total equals the sum of the
six applicant columns, each 行政复议/诉讼 group total equals its four parts,
and (across rows, see ``tables``) each column balances.  Functions here list
every split that survives; the caller keeps a value only when all survivors
agree on it.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_CELL_DIGITS = 9
MAX_CANDIDATES = 5000


def _valid(piece: str) -> bool:
    return bool(piece) and len(piece) <= MAX_CELL_DIGITS and (piece == "0" or piece[0] != "0")


def plain_splits(digits: str, parts: int, limit: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Every way to cut ``digits`` into ``parts`` printed numbers (no leading zeros)."""
    out: list[tuple[int, ...]] = []

    def rec(pos: int, acc: list[int]) -> None:
        if len(out) >= limit:
            return
        left = parts - len(acc)
        if left == 0:
            if pos == len(digits):
                out.append(tuple(acc))
            return
        remaining = len(digits) - pos
        if remaining < left or remaining > left * MAX_CELL_DIGITS:
            return
        for length in range(1, min(MAX_CELL_DIGITS, remaining - left + 1) + 1):
            piece = digits[pos:pos + length]
            if not _valid(piece):
                if piece[0] == "0":
                    break
                continue
            acc.append(int(piece))
            rec(pos + length, acc)
            acc.pop()

    rec(0, [])
    return out


def total_splits(digits: str, addends: int, limit: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Cuts into ``addends`` numbers followed by their sum (a table row with its 总计)."""
    out: list[tuple[int, ...]] = []
    n = len(digits)
    for total_len in range(1, min(MAX_CELL_DIGITS, n - addends) + 1):
        total_str = digits[n - total_len:]
        if not _valid(total_str):
            continue
        total = int(total_str)
        prefix = digits[: n - total_len]
        for combo in _sum_splits(prefix, addends, total):
            out.append(combo + (total,))
            if len(out) >= limit:
                return out
    return out


def _sum_splits(digits: str, parts: int, target: int) -> Iterator[tuple[int, ...]]:
    acc: list[int] = []

    def rec(pos: int, running: int) -> Iterator[tuple[int, ...]]:
        left = parts - len(acc)
        remaining = len(digits) - pos
        if left == 0:
            if pos == len(digits) and running == target:
                yield tuple(acc)
            return
        if remaining < left or remaining > left * MAX_CELL_DIGITS:
            return
        for length in range(1, min(MAX_CELL_DIGITS, remaining - left + 1) + 1):
            piece = digits[pos:pos + length]
            if not _valid(piece):
                if piece[0] == "0":
                    break
                continue
            value = int(piece)
            if running + value > target:
                break
            acc.append(value)
            yield from rec(pos + length, running + value)
            acc.pop()

    yield from rec(0, 0)


def grouped_total_splits(digits: str, groups: int, addends: int, limit: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Cuts into ``groups`` consecutive blocks of (addends..., total): the 15 cells of table 四."""
    out: list[tuple[int, ...]] = []

    def rec(pos: int, acc: tuple[int, ...], left: int) -> None:
        if len(out) >= limit:
            return
        if left == 0:
            if pos == len(digits):
                out.append(acc)
            return
        width = addends + 1
        for end in range(pos + width, min(len(digits), pos + width * MAX_CELL_DIGITS) + 1):
            remaining = len(digits) - end
            if remaining < (left - 1) * width:
                break
            for block in total_splits(digits[pos:end], addends):
                rec(end, acc + block, left - 1)

    rec(0, (), groups)
    return out


def agreed_cells(candidates: list[tuple[int, ...]]) -> list[int | None]:
    """Per cell: the value every candidate agrees on, else None."""
    if not candidates:
        return []
    width = len(candidates[0])
    return [candidates[0][i] if all(c[i] == candidates[0][i] for c in candidates) else None for i in range(width)]
