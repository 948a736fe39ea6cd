"""The regex baseline: meta, official tables, statistics tables, prose figures."""

from __future__ import annotations

from extractor.baseline.meta import extract_meta
from extractor.baseline.prose import extract_prose, extract_stats_table
from extractor.baseline.tables import emit_table3, read_table2, read_table3, read_table4
from extractor.ingest import Document
from extractor.result import Extraction
from extractor.sections import detect_template, find_sections
from schemas.vocabulary import fold_variants


def extract_baseline(doc: Document) -> Extraction:
    """Every key of fields.json that the text states, each with its evidence span."""
    # Traditional characters are folded one for one, so every reader sees the vocabulary's forms and
    # every span is still a span of doc.text; meta strings are taken back as printed.
    text = fold_variants(doc.text)
    ext = Extraction(template="narrative")
    extract_meta(text, ext)
    if text != doc.text:
        _meta_as_printed(doc.text, text, ext)
    year = ext.values["meta.year"].value if "meta.year" in ext.values else None
    template = detect_template(text, year)
    ext.template = template
    ext.set("meta.template", template, None, "meta")
    sections = find_sections(text)
    after_t3 = 0
    if template in ("2019", "2021"):
        read_table2(text, template, ext)
        t3 = read_table3(text, template)
        emit_table3(t3, ext)
        after_t3 = t3.region[1] if t3.region else 0
        read_table4(text, after_t3 if t3.region else 0, ext)
    # Prose first (it is the report's own wording), then the old statistics table checks it.
    extract_prose(text, sections, ext)
    if template == "narrative":
        extract_stats_table(text, ext)
    return ext


def _meta_as_printed(original: str, folded: str, ext: Extraction) -> None:
    """Title and issuer in the characters the page printed (the readers matched them folded)."""
    for key in ("meta.title", "meta.issuer"):
        fv = ext.values.get(key)
        if fv is None or fv.span is None or not isinstance(fv.value, str):
            continue
        start, end = fv.span
        out: list[str] = []
        pos = start
        for ch in fv.value:
            hit = folded.find(ch, pos, end)
            if hit < 0:
                break
            out.append(original[hit])
            pos = hit + 1
        else:
            fv.value = "".join(out)
