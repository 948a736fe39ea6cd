import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas import FIELDS, Report, from_flat, keys_for_template, to_flat


def _value_strategy(spec):
    if spec.type == "int":
        if spec.key.endswith(".change"):
            return st.integers(min_value=-10**6, max_value=10**6)
        if spec.key == "meta.year":
            return st.integers(min_value=2000, max_value=2100)
        return st.integers(min_value=0, max_value=10**8)
    if spec.type == "float":
        return st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
    if spec.type == "date":
        return st.dates().map(lambda d: d.isoformat())
    if spec.type == "enum":
        return st.sampled_from(["2019", "2021", "narrative"])
    return st.text(alphabet="重庆市年度报告政府信息公开2019", min_size=1, max_size=20)


flat_views = st.fixed_dictionaries({}, optional={f.key: _value_strategy(f) for f in FIELDS})


@settings(max_examples=150, deadline=None)
@given(flat_views)
def test_flat_view_round_trips_through_the_section_models(flat):
    assert to_flat(from_flat(flat)) == {k: (float(v) if isinstance(v, float) else v) for k, v in flat.items()}


def test_every_contract_key_maps_into_the_models():
    full = {f.key: (2020 if f.key == "meta.year" else 1 if f.type == "int" else 1.5 if f.type == "float" else "2020-01-01" if f.type == "date"
                    else "2019" if f.type == "enum" else "x") for f in FIELDS}
    assert set(to_flat(from_flat(full))) == {f.key for f in FIELDS}


def test_counts_are_non_negative_but_change_is_signed():
    with pytest.raises(ValidationError):
        from_flat({"applications.granted.total": -1})
    assert to_flat(from_flat({"active.licensing.change": -5})) == {"active.licensing.change": -5}


def test_unknown_key_rejected():
    with pytest.raises(KeyError):
        from_flat({"applications.bogus.total": 1})


def test_json_schema_has_chinese_descriptions():
    schema = json.dumps(Report.model_json_schema(), ensure_ascii=False)
    assert "本年新收政府信息公开申请数量" in schema and "结果维持" in schema


def test_template_scopes():
    assert "applications.other_processing.total" in keys_for_template("2019")
    assert "applications.other_processing.total" not in keys_for_template("2021")
    assert keys_for_template("narrative") >= {"active.total_items", "review.total", "litigation.total"}
