from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "eval" / "dev"


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    assert DEV.is_dir(), "the bundled dev reports are missing from eval/dev"
    return DEV
