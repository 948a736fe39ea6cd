"""The vocabulary module names what reports print, once, and agrees with the field contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.baseline.cells import interpret, read_cells
from extractor.numbers import CellState, parse_cell
from schemas import FIELD_KEYS, field_spec
from schemas.vocabulary import (
    APPLICANT_COLUMNS,
    NA_MARKERS,
    REVIEW_KEYS,
    TABLE2_ROWS,
    TABLE3_ROWS,
    ZERO_MARKERS,
    fold_variants,
    table3_data_keys,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("template, n_rows", [("2019", 23), ("2021", 25)])
def test_table3_rows_are_contract_keys(template, n_rows):
    keys = table3_data_keys(template)
    assert len(keys) == n_rows
    for row in keys:
        for col in APPLICANT_COLUMNS:
            assert template in field_spec(f"applications.{row}.{col}").templates


def test_table2_and_table4_are_contract_keys():
    for row in TABLE2_ROWS:
        for template, cols in (("2019", row.cols_2019), ("2021", row.cols_2021)):
            for col in cols:
                assert template in field_spec(f"{row.prefix}.{col}").templates
    assert len(REVIEW_KEYS) == 15 and set(REVIEW_KEYS) <= set(FIELD_KEYS)


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_each_core_names_its_row_and_no_later_one(template):
    """Labels are searched in table order, so a core must not occur in any later row's official wording."""
    rows = TABLE3_ROWS[template]
    for i, row in enumerate(rows):
        for core in row.cores:
            assert core in row.label or row.key is None or any(c in row.label for c in row.cores), (row.key, core)
            for later in rows[i + 1:]:
                assert core not in later.label, (row.key, core, later.label)


def test_markers_are_one_set_for_every_reader():
    assert {"无此项", "NA", "不适用", "/", "空"} <= NA_MARKERS
    assert {"-", "—", "——", "一一"} <= ZERO_MARKERS
    assert not NA_MARKERS & ZERO_MARKERS
    for marker in NA_MARKERS:
        assert parse_cell(marker).state is CellState.NOT_APPLICABLE, marker
    for marker in ZERO_MARKERS:
        assert parse_cell(marker).value == 0, marker


@pytest.mark.parametrize("row, expected", [
    ("| 3 | 无此项 | 5 |", [3, None, 5]),
    ("| 3 | NA | 5 |", [3, None, 5]),
    ("| 一一 | 不适用 | 7 |", [0, None, 7]),
])
def test_pipe_row_with_any_marker_keeps_its_cells(row, expected):
    values = interpret(read_cells(row, 0, len(row)), 3)
    got = [c.value if c is not None and c.state is CellState.VALUE else None for c in values.cells]
    assert got == expected
    assert values.cells[1] is not None and values.cells[1].state is CellState.NOT_APPLICABLE


def test_fold_variants_is_one_for_one():
    trad = "東嶺區2019年政府信息公開工作年度報告 本年新收政府信息公開申請數量 結轉下年度繼續辦理"
    folded = fold_variants(trad)
    assert len(folded) == len(trad)
    assert folded == "东岭区2019年政府信息公开工作年度报告 本年新收政府信息公开申请数量 结转下年度继续办理"


def test_baseline_defines_no_marker_set_of_its_own():
    """Markers are vocabulary: a reader that spells its own list drifts from the others (issue 9)."""
    for path in [*(ROOT / "extractor" / "baseline").glob("*.py"), ROOT / "extractor" / "numbers.py",
                 ROOT / "extractor" / "checks.py"]:
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith(("#", "``")))
        code = re.sub(r'"""[\s\S]*?"""', "", code)
        assert "不适用" not in code and "无此项" not in code, path.name


def test_every_number_reader_reads_the_same_figure():
    """The one number grammar: cells, prose, counts and quotes agree on what a printed figure is."""
    from extractor.llm.grounding import number_tokens
    from extractor.numbers import parse_count
    from schemas.vocabulary import BARE_NUMBER, NUMBER_TOKEN, PROSE_NUMBER

    for printed, value in (("1,234", 1234), ("-5", -5), ("12.5", 12.5), ("3万", 30000)):
        assert re.fullmatch(NUMBER_TOKEN, printed), printed
        assert re.fullmatch(PROSE_NUMBER, printed.lstrip("-")), printed  # prose counts carry no sign
        assert parse_count(printed) == value
        assert number_tokens(f"行政处罚 {printed} 件") == [float(value)]
        if "万" not in printed:
            assert re.fullmatch(BARE_NUMBER, printed)
    for not_a_figure in ("一一", "N/A", "—", ",12"):
        assert not re.fullmatch(NUMBER_TOKEN, not_a_figure) and parse_count(not_a_figure) is None
