"""What an extraction produces: values with evidence, flags, consistency breaks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from extractor.document import Document

Span = tuple[int, int]


class FlagKind(StrEnum):
    """Every kind of doubt a backend may raise, with its weight in the review priority.

    This is the one place a flag kind is defined: to add one, add a member here
    as ``NAME = "wire_name", weight, "what a reviewer should do"``.  ``Flag``
    refuses any other kind (``ValueError``), so a typo fails loudly in the tests
    instead of scoring 1.0 unnoticed.  The wire name is what the record's JSON
    carries, so renaming a member's value changes the record format.
    """

    weight: float
    meaning: str

    def __new__(cls, value: str, weight: float = 1.0, meaning: str = "") -> FlagKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.weight = weight
        member.meaning = meaning
        return member

    # baseline: tables and prose
    AMBIGUOUS_SPLIT = "ambiguous_split", 2.0, "a run-together row splits into cells more than one way"
    ROW_UNREADABLE = "row_unreadable", 2.0, "a table row's cells could not be read"
    TABLE_INCOMPLETE = "table_incomplete", 2.0, "rows of a table were not read at all"
    ROWS_BY_POSITION = "rows_by_position", 1.0, "rows were matched by their position, not their labels"
    ROW_POSITION_CONFLICT = "row_position_conflict", 2.0, "a row's label and its position disagree"
    SPLIT_UNSETTLED = "split_unsettled", 2.0, "no digit split makes the table's columns balance"
    NOT_A_COUNT = "not_a_count", 1.0, "a count cell holds something that is not a whole number"
    PROSE_TABLE_DISAGREE = "prose_table_disagree", 2.0, "the prose states another figure than the table"
    ROW_UNKNOWN = "row_unknown", 1.0, "a labelled table row fits no row of the template; its cells were not read"
    # ingest
    OCR_LOW_CONFIDENCE = "ocr_low_confidence", 1.0, "OCR read this value below the trusted confidence"
    NOT_A_REPORT = "not_a_report", 10.0, "the document does not look like an annual disclosure report"
    # model and reconciliation
    MODEL_ERROR = "model_error", 2.0, "a model call failed; the section was not read by the model"
    UNGROUNDED_DROPPED = "ungrounded_dropped", 1.0, "the model's answer for a row was not grounded and was dropped"
    CONFLICT = "conflict", 5.0, "baseline and model read different values and no rule decides"
    TRUNCATED_ANSWER = "truncated_answer", 2.0, "the model's answer was cut off at max_tokens and not cached"
    CIRCUIT_OPEN = "circuit_open", 2.0, "the model was not asked: too many consecutive calls had failed"
    NA_UNGROUNDED = "na_ungrounded", 1.0, "the model claimed not-applicable without quoting a printed marker"


#: A consistency rule the figures break weighs this much in the review priority.
BREAK_WEIGHT = 3.0


class ValueSource(StrEnum):
    """Where a value was read."""

    TABLE = "table"
    PROSE = "prose"
    STATS_TABLE = "stats_table"
    META = "meta"
    MODEL = "model"


class FieldStatus(StrEnum):
    """How the hybrid's two readings of a field relate."""

    AGREED = "agreed"
    BASELINE_ONLY = "baseline_only"
    MODEL_ONLY = "model_only"
    CONFLICT = "conflict"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Alignment(StrEnum):
    """How a model's quote was found in the text: as written, or only after normalising."""

    EXACT = "exact"
    NORMALISED = "normalised"


@dataclass
class FieldValue:
    """One extracted value and where it was read (character span in Document.text)."""

    value: Any
    span: Span | None
    source: ValueSource = ValueSource.TABLE
    note: str = ""

    def __post_init__(self) -> None:
        # The identity test skips the (slow) enum lookup for the usual case: a member already.
        if type(self.source) is not ValueSource:
            self.source = ValueSource(self.source)


@dataclass
class Flag:
    """Something a reviewer should look at: an ambiguous digit split, a truncated table, ...

    ``kind`` must be a ``FlagKind`` (or its wire name); anything else raises.
    """

    kind: FlagKind
    message: str
    keys: list[str] = field(default_factory=list)
    span: Span | None = None

    def __post_init__(self) -> None:
        if type(self.kind) is not FlagKind:
            self.kind = FlagKind(self.kind)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "message": self.message, "keys": self.keys,
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
    quotes: dict[str, str] = field(default_factory=dict)        # a model's verbatim quote, by field key
    review_priority: float = 0.0
    open_questions: list[str] = field(default_factory=list)

    def set(self, key: str, value: Any, span: Span | None, source: ValueSource | str, note: str = "") -> None:
        self.values[key] = FieldValue(value=value, span=span, source=source, note=note)  # type: ignore[arg-type]  # a str is converted in __post_init__

    def setdefault(self, key: str, value: Any, span: Span | None, source: ValueSource | str,
                   note: str = "") -> bool:
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

    def stream(self, items: Iterable[T], load: Callable[[T], Any],
               sections: Callable[[Document], list[str] | None] | None = None,
               *, ordered: bool = False, ahead: int | None = None
               ) -> Iterator[tuple[T, Extraction | Exception]]: ...

    def usage_summary(self) -> str: ...
