"""Throughput of the regex backend, measured side by side with a trivial baseline.

    .venv/bin/python -m bench.bench_regex [--docs 3000]

Replicates the bundled dev reports to ``--docs`` documents (each copy gets a
unique suffix so nothing can be memoised), then times, in the same run:
  * ingest + regex extraction + consistency checks per document (the real job), and
  * a single ``re.findall(r"\\d+")`` pass over the same texts (a floor: it reads
    every digit once and understands nothing).
Prints documents/second for both and their ratio.  Target: >= 200 docs/s on one core.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from extractor.baseline import extract_baseline
from extractor.checks import check_consistency
from extractor.ingest import load_bytes

DEV = Path(__file__).resolve().parent.parent / "eval" / "dev"


def corpus(n_docs: int) -> list[bytes]:
    originals = [p.read_bytes() for p in sorted(DEV.glob("*.txt"))]
    return [originals[i % len(originals)] + f"\n<!-- copy {i} -->\n".encode() for i in range(n_docs)]


def run(n_docs: int) -> dict[str, float]:
    docs = corpus(n_docs)
    t0 = time.perf_counter()
    fields = 0
    for i, data in enumerate(docs):
        doc = load_bytes(data, name=f"doc{i}.txt")
        ext = extract_baseline(doc)
        check_consistency(ext.flat(), ext.template)
        fields += len(ext.values)
    t_regex = time.perf_counter() - t0
    texts = [d.decode("utf-8") for d in docs]
    t0 = time.perf_counter()
    digits = 0
    for text in texts:
        digits += len(re.findall(r"\d+", text))
    t_findall = time.perf_counter() - t0
    return {"docs": n_docs, "fields": fields, "regex_s": t_regex, "findall_s": t_findall,
            "regex_docs_per_s": n_docs / t_regex, "findall_docs_per_s": n_docs / t_findall,
            "ratio": t_regex / t_findall, "mb": sum(len(d) for d in docs) / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=3000)
    args = ap.parse_args()
    r = run(args.docs)
    print(f"corpus: {r['docs']} documents ({r['mb']:.1f} MB) replicated from {DEV}")
    print(f"regex backend (ingest+extract+checks): {r['regex_s']:.2f} s  -> {r['regex_docs_per_s']:.0f} docs/s, "
          f"{r['fields']} fields")
    print(f"re.findall(r'\\d+') single pass:         {r['findall_s']:.3f} s  -> {r['findall_docs_per_s']:.0f} docs/s")
    print(f"ratio regex/findall time: {r['ratio']:.1f}x   target >= 200 docs/s: "
          f"{'met' if r['regex_docs_per_s'] >= 200 else 'NOT met'}")


if __name__ == "__main__":
    main()
