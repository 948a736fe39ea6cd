from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "eval" / "dev"


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    assert DEV.is_dir(), "the bundled dev reports are missing from eval/dev"
    return DEV


@pytest.fixture
def scripted_endpoint(monkeypatch):
    """The scripted OpenAI-compatible server, running, with the environment pointing at it (as a
    user's would at a real endpoint); the answer cache is off, so every call reaches it."""
    from tests.fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    for key, value in {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test",
                       "EXTRACTOR_MODEL": "test-model", "EXTRACTOR_USE_CACHE": "false"}.items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()
