"""Pydantic section models: the single source of truth for what is extracted.

The flat ``{key: value}`` view (``fields.json`` beside this file, the field
contract of ``GOLD.md``) and the JSON Schema are both derived from them.
"""

from schemas.fields import FIELDS, FIELD_KEYS, FieldSpec, field_spec, keys_for_template
from schemas.models import (
    ActiveDisclosure,
    Appeals,
    ApplicantCounts,
    Applications,
    DocumentCounts,
    FeeCounts,
    ItemCounts,
    OtherMatters,
    OutcomeCounts,
    ProblemsAndImprovements,
    ProcurementCounts,
    Report,
    ReportMeta,
    TotalOnly,
)
from schemas.flat import from_flat, to_flat

__all__ = [
    "FIELDS", "FIELD_KEYS", "FieldSpec", "field_spec", "keys_for_template",
    "ActiveDisclosure", "Appeals", "ApplicantCounts", "Applications", "DocumentCounts", "FeeCounts",
    "ItemCounts", "OtherMatters", "OutcomeCounts", "ProblemsAndImprovements", "ProcurementCounts",
    "Report", "ReportMeta", "TotalOnly", "from_flat", "to_flat",
]
