"""Answer cache: the key is everything that changes the answer (DESIGN_NOTES §7).

model, base URL, instructor mode, generation parameters, prompt name+version
(and the template's own hash), the answer model's JSON-Schema hash, the
package version, and the hash of what was sent (section text, title, year).
The API key is never part of it.  Only complete, grounded answers are stored: an answer
cut off at max_tokens, or one whose rows were dropped after the re-asks, is asked again next time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from extractor import __version__
from extractor.config import Settings


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def schema_hash(model: type[BaseModel]) -> str:
    return sha(json.dumps(model.model_json_schema(), sort_keys=True, ensure_ascii=False))[:16]


def cache_key(settings: Settings, *, prompt_id: str, template_hash: str, schema: str, payload: str,
              max_tokens: int | None = None) -> str:
    parts = {
        "model": settings.model, "base_url": (settings.base_url or "").rstrip("/"), "mode": settings.mode,
        "temperature": settings.temperature, "max_tokens": max_tokens or settings.max_tokens,
        "max_reasks": settings.max_reasks,
        "prompt": prompt_id, "template": template_hash, "schema": schema, "package": __version__,
        "payload": sha(payload),
    }
    return sha(json.dumps(parts, sort_keys=True))


class AnswerCache:
    """diskcache under ``settings.cache_dir``; a no-op when caching is off."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.use_cache
        self._cache = None
        if self.enabled:
            import diskcache  # type: ignore[import-untyped]

            Path(settings.cache_dir).mkdir(parents=True, exist_ok=True)
            self._cache = diskcache.Cache(str(settings.cache_dir))

    def get(self, key: str) -> dict[str, Any] | None:
        if self._cache is None:
            return None
        return self._cache.get(key)

    def set(self, key: str, value: dict[str, Any]) -> None:
        if self._cache is not None:
            self._cache.set(key, value)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


def cache_stats(settings: Settings) -> dict[str, Any]:
    import diskcache

    path = Path(settings.cache_dir)
    if not path.exists():
        return {"path": str(path), "entries": 0, "bytes": 0}
    with diskcache.Cache(str(path)) as cache:
        return {"path": str(path), "entries": len(cache), "bytes": cache.volume()}


def cache_clear(settings: Settings) -> int:
    import diskcache

    path = Path(settings.cache_dir)
    if not path.exists():
        return 0
    with diskcache.Cache(str(path)) as cache:
        n = len(cache)
        cache.clear()
        return n
