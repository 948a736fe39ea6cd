"""One measured speed-up of instructor's per-call overhead, kept in one place.

Why this exists: instructor (1.17) checks that a response model declares no
instructor *async* validators before every call, four times per call (patched
create, response-model preparation twice, the retry loop), each time walking
every class and annotation of the model.  For our section answer models that
walk costs ~0.2 ms, ~0.8 ms per call in all: 15% of the client's CPU per call,
measured with the baseline in workers (``bench.bench_bulk``).  The answer models
are fixed classes, so the verdict cannot change between calls.

``memoise_async_validator_check`` wraps instructor's check so that a class that
passed once is not walked again; a class that fails still raises every time, so
instructor's guarantee (an async validator is never silently ignored) stands.
It touches nothing else and does nothing on an instructor without the check.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

#: Where instructor defines the check, and the modules that bound it by name at import.
_CHECK_HOME = "instructor.v2.validation.async_validators"
_BOUND_BY_NAME = ("instructor.v2.core.patch",)
_CHECK = "reject_async_validators"
_MARK = "__extractor_memoised__"


def memoise_async_validator_check() -> bool:
    """Install the memoised check (idempotent); True when it is in place."""
    try:
        home = importlib.import_module(_CHECK_HOME)
    except ImportError:
        return False
    original = getattr(home, _CHECK, None)
    if original is None:
        return False
    if getattr(original, _MARK, False):
        return True
    memoised = _memoised(original)
    setattr(home, _CHECK, memoised)
    for name in _BOUND_BY_NAME:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, _CHECK, None) is original:
            setattr(module, _CHECK, memoised)
    return True


def _memoised(check: Callable[[Any], None]) -> Callable[[Any], None]:
    passed: Callable[[Any], None] = functools.lru_cache(maxsize=512)(check)

    @functools.wraps(check)
    def reject_async_validators(response_model: Any) -> None:
        try:
            hash(response_model)
        except TypeError:       # an unhashable annotation: check it the slow way
            check(response_model)
            return
        passed(response_model)  # lru_cache keeps only calls that returned: a failure raises again

    setattr(reject_async_validators, _MARK, True)
    return reject_async_validators
