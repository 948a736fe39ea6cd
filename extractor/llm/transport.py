"""The HTTP layer under instructor: transport retries, usage accounting, answer hygiene.

Two retry layers are kept apart (DESIGN_NOTES §5):
* here, tenacity retries *transport* faults only — 429 (honouring Retry-After),
  5xx, timeouts, connection errors — with exponential backoff and jitter, a
  bounded number of attempts; 400/401/403/404/422 fail at once;
* instructor re-asks only on validation/JSON errors (see ``backend``).
The OpenAI SDK's own retries are switched off (``max_retries=0``) so the
layers never multiply.  Every completion that comes back is counted here,
re-asks included; a truncated answer (``finish_reason == "length"``) fails
fast; ``<think>…</think>`` is stripped before instructor parses the content.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import openai

# The SDK imports its chat resource (and hundreds of type modules, ~0.8 s here) the first time
# a client's ``.chat`` is touched.  Imported with this module instead, it is paid once at
# start-up like ``import openai`` itself, not inside a job, where it held the interpreter
# while the worker pool was starting and delayed the first call by about a second.
import openai.resources.chat  # noqa: F401
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from extractor.config import Settings
from extractor.llm.usage import DocumentBudget, Usage, estimate_tokens


class ModelCallError(Exception):
    """A section could not be filled by the model; the message says why, plainly."""


class FatalEndpointError(ModelCallError):
    """An error retrying cannot fix (bad key, bad request, unknown model)."""


class TruncatedAnswer(ModelCallError):
    pass


class BudgetExceeded(ModelCallError):
    pass


class CircuitOpen(ModelCallError):
    """The job stopped asking the model: too many calls in a row failed."""


_THINK = re.compile(r"<think>.*?</think>\s*", re.S)
_TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529}


def make_client(settings: Settings) -> openai.AsyncOpenAI:
    key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    return openai.AsyncOpenAI(base_url=settings.base_url, api_key=key, timeout=settings.timeout_s, max_retries=0)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _TRANSIENT_STATUS
    return False


def retry_after_seconds(exc: BaseException | None) -> float | None:
    if isinstance(exc, openai.APIStatusError) and exc.response is not None:
        value = exc.response.headers.get("retry-after")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


def _wait(settings: Settings) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after_seconds(exc)
        if hinted is not None:
            return min(hinted, settings.backoff_max_s)
        base = settings.backoff_base_s * (2 ** (state.attempt_number - 1))
        return min(settings.backoff_max_s, random.uniform(0, base) + base / 2)

    return wait


def explain(exc: BaseException) -> str:
    """A clear, key-free message for an endpoint error."""
    if isinstance(exc, openai.AuthenticationError):
        return "the endpoint refused the API key (401): check OPENAI_API_KEY"
    if isinstance(exc, openai.PermissionDeniedError):
        return "the endpoint denied access (403): check the key's permissions and EXTRACTOR_MODEL"
    if isinstance(exc, openai.NotFoundError):
        return "the endpoint answered 404: check OPENAI_BASE_URL (it usually ends in /v1) and EXTRACTOR_MODEL"
    if isinstance(exc, openai.BadRequestError):
        return f"the endpoint rejected the request (400): {_short(exc)}; try another EXTRACTOR_MODE"
    if isinstance(exc, openai.APITimeoutError):
        return "the endpoint did not answer in time (timeout) after all retries"
    if isinstance(exc, openai.APIConnectionError):
        return "cannot connect to the endpoint (check OPENAI_BASE_URL)"
    if isinstance(exc, openai.RateLimitError):
        return "the endpoint kept answering 429 (rate limit) after all retries"
    if isinstance(exc, openai.APIStatusError):
        return f"the endpoint answered HTTP {exc.status_code} after all retries"
    return f"{type(exc).__name__}: {exc}"


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text[:200]


def trim_reasks(messages: list[dict[str, Any]], base_len: int) -> list[dict[str, Any]]:
    """Keep the original prompt and only the last failed attempt with its error (small context windows)."""
    if len(messages) <= base_len + 2:
        return messages
    tail = messages[base_len:]
    last_assistant = max((i for i, m in enumerate(tail) if _role(m) == "assistant"), default=None)
    if last_assistant is None:
        return messages
    return messages[:base_len] + tail[last_assistant:]


def _role(message: Any) -> str | None:
    if isinstance(message, dict):
        return message.get("role")
    return getattr(message, "role", None)


class RateLimiter:
    """Client-side request rate limit (requests per second), shared by every call of a job.

    Providers rate-limit by requests per minute; staying under the limit costs
    less than collecting 429s.  Requests are spaced evenly; ``None`` means no limit.
    """

    def __init__(self, per_second: float | None, *, clock: Callable[[], float] | None = None) -> None:
        self.interval = 1.0 / per_second if per_second else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()
        self._clock = clock
        self.reserved = 0

    def slot(self) -> float:
        """Reserve the next request slot; returns how long to wait for it (seconds)."""
        now = self._clock() if self._clock else asyncio.get_running_loop().time()
        start = max(now, self._next)
        self._next = start + self.interval
        self.reserved += 1
        return start - now

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            delay = self.slot()
        if delay > 0:
            await asyncio.sleep(delay)


class Limiter(Protocol):
    """Anything that spaces requests: the in-process ``RateLimiter``, or one job-wide limiter
    shared by many processes (the Ray executor's)."""

    async def wait(self) -> None: ...


def make_sender(client: openai.AsyncOpenAI, settings: Settings, *, usage: Usage, budget: DocumentBudget,
                semaphore: asyncio.Semaphore, base_len: int,
                limiter: Limiter | None = None,
                breaker: Callable[[], str | None] | None = None) -> Callable[..., Awaitable[Any]]:
    """The ``create`` function instructor patches: one logical call, transport retries inside.

    ``breaker`` is asked just before each request goes out (after waiting for a slot): when
    it answers with a reason, the call fails with ``CircuitOpen`` instead of being sent."""

    async def send(**kwargs: Any) -> Any:
        messages = kwargs.get("messages") or []
        if len(messages) > base_len:
            usage.reasks += 1
            kwargs["messages"] = trim_reasks(list(messages), base_len)
        kwargs = plain_json_params(kwargs)
        if budget.exhausted:
            raise BudgetExceeded(
                f"the document's token budget ({budget.limit}) is spent; no further calls (EXTRACTOR_DOC_TOKEN_BUDGET)")
        response = None
        async for attempt in AsyncRetrying(stop=stop_after_attempt(settings.max_transport_attempts),
                                           wait=_wait(settings), retry=retry_if_exception(is_transient),
                                           reraise=True):
            with attempt:
                try:
                    if limiter is not None:
                        await limiter.wait()
                    async with semaphore:
                        reason = breaker() if breaker is not None else None
                        if reason:
                            raise CircuitOpen(reason)
                        response = await client.chat.completions.create(**kwargs)
                except Exception as exc:
                    if is_transient(exc):
                        usage.failed_requests += 1
                        budget.usage.failed_requests += 1
                        raise
                    if isinstance(exc, openai.APIStatusError):
                        raise FatalEndpointError(explain(exc)) from exc
                    raise
        assert response is not None
        _account(response, kwargs, usage, budget)
        choice = response.choices[0] if response.choices else None
        if choice is not None and choice.finish_reason == "length":
            raise TruncatedAnswer("the model's answer was cut off (finish_reason=length); raise EXTRACTOR_MAX_TOKENS")
        for ch in response.choices or []:
            if ch.message is not None and isinstance(ch.message.content, str) and "<think>" in ch.message.content:
                ch.message.content = _THINK.sub("", ch.message.content)
        return response

    return send


#: Request parameters the SDK must see as arguments; everything else instructor built is plain JSON.
SDK_ARGUMENTS = ("model", "extra_headers", "extra_query", "timeout", "stream")


def plain_json_params(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Send the request's JSON (messages, tool schema, sampling settings) as ``extra_body``.

    Why: before sending, the OpenAI SDK walks every parameter against its
    TypedDict annotations (the message union alone has dozens of shapes); for a
    section call that walk measured ~0.7 ms, 13% of the client's CPU per call,
    the largest cost we control once the baseline runs in workers.  instructor
    hands us plain JSON-able dicts, so there is nothing to transform; the SDK
    merges ``extra_body`` into the body verbatim (keys there win), so the bytes
    on the wire are the same request.  ``messages`` must still be passed as an
    argument: an empty list stands in and is overridden."""
    body = {k: v for k, v in kwargs.items() if k not in SDK_ARGUMENTS and k != "extra_body"}
    if not body:
        return kwargs
    sdk = {k: v for k, v in kwargs.items() if k in SDK_ARGUMENTS}
    return {**sdk, "messages": [], "extra_body": {**(kwargs.get("extra_body") or {}), **body}}


def _account(response: Any, kwargs: dict[str, Any], usage: Usage, budget: DocumentBudget) -> None:
    this = Usage(calls=1)
    u = getattr(response, "usage", None)
    if u is not None and getattr(u, "prompt_tokens", None) is not None:
        this.prompt_tokens = int(u.prompt_tokens or 0)
        this.completion_tokens = int(getattr(u, "completion_tokens", 0) or 0)
    else:
        this.estimated = True
        sent = {**kwargs, **(kwargs.get("extra_body") or {})}   # what went on the wire
        prompt_text = "".join(str(m.get("content", "")) if isinstance(m, dict) else str(m)
                              for m in sent.get("messages", []))
        prompt_text += str(sent.get("tools", "")) + str(sent.get("response_format", ""))
        this.prompt_tokens = estimate_tokens(prompt_text)
        answer = ""
        for ch in response.choices or []:
            msg = ch.message
            if msg is None:
                continue
            answer += msg.content or ""
            for call in msg.tool_calls or []:
                answer += call.function.arguments or ""
        this.completion_tokens = estimate_tokens(answer)
    usage.add(this)
    budget.usage.add(this)
