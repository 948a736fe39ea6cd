"""One settings object, read from the environment (and overridden by CLI flags), passed down.

The API key is a SecretStr: it never appears in repr(), logs, records or cache keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    model: str | None = Field(default=None, validation_alias="EXTRACTOR_MODEL")
    mode: Literal["tools", "json_schema", "json"] = Field(default="tools", validation_alias="EXTRACTOR_MODE")
    timeout_s: float = Field(default=60.0, validation_alias="EXTRACTOR_TIMEOUT")
    concurrency: int = Field(default=8, ge=1, le=256, validation_alias="EXTRACTOR_CONCURRENCY")
    max_rps: float | None = Field(default=None, gt=0, validation_alias="EXTRACTOR_MAX_RPS")
    max_transport_attempts: int = Field(default=5, ge=1, le=20, validation_alias="EXTRACTOR_TRANSPORT_ATTEMPTS")
    max_reasks: int = Field(default=2, ge=0, le=10, validation_alias="EXTRACTOR_MAX_REASKS")
    doc_token_budget: int = Field(default=60_000, ge=1000, validation_alias="EXTRACTOR_DOC_TOKEN_BUDGET")
    temperature: float = Field(default=0.0, validation_alias="EXTRACTOR_TEMPERATURE")
    #: None: each section's own allowance (llm.backend.SECTION_MAX_TOKENS); a number overrides all.
    max_tokens: int | None = Field(default=None, ge=64, validation_alias="EXTRACTOR_MAX_TOKENS")
    #: After this many section calls in a row fail, the job stops asking the model (0: never stop).
    max_consecutive_failures: int = Field(default=8, ge=0, validation_alias="EXTRACTOR_MAX_CONSECUTIVE_FAILURES")
    cache_dir: Path = Field(default=Path.home() / ".cache" / "govreport-extractor", validation_alias="EXTRACTOR_CACHE_DIR")
    use_cache: bool = Field(default=True, validation_alias="EXTRACTOR_USE_CACHE")
    prompts_dir: Path | None = Field(default=None, validation_alias="EXTRACTOR_PROMPTS_DIR")  # None: the packaged prompts
    backoff_base_s: float = Field(default=0.5, validation_alias="EXTRACTOR_BACKOFF_BASE")
    backoff_max_s: float = Field(default=30.0, validation_alias="EXTRACTOR_BACKOFF_MAX")
    # OCR (scanned PDFs, page images): onnxruntime threads per document (0: onnxruntime decides, all cores);
    # 1 by default because `extract --workers` already runs one document per core.
    ocr_threads: int = Field(default=1, ge=0, le=64, validation_alias="EXTRACTOR_OCR_THREADS")
    # OCR lines read below this confidence are flagged (ocr_low_confidence) on every value taken from them
    ocr_min_confidence: float = Field(default=0.8, ge=0.0, le=1.0, validation_alias="EXTRACTOR_OCR_MIN_CONFIDENCE")

    @property
    def endpoint_configured(self) -> bool:
        return bool(self.base_url or self.api_key) and bool(self.model)
