import pytest

from extractor.errors import BinaryDocument, CorruptDocument, EmptyDocument, UndecodableDocument, UnsupportedFormat
from extractor.ingest import load_bytes, normalise, table_to_grid

REPORT = "平潭县教育局2012年度政府信息公开年度报告\n本局共主动公开政府信息55条。"


def test_utf8_gbk_gb18030_and_bom_decode_to_the_same_text():
    texts = {load_bytes(REPORT.encode(enc), name="r.txt").text for enc in ("utf-8", "gbk", "gb18030")}
    texts.add(load_bytes(b"\xef\xbb\xbf" + REPORT.encode("utf-8"), name="r.txt").text)
    texts.add(load_bytes(REPORT.encode("utf-16"), name="r.txt").text)
    assert texts == {REPORT}


def test_gbk_encoding_is_reported():
    doc = load_bytes(REPORT.encode("gbk"), name="r.txt")
    assert doc.encoding == "gb18030"


def test_html_with_declared_gbk_charset():
    html = f'<html><head><meta charset="gbk"></head><body><p>{REPORT}</p></body></html>'.encode("gbk")
    doc = load_bytes(html, name="r.html")
    assert "主动公开政府信息55条" in doc.text


def test_normalisation_is_one_char_for_one_char():
    raw = "（一）予以公开：１２３\u3000件"
    out = normalise(raw)
    assert out == "(一)予以公开:123 件"
    assert len(out) == len(raw)


@pytest.mark.parametrize("data,error", [
    (b"", EmptyDocument),
    (b"   \n\t ", EmptyDocument),
    (b"\x00\x01\x02\x03binary\x00\xff" * 50, BinaryDocument),
    (b"%PDF-1.7\n...", CorruptDocument),
    (b"PK\x03\x04zipfile", UnsupportedFormat),
])
def test_bad_input_raises_a_clear_error(data, error):
    with pytest.raises(error) as info:
        load_bytes(data, name="x.txt")
    assert str(info.value)


def test_undecodable_latin1_junk_is_refused():
    junk = bytes(range(0x80, 0x100)) * 40
    with pytest.raises((UndecodableDocument, BinaryDocument)):
        load_bytes(junk, name="x.txt")


def test_html_table_grid_honours_rowspan_and_colspan():
    import lxml.html

    table = lxml.html.fromstring(
        "<table><tr><td rowspan='2'>A</td><td colspan='2'>B</td></tr>"
        "<tr><td>c</td><td>d</td></tr><tr><td>e</td><td>f</td><td>g</td></tr></table>")
    grid = table_to_grid(table)
    assert grid.cells == [["A", "B", "B"], ["A", "c", "d"], ["e", "f", "g"]]
    assert grid.origin[1][0] is False and grid.origin[0][2] is False and grid.origin[1][1] is True


def test_html_chrome_and_scripts_are_removed_but_report_text_kept():
    from tests.report_builder import consistent_table3, html_report

    doc = load_bytes(html_report(consistent_table3("2019")).encode("utf-8"), name="r.html")
    assert "扫一扫" not in doc.text and "分享到" not in doc.text and "版权所有" not in doc.text
    assert "999" not in doc.text  # the script's text
    assert "本县主动公开政府信息1,234条" in doc.text
    assert len(doc.tables) == 3
    start, end = doc.tables[1].span
    assert "本年新收政府信息公开申请数量" in doc.text[start:end]


def test_layout_tables_around_the_report_are_not_read_as_data():
    from extractor.baseline import extract_baseline
    from tests.report_builder import consistent_table3, expected_flat_table3, html_report

    table = consistent_table3("2021", seed=21)
    page = html_report(table, template="2021")
    body_start = page.index("<body>") + len("<body>")
    body_end = page.index("</body>")
    wrapped = (page[:body_start] + '<table width="100%"><tr><td class="left">导航</td><td>'
               + page[body_start:body_end] + "</td></tr></table>" + page[body_end:])
    doc = load_bytes(wrapped.encode("utf-8"), name="r.html")
    assert len(doc.tables) == 3  # the three data tables, not the layout table
    flat = extract_baseline(doc).flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key


def test_a_bar_printed_in_an_html_cell_does_not_split_the_row():
    html = ("<html><head><meta charset='utf-8'></head><body><table>"
            "<tr><td>A|B 说明</td><td>全角｜竖线</td><td>12</td></tr></table></body></html>").encode()
    doc = load_bytes(html, name="bar.html")
    row = next(line for line in doc.text.splitlines() if "12" in line)
    assert row.count("|") == 4  # three cells: | a | b | c |
    assert row.split("|")[1:-1] == [" A¦B 说明 ", " 全角¦竖线 ", " 12 "]


def test_cjk_share_and_binary_sniff_count_what_they_say():
    """The run-based counts must equal the plain per-character definitions."""
    from extractor.ingest import _cjk_share, _looks_binary

    text = "平潭 县\u3000abc\n\t教育局，2012" * 300
    non_space = [c for c in text[:4000] if not c.isspace()]
    expected = sum("\u4e00" <= c <= "\u9fff" for c in non_space) / len(non_space)
    assert _cjk_share(text) == pytest.approx(expected)
    assert _cjk_share("") == 0.0
    sample = bytes([1, 2, 3, 9, 10, 13, 27, 65]) * 100
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    assert _looks_binary(sample) is (controls > max(8, len(sample) // 50))
    assert not _looks_binary(("报告\n" * 500).encode("utf-8"))
