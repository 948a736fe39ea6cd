"""What an extraction produces: values with evidence, flags, consistency breaks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from extractor.document import Document

Span = tuple[int, int]


@dataclass
class FieldValue:
    """One extracted value and where it was read (character span in Document.text)."""

    value: Any
    span: Span | None
    source: str = "table"          # table | prose | stats_table | meta | model
    note: str = ""


@dataclass
class Flag:
    """Something a reviewer should look at: an ambiguous digit split, a truncated table, ..."""

    kind: str
    message: str
    keys: list[str] = field(default_factory=list)
    span: Span | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "keys": self.keys,
                "span": list(self.span) if self.span else None}


@dataclass
class Extraction:
    """Everything one backend read from one document."""

    template: str
    values: dict[str, FieldValue] = field(default_factory=dict)
    not_applicable: dict[str, Span | None] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)   # 五/六 items, when a backend reads them
    usage: dict[str, Any] = field(default_factory=dict)         # model token accounting, when a model ran
    detail: dict[str, dict[str, Any]] = field(default_factory=dict)  # per-field reconciliation (hybrid)
    review_priority: float = 0.0
    open_questions: list[str] = field(default_factory=list)

    def set(self, key: str, value: Any, span: Span | None, source: str, note: str = "") -> None:
        self.values[key] = FieldValue(value=value, span=span, source=source, note=note)

    def setdefault(self, key: str, value: Any, span: Span | None, source: str, note: str = "") -> bool:
        """Set only when no value is there yet (a table beats prose); True when set."""
        if key in self.values or key in self.not_applicable:
            return False
        self.set(key, value, span, source, note)
        return True

    def flat(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.values.items()}

    def evidence(self) -> dict[str, list[int]]:
        return {k: list(v.span) for k, v in self.values.items() if v.span is not None}


T = TypeVar("T")


@runtime_checkable
class Backend(Protocol):
    """What the pipeline needs from an extraction backend (regex, llm, hybrid).

    ``wants_baseline`` says whether the backend reads the regex baseline: a bulk
    job then computes it in its worker processes and hands it over, so the CPU
    work stays off the model backend's event loop.
    """

    name: str
    wants_baseline: bool

    def __call__(self, doc: Document) -> Extraction: ...


@runtime_checkable
class StreamingBackend(Backend, Protocol):
    """A backend that works on many documents at once (model calls on one event loop)."""

    def stream(self, items: list[T], load: Callable[[T], Any],
               sections: Callable[[Document], list[str] | None] | None = None
               ) -> Iterator[tuple[T, Extraction | Exception]]: ...

    def usage_summary(self) -> str: ...
