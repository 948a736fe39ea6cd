"""``extractor serve``: the pipeline over HTTP.

* ``POST /v1/extract`` — a report (JSON ``{"text": ..., "name": ...}`` or a multipart ``file``) → the record as JSON.
* ``GET /`` — a page where a person pastes or uploads a report; ``POST /inspect`` answers with the spot-check view.
* ``POST /v1/decisions`` — the spot-check page saves reviewer decisions beside the run given with ``--run``.

* ``GET /docs`` — the API described on one self-contained page (no CDN assets); ``GET /openapi.json``.

Same settings, backend and cache as the CLI.  Every error status (bad input, 404, 405) answers
``{"error": "..."}``; bad input is a 4xx, never a 500.  Each request is logged on the
``extractor.access`` logger (the CLI sends it to stderr).  HTML pages carry a
Content-Security-Policy that allows only their own style and script, by hash.  Handlers are synchronous (FastAPI runs them in a thread
pool), so a model backend can run its own event loop per request.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from extractor import __version__
from extractor.config import Settings
from extractor.errors import BinaryDocument, DocumentError, NotAReport, UnsupportedFormat
from extractor.ingest import load_bytes
from extractor.pipeline import make_backend, process_document
from extractor.review.decisions import DecisionsError, UnreadableDecisions, save_decisions
from extractor.review.html import csp_hash, page_csp, pdf_page_images, render_page

MAX_BYTES = 20 * 1024 * 1024


class BadInput(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def create_app(settings: Settings | None = None, *, backend_name: str = "auto", run: Path | None = None) -> FastAPI:
    settings = settings or Settings()
    name = backend_name
    if name == "auto":
        name = "hybrid" if settings.endpoint_configured else "regex"
    backend = make_backend(name, settings)
    app = FastAPI(title="govreport-extractor", version=__version__, docs_url=None, redoc_url=None,
                  description="Structured, checked data from 政府信息公开工作年度报告.")
    access = logging.getLogger("extractor.access")

    @app.middleware("http")
    async def _log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        client = request.client.host if request.client else "-"
        access.info('%s "%s %s" %d %.0f ms', client, request.method, request.url.path, response.status_code,
                    (time.perf_counter() - started) * 1000)
        return response

    @app.exception_handler(BadInput)
    def _bad(_: Request, exc: BadInput) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: "no such endpoint; see /docs", 405: "method not allowed here; see /docs"}.get(
            exc.status_code, str(exc.detail))
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": f"invalid request: {exc.errors()}"}, status_code=422)

    @app.exception_handler(Exception)
    def _unexpected(_: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - a bug, but still an answer
        return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, status_code=500)

    def read_report(data: bytes, filename: str) -> dict[str, Any]:
        if len(data) > MAX_BYTES:
            raise BadInput(413, f"the report is larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            doc = load_bytes(data, name=filename or "report.txt")
        except (BinaryDocument, UnsupportedFormat) as exc:
            raise BadInput(415, str(exc)) from exc
        except DocumentError as exc:
            raise BadInput(400, str(exc)) from exc
        try:
            record = process_document(doc, backend, name)
        except NotAReport as exc:
            raise BadInput(422, str(exc)) from exc
        return {"doc": doc, "record": record.as_dict()}

    async def payload(request: Request) -> tuple[bytes, str]:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data") or ctype.startswith("application/x-www-form-urlencoded"):
            try:
                form = await request.form()
            except Exception as exc:
                raise BadInput(400, f"cannot read the form: {exc}") from exc
            upload = form.get("file")
            if upload is not None and hasattr(upload, "read"):
                data = await upload.read()
                if data:
                    return data, getattr(upload, "filename", "") or "upload.txt"
            text = form.get("text")
            return (str(text).encode("utf-8") if text else b""), str(form.get("name") or "pasted.txt")
        raw = await request.body()
        if ctype.startswith("application/json"):
            import json

            try:
                body = json.loads(raw or b"{}")
            except ValueError as exc:
                raise BadInput(400, "the body is not valid JSON") from exc
            if not isinstance(body, dict) or not isinstance(body.get("text"), str):
                raise BadInput(422, 'send {"text": "<report text>", "name": "<file name>"} or a multipart file')
            return body["text"].encode("utf-8"), str(body.get("name") or "report.txt")
        if ctype.startswith("text/") or not ctype:
            return raw, "report.txt"
        raise BadInput(415, f"unsupported content type {ctype}")

    @app.post("/v1/extract")
    async def extract(request: Request) -> JSONResponse:
        data, filename = await payload(request)
        from starlette.concurrency import run_in_threadpool

        result = await run_in_threadpool(read_report, data, filename)
        return JSONResponse(result["record"])

    @app.post("/inspect", response_class=HTMLResponse)
    async def inspect(request: Request) -> HTMLResponse:
        data, filename = await payload(request)
        from starlette.concurrency import run_in_threadpool

        try:
            result = await run_in_threadpool(read_report, data, filename)
        except BadInput as exc:
            return _form(exc.message, exc.status)
        images = pdf_page_images(data, result["record"]) if result["doc"].source_format == "pdf" else None
        page = render_page(result["doc"].text, result["record"], save_url="/v1/decisions" if run else None,
                           page_images=images)
        return HTMLResponse(page, headers={"Content-Security-Policy": page_csp()})

    @app.post("/v1/decisions")
    async def decisions(request: Request) -> JSONResponse:
        if run is None:
            raise BadInput(409, "start the service with --run RUN.jsonl to save decisions beside a run")
        try:
            body = await request.json()
        except ValueError as exc:
            raise BadInput(400, "the body is not valid JSON") from exc
        try:
            target = save_decisions(run, body)
        except UnreadableDecisions as exc:
            raise BadInput(409, str(exc)) from exc
        except DecisionsError as exc:
            raise BadInput(422, f"bad decisions: {exc}") from exc
        return JSONResponse({"saved": str(target)})

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return _form("", 200)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok", "backend": name, "version": __version__}

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(api_docs_page(app.openapi()), headers={"Content-Security-Policy": _DOCS_CSP})

    return app


def _form(message: str, status: int) -> HTMLResponse:
    return HTMLResponse(_FORM.format(message=html.escape(message), style=_FORM_STYLE), status_code=status,
                        headers={"Content-Security-Policy": _FORM_CSP})


_ENDPOINT_NOTES = {
    ("post", "/v1/extract"): 'A report → its record as JSON. Send JSON {"text": "...", "name": "x.txt"}, a multipart '
                             "`file`, or text/plain. Empty 400, binary/unsupported 415, over 20 MB 413, malformed "
                             "JSON 400, JSON without text 422; every error is {\"error\": \"...\"}.",
    ("post", "/inspect"): "A report (form: text or file) → the spot-check page (HTML).",
    ("post", "/v1/decisions"): 'Reviewer decisions {"format": 2, "documents": [{"sha256", "path", "fields"}]} '
                               "merged into RUN.decisions.json (needs --run). Bad decisions 422, unreadable file 409.",
    ("get", "/"): "The paste-or-upload page.",
    ("get", "/healthz"): "Status, backend and version.",
}


def api_docs_page(spec: dict[str, Any]) -> str:
    """The API on one page without external assets (the stock Swagger UI loads from a CDN, and this
    service must work offline); the machine-readable description is /openapi.json."""
    rows = []
    for path, ops in sorted(spec.get("paths", {}).items()):
        for method in ops:
            note = _ENDPOINT_NOTES.get((method, path), ops[method].get("summary", ""))
            rows.append(f"<tr><td><code>{html.escape(method.upper())}</code></td><td><code>{html.escape(path)}</code>"
                        f"</td><td>{html.escape(note)}</td></tr>")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(spec['info']['title'])} "
            f"API</title><style>{_DOCS_STYLE}</style></head><body><h1>{html.escape(spec['info']['title'])} "
            f"{html.escape(spec['info']['version'])}</h1><p>OpenAPI description: <a href='/openapi.json'>/openapi.json</a>"
            f"</p><table>{''.join(rows)}</table></body></html>")


_DOCS_STYLE = "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto}td{padding:4px 8px;vertical-align:top}"
_DOCS_CSP = f"default-src 'none'; style-src {csp_hash(_DOCS_STYLE)}; base-uri 'none'; form-action 'none'"
_FORM_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
               "textarea{width:100%;height:22em;font-size:13px} .msg{color:#b71c1c}")
_FORM_CSP = f"default-src 'none'; style-src {csp_hash(_FORM_STYLE)}; form-action 'self'; base-uri 'none'"


_FORM = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>govreport-extractor</title>
<style>{style}</style></head><body>
<h1>政府信息公开工作年度报告 → data</h1>
<p class="msg">{message}</p>
<form id="paste" method="post" action="/inspect" enctype="multipart/form-data">
<p><label>Paste a report:<br><textarea name="text" id="text" placeholder="报告全文…"></textarea></label></p>
<p><label>…or upload a .txt/.html file: <input type="file" name="file" id="file"></label></p>
<p><button type="submit" id="submit">Extract and spot-check</button></p>
</form></body></html>"""
