"""Each table layout seen in real pages, checked cell by cell."""

import pytest

from extractor.baseline import extract_baseline
from extractor.ingest import load_bytes, load_path, load_text
from tests.report_builder import consistent_table3, expected_flat_table3, flattened_text, html_report


def _flat(doc):
    return extract_baseline(doc).flat()


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_html_tables_with_rowspan_colspan(template):
    table = consistent_table3(template, seed=3)
    doc = load_bytes(html_report(table, template=template).encode("utf-8"), name="r.html")
    flat = _flat(doc)
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key
    assert flat["meta.template"] == template
    assert flat["review.upheld"] == 1 and flat["review.total"] == 2 and flat["litigation_direct.total"] == 0
    assert flat["active.total_items"] == 1234


def test_html_2019_table2_cells_markers_and_money():
    doc = load_bytes(html_report(consistent_table3("2019")).encode("utf-8"), name="r.html")
    ext = extract_baseline(doc)
    flat = ext.flat()
    assert flat["active.normative_docs.total_published"] == 41
    assert flat["active.licensing.change"] == -8
    assert flat["active.other_services.change"] == 2
    assert flat["active.other_services.decisions"] == 0        # printed ——
    assert flat["active.coercion.change"] == 0                 # printed -
    assert flat["active.procurement.amount_wan"] == 25.1       # 251000元
    assert "active.rules.new_made" not in flat                 # printed /
    assert "active.rules.new_made" in ext.not_applicable


def test_html_2021_table2():
    doc = load_bytes(html_report(consistent_table3("2021"), template="2021").encode("utf-8"), name="r.html")
    ext = extract_baseline(doc)
    flat = ext.flat()
    assert flat["active.normative_docs.issued"] == 12 and flat["active.normative_docs.in_force"] == 45
    assert flat["active.licensing.decisions"] == 1024
    assert flat["active.fees.amount_wan"] == 12.5
    assert "active.coercion.decisions" in ext.not_applicable and "active.coercion.decisions" not in flat


def test_blank_cells_are_not_stated_and_not_zero():
    table = consistent_table3("2019", seed=5)
    blank_totals = lambda key, col, v: "" if (col == "total" and key not in ("new_received", "carried_over")) else str(v)
    doc = load_bytes(html_report(table, cell_text=blank_totals).encode("utf-8"), name="r.html")
    flat = _flat(doc)
    assert "applications.granted.total" not in flat
    assert flat["applications.granted.natural_person"] == table["granted"][0]
    assert flat["applications.new_received.total"] == table["new_received"][6]


@pytest.mark.parametrize("separator", [" ", "\n", " | "])
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_flattened_text_with_separators(template, separator):
    table = consistent_table3(template, seed=11)
    flat = _flat(load_text(flattened_text(table, template=template, separator=separator)))
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key


def test_run_together_cells_recovered_by_arithmetic(dev_dir):
    flat = _flat(load_path(dev_dir / "c007_pingtan_syq_2021.txt"))
    assert [flat[f"applications.new_received.{c}"] for c in
            ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")] == [64, 0, 0, 2, 0, 4, 70]
    # 270020130 has two row-sum splits; the column balances rule out 2,7,0,0,20,1
    assert flat["applications.granted.natural_person"] == 27 and flat["applications.granted.social_org"] == 2
    assert flat["review.other"] == 2 and flat["litigation_direct.upheld"] == 12


def test_ambiguous_split_is_flagged_not_guessed(dev_dir):
    ext = extract_baseline(load_path(dev_dir / "c007_pingtan_syq_2021.txt"))
    assert "active.normative_docs.issued" not in ext.values       # '693665' splits many ways
    flagged = {k for f in ext.flags if f.kind == "ambiguous_split" for k in f.keys}
    assert {"active.normative_docs.issued", "active.normative_docs.in_force"} <= flagged


def test_cells_agreed_by_every_split_are_kept(dev_dir):
    flat = _flat(load_path(dev_dir / "c019_pingtan_scj_2020.txt"))
    assert flat["active.licensing.decisions"] == 5      # '3705': 37|0|5 or 3|70|5
    assert "active.licensing.prev_count" not in flat


def test_random_run_together_tables_are_recovered_or_flagged():
    """Never a wrong value: every cell is either right or left out with a flag."""
    for seed in range(25):
        table = consistent_table3("2021", seed=seed)
        ext = extract_baseline(load_text(flattened_text(table, template="2021", separator="")))
        flat = ext.flat()
        expected = expected_flat_table3(table)
        flagged = {k for f in ext.flags for k in f.keys}
        for key, value in expected.items():
            if key in flat:
                assert flat[key] == value, (seed, key)
            else:
                assert key in flagged, (seed, key)


def test_pdf_table_without_row_labels_assigned_by_position(dev_dir):
    ext = extract_baseline(load_path(dev_dir / "c001_shanghai_kewei_2024.txt"))
    flat = ext.flat()
    assert flat["applications.other_no_correction.natural_person"] == 8
    assert flat["applications.other_no_correction.commercial"] == 2
    assert flat["applications.unavailable_needs_creation.total"] == 6
    assert any(f.kind == "rows_by_position" for f in ext.flags)


def test_truncated_table_gives_partial_result_and_a_flag():
    table = consistent_table3("2019", seed=2)
    text = flattened_text(table, template="2019", separator=" ")
    cut = text.index("(四)无法提供")
    doc = load_text(text[:cut])
    ext = extract_baseline(doc)
    flat = ext.flat()
    assert flat["applications.new_received.total"] == table["new_received"][6]
    assert "applications.total_processed.total" not in flat
    assert any(f.kind == "table_incomplete" for f in ext.flags)


def test_tables_lost_yield_no_table_figures(dev_dir):
    flat = _flat(load_path(dev_dir / "004_8c37ed67089d1b8b.txt"))
    table_keys = [k for k in flat if k.startswith(("active.rules", "active.normative", "review.", "litigation_"))
                  or (k.startswith("applications.") and not k.endswith(".total"))]
    assert table_keys == []
    assert flat["meta.template"] == "2019"
    assert flat["applications.new_received.total"] == 2787   # stated in prose


def test_evidence_spans_point_at_the_value(dev_dir):
    doc = load_path(dev_dir / "002_392dabf3539690db.txt")
    ext = extract_baseline(doc)
    for key in ("applications.new_received.natural_person", "review.total", "active.rules.new_published"):
        start, end = ext.values[key].span
        assert str(ext.values[key].value) in doc.text[start:end].replace(",", "")
    start, end = ext.values["active.total_items"].span
    assert doc.text[start:end] == "133.6万"
