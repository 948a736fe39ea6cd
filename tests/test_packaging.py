"""A plain (non-editable) install works: the wheel carries the prompts, the version comes from the
package metadata, and the model backend runs from the installed package against the scripted server.

The wheel is built with pip (its build back end comes from PyPI or pip's cache) and installed with
``--no-deps`` into a fresh venv whose dependencies are borrowed from this environment through a
``.pth`` path entry: nothing else is downloaded, and the source tree is not on the path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fake_openai import FakeOpenAI


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = list((work / "dist").glob("govreport_extractor-*.whl"))
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    site = Path(subprocess.check_output([str(env_dir / "bin" / "python"), "-c",
                                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # the dependencies (pydantic, openai, instructor, …) from this environment, after the venv's own packages
    (site / "_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
                              "--no-deps", "-q", str(wheel)], capture_output=True, text=True, timeout=600)
    if install.returncode != 0 and "no such option: --python" in install.stderr:  # pip < 22.3
        install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                                  str(wheel)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",) and not k.startswith(("OPENAI_", "EXTRACTOR_"))}
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env={**clean, **(env or {})},
                          timeout=300)


def test_the_wheel_ships_the_prompts_and_takes_its_version_from_metadata(installed, tmp_path):
    import importlib.metadata

    python = str(installed / "bin" / "python")
    probe = _run(installed, python, "-c",
                 "import extractor, json; from extractor.llm.prompts import load_prompt;"
                 "print(json.dumps({'file': extractor.__file__, 'version': extractor.__version__,"
                 " 'prompt': load_prompt(None, 'applications').id}))", cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    info = json.loads(probe.stdout)
    assert Path(info["file"]).is_relative_to(installed)           # the installed copy, not the source tree
    assert info["version"] == importlib.metadata.version("govreport-extractor")
    assert info["prompt"].startswith("applications@")
    version = _run(installed, str(installed / "bin" / "extractor"), "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == info["version"]


def test_the_installed_package_runs_the_model_backend(installed, tmp_path, dev_dir):
    server = FakeOpenAI().start()
    try:
        out = tmp_path / "run.jsonl"
        result = _run(installed, str(installed / "bin" / "extractor"), "extract",
                      str(dev_dir / "c038_pingtan_jtj_2022.txt"), "--backend", "llm", "--out", str(out), cwd=tmp_path,
                      env={"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test", "EXTRACTOR_MODEL": "m",
                           "EXTRACTOR_CACHE_DIR": str(tmp_path / "cache")})
        assert result.returncode == 0, result.stderr[-2000:]
        [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert record["error"] is None and record["backend"] == "llm"
        assert record["fields"]["applications.new_received.total"] == 11
        assert server.chat_requests  # the answers came over HTTP from the scripted server
    finally:
        server.stop()
