"""Word input: .docx read in document order with merged cells as real grids; .doc/.wps/.odt via LibreOffice."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from extractor.baseline import extract_baseline
from extractor.errors import ConversionFailed, CorruptDocument, EmptyDocument
from extractor.formats.office import convert_to_docx, load_docx
from extractor.ingest import load_bytes
from extractor.pipeline import process_document
from tests.docx_builder import docx_from_html
from tests.report_builder import consistent_table3, expected_flat_table3, html_report

HAS_SOFFICE = shutil.which("soffice") is not None


def _save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _merged_docx() -> bytes:
    """Heading paragraph, a 3x3 table (a column span in row 0, a row span in column 0), closing paragraph."""
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=3, cols=3)
    top = t.cell(0, 1).merge(t.cell(0, 2))
    top.text = "申请人情况"
    left = t.cell(0, 0).merge(t.cell(1, 0))
    left.text = "信息内容"
    t.cell(1, 1).text = "自然人"
    t.cell(1, 2).text = "法人"
    t.cell(2, 0).text = "新收"
    t.cell(2, 1).text = "12"
    t.cell(2, 2).text = "3|4"
    d.add_paragraph("二、主动公开政府信息情况")
    return _save(d)


def test_docx_merged_cells_are_a_real_grid_in_document_order():
    doc = load_bytes(_merged_docx(), name="r.docx")
    assert doc.source_format == "docx"
    lines = doc.text.splitlines()
    assert lines == ["一、总体情况", "| 信息内容 | 申请人情况 |", "| 自然人 | 法人 |", "| 新收 | 12 | 3¦4 |",
                     "二、主动公开政府信息情况"]
    (grid,) = doc.tables
    assert grid.cells == [["信息内容", "申请人情况", "申请人情况"], ["信息内容", "自然人", "法人"], ["新收", "12", "3¦4"]]
    assert grid.origin == [[True, True, False], [False, True, True], [True, True, True]]
    assert doc.text[grid.span[0]:grid.span[1]] == "\n".join(lines[1:4])


def test_docx_every_written_cell_has_a_cell_ref():
    doc = load_bytes(_merged_docx(), name="r.docx")
    by_text = {doc.text[c.start:c.end]: (c.table, c.row, c.col) for c in doc.cells}
    assert by_text == {"信息内容": (0, 0, 0), "申请人情况": (0, 0, 1), "自然人": (0, 1, 1), "法人": (0, 1, 2),
                       "新收": (0, 2, 0), "12": (0, 2, 1), "3¦4": (0, 2, 2)}
    start = doc.text.index("12")
    assert doc.cell_for(start, start + 2) == {"table": 0, "row": 2, "col": 1}


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_docx_official_report_reads_like_its_html(template):
    table = consistent_table3(template, seed=7)
    doc = load_bytes(docx_from_html(html_report(table, template=template)), name="report.docx")
    assert len(doc.tables) == 3
    flat = extract_baseline(doc).flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key


def test_docx_record_names_the_cell_of_each_table_value():
    table = consistent_table3("2019", seed=3)
    doc = load_bytes(docx_from_html(html_report(table)), name="report.docx")
    record = process_document(doc)
    assert record.cells, "a Word report's table values carry their cell"
    key = next(k for k in record.cells if k.startswith("applications."))
    ref = record.cells[key]
    grid = doc.tables[ref["table"]]
    start, end = record.evidence[key]
    assert grid.cells[ref["row"]][ref["col"]] == doc.text[start:end]


def test_docx_nested_layout_table_reads_inner_table_as_data():
    import docx

    d = docx.Document()
    outer = d.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "导航"
    inner_cell = outer.cell(0, 1)
    inner_cell.paragraphs[0].text = "本机关主动公开政府信息15条。"
    inner = inner_cell.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "信息内容", (0, 1): "本年制发件数", (1, 0): "规章", (1, 1): "2"}.items():
        inner.cell(r, c).text = text
    doc = load_bytes(_save(d), name="r.docx")
    assert "| 规章 | 2 |" in doc.text.splitlines()
    assert "本机关主动公开政府信息15条。" in doc.text.splitlines()
    assert len(doc.tables) == 1


def test_docx_that_is_not_a_zip_is_corrupt():
    with pytest.raises(CorruptDocument, match="not a zip"):
        load_docx(b"PK\x03\x04 this is not really a zip archive" * 20, name="bad.docx", sha256="x")


def test_truncated_docx_is_corrupt():
    data = _merged_docx()
    with pytest.raises(CorruptDocument):
        load_bytes(data[: len(data) // 2], name="cut.docx")


def test_zip_without_a_word_body_is_corrupt():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "不是Word文档")
    with pytest.raises(CorruptDocument, match="cannot be read"):
        load_bytes(buf.getvalue(), name="x.docx")


def test_docx_without_text_is_empty():
    import docx

    d = docx.Document()
    d.add_paragraph("   ")
    d.add_table(rows=2, cols=2)
    with pytest.raises(EmptyDocument):
        load_bytes(_save(d), name="blank.docx")


def test_missing_libreoffice_names_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConversionFailed, match="libreoffice-writer-nogui"):
        load_bytes(b"{\\rtf1\\ansi \\u20027?\\u24180? 2019}", name="old.rtf")


def test_doc_with_a_damaged_header_is_corrupt_not_read_as_text():
    """LibreOffice imports a damaged .doc as plain text; the header check refuses it first."""
    with pytest.raises(CorruptDocument, match="compound-file header"):
        load_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4, name="bad.doc")


# ------------------------------------------------------------------ through LibreOffice

def _soffice_convert(data: bytes, suffix: str, target: str, tmp: Path) -> bytes:
    """Turn a .docx into another Word format with LibreOffice (how the test makes its .doc/.odt)."""
    src = tmp / "src.docx"
    src.write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp / 'p').as_uri()}", "--headless", "--convert-to",
                    target, "--outdir", str(tmp), str(src)], check=True, capture_output=True, timeout=180)
    return (tmp / f"src{suffix}").read_bytes()


@pytest.fixture(scope="module")
def report_doc(tmp_path_factory):
    if not HAS_SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    table = consistent_table3("2021", seed=11)
    data = docx_from_html(html_report(table, template="2021"))
    return table, _soffice_convert(data, ".doc", "doc:MS Word 97", tmp_path_factory.mktemp("lo"))


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_doc_through_libreoffice_reads_every_table_figure(report_doc):
    table, data = report_doc
    assert data[:4] == b"\xd0\xcf\x11\xe0"
    doc = load_bytes(data, name="report.doc")
    assert doc.source_format == "doc" and len(doc.tables) == 3 and doc.cells
    flat = extract_baseline(doc).flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_wps_named_file_goes_through_libreoffice(report_doc):
    _, data = report_doc
    doc = load_bytes(data, name="report.wps")
    assert doc.source_format == "wps" and "主动公开" in doc.text


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_timeout_is_a_conversion_failure(report_doc):
    _, data = report_doc
    with pytest.raises(ConversionFailed, match="within"):
        convert_to_docx(data, suffix=".doc", timeout=0.05)


def test_zip_not_named_as_word_is_unsupported_not_corrupt():
    from extractor.errors import UnsupportedFormat

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(UnsupportedFormat, match="not a Word document"):
        load_bytes(buf.getvalue(), name="export.zip")


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_odt_through_libreoffice(tmp_path):
    table = consistent_table3("2019", seed=13)
    odt = _soffice_convert(docx_from_html(html_report(table)), ".odt", "odt", tmp_path)
    doc = load_bytes(odt, name="report.odt")
    assert doc.source_format == "odt" and len(doc.tables) == 3
    flat = extract_baseline(doc).flat()
    for key, value in expected_flat_table3(table).items():
        assert flat.get(key) == value, key


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_damaged_odt_is_a_conversion_failure():
    with pytest.raises(ConversionFailed, match="could not read"):
        load_bytes(b"PK\x03\x04" + b"mimetypeapplication/vnd.oasis.opendocument.text" + b"x" * 300, name="bad.odt")
