from extractor.checks import check_consistency
from tests.report_builder import consistent_table3, expected_flat_table3


def test_consistent_table_has_no_breaks():
    flat = expected_flat_table3(consistent_table3("2019", seed=1))
    breaks, checked = check_consistency(flat, "2019")
    assert breaks == [] and checked > 20


def test_each_rule_reports_the_cells_involved():
    flat = expected_flat_table3(consistent_table3("2021", seed=1))
    flat["applications.granted.natural_person"] += 1
    flat.update({f"review.{k}": v for k, v in zip(("upheld", "corrected", "other", "pending", "total"), (1, 1, 0, 0, 3))})
    breaks, _ = check_consistency(flat, "2021")
    rules = {b.rule for b in breaks}
    assert rules == {"row_total", "results_sum", "appeal_total"}
    row = next(b for b in breaks if b.rule == "row_total")
    assert "applications.granted.natural_person" in row.keys


def test_unstated_cells_skip_a_rule():
    breaks, checked = check_consistency({"applications.new_received.total": 5}, "2019")
    assert breaks == [] and checked == 0
