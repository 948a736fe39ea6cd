"""The HTTP service: extraction over POST, the spot-check page, decisions, and clear 4xx for bad input."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from extractor.config import Settings
from extractor.service import create_app


@pytest.fixture
def client(tmp_path):
    run = tmp_path / "run.jsonl"
    run.write_text("", encoding="utf-8")
    app = create_app(Settings(EXTRACTOR_MODEL=None, OPENAI_BASE_URL=None, OPENAI_API_KEY=None,
                              EXTRACTOR_CACHE_DIR=str(tmp_path / "c")), backend_name="regex", run=run)
    return TestClient(app, raise_server_exceptions=False), run


def test_extract_json_text(client, dev_dir):
    c, _ = client
    text = (dev_dir / "002_392dabf3539690db.txt").read_text(encoding="utf-8")
    r = c.post("/v1/extract", json={"text": text, "name": "cq.txt"})
    assert r.status_code == 200
    rec = r.json()
    assert rec["fields"]["review.total"] == 271 and rec["template"] == "2019" and rec["error"] is None
    assert "review_priority" in rec and "evidence" in rec


def test_extract_file_upload_gbk(client, dev_dir):
    c, _ = client
    data = (dev_dir / "c038_pingtan_jtj_2022.txt").read_text(encoding="utf-8").encode("gbk")
    r = c.post("/v1/extract", files={"file": ("c038.txt", data, "text/plain")})
    assert r.status_code == 200 and r.json()["fields"]["applications.new_received.total"] == 11


@pytest.mark.parametrize("kwargs,status", [
    (dict(json={"text": ""}), 400),
    (dict(json={"txt": "x"}), 422),
    (dict(content=b"{not json", headers={"content-type": "application/json"}), 400),
    (dict(files={"file": ("x.bin", b"\x00\x01\x02" * 100, "application/octet-stream")}), 415),
    (dict(files={"file": ("x.pdf", b"%PDF-1.4 ...", "application/pdf")}), 400),  # a damaged PDF
    (dict(content=b"<xml/>", headers={"content-type": "application/xml"}), 415),
])
def test_bad_input_is_a_clear_4xx(client, kwargs, status):
    c, _ = client
    r = c.post("/v1/extract", **kwargs)
    assert r.status_code == status
    assert r.json()["error"]


def test_index_and_inspect_page_escape_report_text(client, dev_dir):
    c, _ = client
    assert "<textarea" in c.get("/").text
    text = (dev_dir / "c038_pingtan_jtj_2022.txt").read_text(encoding="utf-8") + "\n<script>alert(1)</script><img src=x onerror=alert(2)>"
    r = c.post("/inspect", data={"text": text})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "<img src=x" not in r.text
    assert 'data-key="applications.new_received.total"' in r.text


def test_inspect_empty_input_returns_the_form_with_a_message(client):
    c, _ = client
    r = c.post("/inspect", data={"text": ""})
    assert r.status_code == 400 and "the file is empty" in r.text


def test_decisions_are_saved_beside_the_run(client):
    c, run = client
    payload = {"documents": {"a.txt": {"sha256": "x", "fields": {"review.total": {"decision": "corrected", "value": "5"}}}}}
    assert c.post("/v1/decisions", json=payload).status_code == 200
    saved = json.loads(run.with_name("run.jsonl.decisions.json").read_text(encoding="utf-8"))
    [doc] = saved["documents"]
    assert (doc["path"], doc["sha256"]) == ("a.txt", "x") and doc["fields"]["review.total"]["value"] == "5"
    bad = {"documents": {"a.txt": {"sha256": "x", "fields": {"review.total": {"decision": "maybe"}}}}}
    r = c.post("/v1/decisions", json=bad)
    assert r.status_code == 422 and "decision must be" in r.json()["error"]
    assert c.post("/v1/decisions", content=b"{", headers={"content-type": "application/json"}).status_code == 400
    run.with_name("run.jsonl.decisions.json").write_text("{", encoding="utf-8")
    r = c.post("/v1/decisions", json=payload)
    assert r.status_code == 409 and "nothing was written" in r.json()["error"]


# --- behaves like a service: JSON errors, docs, CSP by hash, access log, start-up line ---------

@pytest.mark.parametrize("method,path,status", [("get", "/no/such/page", 404), ("get", "/v1/extract", 405),
                                                ("delete", "/", 405)])
def test_every_error_status_answers_json(client, method, path, status):
    c, _ = client
    r = getattr(c, method)(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json") and r.json()["error"]


def test_api_description_is_served_without_external_assets(client):
    c, _ = client
    spec = c.get("/openapi.json").json()
    assert {"/v1/extract", "/inspect", "/v1/decisions"} <= set(spec["paths"])
    page = c.get("/docs")
    assert page.status_code == 200 and "/v1/extract" in page.text and "/openapi.json" in page.text
    assert "http" not in page.text.replace("http://", "").split("<body>")[0]   # no CDN script or stylesheet
    assert "<script" not in page.text


def test_pages_carry_a_csp_without_unsafe_inline_whose_hashes_match_their_own_script(client, dev_dir):
    import base64
    import hashlib
    import html
    import re

    c, _ = client
    text = (dev_dir / "c038_pingtan_jtj_2022.txt").read_text(encoding="utf-8")
    page = c.post("/inspect", data={"text": text})
    for csp in (page.headers["content-security-policy"],
                html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page.text).group(1))):
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        script = re.search(r"<script>(.*?)</script>", page.text, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in csp
    form = c.get("/")
    assert "unsafe-inline" not in form.headers["content-security-policy"]


def test_each_request_is_logged(client, caplog):
    import logging

    c, _ = client
    with caplog.at_level(logging.INFO, logger="extractor.access"):
        c.get("/healthz")
        c.get("/missing")
    lines = [r.getMessage() for r in caplog.records if r.name == "extractor.access"]
    assert any('"GET /healthz" 200' in line for line in lines) and any('"GET /missing" 404' in line for line in lines)


def test_serve_prints_its_url_and_where_decisions_go(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import uvicorn
    from extractor.cli import app

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: calls.update(kw, app=application))
    run = tmp_path / "run.jsonl"
    run.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["serve", "--port", "8123", "--backend", "regex", "--run", str(run)])
    assert result.exit_code == 0, result.output
    assert "serving on http://127.0.0.1:8123/" in result.output and f"{run}.decisions.json" in result.output
    assert calls["port"] == 8123 and calls["host"] == "127.0.0.1"
