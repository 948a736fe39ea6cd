"""Official tables in wordings the dev set never printed: label variants, typos, lost numbering,
labels broken by spaces and line breaks, traditional characters, extra rows, printed typos in the
arithmetic.  Figures come from ``consistent_table3``; every label variant is invented here."""

from __future__ import annotations

import pytest

from extractor.baseline import extract_baseline
from extractor.checks import check_consistency
from extractor.ingest import load_text
from schemas.vocabulary import fold_variants
from tests.report_builder import consistent_table3, expected_flat_table3, rows_for

HEAD = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n申请人情况 自然人 法人或其他组织 总计 "
        "商业企业 科研机构 社会公益组织 法律服务机构 其他\n")

# key -> a wording some page might print instead of the official label
VARIANTS = {
    "new_received": "一、本 年 新 收 政府信息公开申请数量",
    "denied_prohibited_by_law": "2、其他法律、行政法规禁止公开",
    "denied_safety_stability": "（3）危及\"三安全 一稳定\"",
    "denied_internal_affairs": "5.属于三类内容事务信息",
    "unavailable_not_held": "本机关不掌握相关政府信息",                 # numbering lost
    "unavailable_needs_creation": "2.没有现成信息，需要另行制作",
    "rejected_complaint": "1.信访、举报、投诉类申请",
    "rejected_confirmation": "5.要求行政机关确认或者重新出具已获取信息",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再受理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再受理其政府信息公开申请",
    "carried_forward": "四、结转下一年度继续办理",
}


def _page(table: dict[str, list[int]], template: str, *, sep: str = " | ", variants: dict | None = None,
          extra: str = "", title: str | None = None) -> str:
    variants = VARIANTS if variants is None else variants
    year = 2019 if template == "2019" else 2022
    lines = [title or f"松溪镇人民政府{year}年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", HEAD]
    for key, label, group in rows_for(template):
        if group:
            lines.append(group)
        lines.append("| " + variants.get(key, label) + sep + sep.join(str(v) for v in table[key]) + " |")
        if key == "partially_granted" and extra:
            lines.append(extra)
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    return "\n".join(lines)


@pytest.mark.parametrize("template, seed", [("2021", 7), ("2019", 8), ("2021", 9)])
def test_label_variants_read_every_cell(template, seed):
    table = consistent_table3(template, seed=seed)
    ext = extract_baseline(load_text(_page(table, template)))
    flat = ext.flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key
    assert not [f for f in ext.flags if f.kind == "table_incomplete"]


def test_one_missing_row_does_not_shift_the_others():
    table = consistent_table3("2019", seed=12)
    text = _page(table, "2019", variants={})
    dropped = "| 3.要求提供公开出版物 | " + " | ".join(str(v) for v in table["rejected_publication"]) + " |\n"
    text = text.replace(dropped, "")
    flat = extract_baseline(load_text(text)).flat()
    assert "applications.rejected_publication.total" not in flat
    for key in ("rejected_excessive", "rejected_repeated", "other_processing", "total_processed"):
        assert flat[f"applications.{key}.total"] == table[key][6], key


def test_an_extra_row_is_flagged_and_not_read_into_its_neighbour():
    table = consistent_table3("2021", seed=13)
    text = _page(table, "2021", sep="\n", extra="其中：网上申请转办\n9\n9\n9\n9\n9\n9\n54")
    ext = extract_baseline(load_text(text))
    assert [f for f in ext.flags if f.kind == "row_unknown"]
    flat = ext.flat()
    for col, value in zip(("natural_person", "total"), (table["partially_granted"][0], table["partially_granted"][6])):
        assert flat[f"applications.partially_granted.{col}"] == value
    assert 54 not in [flat.get(f"applications.denied_state_secret.{c}") for c in ("total",)]


def test_traditional_characters_are_read_and_spans_point_into_the_original():
    table = consistent_table3("2019", seed=14)
    simplified = _page(table, "2019", variants={})
    trad = simplified.translate(str.maketrans({"开": "開", "报": "報", "请": "請", "数": "數", "结": "結", "转": "轉",
                                               "处": "處", "关": "關", "计": "計", "总": "總", "办": "辦",
                                               "续": "續", "继": "繼", "属": "屬", "国": "國", "机": "機"}))
    assert fold_variants(trad) == simplified
    doc = load_text(trad)
    ext = extract_baseline(doc)
    flat = ext.flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key
    assert "開" in flat["meta.title"]  # the title as printed
    start, end = ext.values["applications.new_received.total"].span
    assert doc.text[start:end] == str(table["new_received"][6])


def test_run_together_row_with_a_printed_typo_keeps_the_printed_reading():
    """A row with as many digits as cells has one split; it breaks its sum, and the checks say so."""
    table = {key: [0] * 7 for key, _, _ in rows_for("2021")}
    table.update({"new_received": [2, 1, 0, 0, 0, 0, 3], "granted": [2, 1, 0, 0, 0, 0, 3],
                  "total_processed": [2, 1, 0, 0, 0, 0, 3]})
    printed = {k: list(v) for k, v in table.items()}
    printed["granted"][6] = 5   # the publisher's typo
    body = "".join(label + "".join(str(v) for v in printed[key]) for key, label, _ in rows_for("2021"))
    text = "杉木乡2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + HEAD + body + "\n四、政府信息公开行政复议、行政诉讼情况"
    ext = extract_baseline(load_text(text))
    flat = ext.flat()
    assert [flat[f"applications.granted.{c}"] for c in ("natural_person", "commercial", "total")] == [2, 1, 5]
    assert not [f for f in ext.flags if f.kind in ("table_incomplete", "row_unreadable")]
    breaks, _ = check_consistency(flat, "2021")
    assert {b.rule for b in breaks} >= {"row_total", "results_sum"}
    assert all(b.found != b.expected for b in breaks)


def test_run_together_typo_with_several_splits_keeps_only_agreed_cells():
    """'12000013' fits no sum (12|0|0|0|0|1|3, 1|2|0|0|0|0|13, 1|20|0|0|0|1|3 all break it): cells the
    least-breaking splits agree on are kept as printed, the others are left out and flagged."""
    table = {key: [0] * 7 for key, _, _ in rows_for("2019")}
    body = "".join(label + ("12000013" if key == "granted" else "".join(str(v) for v in table[key]))
                   for key, label, _ in rows_for("2019"))
    text = "杉木乡2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + HEAD + body + "\n四、政府信息公开行政复议、行政诉讼情况"
    ext = extract_baseline(load_text(text))
    flat = ext.flat()
    assert [flat.get(f"applications.granted.{c}") for c in ("research", "social_org", "legal_service")] == [0, 0, 0]
    assert "applications.granted.natural_person" not in flat
    assert any(f.kind == "ambiguous_split" and "applications.granted.natural_person" in f.keys for f in ext.flags)


def test_table2_row_label_with_inner_space_and_typo_column():
    text = ("柏林街道2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n| 第二十条第(一)项 | | | |\n"
            "| 信息内容 | 本年制发件数 | 本年废止件数 | 先行有效件数 |\n| 规章 | 0 | 0 | 0 |\n| 行政 规范性文件 | 4 | 1 | 27 |\n"
            "| 第二十条第(五)项 | | | |\n| 行政许可 | 330 | | |\n三、收到和处理政府信息公开申请情况")
    flat = extract_baseline(load_text(text)).flat()
    assert flat["meta.template"] == "2021"
    assert [flat["active.normative_docs." + c] for c in ("issued", "repealed", "in_force")] == [4, 1, 27]
    assert flat["active.licensing.decisions"] == 330


def test_rowspan_group_labels_repeated_in_every_row():
    """HTML rowspan rendered into every row: 其他 inside the repeated 其他处理 is no 3.其他 row."""
    table = consistent_table3("2021", seed=55)
    lines = ["柳岸街道2022年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
             "| (本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |"]
    group = ""
    for key, label, g in rows_for("2021"):
        group = g or (group if key not in ("total_processed", "carried_forward", "new_received", "carried_over") else "")
        lead = f"| {group} " if group and group.startswith("（") else ""
        lines.append(f"{lead}| {label} | " + " | ".join(str(v) for v in table[key]) + " |")
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    ext = extract_baseline(load_text("\n".join(lines)))
    flat = ext.flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key
    assert not [f for f in ext.flags if f.kind in ("row_unknown", "rows_by_position", "table_incomplete")]
