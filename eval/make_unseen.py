"""Write the held-out "unseen wording" reports in eval/unseen/ with their gold files.

    .venv/bin/python eval/make_unseen.py

Every report here is INVENTED (issuers, figures and sentences are made up) in
the wordings real reports use but the dev set does not: row-label variants
and typos, labels broken by spaces or line breaks, extra province rows,
traditional characters, markdown titles from PDF conversions, tables whose
printed arithmetic breaks, prose paraphrases with Chinese numerals, 万 and
scope traps, old reports that mention 2019-table words in prose, and reports
whose tables were lost.  Gold files are written from the figures chosen here,
never from the extractor's output.

They were written before the changes that read them, as a target; being
written by the same people who then fixed the reader, they are not blind —
read their score as "the classes are handled", not as accuracy in the wild.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.report_builder import COLS, consistent_table3  # noqa: E402

OUT = ROOT / "eval" / "unseen"

REVIEW_KEYS = [f"{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
               for c in ("upheld", "corrected", "other", "pending", "total")]

# Row labels as some real pages print them (variants, typos, missing numbering, inner spaces).
LABELS_2021_VARIANT = [
    ("new_received", "一、本年新收政府信息 公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "三、本年度办理结果 (一)予以公开"),
    ("partially_granted", "(二)部分公开(区分处理的,只计这一情况,不计其他情况)"),
    ("denied_state_secret", "(三)不予公开 属于国家秘密"),
    ("denied_prohibited_by_law", "2.其他法律和行政法规禁止公开"),
    ("denied_safety_stability", "3.危及三安全一稳定"),
    ("denied_third_party", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "5.属于三类内容事务信息"),
    ("denied_process_info", "6.属于四类过程性信息"),
    ("denied_enforcement_file", "7.属于行政执法案卷"),
    ("denied_admin_query", "8.属于行政查询事项"),
    ("unavailable_not_held", "(四)无法提供 1.本机关不掌握相关政府信息"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确"),
    ("rejected_complaint", "(五)不予处理 1.信访举报投诉类申请"),
    ("rejected_repeated", "2.重复申请"),
    ("rejected_publication", "3.要求提供公开出版物"),
    ("rejected_excessive", "4.无正当理由大量反复申请"),
    ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    ("other_no_correction", "(六)其他处理 1.申请人无正当理由逾期不补正,行政机关不再受理其政府信息公开申请"),
    ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用,行政机关不再受理其政府信息公开申请"),
    ("other_misc", "3.其他"),
    ("total_processed", "(七)总计"),
    ("carried_forward", "四、结转下年度继续办理"),
]

LABELS_2019_LINES = [
    ("new_received", "一、本年新收政府信息公开\n申请数量"),
    ("carried_over", "二、上年结转政府信息\n公开申请数量"),
    ("granted", "三、本年度办理结果\n（一）予以公开"),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("denied_state_secret", "（三）不予公开\n1．属于国家秘密"),
    ("denied_prohibited_by_law", "2．其他法律行政法规\n禁止公开"),
    ("denied_safety_stability", "3．危及“三安全一稳定”"),
    ("denied_third_party", "4．保护第三方合法权益"),
    ("denied_internal_affairs", "5．属于三类内部事务信息"),
    ("denied_process_info", "6．属于四类过程性信息"),
    ("denied_enforcement_file", "7．属于行政执法案卷"),
    ("denied_admin_query", "8．属于行政查询事项"),
    ("unavailable_not_held", "（四）无法提供\n1．本机关不掌握相关\n政府信息"),
    ("unavailable_needs_creation", "2．没有现成信息需要另行制作"),
    ("unavailable_unclear", "3．补正后申请内容仍不明确"),
    ("rejected_complaint", "（五）不予处理\n1．信访举报投诉类申请"),
    ("rejected_repeated", "2．重复申请"),
    ("rejected_publication", "3．要求提供公开出版物"),
    ("rejected_excessive", "4．无正当理由大量反复申请"),
    ("rejected_confirmation", "5．要求行政机关确认或重新出具已获取信息"),
    ("other_processing", "（六）其他处理"),
    ("total_processed", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
]

T3_HEAD = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况 自然人 法人或其他组织 总计 "
           "商业企业 科研机构 社会公益组织 法律服务机构 其他")
T4_HEAD = "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉 " \
          "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计"


def _t3_flat(table: dict[str, list[int]]) -> dict[str, int]:
    return {f"applications.{k}.{c}": v for k, vals in table.items() for c, v in zip(COLS, vals)}


def write(name: str, text: str, fields: dict, notes: str, *, encoding: str = "utf-8") -> None:
    (OUT / name).write_bytes(text.encode(encoding))
    gold = {"doc": name, "fields": fields, "unscored": [], "notes": "INVENTED (eval/make_unseen.py). " + notes}
    (OUT / f"{Path(name).stem}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n",
                                                      encoding="utf-8")


# ---------------------------------------------------------------- u01: 2021, pipes, label variants

def u01() -> None:
    table = consistent_table3("2021", seed=101)
    review = [2, 1, 0, 0, 3, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0]
    rows = "\n".join(f"| {label} | " + " | ".join(str(v) for v in table[key]) + " |" for key, label in LABELS_2021_VARIANT)
    title = "清溪县 2022 年政府信息公开工作年度报告"
    text = f"""# {title}

本报告根据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号要求编制。第1页 共6页

## 一、总体情况

2022年，清溪县共主动公开政府信息2,315条，同比增长8.5%。

## 二、主动公开政府信息情况

| 第二十条第(一)项 | | | |
| 信息内容 | 本年制发件数 | 本年废止件数 | 先行有效件数 |
| 规章 | 0 | 0 | 0 |
| 行政规范性 文件 | 7 | 2 | 63 |
| 第二十条第(五)项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政许可 | 4187 | | |
| 第二十条第(六)项 | | | |
| 信息内容 | 本年处理决定数量 | | |
| 行政处罚 | 352 | | |
| 行政强制 | 17 | | |
| 第二十条第(八)项 | | | |
| 信息内容 | 本年收费金额(单位:万元) | | |
| 行政事业性收费 | 86.4 | | |

## 三、收到和处理政府信息公开申请情况

| {T3_HEAD} |
{rows}

## 四、政府信息公开行政复议、行政诉讼情况

| {T4_HEAD} |
| {" | ".join(str(v) for v in review)} |

## 五、存在的主要问题及改进情况

一是公开内容的深度有待提升。二是队伍建设仍需加强。下一步将加强培训。

## 六、其他需要报告的事项

本年度未收取信息处理费。第6页 共6页
"""
    fields = {"meta.title": "清溪县2022年政府信息公开工作年度报告", "meta.issuer": "清溪县", "meta.year": 2022,
              "meta.template": "2021", "active.total_items": 2315,
              "active.rules.issued": 0, "active.rules.repealed": 0, "active.rules.in_force": 0,
              "active.normative_docs.issued": 7, "active.normative_docs.repealed": 2,
              "active.normative_docs.in_force": 63, "active.licensing.decisions": 4187,
              "active.penalty.decisions": 352, "active.coercion.decisions": 17, "active.fees.amount_wan": 86.4,
              **_t3_flat(table), **dict(zip(REVIEW_KEYS, review))}
    write("u01_2021_pipe_label_variants.txt", text, fields,
          "PDF-to-markdown page: '#' title with spaces around the year, label variants "
          "(不再受理, 其他法律和行政法规, 内容事务, 只计这一情况, 先行有效, numbering lost, inner spaces).")


# ---------------------------------------------------------------- u02: 2019, one cell per line, extra row

def u02() -> None:
    table = consistent_table3("2019", seed=102)
    body = []
    for key, label in LABELS_2019_LINES:
        body.append(label)
        body.extend(str(v) for v in table[key])
    rows = "\n".join(body)
    review = [0] * 15
    text = f"""石门镇人民政府2020年政府信息公开工作年度报告
发布时间：2021-01-28 来源：石门镇 字号：大 中 小
一、总体情况
2020年，石门镇主动公开政府信息共计418条。
二、主动公开政府信息情况
第二十条第（一）项
信息内容
本年新
制作数量
本年新
公开数量
对外公开总数量
规章（设区的市、自治州人民政府应提供相关数据）
/
/
/
规范性文件
2
2
19
其他主动公开文件
40
40
311
第二十条第（五）项
信息内容
上一年项目数量
本年增/减
处理决定数量
行政许可
12
-3
96
其他对外管理服务事项
4
0
21
第二十条第（六）项
信息内容
上一年项目数量
本年增/减
处理决定数量
行政处罚
6
+1
14
行政强制
0
0
0
第二十条第（八）项
信息内容
上一年项目数量
本年增/减
行政事业性收费
0
0
第二十条第（九）项
信息内容
采购项目数量
采购总金额
政府集中采购
3
46.5
三、收到和处理政府信息公开申请情况
{T3_HEAD.replace(' ', chr(10))}
{rows}
四、政府信息公开行政复议、行政诉讼情况
{T4_HEAD.replace(' ', chr(10))}
{chr(10).join(str(v) for v in review)}
五、存在的主要问题及改进情况
政策解读形式较为单一。下一步，我镇将丰富解读形式。
六、其他需要报告的事项
无。
"""
    fields = {"meta.title": "石门镇人民政府2020年政府信息公开工作年度报告", "meta.issuer": "石门镇人民政府",
              "meta.year": 2020, "meta.template": "2019", "meta.publish_date": "2021-01-28",
              "active.total_items": 418,
              "active.normative_docs.new_made": 2, "active.normative_docs.new_published": 2,
              "active.normative_docs.total_published": 19,
              "active.licensing.prev_count": 12, "active.licensing.change": -3, "active.licensing.decisions": 96,
              "active.other_services.prev_count": 4, "active.other_services.change": 0,
              "active.other_services.decisions": 21,
              "active.penalty.prev_count": 6, "active.penalty.change": 1, "active.penalty.decisions": 14,
              "active.coercion.prev_count": 0, "active.coercion.change": 0, "active.coercion.decisions": 0,
              "active.fees.prev_count": 0, "active.fees.change": 0,
              "active.procurement.projects": 3, "active.procurement.amount_wan": 46.5,
              **_t3_flat(table), **dict(zip(REVIEW_KEYS, review))}
    write("u02_2019_lines_extra_row.txt", text, fields,
          "One cell per line, labels broken across lines, header annotation on 规章 ('/' = n/a), an extra province "
          "row 其他主动公开文件 that is not a contract field.")


# ---------------------------------------------------------------- u03: 2019 in traditional characters

_TRAD = str.maketrans({"开": "開", "报": "報", "县": "縣", "政": "政", "务": "務", "处": "處", "门": "門", "规": "規",
                       "请": "請", "数": "數", "结": "結", "转": "轉", "计": "計", "总": "總", "申": "申", "办": "辦",
                       "理": "理", "复": "復", "议": "議", "讼": "訟", "诉": "訴", "维": "維", "纠": "糾", "尚": "尚",
                       "审": "審", "况": "況", "关": "關", "于": "於", "属": "屬", "国": "國", "员": "員", "动": "動", "岭": "嶺", "时": "時", "网": "網", "范": "範", "读": "讀",
                       "机": "機", "权": "權", "过": "過", "执": "執", "卷": "卷", "询": "詢", "项": "項",
                       "现": "現", "另": "另", "补": "補", "仍": "仍", "确": "確", "访": "訪", "举": "舉",
                       "类": "類", "实": "實", "护": "護", "级": "級", "单": "單", "位": "位", "会": "會",
                       "业": "業", "构": "構", "织": "織", "组": "組", "团": "團", "体": "體", "问": "問",
                       "题": "題", "进": "進", "间": "間", "这": "這", "区": "區", "财": "財",
                       "产": "產", "预": "預", "态": "態", "环": "環", "险": "險", "稳": "穩", "谋": "謀",
                       "严": "嚴", "么": "麼", "设": "設", "库": "庫", "录": "錄", "编": "編", "条": "條",
                       "例": "例", "华": "華", "民": "民", "共": "共", "和": "和", "许": "許", "罚": "罰",
                       "强": "強", "费": "費", "购": "購", "采": "採", "额": "額", "金": "金", "减": "減",
                       "增": "增", "决": "決", "定": "定", "内": "內", "容": "容", "发": "發", "废": "廢",
                       "止": "止", "效": "效", "对": "對", "外": "外", "管": "管",
                       "获": "獲", "经": "經", "后": "後", "继": "繼", "续": "續", "几": "幾",
                       "无": "無", "法": "法", "违": "違", "诚": "誠", "信": "信", "应": "應", "为": "為",
                       "东": "東", "长": "長", "乡": "鄉", "镇": "鎮", "卫": "衛", "健": "健", "委": "委"})


def u03() -> None:
    table = consistent_table3("2019", seed=103)
    rows = "\n".join(f"{label} " + " ".join(str(v) for v in table[key]) for key, label in
                     [(k, lab.replace("\n", "")) for k, lab in LABELS_2019_LINES])
    review = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    simplified = f"""东岭区卫生健康委员会2019年政府信息公开工作年度报告
发布日期：2020-01-15
一、总体情况
2019年，东岭区卫生健康委员会主动公开政府信息共计156条。
二、主动公开政府信息情况
第二十条第（一）项 信息内容 本年新制作数量 本年新公开数量 对外公开总数量
规章 0 0 0
规范性文件 1 1 8
第二十条第（五）项 信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 27 0 1530
其他对外管理服务事项 5 -1 88
第二十条第（六）项 信息内容 上一年项目数量 本年增/减 处理决定数量
行政处罚 33 2 41
行政强制 4 0 0
第二十条第（八）项 信息内容 上一年项目数量 本年增/减
行政事业性收费 2 0
第二十条第（九）项 信息内容 采购项目数量 采购总金额
政府集中采购 5 128.3
三、收到和处理政府信息公开申请情况
{T3_HEAD}
{rows}
四、政府信息公开行政复议、行政诉讼情况
{T4_HEAD}
{" ".join(str(v) for v in review)}
五、存在的主要问题及改进情况
公开内容还不够全面。下一步将加强培训。
六、其他需要报告的事项
无。
"""
    text = simplified.translate(_TRAD)
    title = text.splitlines()[0]
    fields = {"meta.title": title, "meta.issuer": title.split("2019")[0], "meta.year": 2019,
              "meta.template": "2019", "meta.publish_date": "2020-01-15", "active.total_items": 156,
              "active.rules.new_made": 0, "active.rules.new_published": 0, "active.rules.total_published": 0,
              "active.normative_docs.new_made": 1, "active.normative_docs.new_published": 1,
              "active.normative_docs.total_published": 8,
              "active.licensing.prev_count": 27, "active.licensing.change": 0, "active.licensing.decisions": 1530,
              "active.other_services.prev_count": 5, "active.other_services.change": -1,
              "active.other_services.decisions": 88,
              "active.penalty.prev_count": 33, "active.penalty.change": 2, "active.penalty.decisions": 41,
              "active.coercion.prev_count": 4, "active.coercion.change": 0, "active.coercion.decisions": 0,
              "active.fees.prev_count": 2, "active.fees.change": 0,
              "active.procurement.projects": 5, "active.procurement.amount_wan": 128.3,
              **_t3_flat(table), **dict(zip(REVIEW_KEYS, review))}
    write("u03_2019_traditional_spaces.txt", text, fields,
          "The whole page in traditional characters (as big5 mirrors serve it), cells separated by spaces.")


# ---------------------------------------------------------------- u04: 2021, run-together, a printed typo

def u04() -> None:
    zero = [0] * 7
    table = {key: list(zero) for key, _ in LABELS_2021_VARIANT}
    table.update({"new_received": [5, 3, 0, 0, 0, 0, 8], "granted": [1, 2, 0, 0, 0, 0, 3],
                  "partially_granted": [1, 0, 0, 0, 0, 0, 1], "unavailable_not_held": [2, 0, 0, 0, 0, 0, 2],
                  "rejected_repeated": [0, 1, 0, 0, 0, 0, 1], "total_processed": [4, 3, 0, 0, 0, 0, 7],
                  "carried_forward": [1, 0, 0, 0, 0, 0, 1]})
    # Single-digit cells, so every run-together row has exactly one split; then a publisher's typo:
    # the 总计 of 予以公开 is printed 4 instead of 3 (the row and the results column break their sums).
    printed = {k: list(v) for k, v in table.items()}
    printed["granted"][6] = 4
    rows = "".join(label.replace("\n", "") + "".join(str(v) for v in printed[key])
                   for key, label in [(k, lab) for k, lab in
                                      [(k, lab) for k, lab in LABELS_2021_VARIANT]])
    text = f"""白沙乡人民政府2021年政府信息公开工作年度报告
一、总体情况 2021年，白沙乡主动公开政府信息95条。二、主动公开政府信息情况
第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件013第二十条第(五)项信息内容本年处理决定数量行政许可6第二十条第(六)项信息内容本年处理决定数量行政处罚2行政强制0第二十条第(八)项信息内容本年收费金额(单位:万元)行政事业性收费0
三、收到和处理政府信息公开申请情况
(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他{rows}
四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计000000000000000
五、存在的主要问题及改进情况 无。六、其他需要报告的事项 无。
"""
    flat = _t3_flat(printed)
    fields = {"meta.title": "白沙乡人民政府2021年政府信息公开工作年度报告", "meta.issuer": "白沙乡人民政府",
              "meta.year": 2021, "meta.template": "2021", "active.total_items": 95,
              "active.rules.issued": 0, "active.rules.repealed": 0, "active.rules.in_force": 0,
              "active.normative_docs.issued": 0, "active.normative_docs.repealed": 1,
              "active.normative_docs.in_force": 3, "active.licensing.decisions": 6, "active.penalty.decisions": 2,
              "active.coercion.decisions": 0, "active.fees.amount_wan": 0.0,
              **flat, **dict(zip(REVIEW_KEYS, [0] * 15))}
    write("u04_2021_runtogether_typo.txt", text, fields,
          "Cells run together (one digit per cell, so every row has exactly one split) and label variants; the "
          "予以公开 总计 is printed one too high (a publisher's typo): gold keeps it as printed.")


# ---------------------------------------------------------------- prose reports

U05 = """云岭县人民政府2013年政府信息公开工作年度报告
发布日期：2014年3月20日　　来源：县政府办公室　　浏览次数：1024
本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和云政办〔2013〕45号文件要求编制，所列数据统计期限自2013年1月1日起至2013年12月31日止。
一、概述
2013年，我县进一步健全政府信息公开工作机制，召开专题会议3次，举办培训班2期，培训人员150人次。
二、主动公开政府信息情况
本年度通过县政府门户网站、政务公开栏等渠道主动公开各类信息共计三千四百六十八条，较上年增加312条，同比增长9.9%，其中规范性文件21件。截至2013年底，累计主动公开政府信息23145条。
三、依申请公开政府信息情况
全年共受理政府信息公开申请十二件，其中当面申请5件、网络申请6件、信函申请1件。所有申请均已按期答复，答复率100%。在已答复的申请中，同意公开9件，同意部分公开2件，不予公开1件。
四、政府信息公开的收费及减免情况
本年度未收取任何费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
全县共受理行政复议案件46件，其中涉及政府信息公开的行政复议案件1件，已审结维持。本年度未发生因政府信息公开引起的行政诉讼。
六、存在的主要问题及改进措施
一是公开内容不够全面；二是基层力量薄弱。下一步将加强培训。
（第3页）
"""
U05_GOLD = {"meta.title": "云岭县人民政府2013年政府信息公开工作年度报告", "meta.issuer": "云岭县人民政府",
            "meta.year": 2013, "meta.publish_date": "2014-03-20", "meta.template": "narrative",
            "active.total_items": 3468, "applications.new_received.total": 12,
            "applications.granted.total": 9, "applications.partially_granted.total": 2,
            "applications.denied_total.total": 1, "review.total": 1, "litigation.total": 0}

U06 = """2016年度市交通运输局政府信息公开工作年度报告
时间：2017-03-08
根据《中华人民共和国政府信息公开条例》规定，现公布我局2016年度政府信息公开工作年度报告。
一、概述
我局在政府集中采购、行政许可、行政处罚等领域加大公开力度，全年召开政务公开专题会议4次。
二、主动公开政府信息情况
2016年，我局主动公开政府信息1.26万条，其中通过门户网站发布11800条，通过政务微博发布800条。
三、依申请公开政府信息情况
本年度我局共接到各类政府信息公开申请三十五件（另有上年结转申请2件），均在法定期限内予以答复。其中，予以公开28件，部分公开3件，不予公开2件，信息不存在1件，非本机关掌握1件。另有2件结转至下年度办理。
四、政府信息公开的收费及减免情况
本年度未收取检索、复制、邮寄等费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
2016年，我局因政府信息公开被申请行政复议两起，被提起行政诉讼1起，均已审结，维持原行政行为。
六、政府信息公开工作存在的主要问题及改进情况
信息公开的及时性有待提高。2017年，我局将进一步完善制度。
"""
U06_GOLD = {"meta.title": "2016年度市交通运输局政府信息公开工作年度报告", "meta.issuer": "市交通运输局",
            "meta.year": 2016, "meta.publish_date": "2017-03-08", "meta.template": "narrative",
            "active.total_items": 12600, "applications.new_received.total": 35,
            "applications.carried_over.total": 2, "applications.granted.total": 28,
            "applications.partially_granted.total": 3, "applications.denied_total.total": 2,
            "applications.carried_forward.total": 2, "review.total": 2, "litigation.total": 1}

U07 = """梅林街道办事处2017年政府信息公开工作年度报告
发布日期：2018-02-26
一、概述
2017年，梅林街道认真落实政府信息公开各项要求，做好政府集中采购、行政许可等事项公开。
二、主动公开政府信息情况
全年共公开政府信息560条。
三、依申请公开政府信息情况
本年度共收到政府信息公开申请8件，已全部办结。
四、因政府信息公开申请行政复议、提起行政诉讼的情况
本年度没有发生因政府信息公开申请提起行政复议和行政诉讼的情况。
五、存在的主要问题及改进措施
一是公开时效性有待加强；二是将加强业务培训。
附表：政府信息公开情况统计表
| 指标名称 | 计量单位 | 统计数 |
| 一、主动公开情况 | | |
| （一）主动公开政府信息数 | 条 | 560 |
| 其中：主动公开规范性文件数 | 条 | 6 |
| 制发规范性文件总数 | 件 | 6 |
| 二、依申请公开情况 | | |
| （一）收到申请数 | 件 | 8 |
| 1.当面申请数 | 件 | 3 |
| 2.传真申请数 | 件 | 0 |
| 3.网络申请数 | 件 | 4 |
| 4.信函申请数 | 件 | 1 |
| （二）申请办结数 | 件 | 8 |
| 1.按时办结数 | 件 | 8 |
| 2.延期办结数 | 件 | 0 |
| （三）申请答复数 | 件 | 8 |
| 1.属于已主动公开范围数 | 件 | 2 |
| 2.同意公开答复数 | 件 | 3 |
| 3.同意部分公开答复数 | 件 | 1 |
| 4.不同意公开答复数 | 件 | 1 |
| 5.不属于本行政机关公开数 | 件 | 1 |
| 三、行政复议数量 | 件 | 0 |
| 四、行政诉讼数量 | 件 | 0 |
| 五、举报投诉数量 | 件 | 0 |
| 六、依申请公开信息收取的费用 | 万元 | 0 |
"""
U07_GOLD = {"meta.title": "梅林街道办事处2017年政府信息公开工作年度报告", "meta.issuer": "梅林街道办事处",
            "meta.year": 2017, "meta.publish_date": "2018-02-26", "meta.template": "narrative",
            "active.total_items": 560, "applications.new_received.total": 8,
            "applications.total_processed.total": 8, "applications.granted.total": 3,
            "applications.partially_granted.total": 1, "applications.denied_total.total": 1,
            "review.total": 0, "litigation.total": 0}

U08 = """青禾镇人民政府 2021年度 政府信息公开工作年度报告
发布时间：2022-01-20
一、总体情况
2021年，青禾镇共主动公开政府信息二百零六条，收到政府信息公开申请3件，均已按时答复。
二、主动公开政府信息情况
（表格见附件）
三、收到和处理政府信息公开申请情况
（表格见附件）
四、政府信息公开行政复议、行政诉讼情况
本年度未发生政府信息公开行政复议、行政诉讼案件。
五、存在的主要问题及改进情况
公开栏更新不够及时。下一步将定期更新。
六、其他需要报告的事项
本年度未收取信息处理费。
"""
U08_GOLD = {"meta.title": "青禾镇人民政府2021年度政府信息公开工作年度报告", "meta.issuer": "青禾镇人民政府",
            "meta.year": 2021, "meta.publish_date": "2022-01-20", "meta.template": "2021",
            "active.total_items": 206, "applications.new_received.total": 3,
            "review.total": 0, "litigation.total": 0}

U09 = """# 柳河县司法局2012年政府信息公开工作年度报告

根据《中华人民共和国政府信息公开条例》，特向社会公布本局2012年度政府信息公开工作年度报告。

一、概述

2012年，本局按照县委、县政府部署，扎实推进政府信息公开。

二、主动公开政府信息情况

本年度共发布政府信息217条，主要包括机构职能、法律援助、人民调解等内容。

三、依申请公开政府信息情况

2012年，本局未收到公民、法人或其他组织提出的政府信息公开申请。

四、政府信息公开的收费及减免情况

无。

五、因政府信息公开申请行政复议、提起行政诉讼的情况

2012年，本局无因政府信息公开申请提起行政复议、行政诉讼的情况。

六、存在的主要问题及改进措施

部分信息公开不够及时。
"""
U09_GOLD = {"meta.title": "柳河县司法局2012年政府信息公开工作年度报告", "meta.issuer": "柳河县司法局",
            "meta.year": 2012, "meta.template": "narrative",
            "active.total_items": 217, "applications.new_received.total": 0,
            "review.total": 0, "litigation.total": 0}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    u01()
    u02()
    u03()
    u04()
    write("u05_2013_prose_numerals_scope.txt", U05, U05_GOLD,
          "Prose: Chinese numerals (三千四百六十八条, 十二件), scope trap (全县行政复议46件, 其中涉及政府信息公开的1件), "
          "同比/较上年 deltas, 累计, dates, 文号, page number, percentages.")
    write("u06_2016_prose_paraphrase.txt", U06, U06_GOLD,
          "Prose: 1.26万条, 接到…申请三十五件, 上年结转 in brackets, 予以公开/部分公开/不予公开, 结转至下年度, "
          "复议两起; mentions 政府集中采购/行政许可 in prose (not a 2019 table).")
    write("u07_2017_stats_table.txt", U07, U07_GOLD,
          "Pre-2019 report with a 2014-style statistics table (收到申请数, 申请办结数, 同意公开答复数, 行政复议数量); "
          "prose mentions 政府集中采购 and 行政许可.")
    write("u08_2021_no_tables_spaced_title.txt", U08, U08_GOLD,
          "2021 report whose tables are attachments (headings only); title with spaces between issuer, year and "
          "the rest (PDF conversion); 二百零六条.")
    write("u09_2012_markdown_prose_zero.txt", U09, U09_GOLD,
          "Markdown title; 发布政府信息 in the 主动公开 part; zero statements (未收到…申请, 无…复议、诉讼).")


if __name__ == "__main__":
    main()


# ================================================================ blind batch (eval/unseen_blind)
# Written AFTER the reader was changed for the reports above, and scored once before any further change:
# the honest figure for wording nobody tuned for.

BLIND = ROOT / "eval" / "unseen_blind"

B01 = """柏树乡人民政府2015年政府信息公开工作年度报告
（2016年3月15日）
本报告根据《中华人民共和国政府信息公开条例》要求，由柏树乡人民政府编制。
一、概述
2015年，我乡成立了以乡长为组长的政府信息公开工作领导小组，明确1名专职工作人员。
二、主动公开政府信息情况
2015年，我乡通过乡政府网站、公开栏等形式，公开各类政府信息共285条，其中政策法规类42条、工作动态类156条、其他87条。
三、依申请公开政府信息情况
2015年度，我乡共受理依申请公开政府信息事项4件，全部按时办结，其中予以公开3件，不予公开1件。
四、政府信息公开收费及减免情况
本年度未收取任何费用。
五、因政府信息公开申请行政复议、提起行政诉讼情况
全年未发生因政府信息公开申请而提起的行政复议和行政诉讼。
六、存在的主要问题和改进措施
信息更新不够及时，今后将加强管理。
"""
B01_GOLD = {"meta.title": "柏树乡人民政府2015年政府信息公开工作年度报告", "meta.issuer": "柏树乡人民政府",
            "meta.year": 2015, "meta.template": "narrative", "active.total_items": 285,
            "applications.new_received.total": 4, "applications.granted.total": 3,
            "applications.denied_total.total": 1, "review.total": 0, "litigation.total": 0}

B02 = """2010年度区人力资源和社会保障局政府信息公开工作年度报告
发布日期：2011-03-28
一、概述
2010年，我局政府信息公开工作在区委、区政府的领导下有序开展。
二、主动公开政府信息情况
全年我局主动公开政府信息4,580条，全文电子化率100%。
三、依申请公开情况
全年共收到申请21件，其中网上申请15件，当面申请6件；已答复21件。
四、行政复议和行政诉讼情况
本年度我局因政府信息公开被申请行政复议1件，被提起行政诉讼0件。
五、存在的问题及改进措施
信息公开的深度有待加强。
"""
B02_GOLD = {"meta.title": "2010年度区人力资源和社会保障局政府信息公开工作年度报告",
            "meta.issuer": "区人力资源和社会保障局", "meta.year": 2010, "meta.publish_date": "2011-03-28",
            "meta.template": "narrative", "active.total_items": 4580, "applications.new_received.total": 21,
            "applications.total_processed.total": 21, "review.total": 1, "litigation.total": 0}

B03 = """黄杨县市场监督管理局2020年政府信息公开工作年度报告
发布时间：2021-01-29
一、总体情况
2020年，本局坚持以公开为常态，全年通过门户网站发布各类政府信息1,132条。全年受理政府信息公开申请26件，较2019年减少4件，均在法定期限内答复。
二、主动公开政府信息情况
（详见附表一）
三、收到和处理政府信息公开申请情况
（详见附表二）
四、政府信息公开行政复议、行政诉讼情况
2020年，本局因政府信息公开工作被申请行政复议2件，其中维持1件，尚未审结1件；未被提起行政诉讼。
五、存在的主要问题及改进情况
政策解读质量有待提升。
六、其他需要报告的事项
无。
"""
B03_GOLD = {"meta.title": "黄杨县市场监督管理局2020年政府信息公开工作年度报告", "meta.issuer": "黄杨县市场监督管理局",
            "meta.year": 2020, "meta.publish_date": "2021-01-29", "meta.template": "2019",
            "active.total_items": 1132, "applications.new_received.total": 26, "review.total": 2,
            "litigation.total": 0}

B04 = """榆树区人民政府2012年政府信息公开工作年度报告
一、概述
为贯彻《条例》，区政府办公室制定了榆政办发〔2012〕17号文件。
二、主动公开政府信息情况
（一）公开数量。2012年全区累计主动公开政府信息7,215条，比上年增加1,023条，增长16.5%。其中区政府网站公开6,880条，政府公报公开335条。
三、依申请公开政府信息情况
（一）申请情况。2012年，全区共受理政府信息公开申请58件，其中当面申请12件，网络申请40件，信函申请6件。
（二）申请答复情况。已答复55件，其中同意公开40件，同意部分公开6件，不予公开9件；另有3件正在办理中。
四、政府信息公开的收费及减免情况
全年未收取检索、复制、邮寄等费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
2012年，全区因政府信息公开申请提起行政复议3件，提起行政诉讼2件。
"""
B04_GOLD = {"meta.title": "榆树区人民政府2012年政府信息公开工作年度报告", "meta.issuer": "榆树区人民政府",
            "meta.year": 2012, "meta.template": "narrative", "active.total_items": 7215,
            "applications.new_received.total": 58, "applications.total_processed.total": 55,
            "applications.granted.total": 40, "applications.partially_granted.total": 6,
            "applications.denied_total.total": 9, "review.total": 3, "litigation.total": 2}


def blind() -> None:
    BLIND.mkdir(parents=True, exist_ok=True)

    def put(name: str, text: str, fields: dict, notes: str) -> None:
        (BLIND / name).write_text(text, encoding="utf-8")
        gold = {"doc": name, "fields": fields, "unscored": [],
                "notes": "INVENTED, BLIND (eval/make_unseen.py): written after the changes, scored once before "
                         "any further change. " + notes}
        (BLIND / f"{Path(name).stem}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n",
                                                            encoding="utf-8")

    put("b01_2015_township_prose.txt", B01, B01_GOLD, "受理依申请公开政府信息事项4件; 公开各类政府信息共285条 with a breakdown.")
    put("b02_2010_bureau_prose.txt", B02, B02_GOLD, "收到申请21件 (bare 申请), 已答复21件, 行政诉讼0件.")
    put("b03_2020_tables_in_annex.txt", B03, B03_GOLD, "2019 template, tables in an annex; figures in 总体情况; a delta.")
    put("b04_2012_district_prose.txt", B04, B04_GOLD,
        "累计 meaning 'in all' beside 比上年增加 delta; channel and answer breakdowns; 文号.")


if __name__ == "__main__" and "--blind" in sys.argv:
    blind()


# ---------------------------------------------------------------- blind batch 2 (written 06:45, scored once)

def _b05_text() -> tuple[str, dict]:
    table = consistent_table3("2021", seed=205)
    groups = {"granted": ("三、本年度办理结果", ""), "partially_granted": ("三、本年度办理结果", ""),
              **{k: ("三、本年度办理结果", "（三）不予公开") for k in ("denied_state_secret", "denied_prohibited_by_law",
                 "denied_safety_stability", "denied_third_party", "denied_internal_affairs", "denied_process_info",
                 "denied_enforcement_file", "denied_admin_query")},
              **{k: ("三、本年度办理结果", "（四）无法提供") for k in ("unavailable_not_held", "unavailable_needs_creation",
                 "unavailable_unclear")},
              **{k: ("三、本年度办理结果", "（五）不予处理") for k in ("rejected_complaint", "rejected_repeated",
                 "rejected_publication", "rejected_excessive", "rejected_confirmation")},
              **{k: ("三、本年度办理结果", "（六）其他处理") for k in ("other_no_correction", "other_unpaid_fee", "other_misc")},
              "total_processed": ("三、本年度办理结果", "")}
    labels = {"new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
              "granted": "（一）予以公开", "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
              "denied_state_secret": "1.属于国家秘密", "denied_prohibited_by_law": "2.其他法律行政法规禁止公开",
              "denied_safety_stability": "3.危及“三安全一稳定”", "denied_third_party": "4.保护第三方合法权益",
              "denied_internal_affairs": "5.属于三类内部事务信息", "denied_process_info": "6.属于四类过程性信息",
              "denied_enforcement_file": "7.属于行政执法案卷", "denied_admin_query": "8.属于行政查询事项",
              "unavailable_not_held": "1.本机关不掌握相关政府信息", "unavailable_needs_creation": "2.没有现成信息需要另行制作",
              "unavailable_unclear": "3.补正后申请内容仍不明确", "rejected_complaint": "1.信访举报投诉类申请",
              "rejected_repeated": "2.重复申请", "rejected_publication": "3.要求提供公开出版物",
              "rejected_excessive": "4.无正当理由大量反复申请", "rejected_confirmation": "5.要求行政机关确认或重新出具已获取信息",
              "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
              "other_misc": "3.其他", "total_processed": "（七）总计", "carried_forward": "四、结转下年度继续办理"}
    rows = []
    for key, label in labels.items():
        g1, g2 = groups.get(key, ("", ""))
        cells = [c for c in (g1, g2, label) if c]
        rows.append("| " + " | ".join(cells) + " | " + " | ".join(str(v) for v in table[key]) + " |")
    text = ("桐林区教育局2023年政府信息公开工作年度报告\n发布日期：2024-01-26\n一、总体情况\n"
            "2023年，区教育局主动公开政府信息共计612条。\n三、收到和处理政府信息公开申请情况\n"
            "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |\n"
            "| 自然人 | 法人或其他组织 | 总计 |\n| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n"
            + "\n".join(rows) + "\n四、政府信息公开行政复议、行政诉讼情况\n| 行政复议 | 行政诉讼 |\n"
            "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |\n"
            "| 0 | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n五、存在的主要问题及改进情况\n无。\n")
    fields = {"meta.title": "桐林区教育局2023年政府信息公开工作年度报告", "meta.issuer": "桐林区教育局",
              "meta.year": 2023, "meta.publish_date": "2024-01-26", "meta.template": "2021",
              "active.total_items": 612, **_t3_flat(table),
              **dict(zip(REVIEW_KEYS, [0, 1, 0, 0, 1] + [0] * 10))}
    return text, fields


B06 = """2017年度县农业农村局政府信息公开工作年度报告
发布时间：2018-03-12
一、概述
2017年，我局进一步完善政府信息公开制度。
二、主动公开政府信息情况
全年主动公开信息总量达2.3万条，其中通过门户网站公开2.1万条。
三、依申请公开政府信息情况
全年共办理依申请公开事项15件，其中按时办结15件，延期办结0件。
四、因政府信息公开申请行政复议、提起行政诉讼的情况
全年因政府信息公开工作引发行政复议0件、行政诉讼0件。
"""
B06_GOLD = {"meta.title": "2017年度县农业农村局政府信息公开工作年度报告", "meta.issuer": "县农业农村局",
            "meta.year": 2017, "meta.publish_date": "2018-03-12", "meta.template": "narrative",
            "active.total_items": 23000, "applications.total_processed.total": 15,
            "review.total": 0, "litigation.total": 0}

B07 = """青冈市住房和城乡建设局2020年政府信息公开工作年度报告
一、总体情况
2020年，本局全年共收到政府信息公开申请1,205件，办结1,180件，25件结转至2021年继续办理。本年度主动公开政府信息3,861条。
二、主动公开政府信息情况
（表格略）
三、收到和处理政府信息公开申请情况
（表格略）
四、政府信息公开行政复议、行政诉讼情况
2020年，本局被申请政府信息公开行政复议12件，被提起政府信息公开行政诉讼5件。
五、存在的主要问题及改进情况
依申请公开答复质量有待提高。
"""
B07_GOLD = {"meta.title": "青冈市住房和城乡建设局2020年政府信息公开工作年度报告",
            "meta.issuer": "青冈市住房和城乡建设局", "meta.year": 2020, "meta.template": "2019",
            "active.total_items": 3861, "applications.new_received.total": 1205,
            "applications.total_processed.total": 1180, "applications.carried_forward.total": 25,
            "review.total": 12, "litigation.total": 5}


def blind2() -> None:
    BLIND.mkdir(parents=True, exist_ok=True)

    def put(name: str, text: str, fields: dict, notes: str) -> None:
        (BLIND / name).write_text(text, encoding="utf-8")
        gold = {"doc": name, "fields": fields, "unscored": [],
                "notes": "INVENTED, BLIND batch 2 (eval/make_unseen.py): written after all changes, scored once "
                         "before any further change. " + notes}
        (BLIND / f"{Path(name).stem}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n",
                                                            encoding="utf-8")

    text, fields = _b05_text()
    put("b05_2023_rowspan_repeated.txt", text, fields,
        "HTML-rendered table 三 whose rowspan group labels repeat in every row; multi-row headers; table 四 in pipes.")
    put("b06_2017_totals_and_handling.txt", B06, B06_GOLD, "信息总量达2.3万条; 办理依申请公开事项15件; 复议0件、诉讼0件.")
    put("b07_2020_prose_in_overview.txt", B07, B07_GOLD,
        "2019 template, tables lost; prose in 总体情况 with 1,205件, 办结1,180件, 结转至2021年; 被申请…行政复议12件.")


if __name__ == "__main__" and "--blind2" in sys.argv:
    blind2()
