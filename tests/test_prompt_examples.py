"""Prompts and schema descriptions teach with invented examples, never with dev-report answers.

A model scored on the dev set must not have been shown its answers: every example number in
prompts/*.md and in the JSON schemas the model is sent (long enough to be an answer rather
than a row number) must be absent from the dev reports, and no dev report's issuer may be
named as an example.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractor.llm.answers import ANSWER_MODELS

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "reports" / "dev"
_TOKEN = re.compile(r"[+\-]?\d+(?:\.\d+)?(?:万|亿)?")
_TEMPLATE_IDS = {"2019", "2021", "60", "30"}  # 国办公开办函〔2019〕60号 / 〔2021〕30号 name the templates


def taught_texts() -> dict[str, str]:
    texts = {f"prompts/{p.name}": p.read_text(encoding="utf-8") for p in sorted((ROOT / "prompts").glob("*.md"))}
    for name, model in ANSWER_MODELS.items():
        texts[f"schema:{name}"] = json.dumps(model.model_json_schema(), ensure_ascii=False)
    return texts


def example_numbers(text: str) -> set[str]:
    """Numbers long enough to be a report's figure (three or more digits, or a decimal, or a sign)."""
    out = set()
    for token in _TOKEN.findall(text):
        core = token.lstrip("+-")
        digits = re.sub(r"\D", "", core)
        if token in _TEMPLATE_IDS or re.fullmatch(r"20\d\d", core):
            continue
        if len(digits) >= 3 or "." in core or (token[0] in "+-" and len(digits) >= 2):
            out.add(token)
    return out


@pytest.fixture(scope="module")
def dev_texts() -> dict[str, str]:
    texts = {p.name: p.read_text(encoding="utf-8") for p in DEV.glob("*.txt")}
    if not texts:
        pytest.skip("dev reports not found")
    return texts


def test_the_scan_finds_the_examples():
    """The scan must see the examples it guards (else the test below passes vacuously)."""
    found = set().union(*(example_numbers(t) for t in taught_texts().values()))
    assert {"27.5万", "275000", "413010247"} <= found


def test_no_example_number_comes_from_a_dev_report(dev_texts):
    leaks = []
    for where, text in taught_texts().items():
        for token in sorted(example_numbers(text)):
            pattern = re.compile(r"(?<![\d.])" + re.escape(token) + r"(?![\d.])")
            hits = [name for name, doc in dev_texts.items() if pattern.search(doc)]
            if hits:
                leaks.append(f"{where}: {token} (in {hits[0]})")
    assert not leaks, leaks


def test_no_dev_issuer_is_named_as_an_example():
    issuers = set()
    for gold in DEV.glob("*.gold.json"):
        issuer = json.loads(gold.read_text(encoding="utf-8"))["fields"].get("meta.issuer")
        if issuer:
            issuers.add(issuer)
    if not issuers:
        pytest.skip("no dev gold")
    named = [(where, i) for where, text in taught_texts().items() for i in issuers if i in text]
    assert not named, named
