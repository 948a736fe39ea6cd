"""OCR of scanned pages: ruled tables rebuilt as grids from their lines, a box and a confidence per character.

Each OCR run costs seconds, so the fixtures are one small generated page
(a heading, a sentence, a four-row table with merged cells) read once as a
PNG and once as an image-only PDF; whole reports are measured by hand
(README), never here.
"""

from __future__ import annotations

import io
import sys

import pytest

from extractor.config import Settings
from extractor.errors import CorruptDocument, UnsupportedFormat
from extractor.ingest import load_bytes

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
pytest.importorskip("PIL")

XS = [40, 520, 650, 780, 910]     # column edges (px)
YS = [130, 180, 230, 280, 330]    # row edges (px)
ROWS = [
    ["信息内容", "申请人情况", None, None],
    [None, "自然人", "法人", "总计"],
    ["一、本年新收政府信息公开申请数量", "64", "5", "69"],
    ["二、上年结转政府信息公开申请数量", "0", "3", "3"],
]
EXPECTED_ROWS = [
    "| 信息内容 | 申请人情况 |",
    "| 自然人 | 法人 | 总计 |",
    "| 一、本年新收政府信息公开申请数量 | 64 | 5 | 69 |",
    "| 二、上年结转政府信息公开申请数量 | 0 | 3 | 3 |",
]
DPI = 150


def _page_image():
    """The generated page: merged header cells (no line between them) and a digit printed against a border."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 24)
    im = Image.new("L", (960, 380), 255)
    d = ImageDraw.Draw(im)
    d.text((40, 30), "三、收到和处理申请情况", font=font, fill=0)
    d.text((40, 75), "本机关全年共主动公开政府信息26条。", font=font, fill=0)
    grey = 110
    for y in YS:  # horizontal rules; the one under 信息内容 stops short of column 0
        d.line([(XS[1] if y == YS[1] else XS[0], y), (XS[-1], y)], fill=grey, width=2)
    for x in XS:  # vertical rules; none between the columns 申请人情况 spans
        top = YS[1] if x in (XS[2], XS[3]) else YS[0]
        d.line([(x, top), (x, YS[-1])], fill=grey, width=2)
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            if text is None:
                continue
            against_border = (r, c) == (3, 2)  # '3' printed touching the left rule
            d.text((XS[c] + (3 if against_border else 10), YS[r] + 10), text, font=font, fill=0)
    return im


def _png() -> bytes:
    buf = io.BytesIO()
    _page_image().save(buf, format="PNG", dpi=(DPI, DPI))
    return buf.getvalue()


def _scanned_pdf() -> bytes:
    buf = io.BytesIO()
    _page_image().convert("RGB").save(buf, format="PDF", resolution=DPI)
    return buf.getvalue()


@pytest.fixture(scope="module")
def image_doc():
    return load_bytes(_png(), name="page.png")


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def test_image_table_rows_and_merged_cells(image_doc):
    assert image_doc.source_format == "image"
    assert _table_lines(image_doc.text) == EXPECTED_ROWS
    (grid,) = image_doc.tables
    assert grid.origin[0] == [True, True, False, False]      # 申请人情况 spans three columns
    assert [row[0] for row in grid.origin] == [True, False, True, True]  # 信息内容 spans two rows
    assert grid.cells[1][0] == "信息内容" and grid.cells[0][3] == "申请人情况"


def test_image_prose_lines_are_read(image_doc):
    lines = image_doc.text.splitlines()
    assert lines[0] == "三、收到和处理申请情况"
    assert "本机关全年共主动公开政府信息26条。" in lines[1]


def test_every_character_has_a_box_where_it_was_printed(image_doc):
    text = image_doc.text
    printed = sum(1 for ch in text if not ch.isspace() and ch != "|")
    assert len(image_doc.boxes) == printed
    start = text.index("| 64 |") + 2
    page, x0, top, x1, bottom = image_doc.box_for(start, start + 2)
    scale = 72 / DPI  # image pixels -> points at the image's stated dpi
    assert page == 1
    assert XS[1] * scale < x0 < x1 < XS[2] * scale
    assert YS[2] * scale < top < bottom < YS[3] * scale


def test_low_confidence_reads_are_flagged_through_the_pipeline(image_doc):
    from extractor.formats.ocr import load_image
    from extractor.pipeline import process_document

    strict = load_image(_png(), name="page.png", sha256="x", settings=Settings(ocr_min_confidence=1.0))
    assert strict.text == image_doc.text
    assert strict.uncertain, "nothing is read with confidence 1.0"
    record = process_document(strict)
    flagged = {k for f in record.flags if f.kind == "ocr_low_confidence" for k in f.keys}
    assert flagged and flagged <= set(record.fields)
    relaxed = process_document(image_doc)  # the default threshold: a clean print is trusted
    assert set(relaxed.fields) == set(record.fields)
    assert not [f for f in relaxed.flags if f.kind == "ocr_low_confidence"]


def test_image_only_pdf_goes_through_ocr_with_boxes_in_points():
    doc = load_bytes(_scanned_pdf(), name="scan.pdf")
    assert doc.source_format == "scan" and doc.pages == 1
    assert _table_lines(doc.text) == EXPECTED_ROWS
    start = doc.text.index("| 69 |") + 2
    page, x0, top, x1, bottom = doc.box_for(start, start + 2)
    scale = 72 / DPI
    assert page == 1 and XS[3] * scale < x0 < x1 < XS[4] * scale and YS[2] * scale < top < bottom < YS[3] * scale


def test_table_grid_from_ruling_lines_alone():
    import numpy as np

    from extractor.formats.ocr import _find_tables

    tables, erase = _find_tables(np.asarray(_page_image()), page=1)
    (t,) = tables
    assert t.n_rows == 4 and t.n_cols == 4
    assert [abs(a - b) <= 2 for a, b in zip(t.xs, XS)] == [True] * 5
    assert t.owner[0][1] == t.owner[0][2] == t.owner[0][3] and t.owner[0][0] == t.owner[1][0]
    assert len({k for row in t.owner for k in row}) == 13  # 16 positions less a 1x3 (-2) and a 2x1 (-1) merge
    assert erase[YS[2], XS[1] + 50] and not erase[45, 60]  # rules erased, the heading's ink kept


def test_missing_ocr_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    with pytest.raises(UnsupportedFormat, match=r"pip install -e '\.\[ocr\]'"):
        load_bytes(_png(), name="page.png")


def test_damaged_image_is_corrupt():
    with pytest.raises(CorruptDocument, match="cannot be decoded"):
        load_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 40, name="page.png")


def _chars(text: str, x: float, y: float) -> list:
    from extractor.formats.ocr import _Char

    return [_Char(ch, x + 12 * i, y, x + 12 * (i + 1), y + 20, 0.99, 0) for i, ch in enumerate(text)]


def _two_row_table(page: int, header: str, value: str, y0: int):
    from extractor.formats.ocr import _Table

    xs, ys = [40, 300, 500], [y0, y0 + 40, y0 + 80]
    t = _Table(xs=xs, ys=ys, owner=[[0, 1], [2, 3]], origin=[[True, True], [True, True]],
               chars=[[] for _ in range(4)], pages=[page, page])
    for k, (text, (r, c)) in enumerate(zip([header, "数量", "行政许可", value], [(0, 0), (0, 1), (1, 0), (1, 1)])):
        t.chars[k] = _chars(text, xs[c] + 5, ys[r] + 10)
    return t


def test_scanned_table_continued_on_the_next_page_is_one_table_without_its_repeated_header():
    """Assembly only (no OCR): page 2 opens with the same columns and repeats the header row."""
    from extractor.formats.ocr import _assemble, _Line, _Page

    first = _Page(number=1, scale=2.0, width=1000.0, items=[_Line(_chars("二、主动公开政府信息情况", 40, 60), 1),
                                                           _two_row_table(1, "信息内容", "12", 1400)])
    second = _Page(number=2, scale=2.0, width=1000.0, items=[_two_row_table(2, "信息内容", "34", 100)])
    second.items[0].chars[2] = _chars("行政处罚", 45, 150)
    doc = _assemble([first, second], threshold=0.8)
    assert len(doc.tables) == 1
    assert _table_lines(doc.text) == ["| 信息内容 | 数量 |", "| 行政许可 | 12 |", "| 行政处罚 | 34 |"]
    start = doc.text.index("| 34 |") + 2
    assert doc.box_for(start, start + 2)[0] == 2  # the continued row keeps its own page
