"""The LLM backend's throughput against the scripted server, side by side with the ideal.

    .venv/bin/python -m bench.bench_llm [--docs 500] [--concurrency 32] [--latency 0.2]

Runs in one go, with the scripted OpenAI-compatible server of tests/ in a
separate process answering every request after a fixed latency:
  1. a cold run over the dev reports replicated to ``--docs`` documents:
     calls/s achieved vs the ideal concurrency / latency (aim >= 0.8);
  2. the same job again with a warm cache: time, and the number of requests
     the server saw (must be 0);
  3. prompt tokens per document (counted from what was sent, with the same
     estimator for both) compared with sending the whole report in one call
     with the whole report's schema (aim <= 40%).
The server's answers are the regex baseline echoed back: these are plumbing
and cost figures, not model accuracy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

DEV = Path(__file__).resolve().parent.parent / "eval" / "dev"


def _serve(latency: float, queue: mp.Queue[str], stop: mp.Event) -> None:
    from tests.fake_openai import FakeOpenAI, Reply, baseline_answer, completion

    answers: dict[str, dict] = {}

    from extractor.llm.usage import estimate_tokens

    def respond(req: dict) -> Reply:
        # Memoised so the server's own CPU (it runs the regex baseline) does not limit the client.
        # Like a real endpoint it reports usage: prompt tokens estimated from what was sent
        # (messages + schema), with the estimator the whole-report comparison uses.
        messages = json.dumps(req["messages"], ensure_ascii=False, sort_keys=True)
        key = hashlib.sha1(messages.encode()).hexdigest()   # a digest, not the 20 KB text: the memo stays small
        if key not in answers:
            answer = baseline_answer(req)
            sent = messages + json.dumps(req.get("tools") or req.get("response_format") or "", ensure_ascii=False)
            answers[key] = (answer, estimate_tokens(sent), estimate_tokens(json.dumps(answer, ensure_ascii=False)))
        answer, prompt_tokens, completion_tokens = answers[key]
        return Reply(200, completion(req, answer, usage=(prompt_tokens, completion_tokens)))

    srv = FakeOpenAI(responder=respond, latency=latency, record=False).start()
    queue.put(srv.base_url)
    stop.wait()
    queue.put(str(srv.chat_count))
    srv.stop()




def whole_report_prompt_tokens(doc_text: str, title: str, year: str) -> int:
    """What a single call with the whole report and the whole schema would send (same estimator)."""
    from pydantic import Field, create_model

    from extractor.config import Settings
    from extractor.llm.prompts import load_prompt
    from extractor.llm.usage import estimate_tokens
    from schemas import Report

    whole = create_model("ReportAnswer", data=(Report, Field(default_factory=Report)), quotes=(dict[str, str], {}))
    prompt = load_prompt(Settings().prompts_dir, "applications")
    system = prompt.render(title=title, year=year, section_title="全文", section_text="")[0]["content"]
    user = f"报告：{title}（报告年度：{year}）\n请填写全部字段。\n原文：\n<<<\n{doc_text}\n>>>"
    tools = json.dumps([{"type": "function", "function": {"name": "ReportAnswer",
                                                          "parameters": whole.model_json_schema()}}], ensure_ascii=False)
    return estimate_tokens(system + user + tools)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--backend", choices=("llm", "hybrid"), default="llm",
                    help="llm: every section asked; hybrid: only sections the baseline left open (+ 五/六)")
    args = ap.parse_args()

    from extractor.baseline.meta import extract_meta
    from extractor.config import Settings
    from extractor.ingest import load_bytes
    from extractor.jobs import collector_tuned_for_jobs
    from extractor.llm.backend import LLMBackend
    from extractor.reconcile.hybrid import HybridBackend

    Backend = HybridBackend if args.backend == "hybrid" else LLMBackend
    from extractor.result import Extraction

    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(args.latency, queue, stop), daemon=True)
    proc.start()
    base_url = queue.get(timeout=30)
    originals = sorted(DEV.glob("*.txt"))
    docs = [load_bytes(originals[i % len(originals)].read_bytes() + f"\n附注 copy {i}\n".encode(), name=f"doc{i}.txt")
            for i in range(args.docs)]
    cache_dir = tempfile.mkdtemp(prefix="bench-llm-cache-")
    common = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="sk-bench", EXTRACTOR_MODEL="scripted",
                  EXTRACTOR_CONCURRENCY=args.concurrency, EXTRACTOR_CACHE_DIR=cache_dir)
    try:
        # 1. throughput: no cache, so every section of every replica is a request
        cold = Backend(Settings(**common, EXTRACTOR_USE_CACHE=False))
        t0 = time.perf_counter()
        c0 = time.process_time()
        with collector_tuned_for_jobs():     # as every bulk job runs (extractor.jobs.run_bulk)
            results = list(cold.stream(docs, lambda d: d))
        t_cold = time.perf_counter() - t0
        cpu_cold = time.process_time() - c0
        errors = sum(1 for _, r in results if isinstance(r, Exception))
        calls = cold.total.calls
        # 2. fill the cache, 3. re-run warm: no request may reach the server
        filler = Backend(Settings(**common))
        list(filler.stream(docs, lambda d: d))
        filled_calls = filler.total.calls
        warm = Backend(Settings(**common))
        t0 = time.perf_counter()
        list(warm.stream(docs, lambda d: d))
        t_warm = time.perf_counter() - t0
        warm_calls = warm.total.calls
        stop.set()
        server_requests = int(queue.get(timeout=30))
    finally:
        stop.set()
        proc.join(timeout=10)
    achieved = calls / t_cold
    ideal = args.concurrency / args.latency
    sent_per_doc = cold.total.prompt_tokens / args.docs
    whole = []
    for doc in docs[: len(originals)]:
        ext = Extraction(template="narrative")
        extract_meta(doc.text, ext)
        title = str(ext.values["meta.title"].value) if "meta.title" in ext.values else ""
        year = str(ext.values["meta.year"].value) if "meta.year" in ext.values else ""
        whole.append(whole_report_prompt_tokens(doc.text, title, year))
    whole_per_doc = sum(whole[i % len(whole)] for i in range(args.docs)) / args.docs
    per_doc_sent: dict[str, int] = {}
    for doc, result in results:
        if not isinstance(result, Exception):
            original = originals[int(doc.path[3:-4]) % len(originals)].name
            per_doc_sent.setdefault(original, result.usage.get("total", {}).get("prompt_tokens", 0))
    ratios = sorted((per_doc_sent[p.name] / whole[i], p.name) for i, p in enumerate(originals) if p.name in per_doc_sent)
    print(f"backend: {args.backend}; documents: {args.docs} (dev reports replicated), concurrency {args.concurrency}, "
          f"server latency {args.latency * 1000:.0f} ms, errors {errors}")
    print(f"cold run: {calls} calls in {t_cold:.1f} s -> {achieved:.1f} calls/s; ideal {ideal:.1f} calls/s; "
          f"ratio {achieved / ideal:.2f} (aim >= 0.8); client CPU {cpu_cold / max(calls, 1) * 1000:.2f} ms per call")
    print(f"warm cache re-run: {t_warm:.2f} s, {warm_calls} calls made, "
          f"{server_requests - calls - filled_calls} requests reached the server during it (aim 0)")
    print(f"prompt tokens per document: {sent_per_doc:.0f} by section vs {whole_per_doc:.0f} whole report in one call "
          f"-> {sent_per_doc / whole_per_doc:.0%} (aim <= 40%; both counted with the same estimator)")
    if ratios:
        print("  per report: " + ", ".join(f"{name.split('_')[0]} {r:.0%}" for r, name in ratios))


if __name__ == "__main__":
    main()
