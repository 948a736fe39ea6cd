"""Word documents -> Document: .docx through python-docx; .doc/.wps/.odt through LibreOffice first.

A .docx body is read in document order straight from its XML (python-docx's
``Document.paragraphs`` and ``.tables`` are two separate lists and lose the
order).  Paragraphs become lines; tables become ingest's ``| a | b |`` rows
over a real grid: a cell spanning columns (``w:gridSpan``) or continuing the
cell above (``w:vMerge``) fills every grid position it covers, with only its
first position an origin, exactly as HTML rowspan/colspan are read.  Every
written cell gets a CellRef (table, row, column, all from 0) so evidence can
name it.  Old binary formats are first turned into .docx by LibreOffice
headless, in a throw-away profile and with a timeout.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from extractor.document import CellRef, Document, TableGrid, normalise
from extractor.errors import (
    ConversionFailed,
    CorruptDocument,
    EmptyDocument,
    UnsupportedFormat,
)
from extractor.formats._grid import cell_safe, row_line

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_SPAN = 200                      # a gridSpan beyond this is damage, not layout
CONVERTED_FORMATS = {".doc": "doc", ".wps": "wps", ".odt": "odt", ".rtf": "rtf"}
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_NAMES = frozenset({".docx", ".docm", *CONVERTED_FORMATS})  # a zip with another name may be anything


@dataclass
class _Text:
    """The document's text as it is written, with a CellRef for every table cell."""

    lines: list[str] = field(default_factory=list)
    pos: int = 0
    tables: list[TableGrid] = field(default_factory=list)
    cells: list[CellRef] = field(default_factory=list)

    def add_line(self, line: str) -> int:
        """Append one line; returns where it starts in the text."""
        start = self.pos
        self.lines.append(line)
        self.pos += len(line) + 1
        return start


# ------------------------------------------------------------------ .docx

def load_docx(data: bytes, *, name: str, sha256: str) -> Document:
    """Paragraphs and tables (gridSpan / vMerge as real grids), with a CellRef for every table cell.

    Raises:
        CorruptDocument: a file named as Word that is not a zip, or a zip without a readable Word body.
        UnsupportedFormat: the same for a zip archive not named as a Word file (it may be anything).
        EmptyDocument: a valid Word file with no text in it.
    """
    suffix = Path(name).suffix.lower()
    try:
        body = _docx_body(data)
    except CorruptDocument as exc:
        if suffix in WORD_NAMES:
            raise
        raise UnsupportedFormat(f"a zip archive that is not a Word document ({exc})") from exc
    out = _Text()
    _walk_blocks(body, out)
    text = "\n".join(out.lines)  # pieces were normalised as read, before '|' in cells was set apart
    if not text.strip():
        raise EmptyDocument("the Word document has no text")
    return Document(text=text, path=name, sha256=sha256, encoding="utf-8",
                    source_format=CONVERTED_FORMATS.get(suffix, "docx"), tables=out.tables, cells=out.cells)


def _docx_body(data: bytes):
    """The ``w:body`` element, or a CorruptDocument that says what is wrong with the file."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CorruptDocument("the .docx is not a zip archive (damaged, truncated, or not really a .docx)")
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise CorruptDocument(f"the .docx cannot be read (no Word body in the archive): {exc}") from exc
    except Exception as exc:  # lxml and zlib raise their own types on damaged parts
        raise CorruptDocument(f"the .docx is damaged: {type(exc).__name__}: {exc}") from exc
    return document.element.body


def _walk_blocks(container, out: _Text) -> None:
    """Paragraphs and tables of a body (or a cell of a layout table) in document order."""
    for el in container:
        tag = el.tag
        if tag == f"{_W}p":
            line = _paragraph_text(el)
            if line:
                out.add_line(line)
        elif tag == f"{_W}tbl":
            if el.find(f".//{_W}tbl") is not None:
                _walk_layout_table(el, out)
            else:
                _emit_table(el, out)
        elif tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}sdtContent"):
            content = el.find(f"{_W}sdtContent")
            _walk_blocks(content if content is not None else el, out)


def _walk_layout_table(tbl, out: _Text) -> None:
    """A table holding tables lays the page out: its cells are read as blocks, the inner tables as tables."""
    for tr in tbl.iterchildren(f"{_W}tr"):
        for tc in tr.iterchildren(f"{_W}tc"):
            _walk_blocks(tc, out)


def _paragraph_text(p) -> str:
    """A paragraph's visible text: runs, tabs and breaks (deleted text and textbox fallbacks left out)."""
    parts: list[str] = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen", f"{_W}sym"):
        if _in_fallback(el, p):
            continue
        tag = el.tag
        if tag == f"{_W}t":
            parts.append(el.text or "")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif tag == f"{_W}sym":
            continue
        else:
            parts.append(" ")
    return " ".join(normalise("".join(parts)).split())


def _in_fallback(el, stop) -> bool:
    """True inside an ``mc:Fallback`` (the same textbox again, for old readers)."""
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == _MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


def _cell_text(tc) -> str:
    """A cell's paragraphs run together on one line (a space only between Latin letters or digits)."""
    pieces = [_paragraph_text(p) for p in tc.iter(f"{_W}p")]
    text = ""
    for piece in pieces:
        if not piece:
            continue
        if text and text[-1].isascii() and text[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            text += " "
        text += piece
    return cell_safe(text)


def _int_attr(el, name: str, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(f"{_W}{name}", default))
    except (TypeError, ValueError):
        return default


def table_grid(tbl) -> TableGrid:
    """A Word table as a rectangular grid: gridSpan fills columns, vMerge continues the cell above.

    ``w:gridBefore`` / ``w:gridAfter`` (rows that start or stop short) leave blank positions.
    """
    cells: list[list[str | None]] = []
    origin: list[list[bool]] = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        tr_pr = tr.find(f"{_W}trPr")
        before = _int_attr(tr_pr.find(f"{_W}gridBefore") if tr_pr is not None else None, "val", 0)
        row: list[str | None] = [""] * min(max(before, 0), MAX_SPAN)
        row_origin: list[bool] = [False] * len(row)
        for tc in tr.iterchildren(f"{_W}tc"):
            tc_pr = tc.find(f"{_W}tcPr")
            span = min(max(_int_attr(tc_pr.find(f"{_W}gridSpan") if tc_pr is not None else None, "val", 1), 1),
                       MAX_SPAN)
            merge = tc_pr.find(f"{_W}vMerge") if tc_pr is not None else None
            col = len(row)
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue" and cells:
                above = cells[-1]
                text = above[col] if col < len(above) and above[col] is not None else ""
                row.extend([text] * span)
                row_origin.extend([False] * span)
            else:
                text = _cell_text(tc)
                row.extend([text] * span)
                row_origin.extend([True] + [False] * (span - 1))
        cells.append(row)
        origin.append(row_origin)
    width = max((len(r) for r in cells), default=0)
    grid = [[c if c is not None else "" for c in r] + [""] * (width - len(r)) for r in cells]
    orig = [r + [False] * (width - len(r)) for r in origin]
    return TableGrid(cells=grid, origin=orig)


def _emit_table(tbl, out: _Text) -> None:
    """The table's rows as pipe lines, its grid, and a CellRef for every written cell."""
    grid = table_grid(tbl)
    if not grid.cells or not any(any(c for c in row) for row in grid.cells):
        return
    index = len(out.tables)
    start = out.pos
    for r in range(grid.n_rows):
        line, places = row_line(grid, r)
        line_start = out.add_line(line)
        for col, s, e in places:
            out.cells.append(CellRef(line_start + s, line_start + e, index, r, col))
    grid.span = (start, out.pos - 1)
    out.tables.append(grid)


# ------------------------------------------------------------------ .doc / .wps / .odt

def convert_to_docx(data: bytes, *, suffix: str, timeout: float = 120.0) -> bytes:
    """Convert .doc/.wps/.odt bytes to .docx bytes with LibreOffice headless (temporary profile, timeout).

    A fresh profile per call: LibreOffice refuses to start a second instance on
    a profile in use (parallel workers) and a user's own profile can carry
    macros or a stale lock.

    Raises:
        CorruptDocument: an OLE file (.doc, .wps) whose header is not valid.
        ConversionFailed: LibreOffice is not installed, failed, timed out or wrote nothing.
    """
    if data[:8] == OLE_MAGIC and not _ole_header_ok(data):
        raise CorruptDocument(f"the {suffix} file is damaged (its compound-file header is not valid); "
                              "LibreOffice would read it as plain text")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ConversionFailed(
            f"{suffix} files are converted with LibreOffice, which is not installed "
            f"(Debian/Ubuntu: apt-get install {LIBREOFFICE_PACKAGE}); or save the file as .docx")
    suffix = suffix if suffix.startswith(".") else f".{suffix}"
    with tempfile.TemporaryDirectory(prefix="extractor-lo-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(source)]
        env = {**os.environ, "HOME": tmp}
        returncode, said = _run_soffice(cmd, env=env, timeout=timeout, suffix=suffix)
        result = work / "out" / "input.docx"
        if returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            lines = said.strip().splitlines()
            detail = lines[-1] if lines else f"exit code {returncode}, no output file"
            raise ConversionFailed(f"LibreOffice could not read the {suffix} file "
                                   f"(damaged or not really {suffix}): {detail}")
        return result.read_bytes()


def _ole_header_ok(data: bytes) -> bool:
    """A plausible OLE compound-file header (.doc, .wps): byte order mark, sector sizes, a directory sector.

    LibreOffice does not refuse a damaged .doc: it imports the bytes as text,
    which would come out as a page of nonsense characters.
    """
    if len(data) < 512:
        return False
    byte_order = data[0x1C:0x1E]
    major = int.from_bytes(data[0x1A:0x1C], "little")
    sector_shift = int.from_bytes(data[0x1E:0x20], "little")
    mini_shift = int.from_bytes(data[0x20:0x22], "little")
    return byte_order == b"\xfe\xff" and major in (3, 4) and sector_shift in (9, 12) and mini_shift == 6


def _run_soffice(cmd: list[str], *, env: dict[str, str], timeout: float, suffix: str) -> tuple[int, str]:
    """Run LibreOffice in its own process group, so a timeout ends soffice.bin too (not just its launcher)."""
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
    except OSError as exc:
        raise ConversionFailed(f"LibreOffice could not be started ({cmd[0]}): {exc}") from exc
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise ConversionFailed(
            f"LibreOffice did not convert the {suffix} file within {timeout:.0f} s "
            "(damaged, or too large); save it as .docx and try again") from exc
    return proc.returncode, (stderr or stdout or b"").decode("utf-8", "replace")
