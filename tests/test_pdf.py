"""PDF with a text layer: text, ruled tables, page furniture, boxes, bad files.

Fixtures are drawn here with fpdf2 (a CJK font from the system); the real
browser-printed reports in ../shared/reports/dev_formats/pdf are scored in
one test that is skipped when that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

fpdf = pytest.importorskip("fpdf")
pdfium = pytest.importorskip("pypdfium2")

from extractor.document import normalise
from extractor.errors import CorruptDocument, EncryptedDocument, NoPagesDocument
from extractor.formats.pdf import load_pdf, render_page_png
from extractor.ingest import load_bytes

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
REAL_PDFS = Path(__file__).resolve().parents[1] / ".." / "shared" / "reports" / "dev_formats" / "pdf"
SIZE = 12.0          # font size; wqy-microhei ideographs are 1 em wide
LEFT = 72.0
PER_LINE = 36        # ideographs per full line (36 * 12 = 432 pt of a 451 pt text width)

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="needs the WenQuanYi Micro Hei font")


def _pdf(*, compress: bool = True):
    pdf = fpdf.FPDF(unit="pt", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.add_font("wqy", "", str(FONT))
    pdf.set_font("wqy", size=SIZE)
    return pdf


def _bytes(pdf) -> bytes:
    return bytes(pdf.output())


def _lines(pdf, lines: list[str], *, top: float = 100.0, indent: set[int] = frozenset()) -> float:
    """Each string on its own printed line (line i indented two ideographs when i in ``indent``)."""
    y = top
    for i, line in enumerate(lines):
        pdf.text(LEFT + (2 * SIZE if i in indent else 0), y, line)
        y += SIZE * 1.6
    return y


def _wrap(text: str) -> list[str]:
    return [text[i:i + PER_LINE] for i in range(0, len(text), PER_LINE)]


def _text_in_box(data, box: list[float]) -> str:
    """The PDF's own text inside the box (``data``: PDF bytes or an open pdfium document)."""
    page, x0, top, x1, bottom = box
    doc = data if isinstance(data, pdfium.PdfDocument) else pdfium.PdfDocument(data)
    p = doc[int(page) - 1]
    left, _, _, ceiling = p.get_cropbox()  # boxes are measured from the visible page's top-left corner
    text = p.get_textpage().get_text_bounded(left=left + x0 - 0.5, bottom=ceiling - bottom - 0.5,
                                             right=left + x1 + 0.5, top=ceiling - top + 0.5)
    return normalise(text).replace("\r", "").replace("\n", "").replace(" ", "")


# ------------------------------------------------------------------ prose

PARAGRAPH = ("2021年，本机关坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。"
             "全年共主动公开政府信息1234条，其中规范性文件12件，政策解读36篇，回应社会关切58次，"
             "各项工作平稳有序推进。")


def test_lines_wrapped_mid_sentence_are_joined_and_headings_are_not():
    pdf = _pdf()
    pdf.add_page()
    body = _wrap(PARAGRAPH)
    assert len(body) >= 3 and "1234" not in body[0]
    _lines(pdf, ["一、总体情况", *body, "二、主动公开政府信息情况", "（一）规章0件。"], indent={1})
    doc = load_bytes(_bytes(pdf), name="prose.pdf")
    assert doc.source_format == "pdf" and doc.pages == 1
    lines = doc.text.split("\n")
    assert lines[0] == "一、总体情况"
    assert normalise(PARAGRAPH) in lines  # one line again, nothing lost or doubled
    assert "二、主动公开政府信息情况" in lines


def test_a_short_last_line_ends_the_paragraph():
    pdf = _pdf()
    pdf.add_page()
    first = _wrap(PARAGRAPH)
    _lines(pdf, [*first, "下一段从这里开始，本年度没有收到申请。"], indent={0})
    doc = load_bytes(_bytes(pdf), name="p.pdf")
    assert doc.text.split("\n")[-1] == "下一段从这里开始,本年度没有收到申请。"


def test_paragraph_continued_on_the_next_page_is_joined():
    pdf = _pdf()
    body = _wrap(PARAGRAPH)
    pdf.add_page()
    _lines(pdf, body[:2], top=780)
    pdf.add_page()
    _lines(pdf, body[2:], top=80)
    doc = load_bytes(_bytes(pdf), name="p.pdf")
    assert normalise(PARAGRAPH) in doc.text.split("\n")


# ------------------------------------------------------------------ page furniture

def test_running_heads_footers_and_page_numbers_are_dropped():
    pdf = _pdf()
    bodies = ["本机关全年共主动公开政府信息1234条。", "本年度新收政府信息公开申请5件。", "行政复议0件，行政诉讼0件。"]
    for n, body in enumerate(bodies, start=1):
        pdf.add_page()
        pdf.text(LEFT, 40, "某某县人民政府办公室 2021年政府信息公开工作年度报告")
        if n == 1:
            _lines(pdf, _wrap(PARAGRAPH), top=100, indent={0})
        pdf.text(LEFT, 300, body)
        pdf.text(280, 810, f"第 {n} 页 共 3 页")
        pdf.text(500, 825, f"- {n} -")
    doc = load_bytes(_bytes(pdf), name="furniture.pdf")
    assert doc.text.split("\n") == [normalise(PARAGRAPH), *(normalise(b) for b in bodies)]


def test_a_line_printed_once_near_the_top_is_kept():
    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 40, "某某县2021年政府信息公开工作年度报告")
    pdf.text(LEFT, 200, "全年共主动公开政府信息1234条。")
    pdf.add_page()
    pdf.text(LEFT, 200, "本年度新收政府信息公开申请5件。")
    doc = load_bytes(_bytes(pdf), name="title.pdf")
    assert doc.text.startswith("某某县2021年政府信息公开工作年度报告\n")


# ------------------------------------------------------------------ tables

HEADER = ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]
ROWS = [["规章", "0", "0", "3"], ["规范性文件", "12", "12", "88"], ["行政许可", "2293", "", "2293"],
        ["行政处罚", "1282", "1282", "4001"], ["行政强制", "42", "42", "99"]]
WIDTHS = [120.0, 100.0, 100.0, 100.0]


def _table_rows(pdf, rows: list[list[str]], top: float) -> float:
    pdf.set_xy(LEFT, top)
    for row in rows:
        pdf.set_x(LEFT)
        for text, w in zip(row, WIDTHS):
            pdf.cell(w, 20, text, border=1)
        pdf.ln(20)
    return pdf.get_y()


def _pipe(row: list[str]) -> str:
    return "| " + " | ".join(row) + " |"


@pytest.mark.parametrize("repeat_header", [True, False])
def test_a_table_split_across_pages_is_one_table(repeat_header):
    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 600, "二、主动公开政府信息情况")
    _table_rows(pdf, [HEADER, *ROWS[:2]], top=700)
    pdf.add_page()
    _table_rows(pdf, ([HEADER] if repeat_header else []) + ROWS[2:], top=60)
    pdf.text(LEFT, 300, "三、收到和处理政府信息公开申请情况")
    doc = load_bytes(_bytes(pdf), name="table.pdf")
    assert len(doc.tables) == 1
    grid = doc.tables[0]
    assert grid.cells == [HEADER, *ROWS]
    start, end = grid.span
    assert doc.text[start:end] == "\n".join(_pipe(r) for r in [HEADER, *ROWS])
    assert doc.text.index("二、主动公开") < start and end < doc.text.index("三、收到和处理")


def test_tables_on_consecutive_pages_with_other_columns_stay_apart():
    pdf = _pdf()
    pdf.add_page()
    _table_rows(pdf, [HEADER, *ROWS[:2]], top=700)
    pdf.add_page()
    pdf.set_xy(LEFT, 60)
    for row in (["行政复议", "结果维持"], ["1", "0"]):
        pdf.set_x(LEFT)
        for text in row:
            pdf.cell(150, 20, text, border=1)
        pdf.ln(20)
    doc = load_bytes(_bytes(pdf), name="two.pdf")
    assert [len(t.cells) for t in doc.tables] == [3, 2]


def test_merged_cells_keep_their_text_once_in_the_row_line():
    pdf = _pdf()
    pdf.add_page()
    pdf.set_xy(LEFT, 100)
    pdf.cell(120, 40, "(三)不予公开", border=1)           # spans two rows
    pdf.cell(100, 20, "1.属于国家秘密", border=1)
    pdf.cell(100, 20, "3", border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(LEFT + 120, 120)
    pdf.cell(100, 20, "2.其他法律", border=1)
    pdf.cell(100, 20, "4", border=1)
    doc = load_bytes(_bytes(pdf), name="merged.pdf")
    grid = doc.tables[0]
    assert grid.cells == [["(三)不予公开", "1.属于国家秘密", "3"], ["(三)不予公开", "2.其他法律", "4"]]
    assert grid.origin[1][0] is False
    start, end = grid.span
    assert doc.text[start:end] == "| (三)不予公开 | 1.属于国家秘密 | 3 |\n| 2.其他法律 | 4 |"


# ------------------------------------------------------------------ boxes and normalising

def test_every_printed_character_has_a_box_that_holds_it():
    pdf = _pdf()
    pdf.add_page()
    _lines(pdf, _wrap(PARAGRAPH), top=120)
    _table_rows(pdf, [HEADER, *ROWS], top=300)
    data = _bytes(pdf)
    doc = load_pdf(data, name="b.pdf", sha256="x")
    for value in ("1234", "2293", "规范性文件", "4001"):
        start = doc.text.index(value)
        box = doc.box_for(start, start + len(value))
        assert box is not None and box[0] == 1
        assert value in _text_in_box(data, box)
        assert box[2] < box[4] and box[1] < box[3]
    ink = [i for i, ch in enumerate(doc.text) if not ch.isspace() and ch != "|"]
    assert all(doc.box_for(i, i + 1) is not None for i in ink)


def test_boxes_are_measured_from_the_crop_box_the_page_is_shown_with():
    import io

    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 200, "全年共主动公开政府信息1234条。")
    raw = pdfium.PdfDocument(_bytes(pdf))
    raw[0].set_cropbox(50, 100, 545, 742)  # 50 pt cut on the left, 100 at the top (A4 is 842 high)
    buf = io.BytesIO()
    raw.save(buf)
    data = buf.getvalue()
    doc = load_pdf(data, name="crop.pdf", sha256="x")
    start = doc.text.index("1234")
    box = doc.box_for(start, start + 4)
    assert "1234" in _text_in_box(data, box)
    assert 20 < box[1] < 200 and 80 < box[2] < 110  # x from 50 pt in, top of a 200-pt baseline from 100 pt down
    png = render_page_png(data, 1, scale=1.0)
    assert int.from_bytes(png[16:20], "big") == 495  # the render shows the crop box, as the boxes assume


def _kangxi_pdf() -> bytes:
    """A text layer spelling 一, 人, 民, 文, 行 with Kangxi / radical code points, as browser-printed PDFs do."""
    pdf = _pdf(compress=False)
    pdf.add_page()
    pdf.text(LEFT, 100, "一、总体情况")
    pdf.text(LEFT, 130, "人民政府文件行政许可5件")
    data = _bytes(pdf)
    for unified, radical in ((b"<4E00>", b"<2F00>"), (b"<4EBA>", b"<2F08>"), (b"<6C11>", b"<2EA0>"),
                             (b"<6587>", b"<2F42>"), (b"<884C>", b"<2F8F>")):
        assert data.count(unified) == 1
        data = data.replace(unified, radical)  # same length: the xref stays valid
    return data


def test_kangxi_radicals_in_the_text_layer_are_folded():
    data = _kangxi_pdf()
    raw = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    assert "\u2f08\u2ea0" in raw  # the fixture really carries the look-alikes
    doc = load_bytes(data, name="kangxi.pdf")
    assert doc.text.split("\n") == ["一、总体情况", "人民政府文件行政许可5件"]


def test_normalise_folds_radicals_and_compatibility_ideographs_one_for_one():
    raw = "\u2f00\u2f06\u2f42\u2f8f\u2f08\u2ea0\uf900１２"
    out = normalise(raw)
    assert out == "一二文行人民豈12"
    assert len(out) == len(raw)


# ------------------------------------------------------------------ bad files and other paths

def test_encrypted_pdf_is_refused_with_a_clear_error():
    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 100, "全年共主动公开政府信息1234条。")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    with pytest.raises(EncryptedDocument, match="password"):
        load_bytes(_bytes(pdf), name="locked.pdf")


def test_owner_password_only_opens_with_the_empty_password():
    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 100, "全年共主动公开政府信息1234条。")
    pdf.set_encryption(owner_password="owner", user_password="")
    doc = load_bytes(_bytes(pdf), name="restricted.pdf")
    assert "1234条" in doc.text


@pytest.mark.parametrize("data", [b"%PDF-1.4\n%garbage that is no PDF at all\n" * 3, b"%PDF-1.7\n..."])
def test_corrupt_pdf_is_a_corrupt_document(data):
    with pytest.raises(CorruptDocument, match="PDF"):
        load_bytes(data, name="broken.pdf")


def test_truncated_pdf_is_a_corrupt_document():
    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 100, "全年共主动公开政府信息1234条。")
    data = _bytes(pdf)
    with pytest.raises(CorruptDocument):
        load_bytes(data[: len(data) // 3], name="cut.pdf")


def _zero_page_pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_with_no_pages_is_refused():
    with pytest.raises(NoPagesDocument, match="no pages"):
        load_bytes(_zero_page_pdf(), name="empty.pdf")


def test_pdf_without_a_text_layer_goes_to_ocr(monkeypatch):
    from extractor.document import Document
    from extractor.formats import ocr

    calls = []

    def fake_ocr(data, *, name, sha256):
        calls.append(name)
        return Document(text="本机关全年共主动公开政府信息9条。", path=name, sha256=sha256, source_format="scan")

    monkeypatch.setattr(ocr, "load_scanned_pdf", fake_ocr)
    pdf = _pdf()
    pdf.add_page()
    pdf.set_fill_color(200, 200, 200)
    pdf.rect(72, 72, 300, 200, style="F")  # a picture, no text
    doc = load_bytes(_bytes(pdf), name="scan.pdf")
    assert calls == ["scan.pdf"] and doc.source_format == "scan"


def test_render_page_png_draws_the_page_at_the_scale_asked():
    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 100, "全年共主动公开政府信息1234条。")
    pdf.add_page()
    data = _bytes(pdf)
    png = render_page_png(data, 2, scale=1.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width in (595, 596) and height == 842  # A4 is 595.28 x 841.89 points
    with pytest.raises(NoPagesDocument):
        render_page_png(data, 3)


# ------------------------------------------------------------------ the real files

@pytest.mark.skipif(not REAL_PDFS.is_dir(), reason="shared dev_formats/pdf reports not present")
def test_real_browser_printed_pdfs_score_like_their_text_and_box_every_value():
    """The dev reports printed by Chromium: same fields as the text originals, and each value boxed on its page."""
    from extractor.baseline import extract_baseline
    from extractor.evaluation import evaluate, load_gold
    from extractor.ingest import load_path
    from extractor.pipeline import process_document

    pairs = []
    evidence = boxed = holds = 0
    for path in sorted(REAL_PDFS.glob("*.pdf")):
        doc = load_path(path)
        record = process_document(doc, extract_baseline, "regex")
        pairs.append((path.name, load_gold(path.with_name(f"{path.stem}.gold.json")), record.fields, {}))
        data = pdfium.PdfDocument(path.read_bytes())
        for key, (start, end) in record.evidence.items():
            evidence += 1
            box = record.boxes.get(key)
            if box is None:
                continue
            boxed += 1
            holds += doc.text[start:end].replace(" ", "") in _text_in_box(data, box)
    assert len(pairs) >= 10
    overall = evaluate(pairs).overall
    assert overall.f1 >= 0.99
    assert overall.spurious == 0
    assert boxed >= 0.95 * evidence and holds == boxed


def test_ruling_read_from_pdfium_paths_finds_the_cells_pdfplumber_finds():
    """The fast path (pdfium's path objects through pdfplumber's table finder) agrees with pdfplumber itself."""
    import io

    import pdfplumber

    from extractor.formats.pdf import _cells_from_edges, _plumber_cells, _ruling_edges

    pdf = _pdf()
    pdf.add_page()
    _table_rows(pdf, [HEADER, *ROWS], top=120)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(LEFT, 400, LEFT + 300, 400)  # a lone rule is no table
    data = _bytes(pdf)
    page = pdfium.PdfDocument(data)[0]
    ours = _cells_from_edges(_ruling_edges(page, (0.0, page.get_height())))
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        theirs = _plumber_cells(plumber, 0)

    def rounded(tables):
        return [sorted(tuple(round(v) for v in cell) for cell in t) for t in tables]

    assert rounded(ours) == rounded(theirs)
    assert len(ours) == 1 and len(ours[0]) == 4 * (1 + len(ROWS))


# ------------------------------------------------------------------ the spot-check page

def _spot_check_html(tmp_path) -> tuple[str, dict]:
    from extractor.baseline import extract_baseline
    from extractor.pipeline import process_document
    from extractor.review.html import pdf_page_images, render_page

    pdf = _pdf()
    pdf.add_page()
    pdf.text(LEFT, 80, "二、主动公开政府信息情况")
    pdf.add_page()
    pdf.text(LEFT, 80, "本机关2021年全年主动公开政府信息1234条。")
    data = _bytes(pdf)
    doc = load_pdf(data, name="spot.pdf", sha256="0" * 64)
    record = process_document(doc, extract_baseline, "regex").as_dict()
    return render_page(doc.text, record, page_images=pdf_page_images(data, record)), record


def test_spot_check_page_embeds_only_the_pages_with_boxes(tmp_path):
    import json
    import re

    page, record = _spot_check_html(tmp_path)
    assert record["boxes"] and {b[0] for b in record["boxes"].values()} == {2}
    assert all(type(b[0]) is int for b in record["boxes"].values())  # a page number, not 2.0
    embedded = json.loads(re.search(r'<script type="application/json" id="record">(.*?)</script>', page, re.DOTALL).group(1))
    assert set(embedded["pages"]) == {"2"} and embedded["pages"]["2"].startswith("data:image/png;base64,")
    assert embedded["boxes"] == record["boxes"]
    assert '<img id="pageimg"' in page


def test_spot_check_page_for_text_input_has_no_page_panel():
    from extractor.baseline import extract_baseline
    from extractor.pipeline import process_document
    from extractor.review.html import render_page

    doc = load_bytes("本机关2021年全年主动公开政府信息1234条。".encode(), name="r.txt")
    record = process_document(doc, extract_baseline, "regex").as_dict()
    assert 'id="pdf"' not in render_page(doc.text, record)


def test_clicking_a_field_draws_its_box_on_the_page_image(tmp_path):
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    page_html, record = _spot_check_html(tmp_path)
    key, box = next(iter(record["boxes"].items()))
    target = tmp_path / "spot.html"
    target.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            view = browser.new_page(viewport={"width": 1400, "height": 900})
            view.goto(target.as_uri())
            view.click(f'tr.field[data-key="{key}"]')
            view.wait_for_function("() => document.getElementById('pagebox').style.display === 'block'")
            caption = view.text_content("#pagecap")
            frame = view.eval_on_selector("#pagebox", "e => e.getBoundingClientRect().toJSON()")
            image = view.eval_on_selector("#pageimg", "e => e.getBoundingClientRect().toJSON()")
        finally:
            browser.close()
    assert caption == f"{key} · page 2"
    scale = image["width"] / 595.28  # CSS pixels per PDF point of the shown page
    assert abs((frame["x"] - image["x"]) / scale - box[1]) < 3
    assert abs((frame["y"] - image["y"]) / scale - box[2]) < 3


def test_a_500_page_pdf_is_read_up_to_the_page_limit_with_a_warning():
    from extractor.formats.pdf import MAX_PAGES

    pdf = _pdf()
    for n in range(1, 501):
        pdf.add_page()
        pdf.text(LEFT, 300, f"正文第{n}页:本机关全年共主动公开政府信息{n}条。")
    doc = load_bytes(_bytes(pdf), name="long.pdf")
    assert doc.pages == 500 and MAX_PAGES < 500
    assert f"正文第{MAX_PAGES}页" in doc.text and f"正文第{MAX_PAGES + 1}页" not in doc.text
    assert any(f"only the first {MAX_PAGES}" in w for w in doc.warnings)


def test_a_bar_printed_in_a_cell_does_not_split_the_row():
    pdf = _pdf()
    pdf.add_page()
    _table_rows(pdf, [["信息内容", "数量|件", "备注", "合计"], ["规章", "3", "无", "3"]], top=100)
    doc = load_bytes(_bytes(pdf), name="bar.pdf")
    start, end = doc.tables[0].span
    assert doc.text[start:end].split("\n")[0] == "| 信息内容 | 数量¦件 | 备注 | 合计 |"


def test_a_merged_cell_cut_by_the_page_break_continues_on_the_next_page():
    """The row-spanning label of a table split over two pages has no border at the cut; it is still one cell."""
    pdf = _pdf()
    pdf.add_page()

    def row(cells, y):
        pdf.set_xy(LEFT, y)
        for text, w in zip(cells, (120, 150, 60)):
            pdf.cell(w, 20, text, border=1)

    row(["办理结果", "情形", "数量"], 700)
    pdf.set_xy(LEFT, 720)
    pdf.cell(120, 40, "三、本年度办理结果", border="LTR")   # the page cuts it: no bottom border
    for y, (label, n) in ((720, ("(一)予以公开", "3")), (740, ("(二)部分公开", "1"))):
        pdf.set_xy(LEFT + 120, y)
        pdf.cell(150, 20, label, border=1)
        pdf.cell(60, 20, n, border=1)
    pdf.add_page()
    pdf.set_xy(LEFT, 60)
    pdf.cell(120, 40, "", border="LRB")                    # its rest: no top border, nothing printed
    for y, (label, n) in ((60, ("(三)不予公开", "0")), (80, ("(四)无法提供", "2"))):
        pdf.set_xy(LEFT + 120, y)
        pdf.cell(150, 20, label, border=1)
        pdf.cell(60, 20, n, border=1)
    row(["四、结转下年度", "", "5"], 100)
    doc = load_bytes(_bytes(pdf), name="cut.pdf")
    assert len(doc.tables) == 1
    start, end = doc.tables[0].span
    assert doc.text[start:end].split("\n") == [
        "| 办理结果 | 情形 | 数量 |",
        "| 三、本年度办理结果 | (一)予以公开 | 3 |",
        "| (二)部分公开 | 1 |",
        "| (三)不予公开 | 0 |",
        "| (四)无法提供 | 2 |",
        "| 四、结转下年度 |  | 5 |",
    ]


@pytest.mark.parametrize("turn", [90, 270])
def test_a_page_turned_by_rotate_is_read_as_it_is_shown(turn):
    """A landscape table page stored upright and turned by /Rotate: lines and cells as the reader sees them."""
    import io

    pdf = _pdf()
    pdf.add_page()
    with pdf.rotation(turn, 297, 421):  # drawn turned the other way, so it shows upright once /Rotate'd
        pdf.text(150, 250, "二、主动公开政府信息情况")
        _table_rows(pdf, [HEADER, *ROWS[:2]], top=270)
    raw = pdfium.PdfDocument(_bytes(pdf))
    raw[0].set_rotation(turn)
    buf = io.BytesIO()
    raw.save(buf)
    data = buf.getvalue()
    doc = load_bytes(data, name="turned.pdf")
    assert doc.text.split("\n")[0] == "二、主动公开政府信息情况"
    assert len(doc.tables) == 1 and doc.tables[0].cells == [HEADER, *ROWS[:2]]
    start = doc.text.index("规范性文件")
    _, x0, top, x1, bottom = doc.box_for(start, start + 5)
    png = render_page_png(data, 1, scale=1.0)
    shown_width, shown_height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert shown_width > shown_height  # rendered turned, as the boxes are measured
    assert 0 <= x0 < x1 <= shown_width and 0 <= top < bottom <= shown_height
    assert x1 - x0 > bottom - top  # five characters side by side, not stacked
