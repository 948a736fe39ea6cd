"""Deterministic (regex) baseline: every key of fields.json that the text states."""

from extractor.baseline.extract import extract_baseline

__all__ = ["extract_baseline"]
