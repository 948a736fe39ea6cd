"""The field contract (``fields.json``, copied verbatim from the shared spec)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FIELDS_PATH = Path(__file__).with_name("fields.json")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    type: str
    label_zh: str
    templates: tuple[str, ...]
    note: str = ""

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]


@lru_cache(maxsize=1)
def _load() -> tuple[FieldSpec, ...]:
    raw = json.loads(FIELDS_PATH.read_text(encoding="utf-8"))
    return tuple(
        FieldSpec(key=f["key"], type=f["type"], label_zh=f["label_zh"], templates=tuple(f["templates"]),
                  note=f.get("note", ""))
        for f in raw["fields"]
    )


FIELDS: tuple[FieldSpec, ...] = _load()
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
_BY_KEY = {f.key: f for f in FIELDS}


def field_spec(key: str) -> FieldSpec:
    return _BY_KEY[key]


def keys_for_template(template: str) -> frozenset[str]:
    """Keys scored for a document of this template (GOLD.md 'Scoring scope')."""
    return frozenset(f.key for f in FIELDS if template in f.templates)
