"""Input that is not a 政府信息公开工作年度报告 gets a clear error, never an empty 'all fine' record."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from extractor.baseline.report_check import check_is_report
from extractor.errors import NotAReport
from extractor.ingest import load_text
from extractor.pipeline import process_document, process_path

WEATHER = "青川县气象台2023年5月6日16时发布：明天白天多云转小雨，气温12到18摄氏度，东南风3级。请市民注意添衣。"
RANDOM = "lorem ipsum dolor sit amet 12345 甲乙丙丁 戊己庚辛 2022年3月4日 第5页"
GUIDE = "某某县政府信息公开指南\n为了更好地提供政府信息公开服务，编制本指南。申请人可以通过信函、网络等方式提出申请。"


@pytest.mark.parametrize("text", [WEATHER, RANDOM, GUIDE])
def test_non_reports_raise(text):
    with pytest.raises(NotAReport) as info:
        check_is_report(text)
    assert "政府信息公开工作年度报告" in str(info.value)


@pytest.mark.parametrize("text", [
    "云溪镇2020年政府信息公开工作年度报告\n一、总体情况\n本镇依法公开。",       # title only
    "本年度共收到政府信息公开申请十二件，均已按时答复。",                  # a fragment stating a figure
    "一、总体情况\n略。\n二、主动公开政府信息情况\n略。",                  # two statutory parts
    "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1",
    "東嶺區2019年政府信息公開工作年度報告",                             # traditional characters
])
def test_reports_and_fragments_pass(text):
    check_is_report(text)


def test_pipeline_records_the_error_and_extracts_nothing(tmp_path):
    path = tmp_path / "weather.txt"
    path.write_text(WEATHER, encoding="utf-8")
    record = process_path(path)
    assert record.error is not None and "政府信息公开工作年度报告" in record.error
    assert record.fields == {}
    with pytest.raises(NotAReport):
        process_document(load_text(WEATHER))


def test_service_answers_422():
    from extractor.config import Settings
    from extractor.service import create_app

    client = TestClient(create_app(Settings(), backend_name="regex"))
    r = client.post("/v1/extract", json={"text": WEATHER, "name": "w.txt"})
    assert r.status_code == 422
    assert "政府信息公开工作年度报告" in r.json()["error"]


def test_cli_inspect_and_extract_report_it(tmp_path):
    from typer.testing import CliRunner

    from extractor.cli import app

    path = tmp_path / "weather.txt"
    path.write_text(WEATHER, encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["inspect", str(path), "--backend", "regex"])
    assert res.exit_code == 1
    assert "nota政府信息公开工作年度报告" in "".join(res.output.split())  # however the console wraps it
    out = tmp_path / "run.jsonl"
    res = runner.invoke(app, ["extract", str(path), "--out", str(out), "--backend", "regex"])
    assert res.exit_code == 1
    assert "政府信息公开工作年度报告" in out.read_text(encoding="utf-8")
