"""Section models of a 政府信息公开工作年度报告.

Every figure is Optional: ``None`` means the report does not state it, ``0``
is a printed zero, and a cell printed as ``/`` or ``不适用`` is listed by its
flat key in the section's ``not_applicable`` list (never stored as 0).
Counts are non-negative; only the signed 本年增/减 may be negative.
Descriptions carry the official labels, because these models are what a
language model is asked to fill.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

Count = Annotated[int, Field(ge=0)]
SignedCount = int
Amount = Annotated[float, Field(ge=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _c(label: str) -> Any:
    return Field(default=None, description=label)


class ReportMeta(_Section):
    """报告基本信息."""

    title: Optional[str] = _c("标题：报告标题，按原文（首个标题行）")
    issuer: Optional[str] = _c("报告主体：标题中年份前/后的政府或机关名称，如 某市、某省教育厅")
    year: Optional[Annotated[int, Field(ge=2000, le=2100)]] = _c("报告年度：报告统计的年度（不是发布年份）")
    publish_date: Optional[dt.date] = _c("发布日期：页面注明的发布日期 YYYY-MM-DD；未注明则为空")
    template: Optional[Literal["2019", "2021", "narrative"]] = _c(
        "格式：2019（国办公开办函〔2019〕60号表格）、2021（国办公开办函〔2021〕30号表格）、narrative（无统一表格的旧式报告）")


class DocumentCounts(_Section):
    """第二十条第（一）项 的一行（规章 / （行政）规范性文件）."""

    new_made: Optional[Count] = _c("本年新制作数量（2019格式）")
    new_published: Optional[Count] = _c("本年新公开数量（2019格式）")
    total_published: Optional[Count] = _c("对外公开总数量（2019格式）")
    issued: Optional[Count] = _c("本年制发件数（2021格式）")
    repealed: Optional[Count] = _c("本年废止件数（2021格式）")
    in_force: Optional[Count] = _c("现行有效件数（2021格式）")


class ItemCounts(_Section):
    """第二十条第（五）（六）项 的一行（行政许可、其他对外管理服务事项、行政处罚、行政强制）."""

    prev_count: Optional[Count] = _c("上一年项目数量（2019格式）")
    change: Optional[SignedCount] = _c("本年增/减（2019格式，可为负数，如 -17）")
    decisions: Optional[Count] = _c("处理决定数量（2019）/ 本年处理决定数量（2021）")


class FeeCounts(_Section):
    """第二十条第（八）项：行政事业性收费."""

    prev_count: Optional[Count] = _c("上一年项目数量（2019格式）")
    change: Optional[SignedCount] = _c("本年增/减（2019格式，可为负数）")
    amount_wan: Optional[Amount] = _c("本年收费金额，单位：万元（2021格式）")


class ProcurementCounts(_Section):
    """第二十条第（九）项：政府集中采购（仅2019格式）."""

    projects: Optional[Count] = _c("采购项目数量")
    amount_wan: Optional[Amount] = _c("采购总金额，换算为万元（3.07亿元 -> 30700.0；48600元 -> 4.86）")


class ActiveDisclosure(_Section):
    """二、主动公开政府信息情况."""

    total_items: Optional[Count] = _c("主动公开政府信息总数（条），正文给出总数时填写；万 需换算，如 27.5万条 -> 275000")
    rules: Optional[DocumentCounts] = _c("规章")
    normative_docs: Optional[DocumentCounts] = _c("规范性文件 / 行政规范性文件")
    licensing: Optional[ItemCounts] = _c("行政许可")
    other_services: Optional[ItemCounts] = _c("其他对外管理服务事项（仅2019格式）")
    penalty: Optional[ItemCounts] = _c("行政处罚")
    coercion: Optional[ItemCounts] = _c("行政强制")
    fees: Optional[FeeCounts] = _c("行政事业性收费")
    procurement: Optional[ProcurementCounts] = _c("政府集中采购（仅2019格式）")
    not_applicable: list[str] = Field(default_factory=list, description="印为 / 或 不适用 的单元格（扁平键名）")


class ApplicantCounts(_Section):
    """收到和处理申请表的一行：按申请人类型的件数."""

    natural_person: Optional[Count] = _c("自然人")
    commercial: Optional[Count] = _c("法人或其他组织：商业企业")
    research: Optional[Count] = _c("法人或其他组织：科研机构")
    social_org: Optional[Count] = _c("法人或其他组织：社会公益组织")
    legal_service: Optional[Count] = _c("法人或其他组织：法律服务机构")
    other_org: Optional[Count] = _c("法人或其他组织：其他")
    total: Optional[Count] = _c("总计")


class TotalOnly(_Section):
    total: Optional[Count] = _c("总数（按原文）")


class Applications(_Section):
    """三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）."""

    new_received: Optional[ApplicantCounts] = _c("一、本年新收政府信息公开申请数量")
    carried_over: Optional[ApplicantCounts] = _c("二、上年结转政府信息公开申请数量")
    granted: Optional[ApplicantCounts] = _c("三、本年度办理结果（一）予以公开")
    partially_granted: Optional[ApplicantCounts] = _c("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    denied_state_secret: Optional[ApplicantCounts] = _c("（三）不予公开 1.属于国家秘密")
    denied_prohibited_by_law: Optional[ApplicantCounts] = _c("（三）不予公开 2.其他法律行政法规禁止公开")
    denied_safety_stability: Optional[ApplicantCounts] = _c("（三）不予公开 3.危及“三安全一稳定”")
    denied_third_party: Optional[ApplicantCounts] = _c("（三）不予公开 4.保护第三方合法权益")
    denied_internal_affairs: Optional[ApplicantCounts] = _c("（三）不予公开 5.属于三类内部事务信息")
    denied_process_info: Optional[ApplicantCounts] = _c("（三）不予公开 6.属于四类过程性信息")
    denied_enforcement_file: Optional[ApplicantCounts] = _c("（三）不予公开 7.属于行政执法案卷")
    denied_admin_query: Optional[ApplicantCounts] = _c("（三）不予公开 8.属于行政查询事项")
    unavailable_not_held: Optional[ApplicantCounts] = _c("（四）无法提供 1.本机关不掌握相关政府信息")
    unavailable_needs_creation: Optional[ApplicantCounts] = _c("（四）无法提供 2.没有现成信息需要另行制作")
    unavailable_unclear: Optional[ApplicantCounts] = _c("（四）无法提供 3.补正后申请内容仍不明确")
    rejected_complaint: Optional[ApplicantCounts] = _c("（五）不予处理 1.信访举报投诉类申请")
    rejected_repeated: Optional[ApplicantCounts] = _c("（五）不予处理 2.重复申请")
    rejected_publication: Optional[ApplicantCounts] = _c("（五）不予处理 3.要求提供公开出版物")
    rejected_excessive: Optional[ApplicantCounts] = _c("（五）不予处理 4.无正当理由大量反复申请")
    rejected_confirmation: Optional[ApplicantCounts] = _c("（五）不予处理 5.要求行政机关确认或重新出具已获取信息")
    other_processing: Optional[ApplicantCounts] = _c("（六）其他处理（2019格式：单独一行）")
    other_no_correction: Optional[ApplicantCounts] = _c(
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请（2021格式）")
    other_unpaid_fee: Optional[ApplicantCounts] = _c(
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请（2021格式）")
    other_misc: Optional[ApplicantCounts] = _c("（六）其他处理 3.其他（2021格式）")
    total_processed: Optional[ApplicantCounts] = _c("（七）总计")
    carried_forward: Optional[ApplicantCounts] = _c("四、结转下年度继续办理")
    denied_total: Optional[TotalOnly] = _c("不予公开 合计：仅当正文或旧式统计表印出一个总数时（否决公开/不予公开答复数）；不要由表格各行相加")
    not_applicable: list[str] = Field(default_factory=list, description="印为 / 或 不适用 的单元格（扁平键名）")


class OutcomeCounts(_Section):
    upheld: Optional[Count] = _c("结果维持")
    corrected: Optional[Count] = _c("结果纠正")
    other: Optional[Count] = _c("其他结果")
    pending: Optional[Count] = _c("尚未审结")
    total: Optional[Count] = _c("总计")


class Appeals(_Section):
    """四、政府信息公开行政复议、行政诉讼情况."""

    review: Optional[OutcomeCounts] = _c("行政复议")
    litigation_direct: Optional[OutcomeCounts] = _c("行政诉讼：未经复议直接起诉")
    litigation_after_review: Optional[OutcomeCounts] = _c("行政诉讼：复议后起诉")
    litigation: Optional[TotalOnly] = _c("行政诉讼 总数：仅当正文或旧式统计表印出一个总数时；不要由表格相加")
    not_applicable: list[str] = Field(default_factory=list, description="印为 / 或 不适用 的单元格（扁平键名）")


class ProblemsAndImprovements(_Section):
    """五、存在的主要问题及改进情况."""

    problems: list[str] = Field(default_factory=list, description="存在的主要问题，每条一句，按原文简述")
    improvements: list[str] = Field(default_factory=list, description="改进情况/改进措施，每条一句，按原文简述")


class OtherMatters(_Section):
    """六、其他需要报告的事项."""

    items: list[str] = Field(default_factory=list, description="其他需要报告的事项，每条一句（如信息处理费收取情况）")
    processing_fee_yuan: Optional[Amount] = _c("本年收取信息处理费金额（元），原文明确给出时填写；写明未收取则为 0")


class Report(_Section):
    """A whole report: one model per part."""

    meta: ReportMeta = Field(default_factory=ReportMeta)
    active: ActiveDisclosure = Field(default_factory=ActiveDisclosure)
    applications: Applications = Field(default_factory=Applications)
    appeals: Appeals = Field(default_factory=Appeals)
    problems: ProblemsAndImprovements = Field(default_factory=ProblemsAndImprovements)
    other: OtherMatters = Field(default_factory=OtherMatters)
