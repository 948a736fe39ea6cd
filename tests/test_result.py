"""The domain vocabulary of extractor/result.py: enums that serialise to the record's strings."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from extractor.record import FlagRecord
from extractor.result import (
    Extraction,
    FieldStatus,
    FieldValue,
    Flag,
    FlagKind,
    ValueSource,
)

ROOT = Path(__file__).resolve().parent.parent


def test_unknown_flag_kind_fails_loudly():
    with pytest.raises(ValueError):
        Flag("ambigous_split", "a typo must not score 1.0 silently")


def test_flag_kind_serialises_to_its_wire_name():
    flag = Flag("ocr_low_confidence", "read at 0.41", ["review.total"], (3, 5))
    assert flag.kind is FlagKind.OCR_LOW_CONFIDENCE
    line = json.dumps(flag.as_dict(), ensure_ascii=False)
    assert json.loads(line)["kind"] == "ocr_low_confidence"
    assert FlagRecord(**flag.as_dict()).model_dump(mode="json")["kind"] == "ocr_low_confidence"


def test_every_flag_kind_has_a_weight_and_a_meaning():
    for kind in FlagKind:
        assert kind.weight > 0 and kind.meaning, kind
    assert FlagKind.CONFLICT.weight > FlagKind.UNGROUNDED_DROPPED.weight


def test_value_source_and_status_are_strings_on_the_wire():
    ext = Extraction(template="2019")
    ext.set("review.total", 3, (0, 1), "prose")
    assert ext.values["review.total"].source is ValueSource.PROSE
    with pytest.raises(ValueError):
        FieldValue(1, None, "regex")  # type: ignore[arg-type]
    assert json.dumps({"status": FieldStatus.MODEL_ONLY}) == '{"status": "model_only"}'


def _flag_kinds_in_source(source: str) -> tuple[set[str], set[str]]:
    """The kinds a piece of source names: string literals passed as a Flag's kind, and ``FlagKind.X`` names."""
    literals: set[str] = set()
    members: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Flag":
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "kind")]
            literals |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "FlagKind":
            members.add(node.attr)
    return literals, members


def _unknown_kinds(source: str) -> set[str]:
    """Kinds named in ``source`` that are not members of FlagKind (by wire value or by member name)."""
    literals, members = _flag_kinds_in_source(source)
    return (literals - {k.value for k in FlagKind}) | (members - set(FlagKind.__members__))


def test_the_kind_scan_catches_an_unknown_kind():
    invented = (
        "flags.append(Flag('ambiguous_split', 'fine', []))\n"
        "flags.append(Flag(FlagKind.CONFLICT, 'fine', []))\n"
        "flags.append(Flag('splitt_ambiguous', 'a typo', []))\n"
        "flags.append(Flag(kind=FlagKind.SPLITT_AMBIGUOUS, message='a typo'))\n"
    )
    assert _unknown_kinds(invented) == {"splitt_ambiguous", "SPLITT_AMBIGUOUS"}
    assert _flag_kinds_in_source(invented) == ({"ambiguous_split", "splitt_ambiguous"},
                                              {"CONFLICT", "SPLITT_AMBIGUOUS"})


def test_every_flag_kind_in_the_code_is_a_member():
    literals: set[str] = set()
    members: set[str] = set()
    unknown: set[str] = set()
    for path in (ROOT / "extractor").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _flag_kinds_in_source(source)
        literals |= found[0]
        members |= found[1]
        unknown |= {f"{path.relative_to(ROOT)}: {k}" for k in _unknown_kinds(source)}
    assert literals or members, "the scan found no flag kinds in extractor/: the test would prove nothing"
    assert not unknown, unknown
