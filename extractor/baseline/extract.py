"""The regex baseline: meta, official tables, statistics tables, prose figures."""

from __future__ import annotations

from extractor.baseline.meta import extract_meta
from extractor.baseline.prose import extract_prose, extract_stats_table
from extractor.baseline.tables import emit_table3, read_table2, read_table3, read_table4
from extractor.ingest import Document
from extractor.result import Extraction
from extractor.sections import detect_template, find_sections


def extract_baseline(doc: Document) -> Extraction:
    """Every key of fields.json that the text states, each with its evidence span."""
    text = doc.text
    ext = Extraction(template="narrative")
    extract_meta(text, ext)
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
