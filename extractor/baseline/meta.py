"""Report metadata: title, issuer, year, publication date."""

from __future__ import annotations

import re

from extractor.result import Extraction

_TITLE_FIELD = re.compile(r"^\s*标\s*题\s*[:：]\s*\|?\s*(?P<t>[^|\n]+?)\s*\|?\s*(?:\|+\s*)*$", re.M)
_TITLE_LINE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*|\*\*)?(?P<t>[^\n。，,;；:：|]{0,40}?(?:19|20)\d{2}\s*年度?[^\n。，,;；:：|]{0,40}?政府信息公开[^\n。，,;；|]{0,12}?(?:年度)?(?:工作)?(?:年度)?报告)[ \t]*$",
    re.M,
)
_TITLE_SPLIT = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*|\*\*)?(?P<a>[^\n。，,;；|]{0,40}?(?:19|20)\d{2}\s*年度?[^\n。，,;；|]{0,40}?政府信息公开[^\n。，,;；|]{0,8})[ \t]*\n[ \t]*(?P<b>(?:年度)?(?:工作)?(?:年度)?报告)[ \t]*$",
    re.M,
)
_TITLE_INLINE = re.compile(
    r"(?P<t>[\u4e00-\u9fff（）()]{2,40}?(?:19|20)\d{2}\s*年度?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告)")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DATE_LABELLED = re.compile(
    r"(?<!成文)(?:发布日期|发布时间|发文日期|公开日期|日期|时间)\s*[:：]?\s*\|?\s*"
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")


def extract_meta(text: str, ext: Extraction) -> None:
    title, span = find_title(text)
    if title:
        ext.set("meta.title", title, span, "meta")
        year_m = _YEAR_IN_TITLE.search(title)
        if year_m:
            ext.set("meta.year", int(year_m.group(1)), span, "meta")
            issuer = _issuer(title, year_m)
            if issuer:
                ext.set("meta.issuer", issuer, span, "meta")
    date, dspan = _find_date(text)
    if date:
        ext.set("meta.publish_date", date, dspan, "meta")


def find_title(text: str) -> tuple[str | None, tuple[int, int] | None]:
    head = text[:6000]
    m = _TITLE_FIELD.search(head)
    if m and "报告" in m.group("t"):
        t = m.group("t").strip()
        return t, (m.start("t"), m.start("t") + len(t))
    m = _TITLE_LINE.search(head)
    if m:
        t = m.group("t").strip()
        return re.sub(r"\s+", "", t) if re.search(r"\d\s+年|\s+\d", t) else t, (m.start("t"), m.end("t"))
    m = _TITLE_SPLIT.search(head)
    if m:
        t = re.sub(r"\s+", "", m.group("a") + m.group("b"))
        return t, (m.start("a"), m.end("b"))
    m = _TITLE_INLINE.search(head)
    if m:
        t = m.group("t").strip()
        return t, (m.start("t"), m.end("t"))
    return None, None


def _issuer(title: str, year_m: re.Match[str]) -> str | None:
    before = re.sub(r"关于$", "", title[: year_m.start()].strip()).strip()
    if len(before) >= 2:
        return before
    after = title[year_m.end():]
    m = re.match(r"\s*(.+?)(?:政府信息公开|政务公开)", after)
    issuer = m.group(1).strip() if m else ""
    return issuer if len(issuer) >= 2 and issuer not in ("关于", "度") else None


def _find_date(text: str) -> tuple[str | None, tuple[int, int] | None]:
    head = text[:3000]
    best = None
    for m in _DATE_LABELLED.finditer(head):
        label = head[m.start(): m.start() + 4]
        rank = 0 if label.startswith("发布") else 1
        if best is None or rank < best[0]:
            best = (rank, m)
        if rank == 0:
            break
    if best is None:
        return None, None
    m = best[1]
    y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None, None
    return f"{y:04d}-{mo:02d}-{d:02d}", (m.start("y"), m.end("d"))
