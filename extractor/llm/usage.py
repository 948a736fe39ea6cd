"""Token accounting: every attempt counts, failed ones and re-asks included (DESIGN_NOTES §6)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

_CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """Rough token count for an endpoint that reports no usage: ~0.7 token per CJK char, 1 per 4 other chars."""
    cjk = len(_CJK.findall(text))
    return math.ceil(cjk * 0.7 + (len(text) - cjk) / 4)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0           # HTTP requests that got a completion
    failed_requests: int = 0  # 429/5xx/timeouts that were retried or gave up
    reasks: int = 0          # validation re-asks
    cache_hits: int = 0
    estimated: bool = False  # some counts are estimates (the endpoint gave no usage)

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.calls += other.calls
        self.failed_requests += other.failed_requests
        self.reasks += other.reasks
        self.cache_hits += other.cache_hits
        self.estimated = self.estimated or other.estimated

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "calls": self.calls, "failed_requests": self.failed_requests, "reasks": self.reasks,
                "cache_hits": self.cache_hits, "estimated": self.estimated}

    @classmethod
    def from_dict(cls, d: dict) -> Usage:
        return cls(**{k: d.get(k, 0) for k in ("prompt_tokens", "completion_tokens", "calls", "failed_requests",
                                                  "reasks", "cache_hits")}, estimated=bool(d.get("estimated")))


@dataclass
class DocumentBudget:
    """Per-document token budget: stops runaway re-asks on one report."""

    limit: int
    usage: Usage = field(default_factory=Usage)

    @property
    def exhausted(self) -> bool:
        return self.usage.total_tokens >= self.limit
