"""Write the synthetic evaluation reports in eval/synthetic/ with their gold files.

    .venv/bin/python eval/make_synthetic.py

Each report is generated from figures chosen here (tests/report_builder.py lays
them out as real pages do: HTML tables with rowspan/colspan, GBK-encoded HTML,
flattened text with space separators or with cells run together); the gold file
is written from those same figures, never from the extractor's output.  They
cover layouts the dev set lacks; being generated, they say nothing about
wording the generator does not produce.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.report_builder import consistent_table3, expected_flat_table3, flattened_text, html_report  # noqa: E402

OUT = ROOT / "eval" / "synthetic"

TABLE2_2019 = {  # what html_report prints for the 2019 table 二
    "active.normative_docs.new_made": 3, "active.normative_docs.new_published": 3,
    "active.normative_docs.total_published": 41, "active.licensing.prev_count": 120, "active.licensing.change": -8,
    "active.licensing.decisions": 3500, "active.other_services.prev_count": 15, "active.other_services.change": 2,
    "active.other_services.decisions": 0, "active.penalty.prev_count": 60, "active.penalty.change": 0,
    "active.penalty.decisions": 210, "active.coercion.prev_count": 9, "active.coercion.change": 0,
    "active.coercion.decisions": 4, "active.fees.prev_count": 5, "active.fees.change": 0,
    "active.procurement.projects": 31, "active.procurement.amount_wan": 25.1,
}
TABLE2_2021 = {
    "active.rules.issued": 0, "active.rules.repealed": 0, "active.rules.in_force": 0,
    "active.normative_docs.issued": 12, "active.normative_docs.repealed": 3, "active.normative_docs.in_force": 45,
    "active.licensing.decisions": 1024, "active.penalty.decisions": 77, "active.fees.amount_wan": 12.5,
}
REVIEW = [1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
REVIEW_KEYS = [f"{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
               for c in ("upheld", "corrected", "other", "pending", "total")]


def meta(title: str, issuer: str, year: int, template: str, date: str | None) -> dict:
    m = {"meta.title": title, "meta.issuer": issuer, "meta.year": year, "meta.template": template}
    if date:
        m["meta.publish_date"] = date
    return m


def write(name: str, data: bytes, fields: dict, notes: str) -> None:
    (OUT / name).write_bytes(data)
    gold = {"doc": name, "fields": fields, "unscored": [], "notes": "SYNTHETIC (eval/make_synthetic.py). " + notes}
    (OUT / f"{Path(name).stem}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n",
                                                      encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for template, seed, enc in (("2019", 31, "utf-8"), ("2021", 32, "gbk")):
        title = f"某某县{2019 if template == '2019' else 2022}年政府信息公开工作年度报告"
        table = consistent_table3(template, seed=seed)
        page = html_report(table, template=template, title=title)
        if enc == "gbk":
            page = page.replace('charset="utf-8"', 'charset="gbk"')
        fields = {**meta(title, "某某县", 2019 if template == "2019" else 2022, template, "2020-01-20"),
                  "active.total_items": 1234, **expected_flat_table3(table),
                  **(TABLE2_2019 if template == "2019" else TABLE2_2021), **dict(zip(REVIEW_KEYS, REVIEW))}
        write(f"s{template}_html_{enc}.html", page.encode(enc), fields,
              f"{template} tables in real HTML (rowspan/colspan), page chrome, {enc}; 规章 '/' (2019) and 行政强制 '/' (2021) are not applicable.")
    for template, sep, seed in (("2021", " ", 33), ("2021", "", 34), ("2019", "\n", 35)):
        table = consistent_table3(template, seed=seed)
        text = flattened_text(table, template=template, separator=sep)
        title = text.splitlines()[0]
        fields = {**meta(title, title.split("20")[0], 2019 if template == "2019" else 2022, template, None),
                  **expected_flat_table3(table), **dict(zip(REVIEW_KEYS, [0] * 15))}
        label = {" ": "spaces", "": "runtogether", "\n": "lines"}[sep]
        write(f"s{template}_flat_{label}.txt", text.encode("utf-8"), fields,
              f"table 三 flattened, cells separated by {label!r}.")


if __name__ == "__main__":
    main()
