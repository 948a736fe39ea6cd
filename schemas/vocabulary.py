"""The domain vocabulary, defined once: parts, table rows and columns, markers, numbers.

Everything that names something printed in a report lives here, beside the
section models, so the baseline, the checks, the hybrid, the prompts and the
evaluation read the same words: the official labels of the 2019/2021 tables,
the variants real pages print instead (typos, renamed rows, traditional
characters), the zero / not-applicable markers and the grammar of a printed
number.  Nothing here imports the extractor; it is data plus tiny helpers.

Row *cores* are the distinguishing characters of a label: the shortest
wording that names that row and no other in its table.  A reader that cannot
find the official label looks for a core in table order, so
``其他法律和行政法规禁止公开`` still lands on ``denied_prohibited_by_law`` and
``…行政机关不再受理其政府信息公开申请`` on ``other_no_correction``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ------------------------------------------------------------------ parts (一 … 六)

SECTION_TITLES: dict[str, str] = {
    "overview": "总体情况",
    "active": "主动公开政府信息情况",
    "applications": "收到和处理政府信息公开申请情况",
    "fees": "政府信息公开的收费及减免情况",
    "appeals": "政府信息公开行政复议、行政诉讼情况",
    "problems": "存在的主要问题及改进情况",
    "other": "其他需要报告的事项",
    "statistics": "统计表",
}

REPORT_KIND = "政府信息公开工作年度报告"
"""What a document must be to be read at all (see ``extractor.baseline.report_check``)."""

# ------------------------------------------------------------------ cells

ZERO_MARKERS: frozenset[str] = frozenset({"-", "—", "——", "–", "－", "―", "─", "一一"})
"""Printed zero (GOLD.md): the dash family.  ``一一`` is two 一 standing in for ——."""

NA_MARKERS: frozenset[str] = frozenset({"/", "／", "\\", "空", "N/A", "n/a", "NA", "不适用", "无此项"})
"""Not applicable: never a value, never zero."""

# Longest first, so that ``——`` wins over ``—`` and ``N/A`` over ``/``.
_MARKER_ALTERNATION = "|".join(re.escape(m) for m in sorted((ZERO_MARKERS | NA_MARKERS) - {"-"},
                                                             key=len, reverse=True))
MARKER_TOKEN = rf"(?:{_MARKER_ALTERNATION}|-(?!\d))"
"""One zero / not-applicable marker as it stands in a cell."""

# The number grammar, defined once.  Every reader of a printed figure composes its pattern from these
# pieces; they differ only in how much around the digits they take (a cell's unit and remark, prose's
# full-width comma and Chinese numerals), never in what a figure's digits are.
SIGN = r"[+\-]"
DIGITS = r"\d[\d,]*(?:\.\d+)?"
"""A figure's digits: thousands commas (ASCII, as tables print them) and decimals."""
PROSE_DIGITS = r"\d[\d,，]*(?:\.\d+)?"
"""A figure's digits in prose, which also groups thousands with the full-width comma."""
MAGNITUDE = r"(?:万|亿)"
CELL_UNIT = r"(?:元|件|条|个|项)"
"""The units a table cell prints after its figure."""
REMARK = r"[(（]\s*(?:含|其中|包括|包含)[^()（）\n]{0,30}[)）]"
"""A (含…) remark after a figure: GOLD.md keeps the leading figure and ignores the remark."""

BARE_NUMBER = rf"{SIGN}?{DIGITS}"
"""A figure and nothing else (a cell that is only digits)."""

NUMBER_TOKEN = rf"{SIGN}?{DIGITS}(?:\s*{MAGNITUDE})?(?:\s*{CELL_UNIT})?(?:\s*{REMARK})?"
"""One printed figure in a cell: sign, digits with thousands commas, decimals, 万/亿, a unit, a (含…) remark."""

PROSE_NUMBER = (rf"(?P<n>{PROSE_DIGITS}\s*{MAGNITUDE}?|[零〇○一二两三四五六七八九十百千万亿]*"
                r"[一二两三四五六七八九十百千万][零〇○一二两三四五六七八九十百千万亿]*)")
"""A count as prose prints it (group ``n``): 3,468 / 1.26万 / 十二 / 三千四百六十八 / 二百零六."""

COUNT_UNITS = ("件", "条", "个", "项", "宗", "份", "起", "次", "人次", "元")
MULTIPLIERS = {"万": 10_000, "亿": 100_000_000}
COUNT_UNIT = "(?:" + "|".join(sorted(COUNT_UNITS, key=len, reverse=True)) + ")"
"""Any unit a count may carry, longest first (人次 before 次)."""

# ------------------------------------------------------------------ table 三 (申请)

APPLICANT_COLUMNS: tuple[str, ...] = ("natural_person", "commercial", "research", "social_org", "legal_service",
                                      "other_org", "total")
APPLICANT_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "social_org": "社会公益组织",
    "legal_service": "法律服务机构", "other_org": "其他", "total": "总计",
}


@dataclass(frozen=True)
class RowTerm:
    """One printed row of an official table.

    ``key`` is the flat-key row name (None for a group label that carries no
    cells), ``label`` the official wording, ``cores`` the distinguishing
    phrases (any one identifies the row in its table), ``number`` the
    printed numbering (``1`` / ``(一)`` / ``一、``), which real pages drop or change.
    """

    key: str | None
    label: str
    cores: tuple[str, ...]
    number: str = ""


_T3_HEAD: tuple[RowTerm, ...] = (
    RowTerm("new_received", "本年新收政府信息公开申请数量", ("本年新收", "新收政府信息公开申请"), "一、"),
    RowTerm("carried_over", "上年结转政府信息公开申请数量", ("上年结转", "上年度结转"), "二、"),
    RowTerm(None, "本年度办理结果", ("本年度办理结果", "办理结果"), "三、"),
    RowTerm("granted", "予以公开", ("予以公开",), "(一)"),
    RowTerm("partially_granted", "部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",), "(二)"),
    RowTerm(None, "不予公开", ("不予公开",), "(三)"),
    RowTerm("denied_state_secret", "属于国家秘密", ("国家秘密",), "1"),
    RowTerm("denied_prohibited_by_law", "其他法律行政法规禁止公开", ("禁止公开", "法规禁止"), "2"),
    RowTerm("denied_safety_stability", "危及“三安全一稳定”", ("三安全一稳定", "危及"), "3"),
    RowTerm("denied_third_party", "保护第三方合法权益", ("第三方",), "4"),
    RowTerm("denied_internal_affairs", "属于三类内部事务信息", ("内部事务", "内容事务", "三类内"), "5"),
    RowTerm("denied_process_info", "属于四类过程性信息", ("过程性",), "6"),
    RowTerm("denied_enforcement_file", "属于行政执法案卷", ("执法案卷",), "7"),
    RowTerm("denied_admin_query", "属于行政查询事项", ("行政查询", "查询事项"), "8"),
    RowTerm(None, "无法提供", ("无法提供",), "(四)"),
    RowTerm("unavailable_not_held", "本机关不掌握相关政府信息", ("不掌握",), "1"),
    RowTerm("unavailable_needs_creation", "没有现成信息需要另行制作", ("另行制作", "没有现成"), "2"),
    RowTerm("unavailable_unclear", "补正后申请内容仍不明确", ("仍不明确", "内容不明确"), "3"),
    RowTerm(None, "不予处理", ("不予处理",), "(五)"),
    RowTerm("rejected_complaint", "信访举报投诉类申请", ("信访", "举报投诉"), "1"),
    RowTerm("rejected_repeated", "重复申请", ("重复申请",), "2"),
    RowTerm("rejected_publication", "要求提供公开出版物", ("出版物",), "3"),
    RowTerm("rejected_excessive", "无正当理由大量反复申请", ("大量反复",), "4"),
    RowTerm("rejected_confirmation", "要求行政机关确认或重新出具已获取信息", ("重新出具", "确认或重新"), "5"),
)
_T3_OTHER_2019: tuple[RowTerm, ...] = (
    RowTerm("other_processing", "其他处理", ("其他处理",), "(六)"),
)
_T3_OTHER_2021: tuple[RowTerm, ...] = (
    RowTerm(None, "其他处理", ("其他处理",), "(六)"),
    RowTerm("other_no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ("逾期不补正",), "1"),
    RowTerm("other_unpaid_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ("缴纳费用", "收费通知"), "2"),
    RowTerm("other_misc", "其他", ("其他",), "3"),
)
_T3_TAIL: tuple[RowTerm, ...] = (
    RowTerm("total_processed", "总计", ("总计",), "(七)"),
    RowTerm("carried_forward", "结转下年度继续办理", ("结转下年度", "转下年度", "结转下一年度"), "四、"),
)

TABLE3_ROWS: dict[str, tuple[RowTerm, ...]] = {
    "2019": _T3_HEAD + _T3_OTHER_2019 + _T3_TAIL,
    "2021": _T3_HEAD + _T3_OTHER_2021 + _T3_TAIL,
}
"""Table 三's printed rows in table order, per template (group labels included, key None)."""


def table3_data_keys(template: str) -> list[str]:
    """Row names of table 三 that carry cells (23 for 2019, 25 for 2021)."""
    return [r.key for r in TABLE3_ROWS["2021" if template == "2021" else "2019"] if r.key is not None]


RESULT_ROWS_2019: list[str] = table3_data_keys("2019")[2:-2]
RESULT_ROWS_2021: list[str] = table3_data_keys("2021")[2:-2]
BALANCE_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")
"""一 + 二 = 三(七) + 四, per column (the table's own 勾稽关系)."""

# ------------------------------------------------------------------ table 二 (主动公开)


@dataclass(frozen=True)
class Table2Row:
    prefix: str                       # flat-key prefix, e.g. "active.rules"
    label: str                        # official wording
    variants: tuple[str, ...]         # other printed wordings of the same row
    cols_2019: tuple[str, ...]
    cols_2021: tuple[str, ...]


TABLE2_ROWS: tuple[Table2Row, ...] = (
    Table2Row("active.rules", "规章", (), ("new_made", "new_published", "total_published"),
              ("issued", "repealed", "in_force")),
    Table2Row("active.normative_docs", "规范性文件", ("行政规范性文件",),
              ("new_made", "new_published", "total_published"), ("issued", "repealed", "in_force")),
    Table2Row("active.licensing", "行政许可", (), ("prev_count", "change", "decisions"), ("decisions",)),
    Table2Row("active.other_services", "其他对外管理服务事项", (), ("prev_count", "change", "decisions"), ()),
    Table2Row("active.penalty", "行政处罚", (), ("prev_count", "change", "decisions"), ("decisions",)),
    Table2Row("active.coercion", "行政强制", (), ("prev_count", "change", "decisions"), ("decisions",)),
    Table2Row("active.fees", "行政事业性收费", (), ("prev_count", "change"), ("amount_wan",)),
    Table2Row("active.procurement", "政府集中采购", (), ("projects", "amount_wan"), ()),
)

TABLE2_COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "new_made": ("本年新制作数量",),
    "new_published": ("本年新公开数量",),
    "total_published": ("对外公开总数量",),
    "issued": ("本年制发件数",),
    "repealed": ("本年废止件数",),
    "in_force": ("现行有效件数", "先行有效件数"),
    "prev_count": ("上一年项目数量",),
    "change": ("本年增/减", "本年增减"),
    "decisions": ("处理决定数量", "本年处理决定数量"),
    "amount_wan": ("本年收费金额", "采购总金额"),
    "projects": ("采购项目数量",),
}

# Column headings that exist in one template's tables only (template_spec.md §4): they decide the template.
TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "先行有效件数", "本年处理决定数量", "本年收费金额"),
}
# Row names of one template's tables; weaker evidence, because prose uses the same words.
TEMPLATE_ROWS: dict[str, tuple[str, ...]] = {
    "2019": ("其他对外管理服务事项", "政府集中采购"),
    "2021": ("逾期不补正", "逾期未按收费通知要求缴纳费用"),
}

# ------------------------------------------------------------------ table 四 (复议、诉讼)

APPEAL_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
APPEAL_GROUP_LABELS: dict[str, str] = {"review": "行政复议", "litigation_direct": "行政诉讼 未经复议直接起诉",
                                       "litigation_after_review": "行政诉讼 复议后起诉"}
OUTCOME_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
OUTCOME_COLUMN_LABELS: dict[str, str] = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                                         "pending": "尚未审结", "total": "总计"}
REVIEW_KEYS: list[str] = [f"{g}.{c}" for g in APPEAL_GROUPS for c in OUTCOME_COLUMNS]
"""Table 四's fifteen cells in printed order."""

# ------------------------------------------------------------------ prose wording

APPLICATION_SUBJECTS = ("政府信息公开申请", "信息公开申请", "依申请公开", "公开申请")
RECEIVE_VERBS = ("收到", "受理", "接到", "接收", "新收", "办理")
REPLY_VERBS = ("答复", "办结", "办理")
CHANNELS = ("当面", "网络", "网上", "信函", "传真", "电子邮件", "邮寄", "电话")
COUNTERS = ("件", "宗", "条", "个", "项", "份", "起")
NEGATIONS = ("未收到", "没有收到", "未接到", "未发生", "没有发生", "未出现", "无")

# Answer kinds of prose reports and old statistics tables -> the narrative keys they fill.
OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "applications.granted.total": ("同意公开", "予以公开", "全部公开"),
    "applications.partially_granted.total": ("同意部分公开", "部分公开"),
    "applications.denied_total.total": ("不予公开", "不同意公开", "否决公开"),
}

# Old 《政府信息公开情况统计表》 rows (2008–2018) -> narrative keys (None: read past, not a contract field).
STATS_ROWS: tuple[tuple[str | None, str], ...] = (
    ("active.total_items", r"主动公开(?:政府)?(?:信息|文件)(?:总)?数"),
    (None, r"其中\s*[:：]?\s*主动公开规范性文件数"),
    (None, r"制发规范性文件总数"),
    (None, r"(?:政府)?网站公开(?:数)?"),
    (None, r"政府公报公开(?:数)?"),
    ("applications.new_received.total",
     r"(?:受理(?:依申请公开信息|政府信息公开申请|依申请公开申请)总数|收到(?:政府信息公开)?申请(?:总)?数)"),
    (None, r"当面申请(?:数|书)"),
    (None, r"传真申请数"),
    (None, r"电子邮件申请数"),
    (None, r"网上申请数"),
    (None, r"网络申请数"),
    (None, r"信函[、,，]?\s*(?:传真)?申请数"),
    (None, r"其[它他]形式申请数"),
    ("applications.total_processed.total", r"(?:对申请的答复总?数|申请办结数)"),
    (None, r"按时办结数"),
    (None, r"延期办结数"),
    (None, r"申请答复数"),
    (None, r"属于已主动公开范围数"),
    ("applications.granted.total", r"(?<!部分)同意公开答复数"),
    ("applications.partially_granted.total", r"同意部分公开答复数"),
    ("applications.denied_total.total", r"(?:否决公开答复|不予公开答复|不同意公开答复)总?数"),
    (None, r"不属于本行政机关公开数"),
    (None, r"申请信息不存在数"),
    (None, r"其他类型答复数"),
    (None, r"政府信息公开收费减免金额"),
    (None, r"接受行政(?:诉讼|申诉)[、,，]?举报数"),
    ("review.total", r"行政复议(?:数量|数)"),
    ("litigation.total", r"行政诉讼(?:数量|数)"),
    (None, r"行政申诉数"),
    (None, r"举报投诉数量"),
    (None, r"依申请公开信息收取的费用"),
)

# ------------------------------------------------------------------ characters

# Traditional forms of the characters this vocabulary (and report boilerplate) uses, one for one, so that
# offsets into a folded text are offsets into the original.  Pages served through big5 mirrors
# (``gate/big5/…``) print the whole report in these forms.
_TRADITIONAL = (
    "開开 報报 縣县 務务 處处 門门 規规 請请 數数 結结 轉转 計计 總总 辦办 復复 議议 訟讼 訴诉 維维 糾纠 審审 況况 "
    "關关 屬属 國国 動动 機机 權权 過过 執执 詢询 項项 現现 補补 確确 訪访 舉举 類类 實实 護护 級级 單单 會会 業业 "
    "構构 織织 組组 團团 體体 問问 題题 進进 這这 區区 財财 產产 預预 態态 環环 險险 穩稳 嚴严 設设 庫库 錄录 編编 "
    "條条 華华 許许 罰罚 強强 費费 購购 採采 額额 減减 決决 內内 發发 廢废 對对 獲获 經经 後后 繼继 續续 無无 違违 "
    "誠诚 應应 為为 東东 長长 鄉乡 鎮镇 衛卫 員员 嶺岭 時时 網网 範范 讀读 與与 圖图 書书 證证 營营 農农 資资 "
    "訊讯 報报 年年 據据 準准 責责 負负 導导 傳传 統统 銷销 檔档 歷历 當当 傳传 郵邮 電电 紙纸 調调 參参 "
    "雜杂 號号 標标 題题 頁页 據据 從从 並并 們们 個个 來来 於于 這这 沒没 說说 見见 時时 間间 聯联 繫系 "
    "戶户 義义 務务 勞劳 醫医 療疗 藥药 壽寿 衛卫 氣气 災灾 監监 督督 幹干 積积 極极 廣广 聽听 證证 歲岁 "
    "讓让 辭辞 濟济 齊齐 稅税 倉仓 糧粮 鐵铁 軍军 黨党 團团 陳陈 劉刘 張张 楊杨 黃黄 趙赵 吳吴 鄭郑 馬马 "
    "達达 遞递 辯辩 險险 節节 館馆 簽签 約约 寫写 處处 虧亏 廳厅 屆届 齡龄 養养 殘残 疾疾 憑凭 緣缘 "
)
TRADITIONAL_TO_SIMPLIFIED: dict[str, str] = {pair[0]: pair[1] for pair in _TRADITIONAL.split()}
_FOLD_TABLE = str.maketrans(TRADITIONAL_TO_SIMPLIFIED)
_ANY_TRADITIONAL = re.compile("[" + "".join(k for k, v in TRADITIONAL_TO_SIMPLIFIED.items() if k != v) + "]")


def fold_variants(text: str) -> str:
    """Traditional characters of the vocabulary to simplified, one character for one (offsets survive)."""
    # A page is printed in one script: its head decides (a scan is far cheaper than translate).
    if not _ANY_TRADITIONAL.search(text, 0, 4000):
        return text
    return text.translate(_FOLD_TABLE)


def spaced(word: str) -> str:
    """A regex for ``word`` that tolerates whitespace (line breaks of PDF text, HTML <br>) between characters."""
    return r"\s*".join(re.escape(ch) for ch in word)
