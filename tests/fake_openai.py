"""A small OpenAI-compatible chat-completions server on 127.0.0.1, scripted per test.

It lives under tests/ and is never imported by product code (an import-linter
contract says so).  Each request is recorded; replies come from a script of
steps (status, body, headers, delay) and then from a default responder.
``baseline_responder`` answers like a well-behaved model would, by running the
project's own regex baseline on the section text it was sent — a way to drive
the real client path end to end.  Figures it produces are NOT model accuracy.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None            # dict -> JSON; str -> raw text
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Step = Reply | Callable[[dict[str, Any]], Reply]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


SECTION_MARKERS = {
    "二、主动公开政府信息情况": "active",
    "三、收到和处理政府信息公开申请情况": "applications",
    "四、政府信息公开行政复议、行政诉讼情况": "appeals",
    "五、存在的主要问题及改进情况": "problems",
    "六、其他需要报告的事项": "other",
}


def section_of(request: dict[str, Any]) -> str | None:
    system = request["messages"][0]["content"]
    m = re.search(r"\[prompt (\w+)@", system)
    return m.group(1) if m else None


def section_text_of(request: dict[str, Any]) -> str:
    user = request["messages"][1]["content"]
    m = re.search(r"<<<\n(.*)\n>>>", user, re.S)
    return m.group(1) if m else ""


def completion(request: dict[str, Any], args: dict[str, Any] | str, *, finish: str = "stop",
               usage: tuple[int, int] | None = (100, 20), content_prefix: str = "") -> dict[str, Any]:
    """A chat completion carrying ``args`` the way the request's mode expects (tool call or content)."""
    text = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    message: dict[str, Any] = {"role": "assistant", "content": None}
    tools = request.get("tools")
    if tools:
        name = tools[0]["function"]["name"]
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}]
    else:
        message["content"] = content_prefix + text
    body: dict[str, Any] = {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                            "model": request.get("model", "test-model"),
                            "choices": [{"index": 0, "message": message, "finish_reason": finish}]}
    if usage is not None:
        body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
    return body


def baseline_answer(request: dict[str, Any]) -> dict[str, Any]:
    """What a careful model would return: the regex baseline's reading of the section text, with quotes."""
    from extractor.baseline import extract_baseline
    from extractor.ingest import load_text
    from schemas import from_flat
    from schemas.flat import model_path

    section = section_of(request)
    text = section_text_of(request)
    if section in ("problems", "other"):
        sentences = [s.strip() for s in re.split(r"[。；;]", text) if len(s.strip()) >= 6][:4]
        if section == "problems":
            return {"data": {"problems": sentences[:2], "improvements": sentences[2:4]}, "quotes": {}}
        return {"data": {"items": sentences[:3]}, "quotes": {}}
    doc = load_text(text)
    ext = extract_baseline(doc)
    if ext.template == "narrative" and re.search(r"第二十条|本年新收|结果维持", doc.text):
        # A section alone may lack the template markers: read its table as an official one.
        from extractor.baseline.tables import emit_table3, read_table2, read_table3, read_table4

        template = "2021" if re.search(r"本年制发件数|本年处理决定数量|逾期不补正", doc.text) else "2019"
        read_table2(doc.text, template, ext)
        emit_table3(read_table3(doc.text, template), ext)
        read_table4(doc.text, 0, ext)
    flat = {k: v.value for k, v in ext.values.items() if model_path(k)[0] == section}
    report = from_flat(flat)
    data = getattr(report, section).model_dump(mode="json", exclude_none=True)
    quotes: dict[str, str] = {}
    rows: dict[str, list[tuple[int, int]]] = {}
    for key, fv in ext.values.items():
        if model_path(key)[0] == section and fv.span:
            rows.setdefault(model_path(key)[1], []).append(fv.span)
    for row, spans in rows.items():
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        quotes[row] = doc.text[start:end]
    _prove_or_leave_out(section, getattr(report, section), data, quotes, doc.text)
    return {"data": data, "quotes": quotes}


def _prove_or_leave_out(section: str, part: Any, data: dict[str, Any], quotes: dict[str, str], text: str) -> None:
    """Give each row a quote that proves it under the product's grounding rule, or leave the row out.

    The baseline's span for a cell of a run-together row can be the whole run (``22`` for a
    year column of 2 next to a cumulative 2; ``3705`` for a lone 5 of 37|0|5): a quote that
    does not print the value, which grounding rightly refuses and instructor would re-ask for,
    so the benchmark would time re-asks no careful model causes.  A careful model quotes a
    clause that prints the figure (``“同意公开”的件数为2件``) or, with nothing that proves
    it, leaves the row null as the prompt asks.
    """
    from extractor.llm.grounding import why_ungrounded

    clauses = [c.strip() for c in re.split(r"[。；;，,\n]", text) if re.search(r"\d", c)]
    for row in list(quotes):
        value = getattr(part, row, None)
        if value is None or why_ungrounded(section, row, value, quotes[row]) is None:
            continue
        proof = next((c for c in clauses if why_ungrounded(section, row, value, c) is None), None)
        if proof is not None:
            quotes[row] = proof
        else:
            del quotes[row]
            data.pop(row, None)


def baseline_responder(request: dict[str, Any]) -> Reply:
    return Reply(200, completion(request, baseline_answer(request)))


class FakeOpenAI:
    """Start with ``start()``; ``base_url`` is then http://127.0.0.1:PORT/v1."""

    def __init__(self, responder: Callable[[dict[str, Any]], Reply] = baseline_responder, latency: float = 0.0,
                 record: bool = True) -> None:
        self.script: deque[Step] = deque()
        self.responder = responder
        self.latency = latency
        #: Keep every request (tests read them).  Benchmarks turn it off: tens of thousands of
        #: recorded 20 KB bodies grow the server's heap until its garbage collector stalls replies.
        self.record = record
        self.requests: list[Recorded] = []
        self.chat_count = 0
        self.in_flight = 0
        self.max_in_flight = 0      # the most requests the server was answering at once
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting
    def push(self, *steps: Step) -> None:
        with self._lock:
            self.script.extend(steps)

    def reset(self) -> None:
        with self._lock:
            self.script.clear()
            self.requests.clear()
            self.chat_count = 0

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle
    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle's algorithm on, the client's
            # delayed ACK would stall every reply by ~40 ms.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with fake._lock:
                    if self.path.endswith("/chat/completions"):
                        fake.chat_count += 1
                    if fake.record:
                        fake.requests.append(Recorded(self.path, dict(self.headers), body, time.monotonic()))
                    step = fake.script.popleft() if fake.script else fake.responder
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    reply = step(body) if callable(step) else step
                    delay = reply.delay or fake.latency
                    if delay:
                        time.sleep(delay)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body or {}, ensure_ascii=False)
                data = payload.encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            # socketserver's default listen backlog is 5: a burst of concurrent connections
            # would overflow it and the kernel would drop SYNs (1 s retransmits), a delay no
            # real endpoint adds.
            request_queue_size = 256

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


# ------------------------------------------------------------------ adversarial personas
#
# Each persona starts from the careful answer above and lies in one way, on purpose.  They
# exist to prove what the hybrid lets through when a model is wrong: every lie must be
# rejected by grounding, settled by the arithmetic, or named in the record.  Each persona
# records which cells it falsified (``Liar.lies``), so a test can say how many lies it told.

_NUMBER_TOKEN = re.compile(r"(?<![\d.])\d+(?![\d.])")
_NUMERIC_SECTIONS = ("active", "applications", "appeals")


def _rows(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "not_applicable" and v is not None and v != {}}


def _shift(v: int) -> int:
    """Another number written with the same digits, or one more digit: 27 -> 72, 100 -> 10, 3 -> 33."""
    s = str(v)
    if len(s) > 1:
        rotated = int(s[1:] + s[0])
        if rotated != v:
            return rotated
    return v * 10 + (v % 10 or 1)


def _row_fields(section: str, row: str) -> list[str]:
    """The columns of a row of a section model, in order (empty for a scalar row)."""
    from pydantic import BaseModel

    from schemas import Report

    part = Report.model_fields[section].annotation
    annotation = part.model_fields[row].annotation  # type: ignore[union-attr]
    inner = next((a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)), annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return list(inner.model_fields)
    return []


def _all_rows(section: str) -> list[str]:
    from schemas import Report

    part = Report.model_fields[section].annotation
    return [r for r in part.model_fields if r != "not_applicable"]  # type: ignore[union-attr]


def _lines_with_numbers(text: str) -> list[str]:
    return [ln.strip() for ln in re.split(r"[\n。；]", text) if len(_NUMBER_TOKEN.findall(ln)) >= 2]


def persona_shifted_digits(answer: dict[str, Any], section: str, text: str) -> set[str]:
    """One cell per row gets the same digits in another order (or one more), the true line quoted."""
    lies = set()
    for row, value in _rows(answer["data"]).items():
        if isinstance(value, dict):
            col = next((c for c, v in value.items() if isinstance(v, int) and not isinstance(v, bool)), None)
            if col is not None:
                value[col] = _shift(value[col])
                lies.add(f"{row}.{col}")
        elif isinstance(value, int):
            answer["data"][row] = _shift(value)
            lies.add(row)
    return lies


def persona_wrong_rows(answer: dict[str, Any], section: str, text: str) -> set[str]:
    """Each row gets the next row's figures, with the quote those figures came from."""
    rows = [r for r, v in _rows(answer["data"]).items() if isinstance(v, dict)]
    lies = set()
    if len(rows) < 2:
        return lies
    values = [dict(answer["data"][r]) for r in rows]
    quotes = [answer["quotes"].get(r, "") for r in rows]
    for i, row in enumerate(rows):
        src = (i + 1) % len(rows)
        answer["data"][row] = values[src]
        answer["quotes"][row] = quotes[src]
        lies |= {f"{row}.{c}" for c, v in values[src].items() if values[i].get(c) != v}
    return lies


def persona_invented_rows(answer: dict[str, Any], section: str, text: str) -> set[str]:
    """Rows the report does not fill get numbers taken from a real line, which is quoted."""
    lines = _lines_with_numbers(text)
    lies: set[str] = set()
    present = _rows(answer["data"])
    for i, row in enumerate(r for r in _all_rows(section) if r not in present):
        if not lines:
            break
        line = lines[i % len(lines)]
        tokens = [int(t) for t in _NUMBER_TOKEN.findall(line)]
        cols = _row_fields(section, row)
        if cols:
            answer["data"][row] = dict(zip(cols, tokens))
            lies |= {f"{row}.{c}" for c in list(cols)[:len(tokens)]}
        else:
            answer["data"][row] = tokens[0]
            lies.add(row)
        answer["quotes"][row] = line
    return lies


def persona_self_summing(answer: dict[str, Any], section: str, text: str) -> set[str]:
    """Rows the report does not fill get a real row's figures (which add up to their own total)."""
    present = {r: v for r, v in _rows(answer["data"]).items() if isinstance(v, dict) and "total" in v}
    lies: set[str] = set()
    if not present:
        return lies
    donor, values = next(iter(present.items()))
    for row in _all_rows(section):
        if row in answer["data"] and answer["data"][row] not in (None, {}):
            continue
        if set(values) <= set(_row_fields(section, row)):
            answer["data"][row] = dict(values)
            answer["quotes"][row] = answer["quotes"].get(donor, "")
            lies |= {f"{row}.{c}" for c in values}
    return lies


def persona_false_na(answer: dict[str, Any], section: str, text: str) -> set[str]:
    """Every printed cell is claimed not applicable, quoting the true line (or any line with a '/')."""
    slash = next((ln for ln in text.splitlines() if re.search(r"(^|\s|\|)[/／](\s|\||$)", ln)), None)
    claims: list[str] = []
    for row, value in list(_rows(answer["data"]).items()):
        prefix = row if section == "appeals" else f"{section}.{row}"   # flat keys (schemas.flat)
        cols = list(value) if isinstance(value, dict) else [None]
        claims += [f"{prefix}.{c}" if c else prefix for c in cols]
        answer["data"][row] = None
        if slash:
            answer["quotes"][row] = slash
    answer["data"]["not_applicable"] = claims
    return set(claims)


def persona_other_number(answer: dict[str, Any], section: str, text: str) -> set[str]:
    """One cell per row gets another number printed in the same quote."""
    lies = set()
    for row, value in _rows(answer["data"]).items():
        tokens = [int(t) for t in _NUMBER_TOKEN.findall(answer["quotes"].get(row, ""))]
        cells = value.items() if isinstance(value, dict) else [(None, value)]
        for col, v in cells:
            other = next((t for t in tokens if t != v), None)
            if other is None or not isinstance(v, int):
                continue
            if col is None:
                answer["data"][row] = other
            else:
                value[col] = other
            lies.add(f"{row}.{col}" if col else row)
            break
    return lies


PERSONAS: dict[str, Callable[[dict[str, Any], str, str], set[str]]] = {
    "shifted digits": persona_shifted_digits,
    "wrong rows": persona_wrong_rows,
    "invented rows": persona_invented_rows,
    "self-summing invented rows": persona_self_summing,
    "false n/a": persona_false_na,
    "another number of the quote": persona_other_number,
}


class Liar:
    """A responder that answers every numeric section through one persona, counting its lies."""

    def __init__(self, persona: str) -> None:
        self.persona = PERSONAS[persona]
        self.lies: set[tuple[int, str, str]] = set()
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Reply:
        answer = baseline_answer(request)
        section = section_of(request) or ""
        if section in _NUMERIC_SECTIONS:
            text = section_text_of(request)
            told = self.persona(answer, section, text)
            with self._lock:
                self.lies |= {(hash(text), section, cell) for cell in told}
        return Reply(200, completion(request, answer))
