from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.baseline.splits import agreed_cells, grouped_total_splits, plain_splits, total_splits


def test_run_together_row_from_the_issue():
    assert (64, 0, 0, 2, 0, 4, 70) in total_splits("640020470", 6)


def test_row_total_rules_out_most_splits():
    cands = total_splits("270020130", 6)
    assert set(cands) == {(27, 0, 0, 2, 0, 1, 30), (2, 7, 0, 0, 20, 1, 30)}


def test_review_row_with_17_digits_has_a_single_split():
    assert grouped_total_splits("10203120001200000", 3, 4) == [(1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)]


def test_no_leading_zeros():
    assert plain_splits("000", 3) == [(0, 0, 0)]
    assert set(plain_splits("3705", 3)) == {(3, 70, 5), (37, 0, 5)}
    assert agreed_cells(plain_splits("3705", 3)) == [None, None, 5]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), min_size=6, max_size=6))
def test_the_printed_row_is_always_among_the_candidates(addends):
    row = tuple(addends) + (sum(addends),)
    digits = "".join(str(v) for v in row)
    assert row in total_splits(digits, 6)
