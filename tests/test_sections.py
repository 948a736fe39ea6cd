import json

import pytest

from extractor.ingest import load_path, load_text
from extractor.sections import SectionKind, detect_template, find_sections, section_text


@pytest.mark.parametrize("name", ["002_392dabf3539690db", "000_fab06f8153dd9309", "c007_pingtan_syq_2021",
                                  "c014_pingtan_syq_2019", "c038_pingtan_jtj_2022"])
def test_official_layout_has_all_six_parts_in_order(dev_dir, name):
    text = load_path(dev_dir / f"{name}.txt").text
    kinds = [s.kind for s in find_sections(text)]
    for kind in (SectionKind.OVERVIEW, SectionKind.ACTIVE, SectionKind.APPLICATIONS, SectionKind.APPEALS,
                 SectionKind.PROBLEMS, SectionKind.OTHER):
        assert kind in kinds, (name, kind)
    firsts = [kinds.index(k) for k in (SectionKind.OVERVIEW, SectionKind.ACTIVE, SectionKind.APPLICATIONS,
                                       SectionKind.APPEALS, SectionKind.PROBLEMS, SectionKind.OTHER)]
    assert firsts == sorted(firsts)


def test_section_text_is_the_part_only(dev_dir):
    text = load_path(dev_dir / "002_392dabf3539690db.txt").text
    sections = find_sections(text)
    appeals = section_text(text, sections, SectionKind.APPEALS)
    assert appeals.startswith("四、政府信息公开行政复议、行政诉讼情况")
    assert "153" in appeals and "存在的主要问题" not in appeals


def test_listing_of_parts_in_a_sentence_is_not_a_heading():
    text = "本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等。\n一、总体情况\n正文。"
    kinds = [s.kind for s in find_sections(load_text(text).text)]
    assert kinds == [SectionKind.OVERVIEW]


def test_old_report_parts(dev_dir):
    text = load_path(dev_dir / "c045_pingtan_scj_2017.txt").text
    kinds = {s.kind for s in find_sections(text)}
    assert {SectionKind.ACTIVE, SectionKind.APPLICATIONS, SectionKind.APPEALS, SectionKind.PROBLEMS,
            SectionKind.STATISTICS} <= kinds
    text = load_path(dev_dir / "c049_pingtan_shs_2017.txt").text
    assert SectionKind.FEES in {s.kind for s in find_sections(text)}


def test_template_detection_matches_gold_on_every_dev_report(dev_dir):
    from extractor.baseline import extract_baseline

    for gold_path in sorted(dev_dir.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))["fields"]
        doc = load_path(gold_path.with_name(gold_path.name.replace(".gold.json", ".txt")))
        assert extract_baseline(doc).template == gold["meta.template"], gold_path.name


def test_template_markers_and_year_fallback():
    assert detect_template("本年制发件数 现行有效件数", 2022) == "2021"
    assert detect_template("本年新制作数量 上一年项目数量", 2020) == "2019"
    assert detect_template("三、收到和处理政府信息公开申请情况 (表格缺失)", 2020) == "2019"
    assert detect_template("三、收到和处理政府信息公开申请情况 (表格缺失)", 2023) == "2021"
    assert detect_template("二、主动公开政府信息情况 全年公开100条", 2015) == "narrative"


def test_heading_scan_from_numbered_starts_equals_a_full_finditer(dev_dir):
    """find_sections tries heading patterns only where a numbered prefix starts; that must be lossless."""
    from extractor.sections import _HEADING_PATTERNS, _NUM_ANY_AT, _matches_at

    texts = [p.read_text(encoding="utf-8") for p in sorted(dev_dir.glob("*.txt"))]
    texts.append("十一、其他需要报告的事项一、二、总体情况 三.主动公开情况二、一、收费及减免情况")
    for text in texts:
        starts = [m.start() for m in _NUM_ANY_AT.finditer(text)]
        for kind, pattern in _HEADING_PATTERNS:
            if kind is SectionKind.STATISTICS:
                continue
            assert [m.span() for m in _matches_at(pattern, text, starts)] == \
                [m.span() for m in pattern.finditer(text)], kind
