"""Saved web pages (.mhtml/.mht): the HTML part, its transfer encoding undone and its charset honoured."""

from __future__ import annotations

import base64
import quopri

import pytest

from extractor.baseline import extract_baseline
from extractor.errors import CorruptDocument
from extractor.formats.mhtml import html_from_mhtml
from extractor.ingest import load_bytes
from tests.report_builder import consistent_table3, expected_flat_table3, html_report

BOUNDARY = "----MultipartBoundary--abc123"


def _mhtml(html_bytes: bytes, *, charset: str | None, encoding: str, blink_header: bool = False) -> bytes:
    """A browser's single-file save: the page part, then an image part."""
    if encoding == "quoted-printable":
        body = quopri.encodestring(html_bytes)
    else:
        body = base64.encodebytes(html_bytes)
    ctype = f"text/html; charset={charset}" if charset else "text/html"
    head = b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://www.example.gov.cn/nb.html\r\n" if blink_header else b""
    return (head + (
        f"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"{BOUNDARY}\"\r\n\r\n"
        f"--{BOUNDARY}\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: {encoding}\r\n"
        f"Content-Location: http://www.example.gov.cn/nb.html\r\n\r\n").encode("ascii")
        + body.replace(b"\n", b"\r\n") + (
        f"\r\n--{BOUNDARY}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Location: http://www.example.gov.cn/logo.png\r\n\r\niVBORw0KGgo=\r\n--{BOUNDARY}--\r\n").encode("ascii"))


@pytest.mark.parametrize(("charset", "encoding"), [("utf-8", "quoted-printable"), ("gb2312", "base64"),
                                                    ("GBK", "quoted-printable")])
def test_saved_page_reads_like_the_page(charset, encoding):
    table = consistent_table3("2019", seed=5)
    page = html_report(table)
    page_bytes = page.replace('charset="utf-8"', f'charset="{charset}"').encode("gb18030" if charset != "utf-8" else "utf-8")
    doc = load_bytes(_mhtml(page_bytes, charset=charset, encoding=encoding), name="nb.mhtml")
    assert doc.source_format == "mhtml"
    assert "本县主动公开政府信息1,234条" in doc.text
    flat = extract_baseline(doc).flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key


def test_part_charset_wins_over_a_stale_meta_tag():
    html = '<html><head><meta charset="utf-8"><title>某县2019年政府信息公开工作年度报告</title></head><body><p>主动公开政府信息88条。</p></body></html>'
    data = _mhtml(html.encode("gbk"), charset="gbk", encoding="base64")
    assert html_from_mhtml(data).decode("utf-8-sig").count("主动公开政府信息88条") == 1
    doc = load_bytes(data, name="page.mht")
    assert "主动公开政府信息88条。" in doc.text


def test_blink_saved_page_is_recognised_without_its_suffix():
    html = "<html><body><p>某县2019年政府信息公开工作年度报告</p><p>主动公开政府信息7条。</p></body></html>"
    doc = load_bytes(_mhtml(html.encode("utf-8"), charset="utf-8", encoding="quoted-printable", blink_header=True),
                     name="download")
    assert doc.source_format == "mhtml" and "主动公开政府信息7条。" in doc.text


def test_part_without_charset_falls_back_to_detection():
    html = "<html><body><p>某县2019年政府信息公开工作年度报告，主动公开政府信息9条。</p></body></html>"
    doc = load_bytes(_mhtml(html.encode("gb18030"), charset=None, encoding="base64"), name="p.mhtml")
    assert "主动公开政府信息9条" in doc.text


def test_archive_without_html_is_corrupt():
    data = (f"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"{BOUNDARY}\"\r\n\r\n"
            f"--{BOUNDARY}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            f"iVBORw0KGgo=\r\n--{BOUNDARY}--\r\n").encode("ascii")
    with pytest.raises(CorruptDocument, match="no text/html"):
        load_bytes(data, name="x.mhtml")
