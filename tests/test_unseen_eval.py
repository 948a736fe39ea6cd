"""The held-out invented reports (eval/unseen, eval/unseen_blind) keep their score: no wrong value, none missed.

They are invented by the same team (README: "Accuracy on unseen reports"), so this guards the
wording classes against regressions; it is not a claim about accuracy in the wild.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("folder, docs", [("unseen", 9), ("unseen_blind", 7)])
def test_held_out_sets_score(folder, docs, tmp_path):
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(app, ["eval", "--reports", str(ROOT / "eval" / folder), "--backend", "regex",
                                      "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    overall = json.loads(out.read_text(encoding="utf-8"))["overall"]
    assert overall["docs"] == docs
    assert overall["wrong"] == 0 and overall["spurious"] == 0, overall
    assert overall["f1"] >= 0.99, overall
