"""What the model returns for one section: the section model plus a verbatim quote per row.

The validator checks, against the section text the model was given, that each
quote occurs in it (after normalising full-width characters, whitespace and
separators) and that each value occurs in its quote.  A failure is raised as a
validation error so instructor re-asks with the error text; after the last
re-ask the ungrounded rows are dropped and listed, never kept silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from instructor import OpenAISchema
from pydantic import BaseModel, ConfigDict, Field, model_validator

from extractor.ingest import normalise
from extractor.llm.grounding import prints_not_applicable, why_ungrounded
from schemas import ActiveDisclosure, Appeals, Applications, OtherMatters, ProblemsAndImprovements

Span = tuple[int, int]

_SEPARATORS = re.compile(r"[\s|,，]+")


_DROP = frozenset(" \n\t\r|,，\u3000\u00a0")


@lru_cache(maxsize=512)
def normalise_for_match(text: str) -> tuple[str, tuple[int, ...]]:
    """Full-width folded, separators and whitespace removed; returns the string and each char's source offset.

    One-for-one folding (the same map as ingest), so offsets map straight back.
    """
    folded = normalise(text) if not text.isascii() else text
    pos = tuple(i for i, ch in enumerate(folded) if ch not in _DROP)
    return "".join(folded[i] for i in pos), pos


@dataclass(frozen=True)
class QuoteMatch:
    span: Span
    exact: bool


def locate_quote(quote: str, source: str, normalised: tuple[str, tuple[int, ...]] | None = None) -> QuoteMatch | None:
    """Where a quote sits in the source: exactly, or after normalisation (exact=False)."""
    q = quote.strip()
    if not q:
        return None
    i = source.find(q)
    if i >= 0:
        return QuoteMatch((i, i + len(q)), True)
    nsrc, pos = normalised or normalise_for_match(source)
    nq, _ = normalise_for_match(q)
    if not nq:
        return None
    j = nsrc.find(nq)
    if j < 0:
        return None
    return QuoteMatch((pos[j], pos[j + len(nq) - 1] + 1), False)


# The section text an answer is validated against.  A ContextVar is task-local under
# asyncio, so concurrent section calls never see each other's text; it is how the
# grounding source reaches the validator without instructor's ``context=`` (which
# would run Jinja over the messages, i.e. over untrusted report text).
_GROUNDING_SOURCE: ContextVar[str | None] = ContextVar("grounding_source", default=None)


@contextmanager
def grounding(source: str | None) -> Iterator[None]:
    """Validate answers against ``source`` inside this block (None: no grounding check)."""
    token = _GROUNDING_SOURCE.set(source)
    try:
        yield
    finally:
        _GROUNDING_SOURCE.reset(token)


class SectionAnswer(OpenAISchema):
    """Base of every answer model (an instructor OpenAISchema, so instructor uses it as is)."""

    model_config = ConfigDict(extra="forbid")
    #: The part of the report this answer fills (``schemas.Report`` attribute).
    section: ClassVar[str] = ""

    quotes: dict[str, str] = Field(
        default_factory=dict,
        description="每个填写了数值的字段（行）对应一段原文逐字摘录：键为字段名（如 granted、total_items、review），"
                    "值为原文中含这些数字的那一行或那句话")

    @model_validator(mode="after")
    def _grounded(self) -> SectionAnswer:
        source = _GROUNDING_SOURCE.get()
        if source is None:
            return self
        problems = ungrounded(self, source)
        if problems:
            raise ValueError(
                "以下字段的摘录无法在原文中找到或不包含所填数值，请逐字摘录原文并核对数值；原文未写明的字段请填 null： "
                + "; ".join(f"{k}: {why}" for k, why in problems.items()))
        return self

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        """The schema sent to the model: per-field titles dropped (descriptions carry the labels)."""
        return _compact_schema(cls, *args, **kwargs)


@lru_cache(maxsize=64)
def _compact_schema_cached(cls: type[BaseModel]) -> str:
    import json

    schema = super(SectionAnswer, cls).model_json_schema()  # type: ignore[misc]
    return json.dumps(_strip_titles(schema, root=True), ensure_ascii=False)


def _compact_schema(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
    import json

    if args or kwargs:
        return _strip_titles(super(SectionAnswer, cls).model_json_schema(*args, **kwargs), root=True)  # type: ignore[misc]
    # instructor wraps the response model in a new subclass on every call; the schema is that of our class.
    own = next((c for c in cls.__mro__ if c.__module__ == __name__ and c is not SectionAnswer), cls)
    schema = json.loads(_compact_schema_cached(own))
    schema["title"] = cls.__name__
    return schema


def _strip_titles(node: Any, *, root: bool = False) -> Any:
    """Drop per-field titles and null defaults; write ``anyOf [T, null]`` of scalars as ``type: [T, null]``."""
    if isinstance(node, dict):
        any_of = node.get("anyOf")
        if isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
            other = next(o for o in any_of if o != {"type": "null"})
            if isinstance(other.get("type"), str) and "$ref" not in other:
                merged = {k: v for k, v in node.items() if k != "anyOf"}
                merged.update({k: v for k, v in other.items() if k != "type"})
                merged["type"] = [other["type"], "null"]
                node = merged
        out = {}
        for key, value in node.items():
            if key == "title" and not root and isinstance(value, str):
                continue
            if key == "default" and value is None:
                continue
            if key in ("properties", "$defs") and isinstance(value, dict):
                out[key] = {name: _strip_titles(sub) for name, sub in value.items()}
            else:
                out[key] = _strip_titles(value)
        return out
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


def grounded_rows(answer: SectionAnswer) -> dict[str, Any]:
    """The data's filled rows (or scalar fields), by name."""
    data = getattr(answer, "data", None)
    if data is None:
        return {}
    rows: dict[str, Any] = {}
    for name, value in data:
        if name == "not_applicable" or value is None:
            continue
        if isinstance(value, list):
            continue
        if isinstance(value, BaseModel) and all(v is None for _, v in value):
            continue
        rows[name] = value
    return rows


def ungrounded(answer: SectionAnswer, source: str) -> dict[str, str]:
    """Row name (or ``not_applicable:KEY``) -> why it is not grounded in ``source``."""
    problems: dict[str, str] = {}
    normalised = normalise_for_match(source)
    section = answer.section
    for name, value in grounded_rows(answer).items():
        quote = answer.quotes.get(name)
        if not quote:
            problems[name] = "缺少摘录"
            continue
        if locate_quote(quote, source, normalised) is None:
            problems[name] = f"摘录「{quote[:40]}」不在原文中"
            continue
        why = why_ungrounded(section, name, value, quote)
        if why:
            problems[name] = why
    for key in not_applicable_claims(answer):
        quote = answer.quotes.get(key) or answer.quotes.get(key.rsplit(".", 1)[0].split(".")[-1])
        if not quote or locate_quote(quote, source, normalised) is None:
            problems[f"not_applicable:{key}"] = "不适用的单元格需要逐字摘录印有 / 或 不适用 的原文"
        elif not prints_not_applicable(quote):
            problems[f"not_applicable:{key}"] = f"摘录「{quote[:40]}」中没有 / 或 不适用"
    texts = getattr(getattr(answer, "data", None), "__dict__", {})
    for name, value in texts.items():
        if isinstance(value, list) and name != "not_applicable":
            for item in value:
                if isinstance(item, str) and not text_grounded(item, source):
                    problems[f"{name}[]"] = f"「{item[:30]}」与原文不符"
    return problems


def not_applicable_claims(answer: SectionAnswer) -> list[str]:
    """The flat keys the answer claims are printed as not applicable."""
    claims = getattr(getattr(answer, "data", None), "not_applicable", None) or []
    return [k for k in claims if isinstance(k, str)]


def text_grounded(item: str, source: str) -> bool:
    """A short item is grounded when most of its character bigrams occur in the source."""
    chars = [c for c in unicodedata.normalize("NFKC", item) if "\u4e00" <= c <= "\u9fff"]
    if len(chars) < 4:
        return bool(chars) and "".join(chars) in source
    bigrams = {a + b for a, b in zip(chars, chars[1:])}
    return sum(1 for bg in bigrams if bg in source) / len(bigrams) >= 0.6


class ActiveAnswer(SectionAnswer):
    """二、主动公开政府信息情况."""

    section: ClassVar[str] = "active"

    data: ActiveDisclosure = Field(default_factory=ActiveDisclosure)


class ApplicationsAnswer(SectionAnswer):
    """三、收到和处理政府信息公开申请情况."""

    section: ClassVar[str] = "applications"

    data: Applications = Field(default_factory=Applications)


class AppealsAnswer(SectionAnswer):
    """四、政府信息公开行政复议、行政诉讼情况."""

    section: ClassVar[str] = "appeals"

    data: Appeals = Field(default_factory=Appeals)


class ProblemsAnswer(SectionAnswer):
    """五、存在的主要问题及改进情况."""

    section: ClassVar[str] = "problems"

    data: ProblemsAndImprovements = Field(default_factory=ProblemsAndImprovements)


class OtherAnswer(SectionAnswer):
    """六、其他需要报告的事项."""

    section: ClassVar[str] = "other"

    data: OtherMatters = Field(default_factory=OtherMatters)


ANSWER_MODELS: dict[str, type[SectionAnswer]] = {
    "active": ActiveAnswer, "applications": ApplicationsAnswer, "appeals": AppealsAnswer,
    "problems": ProblemsAnswer, "other": OtherAnswer,
}
