"""Titles as PDF conversions print them, and the template decided by the tables, not by prose words."""

from __future__ import annotations

import pytest

from extractor.baseline import extract_baseline
from extractor.ingest import load_text
from extractor.sections import detect_template


@pytest.mark.parametrize("first_line, title, issuer, year", [
    ("# 柏溪县 2021 年政府信息公开工作年度报告", "柏溪县2021年政府信息公开工作年度报告", "柏溪县", 2021),
    ("## 枫林镇人民政府 2019年度 政府信息公开工作年度报告", "枫林镇人民政府2019年度政府信息公开工作年度报告",
     "枫林镇人民政府", 2019),
    ("**梧桐区民政局2020年政府信息公开工作年度报告**", "梧桐区民政局2020年政府信息公开工作年度报告", "梧桐区民政局", 2020),
    ("2018年度市水务局政府信息公开工作年度报告", "2018年度市水务局政府信息公开工作年度报告", "市水务局", 2018),
])
def test_titles_from_converted_pages(first_line, title, issuer, year):
    flat = extract_baseline(load_text(first_line + "\n\n一、总体情况\n本年度依法公开。")).flat()
    assert flat["meta.title"].replace(" ", "") == title
    assert flat["meta.issuer"] == issuer
    assert flat["meta.year"] == year


OLD_PROSE = ("云杉县交通局2017年政府信息公开工作年度报告\n一、概述\n我局在政府集中采购、行政许可、其他对外管理服务事项等领域"
             "加大公开力度。\n二、主动公开政府信息情况\n全年主动公开政府信息88条。")
OLD_WITH_STATS = ("云杉县2016年政府信息公开工作年度报告\n一、概述\n略。\n附表：政府信息公开情况统计表\n| 指标名称 | 计量单位 | 统计数 |\n"
                  "| 主动公开政府信息数 | 条 | 120 |\n| 收到申请数 | 件 | 4 |\n| 行政复议数量 | 件 | 0 |")


@pytest.mark.parametrize("text, year, template", [
    (OLD_PROSE, 2017, "narrative"),                 # 2019-table row names in a sentence are no table
    (OLD_WITH_STATS, 2016, "narrative"),            # an old statistics table is not the 2019 table
    ("三、收到和处理政府信息公开申请情况\n（表格略）", 2020, "2019"),   # headings, tables lost: by year
    ("三、收到和处理政府信息公开申请情况\n（表格略）", 2023, "2021"),
    ("依据国办公开办函〔2019〕60号。\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", 2022, "2021"),
    ("| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n| 规章 | 0 | 0 | 0 |", None, "2019"),
    ("| 政府集中采购 | 3 | 46.5 |\n| 行政许可 | 12 | 0 | 96 |", 2020, "2019"),  # 2019 rows as table rows
])
def test_template_by_table_columns(text, year, template):
    assert detect_template(text, year) == template


def test_old_report_prose_figures_are_read_as_narrative():
    flat = extract_baseline(load_text(OLD_PROSE)).flat()
    assert flat["meta.template"] == "narrative"
    assert flat["active.total_items"] == 88
    assert not any(k.startswith("active.procurement") or k.startswith("active.other_services") for k in flat)


def test_old_statistics_table_in_pipes():
    flat = extract_baseline(load_text(OLD_WITH_STATS)).flat()
    assert flat["active.total_items"] == 120
    assert flat["applications.new_received.total"] == 4
    assert flat["review.total"] == 0


def test_report_with_headings_but_no_tables_yields_no_table_figures():
    text = ("青禾镇人民政府 2022年度 政府信息公开工作年度报告\n一、总体情况\n2022年，青禾镇共主动公开政府信息五十六条。\n"
            "二、主动公开政府信息情况\n（见附件）\n三、收到和处理政府信息公开申请情况\n（见附件）\n"
            "四、政府信息公开行政复议、行政诉讼情况\n（见附件）\n五、存在的主要问题及改进情况\n无。")
    flat = extract_baseline(load_text(text)).flat()
    assert flat["meta.template"] == "2021"
    assert flat["active.total_items"] == 56
    assert not [k for k in flat if k.startswith(("applications.", "review.", "litigation"))]
