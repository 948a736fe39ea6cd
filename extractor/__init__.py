"""govreport-extractor: structured data from 政府信息公开工作年度报告."""

from importlib.metadata import PackageNotFoundError, version as _dist_version

try:
    # One place for the version: pyproject.toml, read back from the installed metadata.  It is in the
    # model-answer cache key, so a new release never serves answers cached by an older one.
    __version__ = _dist_version("govreport-extractor")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that was never installed
    __version__ = "0+unknown"
