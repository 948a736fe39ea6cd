"""The spot-check page served by `extractor serve`, driven in headless Chromium (Debian's package).

Playwright drives the system browser (executable_path); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time

import pytest

from extractor.config import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed here (.ci/run installs it)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    import uvicorn

    from extractor.service import create_app

    run = tmp_path / "run.jsonl"
    run.write_text("", encoding="utf-8")
    app = create_app(Settings(EXTRACTOR_CACHE_DIR=str(tmp_path / "c")), backend_name="regex", run=run)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", run
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "chromium must be installed for this test (see .ci/run)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1300, "height": 800})
        yield context.new_page()
        browser.close()


def test_submit_report_click_field_shows_its_highlight_and_scripts_do_not_run(served, page, dev_dir):
    base, run = served
    text = (dev_dir / "002_392dabf3539690db.txt").read_text(encoding="utf-8")
    text += '\n<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    page.goto(base + "/")
    page.fill("#text", text)
    page.click("#submit")
    page.wait_for_selector("table.grid td.cell")

    # the official tables as printed: 三 has the applicant columns, a cell per value
    headers = page.locator('table.grid[data-part="三"] thead th').all_inner_texts()
    assert {"自然人", "商业企业", "总计"} <= {h.strip() for h in headers}
    cell = page.locator('td.cell[data-key="review.total"]')
    assert cell.inner_text().strip() == "271"

    # click a cell: its evidence is marked and scrolled into view
    cell.click()
    mark = page.locator("mark.active").first
    assert mark.is_visible()
    assert "review.total" in mark.get_attribute("data-keys").split()
    assert mark.inner_text().strip() == "271"
    box = mark.bounding_box()
    pane = page.locator("#text").bounding_box()
    assert pane["y"] <= box["y"] <= pane["y"] + pane["height"]

    # … and back: click the evidence of another value and its cell is selected
    page.locator('mark[data-keys~="applications.new_received.natural_person"]').first.click()
    assert page.locator('td.cell.sel').evaluate_all("cs => cs.map(c => c.dataset.key)") == [
        "applications.new_received.natural_person"]

    # the flat list is the second view: click a field there and its highlight is marked
    page.click("#tab-list")
    page.wait_for_selector("tr.field")
    assert not page.locator("#grids").is_visible()
    page.locator('tr.field[data-key="review.total"] td.k').click()
    mark = page.locator("mark.active").first
    assert mark.inner_text().strip() == "271"

    # click a highlight: its field row is selected
    page.locator('mark[data-keys~="applications.new_received.natural_person"]').first.click()
    selected = page.locator("tr.field.sel").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert "applications.new_received.natural_person" in selected

    # the report's own markup is shown as text and never executed
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1</script>" in page.inner_text("#doc")

    # a decision is saved beside the run
    page.locator('tr.field[data-key="review.total"] select').select_option("confirmed")
    page.click("#save")
    from playwright.sync_api import expect

    expect(page.locator("#saved")).to_have_text("saved")  # (a polled JS string would be eval: the page's CSP forbids it)
    saved = json.loads(run.with_name("run.jsonl.decisions.json").read_text(encoding="utf-8"))
    [doc] = saved["documents"]
    assert doc["path"] == "pasted.txt" and len(doc["sha256"]) == 64
    assert doc["fields"]["review.total"]["decision"] == "confirmed" and doc["fields"]["review.total"]["saved_at"]
