"""Flat ``{key: value}`` view <-> section models.

The flat keys are those of ``fields.json``.  Their first component names a
part; ``_ROOTS`` says where that part lives in ``Report``.  Only stated
values appear in the flat view (no derived totals, no None).
"""

from __future__ import annotations

import datetime as dt
from typing import Any


from schemas.fields import FIELD_KEYS, field_spec
from schemas.models import Report

_ROOTS: dict[str, tuple[str, ...]] = {
    "meta": ("meta",),
    "active": ("active",),
    "applications": ("applications",),
    "review": ("appeals", "review"),
    "litigation_direct": ("appeals", "litigation_direct"),
    "litigation_after_review": ("appeals", "litigation_after_review"),
    "litigation": ("appeals", "litigation"),
}


def model_path(key: str) -> tuple[str, ...]:
    """Attribute path of a flat key inside ``Report``: 'review.total' -> ('appeals','review','total')."""
    root, *rest = key.split(".")
    return _ROOTS[root] + tuple(rest)


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def to_flat(report: Report, part: str | None = None) -> dict[str, Any]:
    """The flat view: every contract key whose value is stated, as plain JSON scalars.

    ``part`` limits it to the keys under one attribute of ``Report`` ('appeals'):
    a model answer fills one section, and walking the other ~300 keys for each
    answer was a measurable share of the client's CPU per call."""
    flat: dict[str, Any] = {}
    for key, path, is_float in _PATHS_BY_PART.get(part, ()) if part is not None else _PATHS:
        value = _get(report, path)
        if value is None:
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif is_float:
            value = float(value)
        flat[key] = value
    return flat


def from_flat(flat: dict[str, Any]) -> Report:
    """Build a Report from a flat view (unknown keys are rejected)."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if key not in _KEYSET:
            raise KeyError(f"unknown field key: {key}")
        if value is None:
            continue
        node = nested
        path = model_path(key)
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = value
    return Report.model_validate(nested)


_KEYSET = frozenset(FIELD_KEYS)
#: (key, attribute path, is a float field) in contract order; and the same grouped by top attribute.
_PATHS: tuple[tuple[str, tuple[str, ...], bool], ...] = tuple(
    (key, model_path(key), field_spec(key).type == "float") for key in FIELD_KEYS)
_PATHS_BY_PART: dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]] = {
    part: tuple(p for p in _PATHS if p[1][0] == part) for part in dict.fromkeys(p[1][0] for p in _PATHS)}
