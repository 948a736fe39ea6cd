"""Build synthetic 2019/2021-format reports (HTML with real rowspan/colspan, or flattened text).

Used by tests to cover layouts the dev set lacks; every figure is chosen by
the test, so the expected flat view is known exactly.
"""

from __future__ import annotations

import html
import random

COLS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")

ROWS_2019 = [
    ("new_received", "一、本年新收政府信息公开申请数量", None),
    ("carried_over", "二、上年结转政府信息公开申请数量", None),
    ("granted", "（一）予以公开", "三、本年度办理结果"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("denied_state_secret", "1.属于国家秘密", "（三）不予公开"),
    ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", None),
    ("denied_safety_stability", "3.危及“三安全一稳定”", None),
    ("denied_third_party", "4.保护第三方合法权益", None),
    ("denied_internal_affairs", "5.属于三类内部事务信息", None),
    ("denied_process_info", "6.属于四类过程性信息", None),
    ("denied_enforcement_file", "7.属于行政执法案卷", None),
    ("denied_admin_query", "8.属于行政查询事项", None),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息", "（四）无法提供"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作", None),
    ("unavailable_unclear", "3.补正后申请内容仍不明确", None),
    ("rejected_complaint", "1.信访举报投诉类申请", "（五）不予处理"),
    ("rejected_repeated", "2.重复申请", None),
    ("rejected_publication", "3.要求提供公开出版物", None),
    ("rejected_excessive", "4.无正当理由大量反复申请", None),
    ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", None),
    ("other_processing", "（六）其他处理", None),
    ("total_processed", "（七）总计", None),
    ("carried_forward", "四、结转下年度继续办理", None),
]
OTHER_2021 = [
    ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
    ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", None),
    ("other_misc", "3.其他", None),
]
RESULT_KEYS_2019 = [k for k, _, _ in ROWS_2019[2:21]]


def rows_for(template: str):
    if template == "2021":
        return ROWS_2019[:20] + OTHER_2021 + ROWS_2019[21:]
    return ROWS_2019


def consistent_table3(template: str, seed: int = 0) -> dict[str, list[int]]:
    """Random table 三 figures that satisfy every GOLD.md rule."""
    rng = random.Random(seed)
    rows = rows_for(template)
    result_keys = [k for k, _, _ in rows[2:-2]]
    table: dict[str, list[int]] = {}
    for key in result_keys:
        table[key] = [rng.choice([0, 0, 0, 1, 2, 5, 13, 40]) for _ in range(6)]
    processed = [sum(table[k][c] for k in result_keys) for c in range(6)]
    carried_over = [rng.choice([0, 1, 3]) for _ in range(6)]
    carried_forward = [min(rng.choice([0, 2, 4]), processed[c] + carried_over[c]) for c in range(6)]
    new = [processed[c] + carried_forward[c] - carried_over[c] for c in range(6)]
    if any(v < 0 for v in new):
        carried_over = [0] * 6
        new = [processed[c] + carried_forward[c] for c in range(6)]
    table["new_received"] = new
    table["carried_over"] = carried_over
    table["total_processed"] = processed
    table["carried_forward"] = carried_forward
    return {k: v + [sum(v)] for k, v in table.items()}


def expected_flat_table3(table: dict[str, list[int]]) -> dict[str, int]:
    return {f"applications.{k}.{c}": v for k, vals in table.items() for c, v in zip(COLS, vals)}


def html_report(table3: dict[str, list], *, template: str = "2019", title: str = "某某县2019年政府信息公开工作年度报告",
                review: list[int] | None = None, cell_text=None, chrome: bool = True, extra_body: str = "") -> str:
    """A 2019/2021 report page with the official table structure in real HTML."""
    cell_text = cell_text or (lambda key, col, v: str(v))
    e = html.escape
    rows = rows_for(template)
    t3 = ['<table border="1">',
          '<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
          '<td colspan="7">申请人情况</td></tr>',
          '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
          '<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>']
    group_spans = {"三、本年度办理结果": len(rows) - 4, "（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5, "（六）其他处理": 3}
    for key, label, group in rows:
        cells = "".join(f"<td>{e(cell_text(key, c, v))}</td>" for c, v in zip(COLS, table3[key]))
        lead = ""
        if key == "granted":
            lead += f'<td rowspan="{group_spans["三、本年度办理结果"]}">三、本年度办理结果</td>'
        if group and group != "三、本年度办理结果":
            lead += f'<td rowspan="{group_spans[group]}">{e(group)}</td>'
        if key in ("new_received", "carried_over", "carried_forward"):
            t3.append(f'<tr><td colspan="3">{e(label)}</td>{cells}</tr>')
        elif key in ("granted", "partially_granted", "total_processed") or (key == "other_processing"):
            t3.append(f'<tr>{lead}<td colspan="2">{e(label)}</td>{cells}</tr>')
        else:
            t3.append(f"<tr>{lead}<td>{e(label)}</td>{cells}</tr>")
    t3.append("</table>")
    review = review if review is not None else [1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    t4 = ['<table border="1">', '<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>',
          '<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td>'
          '<td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td>'
          '<td colspan="5">复议后起诉</td></tr>',
          "<tr>" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + "</tr>",
          "<tr>" + "".join(f"<td>{v}</td>" for v in review) + "</tr>", "</table>"]
    if template == "2021":
        t2 = """<table border="1">
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td>12</td><td>3</td><td>45</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">1,024</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">77</td></tr>
<tr><td>行政强制</td><td colspan="3">/</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">12.5</td></tr>
</table>"""
    else:
        t2 = """<table border="1">
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年新<br/>制作数量</td><td>本年新<br/>公开数量</td><td>对外公开总数量</td></tr>
<tr><td>规章</td><td>/</td><td>/</td><td>/</td></tr>
<tr><td>规范性文件</td><td>3</td><td>3</td><td>41</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
<tr><td>行政许可</td><td>120</td><td>-8</td><td>3500</td></tr>
<tr><td>其他对外管理服务事项</td><td>15</td><td>+2</td><td>——</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
<tr><td>行政处罚</td><td>60</td><td>0</td><td>210</td></tr>
<tr><td>行政强制</td><td>9</td><td>-</td><td>4</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td></td></tr>
<tr><td>行政事业性收费</td><td>5</td><td>0</td><td></td></tr>
<tr><td colspan="4">第二十条第（九）项</td></tr>
<tr><td>信息内容</td><td>采购项目数量</td><td>采购总金额</td><td></td></tr>
<tr><td>政府集中采购</td><td>31</td><td>251000元</td><td></td></tr>
</table>"""
    nav = ('<div class="nav">首页 | 政务公开 | 政府信息公开年报 扫一扫</div>'
           '<div class="share">分享到： 微信 微博</div>') if chrome else ""
    foot = '<div class="footer">主办单位：某某县人民政府办公室 版权所有</div>' if chrome else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{e(title)}</title>
<script>var x = "二、主动公开政府信息情况 999";</script></head><body>
{nav}
<h1>{e(title)}</h1>
<p>发布日期：2020-01-20</p>
<p>一、总体情况</p><p>2019年，本县主动公开政府信息1,234条。{extra_body}</p>
<p>二、主动公开政府信息情况</p>
{t2}
<p>三、收到和处理政府信息公开申请情况</p>
{"".join(t3)}
<p>四、政府信息公开行政复议、行政诉讼情况</p>
{"".join(t4)}
<p>五、存在的主要问题及改进情况</p><p>一是公开意识有待加强。二是将加强培训。</p>
<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>
{foot}
</body></html>"""


def flattened_text(table3: dict[str, list[int]], *, template: str = "2019", separator: str = "", title: str | None = None) -> str:
    """The same report as a page that printed each table row's cells with ``separator`` (run together when '')."""
    rows = rows_for(template)
    title = title or f"某某局{2019 if template == '2019' else 2022}年政府信息公开工作年度报告"
    parts = [title, "一、总体情况 本局依法公开。", "三、收到和处理政府信息公开申请情况",
             "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"]
    body = ""
    for key, label, group in rows:
        if group and key in ("granted",):
            body += "三、本年度办理结果"
        if group and group not in ("三、本年度办理结果",):
            body += group.replace("（", "(").replace("）", ")")
        body += label.replace("（", "(").replace("）", ")") + separator.join(str(v) for v in table3[key])
    parts.append(body)
    parts.append("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
                 "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计" + separator.join(["0"] * 15))
    parts.append("五、存在的主要问题及改进情况 无。六、其他需要报告的事项 无。")
    return "\n".join(parts)
