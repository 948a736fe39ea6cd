"""The Ray executor: the same per-document function (``jobs.work``) as Ray tasks.

Why Ray and not a home-made cluster: a national corpus is days of CPU on one
machine; Ray schedules tasks over a cluster's cores, retries tasks whose node
died, and runs locally with the same code.  Tasks are kept bounded in flight
(``window``) so the driver's memory stays flat, and results come back in input
order so the driver writes the same JSONL as a local run.

``address=None`` starts a local Ray (``num_cpus=workers``); ``"auto"`` joins the
cluster this machine belongs to; ``"ray://head:10001"`` connects a Ray client.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "the Ray executor needs the ray extra: pip install -e '.[ray]'"


class RayUnavailable(ImportError):
    """Ray is not installed (or cannot start); the message says how to install it."""


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailable(INSTALL_HINT) from exc
    return ray


class RayExecutor:
    """Runs ``fn`` as Ray tasks; ``map_ordered`` keeps at most ``window`` tasks in flight."""

    name = "ray"

    def __init__(self, workers: int, address: str | None = None) -> None:
        ray = _ray()
        self._ray = ray
        self._started_here = not ray.is_initialized()
        if self._started_here:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "configure_logging": False}
            if address:
                ray.init(address=address, **kwargs)
            else:
                ray.init(num_cpus=max(1, workers), **kwargs)
        self.workers = int(ray.cluster_resources().get("CPU", workers)) or workers
        self._remote: dict[Callable[..., Any], Any] = {}

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T], window: int,
                    on_error: Callable[[T, BaseException], R]) -> Iterator[R]:
        """Results in input order; a task that failed after Ray's retries (its worker died)
        becomes ``on_error(item, exc)``."""
        task = self._task(fn)
        in_flight: deque[tuple[T, Any]] = deque()
        limit = max(window, self.workers)
        for item in items:
            in_flight.append((item, task.remote(item)))
            if len(in_flight) >= limit:
                yield self._get(*in_flight.popleft(), on_error)
        while in_flight:
            yield self._get(*in_flight.popleft(), on_error)

    def submit(self, fn: Callable[[T], R], item: T) -> Future[R]:
        """A Ray task as a concurrent future (the model backend's event loop awaits it)."""
        return self._task(fn).remote(item).future()  # type: ignore[no-any-return]

    def _task(self, fn: Callable[..., Any]) -> Any:
        task = self._remote.get(fn)
        if task is None:
            task = self._remote[fn] = self._ray.remote(num_cpus=1, max_retries=2)(fn)
        return task

    def _get(self, item: T, ref: Any, on_error: Callable[[T, BaseException], R]) -> R:
        try:
            return self._ray.get(ref)  # type: ignore[no-any-return]
        except Exception as exc:  # noqa: BLE001 - RayTaskError, WorkerCrashedError, ...: the document's record says so
            return on_error(item, exc)

    def close(self) -> None:
        if self._started_here:
            self._ray.shutdown()
