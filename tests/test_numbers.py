from hypothesis import given
from hypothesis import strategies as st

from extractor.numbers import CellState, chinese_numeral, money_to_wan, parse_cell, parse_count


def test_plain_and_signed_counts():
    assert parse_count("7522") == 7522
    assert parse_count("-105") == -105
    assert parse_count("+1036") == 1036
    assert parse_count("1,234") == 1234


def test_wan_and_yi_multiplied_out():
    assert parse_count("133.6万") == 1336000
    assert parse_count("26.8万条") == 268000
    assert parse_count("1.5亿") == 150000000


def test_leading_figure_wins_over_remark():
    assert parse_count("8(含2018年 结转1件)") == 8
    assert parse_count("1515（含2018年结转5件）") == 1515


def test_three_states_of_a_cell():
    for zero in ("0", "-", "—", "——"):
        cell = parse_cell(zero)
        assert cell.state is CellState.VALUE and cell.value == 0
    for na in ("/", "不适用", "N/A", "空"):
        assert parse_cell(na).state is CellState.NOT_APPLICABLE
    assert parse_cell("").state is CellState.BLANK
    assert parse_cell("   ").state is CellState.BLANK


def test_money_to_wan():
    assert money_to_wan("552.94亿元") == 5529400.0
    assert money_to_wan("251000元") == 25.1
    assert money_to_wan("12.5") == 12.5
    assert money_to_wan("75394432.52元") == 7539.443252


def test_chinese_numerals():
    assert chinese_numeral("十二") == 12
    assert chinese_numeral("三") == 3
    assert chinese_numeral("二十") == 20


@given(st.integers(min_value=0, max_value=10**9))
def test_integer_round_trip(n):
    assert parse_count(str(n)) == n
    assert parse_count(f"{n:,}") == n
    assert parse_count(f"{n}件") == n


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_signed_round_trip(n):
    text = f"+{n}" if n > 0 else str(n)
    assert parse_count(text) == n


@given(st.integers(min_value=1, max_value=99999), st.integers(min_value=0, max_value=9))
def test_wan_with_one_decimal(whole, tenth):
    assert parse_count(f"{whole}.{tenth}万") == whole * 10000 + tenth * 1000


@given(st.from_regex(r"\A[0-9]{1,18}\Z"), st.sampled_from(["", " ", "\n"]))
def test_plain_digit_fast_path_agrees_with_the_grammar(digits, pad):
    """Plain digits skip the number grammar; the answer must be the one the grammar gives (leading zeros too)."""
    from extractor.numbers import _NUMBER_RE, _as_number

    m = _NUMBER_RE.match(digits)
    assert m is not None and m.end() == len(digits)
    expected = _as_number(float(digits), is_decimal=False)
    assert parse_count(pad + digits + pad) == expected
    assert type(parse_count(digits)) is type(expected)
