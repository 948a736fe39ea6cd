"""Real-world deviations listed in template_spec.md §6 that the dev set does not show."""

from extractor.baseline import extract_baseline
from extractor.ingest import load_text

WUHAN_STYLE = """武汉市某局2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容
本年新
制作数量
本年新
公开数量
对外公开总数量
规章（设区的市、自治州人民政府应提供相关数据）
0
0
3
规范性文件
2
2
17
其他主动公开文件
40
40
400
第二十条第（五）项
信息内容
上一年项目数量（指2019年事项数）
本年增/减（增用正值表示，减用负值表示，如-8）
处理决定数量（指2020年办件量）
行政许可
12
-3
1507
其他对外管理服务事项
4
0
88
第二十条第（六）项
信息内容
上一年项目数量
本年增/减
处理决定数量
行政处罚
6
0
41
行政强制
2
0
-
第二十条第（八）项
信息内容
上一年项目数量
本年增/减
行政事业性收费
1
0
第二十条第（九）项
信息内容
采购项目数量
采购总金额
政府集中采购
5
120.5万元
三、收到和处理政府信息公开申请情况
"""


def test_annotated_labels_extra_rows_and_signed_changes():
    flat = extract_baseline(load_text(WUHAN_STYLE)).flat()
    assert flat["meta.template"] == "2019"
    assert (flat["active.rules.new_made"], flat["active.rules.total_published"]) == (0, 3)
    assert flat["active.normative_docs.total_published"] == 17          # not the extra row's 400
    assert (flat["active.licensing.prev_count"], flat["active.licensing.change"], flat["active.licensing.decisions"]) == (12, -3, 1507)
    assert flat["active.coercion.decisions"] == 0                       # printed '-'
    assert flat["active.procurement.amount_wan"] == 120.5


WD_STYLE = """某区审计局2020年政府信息公开工作年度报告
四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
未经复议直接起诉 复议后起诉
结 结 其 尚 总 结 结 其 尚 总 结 结 其 尚 总
果 果 他 未 计 果 果 他 未 计 果 果 他 未 计
维 纠 结 审   维 纠 结 审   维 纠 结 审
持 正 果 结   持 正 果 结   持 正 果 结
0 0 0 0 0 1 0 0 0 1 0 0 0 0 0
五、存在的主要问题及改进情况
无。
"""


def test_pdf_table_four_with_vertical_headers():
    flat = extract_baseline(load_text(WD_STYLE + "\n本年新制作数量")).flat()
    assert flat["review.total"] == 0
    assert flat["litigation_direct.upheld"] == 1 and flat["litigation_direct.total"] == 1
    assert flat["litigation_after_review.total"] == 0


def test_typo_labels_from_real_pages():
    from tests.report_builder import consistent_table3, expected_flat_table3, flattened_text

    table = consistent_table3("2021", seed=9)
    text = flattened_text(table, template="2021", separator=" ")
    text = text.replace("只计这一情形", "只计这一情况").replace("5.属于三类内部事务信息", "5.属于三类内容事务信息")
    flat = extract_baseline(load_text(text)).flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key
