"""Prose figures read by the class of wording (invented sentences, not dev reports), with the traps.

Every example here is made up in the ways real reports phrase things; each
trap (dates, 文号, page numbers, percentages, year-on-year deltas, previous-year
and cumulative figures, wider scopes, breakdowns) has a sentence that must
yield nothing — or the narrow figure.
"""

from __future__ import annotations

import pytest

from extractor.baseline import extract_baseline
from extractor.baseline.prose_parts import count_value
from extractor.numbers import chinese_numeral
from extractor.ingest import load_text

TITLE = "青松县人民政府2015年政府信息公开工作年度报告\n"


def _flat(body: str) -> dict:
    return extract_baseline(load_text(TITLE + body)).flat()


@pytest.mark.parametrize("text, value", [
    ("十二", 12), ("十", 10), ("两", 2), ("二十", 20), ("一百二十", 120), ("二百零六", 206),
    ("三千四百六十八", 3468), ("一万二千", 12000), ("三十五", 35), ("一千零一", 1001),
])
def test_chinese_numerals(text, value):
    assert chinese_numeral(text) == value


@pytest.mark.parametrize("text, value", [("1.26万", 12600), ("3,468", 3468), ("26.8万", 268000), ("二百零六", 206)])
def test_count_values(text, value):
    assert count_value(text) == value


@pytest.mark.parametrize("sentence, value", [
    ("全年共受理政府信息公开申请十二件，其中当面申请5件、网络申请6件、信函申请1件。", 12),
    ("本年度共收到8件政府信息公开申请，均已按期答复。", 8),
    ("2015年，本机关接到各类政府信息公开申请三十五件（另有上年结转2件）。", 35),
    ("全年受理公民、法人和其他组织的政府信息公开申请共计41件。", 41),
    ("本局2015年度收到的信息公开申请为两件。", 2),
    ("本局未收到公民、法人或其他组织提出的政府信息公开申请。", 0),
    ("2015年，我办没有收到政府信息公开的申请。", 0),
])
def test_received_paraphrases(sentence, value):
    assert _flat(sentence)["applications.new_received.total"] == value


@pytest.mark.parametrize("sentence", [
    "区政务服务中心共受理申请121510件。",                              # not disclosure applications
    "2015年3月20日收到的政府信息公开申请按时答复率为100%。",              # a date, a percentage
    "按照青政办〔2015〕45号文件要求，受理政府信息公开申请（详见第3页）。",   # 文号, page number
    "收到政府信息公开申请同比增加5件。",                                 # a year-on-year delta
    "上年度收到政府信息公开申请20件。",                                  # the previous year's figure
    "对无正当理由大量反复申请的，依法不予处理。",                          # 无 that is no zero statement
    "未按时受理的政府信息公开申请须说明理由。",                            # 未 that is no zero statement
])
def test_received_traps_yield_nothing(sentence):
    assert "applications.new_received.total" not in _flat(sentence)


def test_channel_breakdown_does_not_replace_the_total():
    flat = _flat("共收到政府信息公开申请12件，其中网络申请7件，当面申请5件。")
    assert flat["applications.new_received.total"] == 12


def test_answers_and_carry_forward():
    flat = _flat("三、依申请公开政府信息情况\n本年度共接到政府信息公开申请三十五件（另有上年结转申请2件）。其中，"
                 "同意公开28件，同意部分公开3件，不予公开2件，信息不存在2件。另有2件结转至下年度办理。")
    assert flat["applications.granted.total"] == 28
    assert flat["applications.partially_granted.total"] == 3
    assert flat["applications.denied_total.total"] == 2
    assert flat["applications.carried_over.total"] == 2
    assert flat["applications.carried_forward.total"] == 2


def test_refusal_is_not_read_as_granted():
    flat = _flat("在已答复的申请中，不同意公开4件，部分公开1件。")
    assert "applications.granted.total" not in flat
    assert flat["applications.denied_total.total"] == 4
    assert flat["applications.partially_granted.total"] == 1


@pytest.mark.parametrize("sentence, value", [
    ("全市受理行政复议案件500件，其中涉及政府信息公开的3件。", 3),
    ("全县共受理行政复议案件46件，其中涉及政府信息公开的行政复议案件1件，已审结维持。", 1),
    ("2015年，我局因政府信息公开被申请行政复议两起，均维持原行政行为。", 2),
    ("本年度发生政府信息公开行政复议案件3件。", 3),
    ("本年度未发生因政府信息公开申请提起的行政复议。", 0),
])
def test_review_scope_and_wording(sentence, value):
    assert _flat(sentence)["review.total"] == value


@pytest.mark.parametrize("sentence", [
    "全县共办理行政复议案件46件。",                         # a wider scope never narrowed to 信息公开
    "上年度提起的行政复议尚未审结。",                       # 未 inside 尚未审结 is no zero statement
    "复议机关收到的行政复议申请同比增长15%。",               # a percentage
])
def test_review_traps_yield_nothing(sentence):
    assert "review.total" not in _flat(sentence)


def test_litigation_counts_and_zeros():
    assert _flat("被提起行政诉讼1起，法院判决维持。")["litigation.total"] == 1
    assert _flat("本年度未发生因政府信息公开引起的行政诉讼。")["litigation.total"] == 0
    both = _flat("2015年，本局无因政府信息公开申请提起行政复议、行政诉讼的情况。")
    assert both["review.total"] == 0 and both["litigation.total"] == 0
    mixed = _flat("本年度未发生行政复议案件，被提起政府信息公开行政诉讼2起。")
    assert mixed["review.total"] == 0 and mixed["litigation.total"] == 2


@pytest.mark.parametrize("body, value", [
    ("二、主动公开政府信息情况\n本年度通过门户网站等渠道主动公开各类信息共计三千四百六十八条，较上年增加312条。", 3468),
    ("二、主动公开政府信息情况\n2015年，我局主动公开政府信息1.26万条。", 12600),
    ("二、主动公开政府信息情况\n本年度共发布政府信息217条。", 217),
    ("一、概述\n2015年，全县共主动公开政府信息二百零六条。", 206),
    ("一、概述\n2015年，县政府累计公开政务信息10180条。", 10180),   # 累计 = "in all" within the year
])
def test_active_total_paraphrases(body, value):
    assert _flat(body)["active.total_items"] == value


@pytest.mark.parametrize("body", [
    "一、概述\n截至2015年底，累计主动公开政府信息23145条。",
    "一、概述\n上年度主动公开政府信息3156条。",
    "一、概述\n主动公开政府信息较上年增加312条。",
    "二、主动公开政府信息情况\n公开内容如下(其中机构职能类信息25条，其他应主动公开政府信息856条)。",
    "一、概述\n主动公开政府信息的比例达到98%，更新周期不超过5个工作日。",
])
def test_active_traps_yield_nothing(body):
    assert "active.total_items" not in _flat(body)


def test_every_prose_value_keeps_its_sentence_as_evidence():
    doc = load_text(TITLE + "全年共受理政府信息公开申请十二件。全县共受理行政复议案件46件，其中涉及政府信息公开的1件。")
    ext = extract_baseline(doc)
    start, end = ext.values["applications.new_received.total"].span
    assert doc.text[start:end] == "十二"
    start, end = ext.values["review.total"].span
    assert doc.text[start:end] == "1"


def test_wordings_found_by_the_blind_set():
    """Classes the blind set (eval/unseen_blind) showed missing, in other invented sentences."""
    assert _flat("本年度共受理依申请公开政府信息事项9件。")["applications.new_received.total"] == 9
    part = _flat("三、依申请公开政府信息情况\n本年度共收到申请13件，已办结13件。")
    assert part["applications.new_received.total"] == 13
    assert part["applications.total_processed.total"] == 13
    assert "applications.new_received.total" not in _flat("一、概述\n区政务大厅共收到申请2650件。")
    assert _flat("本年度本局未被提起行政复议。")["review.total"] == 0
    assert _flat("一、概述\n全年通过门户网站发布政务信息640条。")["active.total_items"] == 640


def test_wordings_found_by_the_second_blind_batch():
    """Classes blind batch 2 showed missing, in other invented sentences, with their traps."""
    assert _flat("二、主动公开政府信息情况\n全年主动公开信息总量达4,120条。")["active.total_items"] == 4120
    flat = _flat("全年共收到政府信息公开申请340件，办结333件，7件结转至2016年继续办理。")
    assert flat["applications.total_processed.total"] == 333
    assert flat["applications.carried_forward.total"] == 7
    # 按时办结 is a breakdown of the handled total, never the total itself
    assert "applications.total_processed.total" not in _flat("其中按时办结15件，延期办结0件。")
    # a year in the carry-forward clause is not the count
    assert _flat("另有3件申请顺延至2016年办理。")["applications.carried_forward.total"] == 3



def test_every_prose_value_keeps_its_whole_sentence_as_evidence():
    """The record names the sentence of a prose figure, so its scope and negations can be checked."""
    from extractor.ingest import load_text
    from extractor.pipeline import process_document

    text = ("某镇人民政府2016年政府信息公开工作年度报告\n"
            "一、概述\n本年度共主动公开政府信息318条。\n"
            "二、依申请公开情况\n本年度共受理政府信息公开申请12件，均已按时答复。\n"
            "三、行政复议和诉讼情况\n全镇受理行政复议案件47件，其中涉及政府信息公开的2件；未发生行政诉讼。\n")
    doc = load_text(text, name="invented.txt")
    record = process_document(doc, extract_baseline, "regex")
    sentences = {key: doc.text[s:e] for key, (s, e) in record.sentences.items()}
    assert record.fields["applications.new_received.total"] == 12
    assert sentences["applications.new_received.total"] == "本年度共受理政府信息公开申请12件,均已按时答复。"  # normalised comma
    assert record.fields["review.total"] == 2
    assert sentences["review.total"].startswith("全镇受理行政复议案件47件")  # the scope is in view
    assert set(record.sentences) <= set(record.evidence)
    for key, (start, end) in record.sentences.items():  # the figure's own span lies inside its sentence
        assert start <= record.evidence[key][0] and record.evidence[key][1] <= end
