"""One self-contained HTML page per report: the text with every value highlighted at its span,
the fields beside it (conflicts and consistency breaks first), and a decision per field.

All report text is escaped (a report is untrusted input); the record travels as JSON
inside a ``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped.
No external assets: the page opens offline.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any

from extractor.review.grids import grids_for, render_grids
from schemas import FIELD_KEYS, field_spec

PAGE_SCALE = 1.25  # pixels per PDF point of the embedded page images

STATUS_ORDER = {"conflict": 0, "break": 1, "flagged": 1, "model_only": 2, "baseline_only": 3, "agreed": 4, "extracted": 5}


def _json_for_script(data: Any) -> str:
    return (json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def field_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields in review order: conflicts, fields in consistency breaks, model-only, then the rest."""
    in_break = {k for c in record.get("checks", []) for k in c.get("keys", [])}
    flagged = {k for f in record.get("flags", []) for k in f.get("keys", [])}
    rows = []
    detail = record.get("reconciliation") or {}
    keys = [k for k in FIELD_KEYS if k in record.get("fields", {}) or k in detail or k in flagged]
    for key in keys:
        d = detail.get(key, {})
        status = d.get("status", "extracted")
        if key not in record.get("fields", {}) and not d:
            status = "flagged"
        sort_status = "break" if key in in_break and status != "conflict" else status
        rows.append({
            "key": key, "label": field_spec(key).label_zh, "value": record.get("fields", {}).get(key),
            "status": status, "confidence": d.get("confidence", ""), "baseline": d.get("baseline"),
            "model": d.get("model"), "in_break": key in in_break, "flagged": key in flagged,
            "evidence": d.get("evidence") or ([record["evidence"][key]] if key in record.get("evidence", {}) else []),
            "order": (STATUS_ORDER.get(sort_status, 9) if not (key in flagged and status == "extracted") else 1),
        })
    rows.sort(key=lambda r: (r["order"], FIELD_KEYS.index(r["key"])))
    return rows


def _segments(text: str, spans: dict[str, list[list[int]]]) -> str:
    """The text, escaped, with <mark> around every evidence span (overlaps split into pieces)."""
    cuts = {0, len(text)}
    for ranges in spans.values():
        for s, e in ranges:
            if 0 <= s < e <= len(text):
                cuts.update((s, e))
    points = sorted(cuts)
    out: list[str] = []
    for a, b in zip(points, points[1:]):
        keys = sorted(k for k, ranges in spans.items() for s, e in ranges if s <= a and b <= e and s < e)
        piece = html.escape(text[a:b])
        if keys:
            out.append(f'<mark data-keys="{html.escape(" ".join(keys))}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def pdf_page_images(data: bytes, record: dict[str, Any], *, scale: float = PAGE_SCALE) -> dict[str, str]:
    """PNG data URLs of the PDF pages holding a boxed value (only those, so the page stays small)."""
    from extractor.formats.pdf import render_page_png

    pages = sorted({int(box[0]) for box in (record.get("boxes") or {}).values()})
    return {str(p): "data:image/png;base64," + base64.b64encode(render_page_png(data, p, scale=scale)).decode("ascii")
            for p in pages}


def render_page(text: str, record: dict[str, Any], *, save_url: str | None = None,
                page_images: dict[str, str] | None = None, scale: float = PAGE_SCALE) -> str:
    """The spot-check page; with ``page_images`` (PDF input) a third panel shows the value's box on its page."""
    rows = field_rows(record)
    spans = {r["key"]: [list(x) for x in r["evidence"]] for r in rows if r["evidence"]}
    body_text = _segments(text, spans)
    issues: list[str] = []
    for r in rows:
        if r["status"] == "conflict":
            issues.append(f"conflict {r['key']}: baseline {r['baseline']} / model {r['model']} → {r['value']}")
    for c in record.get("checks", []):
        issues.append(f"consistency break ({c['rule']}): {c['message']}")
    for f in record.get("flags", []):
        issues.append(f"{f['kind']}: {f['message']}")
    issue_html = "".join(f"<li>{html.escape(i)}</li>" for i in issues) or "<li class='none'>none</li>"
    table_rows = []
    for r in rows:
        value = "" if r["value"] is None else str(r["value"])
        extra = ""
        if r["status"] == "conflict":
            extra = f" <small>(baseline {html.escape(str(r['baseline']))} / model {html.escape(str(r['model']))})</small>"
        table_rows.append(
            f'<tr class="field st-{html.escape(r["status"])}{" brk" if r["in_break"] else ""}" data-key="{html.escape(r["key"])}">'
            f'<td class="k">{html.escape(r["key"])}</td><td>{html.escape(r["label"])}</td>'
            f'<td class="v">{html.escape(value)}{extra}</td><td class="s">{html.escape(r["status"])}'
            f'{" · " + html.escape(r["confidence"]) if r["confidence"] else ""}</td>'
            f'<td class="d"><select aria-label="decision"><option value="">—</option><option value="confirmed">confirm</option>'
            f'<option value="corrected">correct</option><option value="dismissed">dismiss</option></select>'
            f'<input class="corr" type="text" placeholder="corrected value" size="8"></td></tr>')
    texts = record.get("texts") or {}
    text_html = "".join(
        f"<h3>{html.escape(label)}</h3><ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in texts[k]) + "</ul>"
        for k, label in (("problems", "五 存在的主要问题"), ("improvements", "五 改进情况"), ("other", "六 其他需要报告的事项"))
        if texts.get(k))
    fields = record.get("fields", {})
    title = str(fields.get("meta.title") or record.get("path") or "report")
    meta = {"path": record.get("path"), "sha256": record.get("sha256"), "save_url": save_url}
    pages = page_images or {}
    pdf_html = ('<section id="pdf"><p id="pagecap">click a field to see it on its page</p>'
                '<div id="pagewrap"><img id="pageimg" alt="PDF page"><div id="pagebox"></div></div></section>'
                if pages else "")
    has_grids = bool(grids_for(record))
    grids_html = render_grids(record)
    return _PAGE.format(
        title=html.escape(title), path=html.escape(str(record.get("path", ""))),
        template=html.escape(str(record.get("template"))), backend=html.escape(str(record.get("backend"))),
        priority=html.escape(f"{record.get('review_priority', 0):g}"), issues=issue_html,
        rows="".join(table_rows), text=body_text, n_fields=len(rows),
        record_json=_json_for_script({"meta": meta, "fields": fields, "boxes": (record.get("boxes") or {}) if pages else {},
                                      "pages": pages, "scale": scale}), texts=text_html, pdf=pdf_html,
        error=html.escape(record.get("error") or ""), style=_STYLE, script=_SCRIPT, csp=html.escape(page_csp()),
        grids=grids_html, grid_on="on" if has_grids else "", list_on="" if has_grids else "on",
        grid_hidden="" if has_grids else "hidden", list_hidden="hidden" if has_grids else "",
    )


_STYLE = """
.tabs button{font-size:13px;margin-right:.3em;border:1px solid #bbb;background:#fff;padding:2px 8px;cursor:pointer}
.tabs button.on{border-color:#1565c0;color:#1565c0;font-weight:bold} .hidden{display:none}
table.grid{border-collapse:collapse;width:auto;table-layout:auto;font-size:12px;margin:.2em 0 .8em}
table.grid caption{text-align:left;font-weight:bold;padding:.3em 0;font-size:13px}
table.grid th,table.grid td{border:1px solid #ccc;padding:2px 5px;overflow-wrap:normal}
table.grid th{background:#f4f4f4;font-weight:normal} table.grid th.rl{text-align:left;max-width:24em}
table.grid tr.grp th{background:#fafafa;color:#555}
.cell{text-align:right;cursor:pointer;min-width:2.4em} .legend{font-size:12px;color:#555}
.legend .cell{display:inline-block;border:1px solid #ccc;padding:0 4px;margin-left:.6em}
.cell.zero{color:#666} .cell.na{color:#888;font-style:italic;background:#eceff1}
.cell.empty{color:#bbb;background:#fff} td.cell.none{background:#e0e0e0;cursor:default}
.cell.st-extracted,.cell.st-baseline_only{background:#f1f8ff} .cell.st-agreed{background:#e8f5e9}
.cell.st-model_only{background:#f3e5f5} .cell.conf-medium{background:#fff8e1} .cell.conf-low{background:#ffe0b2}
.cell.st-conflict{background:#ffcdd2;font-weight:bold;color:#b71c1c}
.cell.brk{outline:2px solid #e65100;outline-offset:-2px} .cell.flag{box-shadow:inset 0 0 0 2px #f9a825}
td.cell.sel{outline:3px solid #1565c0;outline-offset:-3px;background:#fff3c4}
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
header{padding:.6em 1em;background:#f4f4f4;border-bottom:1px solid #ddd}
header h1{font-size:1.1em;margin:0} header p{margin:.2em 0;font-size:.85em;color:#555}
main{display:flex;height:calc(100vh - 4.5em)}
#text{flex:1 1 55%;overflow:auto;padding:1em;border-right:1px solid #ddd}
#doc{white-space:pre-wrap;word-break:break-all;font-size:14px;line-height:1.6;margin:0}
#side{flex:1 1 45%;overflow:auto;padding:1em}
mark{background:#dfeeff;cursor:pointer;border-radius:2px} mark.active{background:#ffd54f;outline:2px solid #f57f17}
table{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed} td{border-bottom:1px solid #eee;padding:3px 4px;vertical-align:top;overflow-wrap:anywhere}
td.k{font-family:ui-monospace,monospace;font-size:11px;width:30%} td.v{width:18%} td.s{width:14%;font-size:12px} td.d{width:16%}
td.d select{font-size:11px;max-width:100%} td.d input.corr{display:none;width:90%;font-size:11px} td.d.correcting input.corr{display:block} tr.field{cursor:pointer} tr.field.sel{background:#fff3c4}
tr.st-conflict td.s{color:#b71c1c;font-weight:bold} tr.brk td.s{color:#e65100} tr.st-model_only td.s{color:#6a1b9a}
tr.st-agreed td.s{color:#2e7d32} tr.st-flagged td.s{color:#e65100;font-weight:bold} tr.st-baseline_only td.s,tr.st-extracted td.s{color:#455a64}
#pdf{flex:1 1 40%;overflow:auto;padding:.5em;border-left:1px solid #ddd;background:#fafafa}
#pagewrap{position:relative;display:none} #pageimg{width:100%;display:block;box-shadow:0 0 3px #aaa}
#pagebox{position:absolute;display:none;border:2px solid #e53935;background:rgba(255,213,79,.25)} #pagecap{font-size:12px;color:#555;margin:.2em 0}
#issues li{font-size:13px;margin:.2em 0} #issues .none{color:#888} .err{color:#b71c1c}
"""

_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('record').textContent);
  function marksFor(key) {
    return Array.prototype.filter.call(document.querySelectorAll('mark[data-keys]'), function (m) {
      return m.getAttribute('data-keys').split(' ').indexOf(key) >= 0; });
  }
  function clear() {
    document.querySelectorAll('mark.active').forEach(function (m) { m.classList.remove('active'); });
    document.querySelectorAll('tr.sel, td.sel').forEach(function (r) { r.classList.remove('sel'); });
  }
  function showView(grid) {
    document.getElementById('grids').classList.toggle('hidden', !grid);
    document.getElementById('list').classList.toggle('hidden', grid);
    document.getElementById('tab-grid').classList.toggle('on', grid);
    document.getElementById('tab-list').classList.toggle('on', !grid);
  }
  document.getElementById('tab-grid').addEventListener('click', function () { showView(true); });
  document.getElementById('tab-list').addEventListener('click', function () { showView(false); });
  document.querySelectorAll('td.cell[data-key]').forEach(function (td) {
    td.addEventListener('click', function () {
      var key = td.getAttribute('data-key');
      clear(); td.classList.add('sel'); showBox(key);
      var row = document.querySelector('tr.field[data-key="' + key + '"]');
      if (row) row.classList.add('sel');
      var marks = marksFor(key);
      marks.forEach(function (m) { m.classList.add('active'); });
      if (marks.length) marks[0].scrollIntoView({block: 'center'});
    });
  });
  function showBox(key) {
    var img = document.getElementById('pageimg');
    if (!img) return;
    var frame = document.getElementById('pagebox'), cap = document.getElementById('pagecap');
    var b = data.boxes[key];
    if (!b) { cap.textContent = key + ': no box on the page'; frame.style.display = 'none'; return; }
    var src = data.pages[String(b[0])];
    function place() {
      var w = img.naturalWidth / data.scale, h = img.naturalHeight / data.scale;
      frame.style.left = (b[1] / w * 100) + '%'; frame.style.top = (b[2] / h * 100) + '%';
      frame.style.width = ((b[3] - b[1]) / w * 100) + '%'; frame.style.height = ((b[4] - b[2]) / h * 100) + '%';
      frame.style.display = 'block'; frame.scrollIntoView({block: 'center'});
    }
    document.getElementById('pagewrap').style.display = 'block';
    cap.textContent = key + ' · page ' + b[0];
    if (img.getAttribute('src') === src && img.complete) place(); else { img.onload = place; img.setAttribute('src', src); }
  }
  document.querySelectorAll('tr.field').forEach(function (row) {
    row.addEventListener('click', function (ev) {
      if (ev.target.tagName === 'SELECT' || ev.target.tagName === 'INPUT' || ev.target.tagName === 'OPTION') return;
      clear(); row.classList.add('sel'); showBox(row.getAttribute('data-key'));
      var marks = marksFor(row.getAttribute('data-key'));
      marks.forEach(function (m) { m.classList.add('active'); });
      if (marks.length) marks[0].scrollIntoView({block: 'center'});
    });
  });
  document.querySelectorAll('mark[data-keys]').forEach(function (m) {
    m.addEventListener('click', function () {
      clear(); m.classList.add('active');
      var keys = m.getAttribute('data-keys').split(' '), first = null;
      showBox(keys[0]);
      var gridShown = !document.getElementById('grids').classList.contains('hidden');
      keys.forEach(function (k) {
        var row = document.querySelector('tr.field[data-key="' + k + '"]');
        var cell = document.querySelector('td.cell[data-key="' + k + '"]');
        if (row) row.classList.add('sel');
        if (cell) cell.classList.add('sel');
        var target = gridShown ? cell : row;
        if (target) first = first || target;
      });
      if (first) first.scrollIntoView({block: 'center'});
    });
  });
  document.querySelectorAll('td.d select').forEach(function (sel) {
    sel.addEventListener('change', function () {
      sel.parentNode.classList.toggle('correcting', sel.value === 'corrected');
    });
  });
  document.getElementById('save').addEventListener('click', function () {
    var decisions = {};
    document.querySelectorAll('tr.field').forEach(function (row) {
      var d = row.querySelector('select').value;
      if (!d) return;
      var entry = {decision: d};
      if (d === 'corrected') entry.value = row.querySelector('input.corr').value;
      entry.saved_at = new Date().toISOString();
      decisions[row.getAttribute('data-key')] = entry;
    });
    var payload = {format: 2, documents: [{sha256: data.meta.sha256, path: data.meta.path, fields: decisions}]};
    var note = document.getElementById('saved');
    if (data.meta.save_url) {
      fetch(data.meta.save_url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(payload)})
        .then(function (r) { note.textContent = r.ok ? 'saved' : 'not saved (' + r.status + ')'; });
    } else {
      var blob = new Blob([JSON.stringify(payload, null, 1)], {type: 'application/json'});
      var a = document.createElement('a');
      var stem = (data.meta.path || 'report').split('/').pop().replace(/\\.[^.]*$/, '');
      a.href = URL.createObjectURL(blob);
      a.download = stem + '-' + (data.meta.sha256 || '').slice(0, 8) + '.decisions.json';
      document.body.appendChild(a); a.click(); a.remove();
      note.textContent = 'downloaded ' + a.download + ' (put it in RUN.decisions/ beside the run)';
    }
  });
})();
"""



def csp_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline script or style (no 'unsafe-inline')."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def page_csp(scripts: tuple[str, ...] = (_SCRIPT,), styles: tuple[str, ...] = (_STYLE,)) -> str:
    """The page's Content-Security-Policy: nothing but its own script and style, by hash; the served
    page may post decisions to its own origin; images only as data: URIs (the PDF page images)."""
    return ("default-src 'none'; " + "style-src " + " ".join(csp_hash(x) for x in styles) + "; "
            + "script-src " + " ".join(csp_hash(x) for x in scripts) + "; connect-src 'self'; img-src data:; "
            + "base-uri 'none'; form-action 'none'")


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>spot-check · {title}</title>
<style>{style}</style></head>
<body>
<header><h1>{title}</h1>
<p>{path} · template {template} · backend {backend} · review priority {priority} · {n_fields} fields <span class="err">{error}</span></p></header>
<main>
<section id="text"><pre id="doc">{text}</pre></section>
<section id="side">
<h2>Open questions</h2><ul id="issues">{issues}</ul>
<p class="tabs"><button id="tab-grid" type="button" class="{grid_on}">Tables as printed</button><button id="tab-list" type="button" class="{list_on}">Field list ({n_fields})</button>
<button id="save" type="button">Save decisions</button> <span id="saved"></span></p>
<div id="grids" class="{grid_hidden}"><p class="legend"><span class="cell value">12</span> value <span class="cell zero">0</span> printed zero <span class="cell na">n/a</span> not applicable <span class="cell empty">·</span> not stated <span class="cell value brk">7</span> in a broken rule <span class="cell value st-conflict">5</span> conflict <span class="cell value conf-low">3</span> low confidence · click a cell for its evidence; decisions in the field list</p>{grids}</div>
<div id="list" class="{list_hidden}"><table id="fields"><tbody>{rows}</tbody></table></div>
<div id="texts">{texts}</div>
</section>{pdf}</main>
<script type="application/json" id="record">{record_json}</script>
<script>{script}</script>
</body></html>
"""
