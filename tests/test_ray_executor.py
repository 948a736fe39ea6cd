"""The Ray executor runs the same per-document function as the local pool: identical records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

pytest.importorskip("ray")


def test_ray_run_and_local_run_write_identical_records(dev_dir: Path, tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    inputs = [str(dev_dir / "002_392dabf3539690db.txt"), str(empty), str(dev_dir / "c038_pingtan_jtj_2022.txt"),
              str(dev_dir / "000_fab06f8153dd9309.txt")]
    local, ray_run = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    runner = CliRunner()
    first = runner.invoke(app, ["extract", *inputs, "--backend", "regex", "--workers", "1", "--out", str(local)])
    second = runner.invoke(app, ["extract", *inputs, "--backend", "regex", "--executor", "ray", "--workers", "2",
                                 "--out", str(ray_run)])
    assert first.exit_code == second.exit_code == 1, second.output     # the empty file failed in both
    assert local.read_bytes() == ray_run.read_bytes()
    assert [json.loads(line)["path"] for line in ray_run.read_text(encoding="utf-8").splitlines()] == inputs
    report = json.loads((tmp_path / "ray.report.json").read_text(encoding="utf-8"))
    assert report["executor"] == "ray" and report["counts"]["failed"] == 1
