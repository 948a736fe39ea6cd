from extractor.baseline import extract_baseline
from extractor.ingest import load_text


def _flat(text):
    return extract_baseline(load_text(text)).flat()


def test_prose_counts_of_an_old_report():
    flat = _flat("某市2016年政府信息公开工作年度报告\n一、概述\n全年主动公开政府信息26.8万条。"
                 "全年共收到政府信息公开申请125件。其中不予公开答复3件。全年发生行政复议案件2起、行政诉讼案件1起。")
    assert flat["meta.template"] == "narrative"
    assert flat["active.total_items"] == 268000
    assert flat["applications.new_received.total"] == 125
    assert flat["applications.denied_total.total"] == 3
    assert flat["review.total"] == 2 and flat["litigation.total"] == 1


def test_statements_of_none_are_zero():
    flat = _flat("某局2013年政府信息公开工作年度报告\n2013年，我局未收到有关政府信息公开的申请，未发生行政复议、行政诉讼的情况。")
    assert flat["applications.new_received.total"] == 0
    assert flat["review.total"] == 0 and flat["litigation.total"] == 0


def test_unrelated_counts_are_not_taken():
    flat = _flat("某局2014年政府信息公开工作年度报告\n区行政服务中心共受理申请121510件。"
                 "2014年制作政府信息510条，其中依申请公开信息数142条，不予公开信息数137条。")
    assert "applications.new_received.total" not in flat
    assert "applications.denied_total.total" not in flat
    assert "active.total_items" not in flat


def test_cumulative_counts_are_not_the_year_total():
    flat = _flat("某局2017年政府信息公开工作年度报告\n历年累计主动公开政府信息837条。2017年度，主动公开政府信息457条。")
    assert flat["active.total_items"] == 457


def test_statistics_table_run_together_settled_by_prose():
    flat = _flat("某局2017年政府信息公开工作年度报告\n2017年度，主动公开政府信息457条。\n"
                 "指标名称计量单位2017年度历年累计主动公开文件数条457837其中：1.政府网站公开数条4578372.政府公报公开数条00"
                 "受理政府信息公开申请总数条55对申请的答复总数条55其中：1.同意公开答复数条222.同意部分公开答复数条00"
                 "3.不予公开答复数条114.其他类型答复数条22行政复议数件11行政诉讼数件00")
    assert flat["active.total_items"] == 457
    assert flat["applications.new_received.total"] == 5
    assert flat["applications.total_processed.total"] == 5
    assert flat["applications.granted.total"] == 2
    assert flat["applications.partially_granted.total"] == 0
    assert flat["applications.denied_total.total"] == 1
    assert flat["review.total"] == 1 and flat["litigation.total"] == 0


def test_meta_from_page_header():
    flat = _flat("标题: 某某区2021年度政府信息公开工作年度报告\n发布时间: 2022-02-08 16:34\n成文日期: 2022-01-01\n正文")
    assert flat["meta.title"] == "某某区2021年度政府信息公开工作年度报告"
    assert flat["meta.issuer"] == "某某区" and flat["meta.year"] == 2021
    assert flat["meta.publish_date"] == "2022-02-08"


def test_issuer_after_year_and_title_over_two_lines():
    flat = _flat("2024 年上海市科委政府信息公开工作\n年度报告\n根据……")
    assert flat["meta.title"] == "2024年上海市科委政府信息公开工作年度报告"
    assert flat["meta.issuer"] == "上海市科委" and flat["meta.year"] == 2024
    assert "meta.publish_date" not in flat


def test_title_only_in_html_head_is_used():
    from extractor.ingest import load_bytes

    page = ("<html><head><title>某某区商务局2020年政府信息公开工作年度报告</title></head>"
            "<body><p>发布日期：2021-01-20</p><p>一、总体情况</p><p>本局全年主动公开政府信息12条。</p></body></html>")
    flat = extract_baseline(load_bytes(page.encode("utf-8"), name="p.html")).flat()
    assert flat["meta.title"] == "某某区商务局2020年政府信息公开工作年度报告"
    assert flat["meta.issuer"] == "某某区商务局" and flat["meta.year"] == 2020


def test_title_phrased_as_guanyu_has_no_bogus_issuer():
    flat = _flat("关于2019年度政府信息公开工作的报告\n正文")
    assert flat["meta.year"] == 2019
    assert "meta.issuer" not in flat
    flat = _flat("某某镇人民政府关于2019年度政府信息公开工作的报告\n正文")
    assert flat["meta.issuer"] == "某某镇人民政府"
