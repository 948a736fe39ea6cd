"""A model that lies on purpose can only add flags: adversarial scripted servers against the hybrid.

Each persona (tests/fake_openai.py) answers every numeric section wrongly in one way.  The
hybrid runs over the dev reports with every section asked, and its records are compared
with the gold files.  A wrong value in a record must be *named* — in a flag's keys or in
``open_questions`` — so a reviewer sees it; rejected and arithmetic-settled lies never reach
the record at all.  These are scripted-server figures, NOT model accuracy.

Print the table (the README quotes it):  .venv/bin/python -m tests.test_adversarial
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from extractor.config import Settings
from extractor.evaluation import values_equal
from extractor.ingest import load_path
from extractor.pipeline import record_from_extraction
from extractor.record import DocumentRecord
from extractor.reconcile import hybrid
from extractor.reconcile.hybrid import HybridBackend
from tests.fake_openai import PERSONAS, FakeOpenAI, Liar

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "reports" / "dev"
ALL_SECTIONS = ["active", "applications", "appeals", "problems", "other"]


@dataclass
class Outcome:
    persona: str
    documents: int
    lies: int            # cells the persona falsified (distinct, over all documents)
    wrong: int           # wrong values in the records that the regex baseline did not already have
    named: int           # of those, named in a flag or an open question
    examples: list[str]

    @property
    def unnamed(self) -> int:
        return self.wrong - self.named


def _gold(path: Path) -> dict[str, Any]:
    gold = path.parent / (path.stem + ".gold.json")
    return json.loads(gold.read_text(encoding="utf-8"))["fields"]


def _named(record: DocumentRecord, key: str) -> bool:
    pattern = re.compile(r"(?<![\w.])" + re.escape(key) + r"(?![\w])")
    if any(key in f.keys for f in record.flags):
        return True
    return any(pattern.search(q) for q in record.open_questions)


def _wrong_keys(record: DocumentRecord, regex: DocumentRecord, gold: dict[str, Any]) -> list[str]:
    """Keys whose value (or n/a claim) disagrees with gold, where the regex baseline did not say the same."""
    wrong = []
    for key, value in record.fields.items():
        if key.startswith("meta."):
            continue
        right = key in gold and values_equal(key, gold[key], value)
        same_as_regex = key in regex.fields and regex.fields[key] == value
        if not right and not same_as_regex:
            wrong.append(key)
    for key in record.not_applicable:
        if key in gold and key not in regex.not_applicable:
            wrong.append(key)
    return wrong


def run_persona(persona: str, reports: list[Path], cache_dir: Path) -> Outcome:
    liar = Liar(persona)
    server = FakeOpenAI(responder=liar).start()
    try:
        settings = Settings(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test", EXTRACTOR_MODEL="liar",
                            EXTRACTOR_CACHE_DIR=str(cache_dir), EXTRACTOR_USE_CACHE=False, EXTRACTOR_MAX_REASKS=1,
                            EXTRACTOR_BACKOFF_BASE=0.01, EXTRACTOR_CONCURRENCY=8)
        backend = HybridBackend(settings)
        wrong = named = 0
        examples: list[str] = []
        with mock.patch.object(hybrid, "open_sections", lambda base: list(ALL_SECTIONS)):  # ask everything
            for path, ext in backend.stream(reports, load_path):
                if isinstance(ext, Exception):
                    raise ext
                doc = load_path(path)
                record = record_from_extraction(doc, ext, "hybrid")
                regex = record_from_extraction(doc, hybrid.extract_baseline(doc), "regex")
                for key in _wrong_keys(record, regex, _gold(path)):
                    wrong += 1
                    if _named(record, key):
                        named += 1
                    elif len(examples) < 5:
                        examples.append(f"{path.name}: {key} = {record.fields.get(key, 'n/a')}")
        return Outcome(persona, len(reports), len(liar.lies), wrong, named, examples)
    finally:
        server.stop()


def dev_reports() -> list[Path]:
    return sorted(p for p in DEV.glob("*.txt") if (p.parent / (p.stem + ".gold.json")).exists())


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_no_wrong_value_reaches_the_record_unnamed(persona, tmp_path):
    reports = dev_reports()
    assert reports, "dev reports not found"
    outcome = run_persona(persona, reports, tmp_path / "cache")
    assert outcome.lies > 0, "the persona told no lie: the test would prove nothing"
    assert outcome.unnamed == 0, outcome.examples


def table(outcomes: list[Outcome]) -> str:
    lines = ["| persona (scripted server) | documents | lies told | wrong values in records | of those unnamed |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for o in outcomes:
        lines.append(f"| {o.persona} | {o.documents} | {o.lies} | {o.wrong} | {o.unnamed} |")
    return "\n".join(lines)


def main() -> int:
    reports = dev_reports()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = [run_persona(p, reports, Path(tmp) / "cache") for p in PERSONAS]
    print(table(outcomes))
    for o in outcomes:
        for e in o.examples:
            print(f"unnamed ({o.persona}): {e}")
    return 0 if all(o.unnamed == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())


def test_the_measure_sees_unnamed_values_when_naming_is_switched_off(tmp_path, monkeypatch):
    """Without the model-only questions, invented rows would reach the record unnamed: so the
    zero above is the merge's doing, not a measure that cannot see anything."""
    from extractor.reconcile import merge

    real = merge.review_priority

    def silent(ext, breaks):
        score, questions = real(ext, breaks)
        return score, [q for q in questions if not q.startswith("model-only value")]

    monkeypatch.setattr(merge, "review_priority", silent)
    outcome = run_persona("invented rows", dev_reports()[:6], tmp_path / "cache")
    assert outcome.unnamed > 0
