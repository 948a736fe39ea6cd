"""The memoised async-validator check: same verdicts as instructor's, walked once per class."""

from __future__ import annotations

import importlib

import pytest
from pydantic import BaseModel

from extractor.llm.answers import ANSWER_MODELS
from extractor.llm.instructor_speedups import _memoised, memoise_async_validator_check


class WithAsyncValidator(BaseModel):
    name: str = ""


# Mark a validator the way instructor's @async_field_validator does, without needing an event loop.
def _check_name(self: WithAsyncValidator, value: str) -> str:
    return value


_check_name.__async_validator__ = ("name",)  # type: ignore[attr-defined]
WithAsyncValidator._check_name = _check_name  # type: ignore[attr-defined]


def test_a_model_with_an_async_validator_is_still_rejected_every_time() -> None:
    assert memoise_async_validator_check()
    check = importlib.import_module("instructor.v2.validation.async_validators").reject_async_validators
    for _ in range(2):  # a failure is never cached as a pass
        with pytest.raises(ValueError, match="async validators"):
            check(WithAsyncValidator)


def test_instructor_calls_the_memoised_check() -> None:
    assert memoise_async_validator_check()
    assert memoise_async_validator_check()  # idempotent: not wrapped twice
    home = importlib.import_module("instructor.v2.validation.async_validators")
    patch = importlib.import_module("instructor.v2.core.patch")
    assert getattr(home.reject_async_validators, "__extractor_memoised__", False)
    assert patch.reject_async_validators is home.reject_async_validators
    assert not getattr(home.reject_async_validators.__wrapped__, "__extractor_memoised__", False)


def test_a_class_that_passed_is_walked_once() -> None:
    walked: list[object] = []

    def counting(model: object) -> None:
        walked.append(model)

    check = _memoised(counting)
    for _ in range(4):
        for model in ANSWER_MODELS.values():
            check(model)
    assert walked == list(ANSWER_MODELS.values())
    check([1, 2])  # unhashable: checked the slow way, every time, without failing
    check([1, 2])
    assert walked[-2:] == [[1, 2], [1, 2]]
