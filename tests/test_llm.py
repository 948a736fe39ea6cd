"""The real client path (openai + instructor over HTTP) against the scripted server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.config import Settings
from extractor.ingest import load_path, load_text
from extractor.llm.backend import LLMBackend
from extractor.llm.transport import RateLimiter
from tests.fake_openai import FakeOpenAI, Reply, baseline_answer, completion, section_of

KEY = "sk-test-DO-NOT-LEAK-42"


@pytest.fixture
def server():
    srv = FakeOpenAI().start()
    yield srv
    srv.stop()


def make_settings(server: FakeOpenAI, tmp_path: Path, **over) -> Settings:
    values = dict(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=KEY, EXTRACTOR_MODEL="test-model",
                  EXTRACTOR_CACHE_DIR=str(tmp_path / "cache"), EXTRACTOR_BACKOFF_BASE=0.01,
                  EXTRACTOR_BACKOFF_MAX=3.0, EXTRACTOR_TIMEOUT=5.0)
    values.update(over)
    return Settings(**values)


@pytest.fixture
def chongqing(dev_dir):
    return load_path(dev_dir / "002_392dabf3539690db.txt")


def run_one(settings: Settings, doc, sections=None):
    backend = LLMBackend(settings)
    item, result = next(iter(backend.stream([doc], lambda d: d, (lambda d: sections) if sections else None)))
    if isinstance(result, Exception):
        raise result
    return backend, result


def test_correct_answer_fills_the_section_with_evidence(server, tmp_path, chongqing):
    backend, ext = run_one(make_settings(server, tmp_path), chongqing, ["applications"])
    assert ext.values["applications.new_received.natural_person"].value == 6398
    assert ext.values["applications.carried_forward.total"].value == 173
    start, end = ext.values["applications.granted.total"].span
    assert "3983" in chongqing.text[start:end]
    assert ext.values["applications.granted.total"].source == "model"
    [req] = server.chat_requests
    sent = json.dumps(req.body["messages"], ensure_ascii=False)
    # only the section's text was sent, with the title and year, and the prompt version
    assert "本年新收政府信息公开申请数量" in sent and "重庆市2019年政府信息公开工作年度报告" in sent
    assert "第二十条第(一)项" not in sent and "五、存在的主要问题" not in sent and "一是强化组织领导" not in sent
    assert "[prompt applications@4]" in req.body["messages"][0]["content"]
    assert {k.lower(): v for k, v in req.headers.items()}.get("x-extractor-prompt") == "applications@4"
    assert req.body["tools"][0]["function"]["name"] == "ApplicationsAnswer"
    assert ext.usage["total"]["calls"] == 1 and ext.usage["total"]["prompt_tokens"] == 100


def test_malformed_json_is_reasked_with_the_error_then_accepted(server, tmp_path, chongqing):
    server.push(lambda req: Reply(200, completion(req, '{"data": {"new_received": ')))
    backend, ext = run_one(make_settings(server, tmp_path), chongqing, ["applications"])
    assert ext.values["applications.new_received.total"].value == 7522
    first, second = server.chat_requests
    assert len(second.body["messages"]) > len(first.body["messages"])
    assert ext.usage["total"]["reasks"] == 1 and ext.usage["total"]["calls"] == 2
    assert ext.usage["total"]["prompt_tokens"] == 200  # the failed attempt is counted too


def test_only_the_last_failed_attempt_is_carried(server, tmp_path, chongqing):
    bad = lambda req: Reply(200, completion(req, '{"data": '))  # noqa: E731
    server.push(bad, bad)
    run_one(make_settings(server, tmp_path, EXTRACTOR_MAX_REASKS=2), chongqing, ["applications"])
    third = server.chat_requests[2]
    roles = [m["role"] for m in third.body["messages"]]
    assert roles.count("assistant") == 1  # not two failed attempts stacked up


def test_ungrounded_quote_is_reasked_then_dropped_and_recorded(server, tmp_path, chongqing):
    def liar(req):
        answer = baseline_answer(req)
        answer["quotes"]["granted"] = "予以公开 9999 件"
        answer["data"]["granted"]["total"] = 9999
        return Reply(200, completion(req, answer))

    server.responder = liar
    backend, ext = run_one(make_settings(server, tmp_path, EXTRACTOR_MAX_REASKS=1), chongqing, ["applications"])
    assert len(server.chat_requests) == 2  # asked, re-asked once
    assert "摘录" in json.dumps(server.chat_requests[1].body["messages"], ensure_ascii=False)
    assert "applications.granted.total" not in ext.values
    assert ext.values["applications.new_received.total"].value == 7522  # grounded rows kept
    assert any(f.kind == "ungrounded_dropped" and "granted" in f.message for f in ext.flags)


def test_429_honours_retry_after(server, tmp_path, chongqing):
    server.push(Reply(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "1"}))
    backend, ext = run_one(make_settings(server, tmp_path), chongqing, ["appeals"])
    first, second = server.chat_requests
    assert second.at - first.at >= 0.95
    assert ext.values["review.total"].value == 271
    assert ext.usage["total"]["failed_requests"] == 1


def test_500_twice_then_success(server, tmp_path, chongqing):
    server.push(Reply(500, {"error": {"message": "boom"}}), Reply(503, {"error": {"message": "busy"}}))
    backend, ext = run_one(make_settings(server, tmp_path), chongqing, ["appeals"])
    assert len(server.chat_requests) == 3
    assert ext.values["litigation_after_review.total"].value == 79
    assert ext.usage["total"]["reasks"] == 0  # transport retries are not re-asks


def test_timeout_is_retried_then_reported(server, tmp_path, chongqing):
    server.latency = 1.0
    settings = make_settings(server, tmp_path, EXTRACTOR_TIMEOUT=0.3, EXTRACTOR_TRANSPORT_ATTEMPTS=2)
    backend, ext = run_one(settings, chongqing, ["appeals"])
    assert len(server.chat_requests) == 2
    assert "review.total" not in ext.values
    assert any(f.kind == "model_error" and "timeout" in f.message for f in ext.flags)


def test_401_fails_at_once_with_a_clear_message_and_no_key(server, tmp_path, chongqing):
    server.push(Reply(401, {"error": {"message": "bad key"}}))
    backend, ext = run_one(make_settings(server, tmp_path), chongqing, ["appeals"])
    assert len(server.chat_requests) == 1
    [flag] = [f for f in ext.flags if f.kind == "model_error"]
    assert "OPENAI_API_KEY" in flag.message and KEY not in flag.message


def test_truncated_answer_fails_fast_is_flagged_and_not_cached(server, tmp_path, chongqing):
    server.push(lambda req: Reply(200, completion(req, baseline_answer(req), finish="length")))
    settings = make_settings(server, tmp_path)
    backend, ext = run_one(settings, chongqing, ["appeals"])
    assert len(server.chat_requests) == 1
    [flag] = [f for f in ext.flags if f.kind == "truncated_answer"]
    assert "finish_reason=length" in flag.message and "review.total" not in ext.values
    backend, again = run_one(settings, chongqing, ["appeals"])   # asked again, not served a cut-off answer
    assert len(server.chat_requests) == 2 and again.values["review.total"].value == 271


def test_trimmed_answer_is_not_cached_as_complete(server, tmp_path, chongqing):
    def liar(req):
        answer = baseline_answer(req)
        answer["data"]["review"]["total"] = 2710
        return Reply(200, completion(req, answer))

    settings = make_settings(server, tmp_path, EXTRACTOR_MAX_REASKS=0)
    server.push(liar)
    backend, ext = run_one(settings, chongqing, ["appeals"])
    assert "review.total" not in ext.values and any(f.kind == "ungrounded_dropped" for f in ext.flags)
    backend, again = run_one(settings, chongqing, ["appeals"])   # the dropped row is asked again
    assert len(server.chat_requests) == 2 and again.values["review.total"].value == 271


def test_each_section_gets_its_own_max_tokens(server, tmp_path, chongqing):
    from extractor.llm.backend import SECTION_MAX_TOKENS

    run_one(make_settings(server, tmp_path), chongqing, ["appeals", "applications"])
    sent = {section_of(r.body): r.body["max_tokens"] for r in server.chat_requests}
    assert sent == {"appeals": SECTION_MAX_TOKENS["appeals"], "applications": SECTION_MAX_TOKENS["applications"]}
    assert sent["appeals"] < sent["applications"]
    server.reset()
    run_one(make_settings(server, tmp_path, EXTRACTOR_MAX_TOKENS=700, EXTRACTOR_USE_CACHE=False), chongqing, ["appeals"])
    assert server.chat_requests[0].body["max_tokens"] == 700


def test_circuit_breaker_stops_asking_a_dead_endpoint(server, tmp_path, dev_dir):
    server.responder = lambda req: Reply(400, {"error": {"message": "model not loaded"}})
    docs = [load_text(load_path(dev_dir / "c038_pingtan_jtj_2022.txt").text + f"\n附注{i}") for i in range(4)]
    settings = make_settings(server, tmp_path, EXTRACTOR_CONCURRENCY=1, EXTRACTOR_MAX_CONSECUTIVE_FAILURES=3)
    results = [r for _, r in LLMBackend(settings).stream(docs, lambda d: d)]
    assert len(server.chat_requests) == 3                     # 4 documents x 5 sections, 3 calls made
    kinds = [f.kind for r in results for f in r.flags]
    assert kinds.count("model_error") == 3 and kinds.count("circuit_open") == 4 * 5 - 3


def test_calling_the_backend_raises_a_failure_instead_of_returning_it(server, tmp_path, chongqing, monkeypatch):
    backend = LLMBackend(make_settings(server, tmp_path))

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(backend, "aextract", broken)
    with pytest.raises(RuntimeError, match="boom"):
        backend(chongqing)


def test_think_blocks_are_stripped_in_json_mode(server, tmp_path, chongqing):
    server.push(lambda req: Reply(200, completion(req, baseline_answer(req), content_prefix="<think>嗯，让我想想 {\"x\": 1}</think>\n")))
    backend, ext = run_one(make_settings(server, tmp_path, EXTRACTOR_MODE="json"), chongqing, ["appeals"])
    assert ext.values["review.upheld"].value == 153
    assert "tools" not in server.chat_requests[0].body


def test_second_run_is_served_from_cache(server, tmp_path, chongqing):
    settings = make_settings(server, tmp_path)
    run_one(settings, chongqing)
    n = len(server.chat_requests)
    assert n == 5
    server.reset()
    backend, ext = run_one(settings, chongqing)
    assert server.chat_requests == []
    assert ext.usage["total"]["cache_hits"] == 5 and ext.values["review.total"].value == 271
    cache_bytes = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert KEY.encode() not in cache_bytes


def test_cache_key_changes_with_the_model(server, tmp_path, chongqing):
    run_one(make_settings(server, tmp_path), chongqing, ["appeals"])
    run_one(make_settings(server, tmp_path, EXTRACTOR_MODEL="other-model"), chongqing, ["appeals"])
    assert len(server.chat_requests) == 2


def test_failures_are_never_cached(server, tmp_path, chongqing):
    server.push(Reply(401, {"error": {"message": "bad key"}}))
    settings = make_settings(server, tmp_path)
    run_one(settings, chongqing, ["appeals"])
    backend, ext = run_one(settings, chongqing, ["appeals"])
    assert len(server.chat_requests) == 2 and ext.values["review.total"].value == 271


def test_token_budget_stops_runaway_reasks(server, tmp_path, chongqing):
    server.responder = lambda req: Reply(200, completion(req, '{"data": ', usage=(900, 100)))
    settings = make_settings(server, tmp_path, EXTRACTOR_MAX_REASKS=8, EXTRACTOR_DOC_TOKEN_BUDGET=2500)
    backend, ext = run_one(settings, chongqing, ["appeals"])
    assert len(server.chat_requests) == 3  # 3 x 1000 tokens, then the budget stops it
    assert any("budget" in f.message for f in ext.flags)


def test_usage_is_estimated_when_the_endpoint_reports_none(server, tmp_path, chongqing):
    server.responder = lambda req: Reply(200, completion(req, baseline_answer(req), usage=None))
    backend, ext = run_one(make_settings(server, tmp_path), chongqing, ["appeals"])
    total = ext.usage["total"]
    assert total["estimated"] is True and total["prompt_tokens"] > 100


def test_documents_and_sections_run_concurrently(server, tmp_path, dev_dir):
    server.latency = 0.25
    docs = [load_text(load_path(dev_dir / "c038_pingtan_jtj_2022.txt").text + f"\n附注{i}") for i in range(8)]
    settings = make_settings(server, tmp_path, EXTRACTOR_CONCURRENCY=8, EXTRACTOR_USE_CACHE=False)
    backend = LLMBackend(settings)
    results = list(backend.stream(docs, lambda d: d))
    calls = len(server.chat_requests)
    assert calls == 8 * 5 and all(not isinstance(r, Exception) for _, r in results)
    # requests overlapped (a serial client would never have two in flight), and never beyond the limit
    assert 2 <= server.max_in_flight <= 8, server.max_in_flight


def test_cli_extract_and_eval_with_the_llm_backend(server, tmp_path, dev_dir, monkeypatch):
    from typer.testing import CliRunner

    from extractor.cli import app

    for k, v in dict(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=KEY, EXTRACTOR_MODEL="test-model",
                     EXTRACTOR_CACHE_DIR=str(tmp_path / "cache")).items():
        monkeypatch.setenv(k, v)
    out = tmp_path / "run.jsonl"
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(dev_dir / "002_392dabf3539690db.txt"), str(dev_dir / "c038_pingtan_jtj_2022.txt"),
                                 "--backend", "llm", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["backend"] for r in records} == {"llm"} and all(r["error"] is None for r in records)
    assert all(r["usage"]["total"]["calls"] == 5 for r in records)
    assert "completions" in result.output and KEY not in result.output and KEY not in out.read_text(encoding="utf-8")
    result = runner.invoke(app, ["eval", "--reports", str(dev_dir), "--backend", "llm"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("overall: precision=")


def test_cli_llm_backend_without_model_is_a_clear_error(monkeypatch, dev_dir):
    from typer.testing import CliRunner

    from extractor.cli import app

    monkeypatch.delenv("EXTRACTOR_MODEL", raising=False)
    result = CliRunner().invoke(app, ["extract", str(dev_dir / "c038_pingtan_jtj_2022.txt"), "--backend", "llm"])
    assert result.exit_code == 2 and "EXTRACTOR_MODEL" in result.output


def test_cache_stats_and_clear_commands(server, tmp_path, chongqing, monkeypatch):
    from typer.testing import CliRunner

    from extractor.cli import app

    settings = make_settings(server, tmp_path)
    run_one(settings, chongqing, ["appeals", "other"])
    monkeypatch.setenv("EXTRACTOR_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    assert "2 cached section answers" in runner.invoke(app, ["cache", "stats"]).output
    assert "removed 2" in runner.invoke(app, ["cache", "clear"]).output
    assert "0 cached section answers" in runner.invoke(app, ["cache", "stats"]).output


def test_json_schema_mode_sends_a_response_format_not_tools(server, tmp_path, chongqing):
    backend, ext = run_one(make_settings(server, tmp_path, EXTRACTOR_MODE="json_schema"), chongqing, ["appeals"])
    body = server.chat_requests[0].body
    assert "tools" not in body and body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "AppealsAnswer"
    assert ext.values["review.total"].value == 271


def test_rate_limiter_spaces_slots_evenly():
    """Slots are reserved 1/rps apart, whatever the arrival times (a fake clock: no timing in the test)."""
    now = [100.0]
    limiter = RateLimiter(20, clock=lambda: now[0])
    delays = [limiter.slot() for _ in range(10)]
    assert delays == pytest.approx([0.05 * i for i in range(10)])
    now[0] = 200.0                       # idle for a while: no debt is carried over
    assert limiter.slot() == 0.0
    assert RateLimiter(None).interval == 0.0


def test_client_side_rate_limit_is_used_by_the_backend(server, tmp_path, dev_dir, monkeypatch):
    import extractor.llm.backend as backend_module

    made: list[RateLimiter] = []

    class Recording(RateLimiter):
        def __init__(self, per_second: float | None) -> None:
            super().__init__(per_second)
            made.append(self)

    monkeypatch.setattr(backend_module, "RateLimiter", Recording)
    docs = [load_text(load_path(dev_dir / "c038_pingtan_jtj_2022.txt").text + f"\n附注{i}") for i in range(2)]
    settings = make_settings(server, tmp_path, EXTRACTOR_CONCURRENCY=16, EXTRACTOR_MAX_RPS=20, EXTRACTOR_USE_CACHE=False)
    list(LLMBackend(settings).stream(docs, lambda d: d))
    assert len(server.chat_requests) == 10
    assert len(made) == 1 and made[0].interval == pytest.approx(0.05)
    assert made[0].reserved == 10     # every request waited for its slot


# ---------------------------------------------------------------- grounding (invented rows, official layouts)

from extractor.llm import grounding as grounding_module  # noqa: E402
from extractor.llm.answers import ApplicationsAnswer, AppealsAnswer, ungrounded  # noqa: E402
from extractor.llm.grounding import prints_not_applicable, values_grounded, why_ungrounded  # noqa: E402

_INVENTED_TABLE3 = ("三、收到和处理政府信息公开申请情况\n"
                    "一、本年新收政府信息公开申请数量413010247\n"
                    "（一）予以公开 | 25 | 2 | 0 | 1 | 0 | 1 | 29 |\n"
                    "（二）部分公开 | 6 | 0 | 0 | 0 | 0 | 0 | 6 |\n"
                    "1.属于国家秘密00000002.其他法律行政法规禁止公开0000000\n"
                    "（四）无法提供 1.本机关不掌握相关政府信息 | 3 | — | 0 | 0 | 0 | 0 | 3 |\n")


def test_a_value_must_be_one_number_token_of_its_quote():
    assert values_grounded([3100], "行政处罚31 行政强制0") == [3100]       # digits across cells prove nothing
    assert values_grounded([31], "行政处罚31 行政强制0") == []
    assert values_grounded([1336000], "主动公开信息27.5万条，其中133.6万条") == []
    assert values_grounded([275000], "主动公开信息27.5万条") == []
    assert values_grounded([30700.0], "采购总金额3.07亿元") == []          # money compared in 万元


def test_zero_needs_a_zero_not_any_0_digit_or_the_wu_of_wufatigong():
    assert values_grounded([0], "（四）无法提供 3 |") == [0]
    assert values_grounded([0], "予以公开 | 20 | 30 |") == [0]
    assert values_grounded([0], "予以公开 | 20 | 0 |") == []
    assert values_grounded([0], "科研机构 | — |") == []
    assert values_grounded([0], "本年度未收到政府信息公开行政复议申请") == []   # prose negation, one figure
    assert values_grounded([0, 0], "本年度未收到政府信息公开行政复议申请") == [0, 0]


def test_run_together_row_is_grounded_as_a_whole_and_only_when_read_exactly():
    quote = "一、本年新收政府信息公开申请数量413010247"
    assert values_grounded([41, 3, 0, 1, 0, 2, 47], quote) == []
    assert values_grounded([41, 3, 0, 1, 0, 2, 4], quote)          # a digit dropped at the end
    assert values_grounded([4, 13, 0, 1, 0, 2, 47], quote) == []   # another split of the same digits: arithmetic's job
    assert values_grounded([1, 3, 0, 1, 0, 2, 47], quote)          # a digit dropped at the start
    # the run may touch the next row's numbering, never more of itself
    assert values_grounded([0] * 7, "1.属于国家秘密00000002.其他法律行政法规禁止公开") == []
    assert values_grounded([0] * 6, "1.属于国家秘密00000002.其他法律行政法规禁止公开")


def test_cells_of_a_spaced_row_must_appear_in_column_order():
    quote = "（一）予以公开 | 25 | 2 | 0 | 1 | 0 | 1 | 29 |"
    assert values_grounded([25, 2, 0, 1, 0, 1, 29], quote) == []
    assert values_grounded([2, 25, 0, 1, 0, 1, 29], quote)          # two cells swapped


def test_a_quote_naming_another_row_grounds_nothing():
    assert why_ungrounded("applications", "granted", 6, "（二）部分公开 | 6 |") is not None
    assert why_ungrounded("applications", "partially_granted", 6, "（二）部分公开 | 6 |") is None
    assert why_ungrounded("appeals", "review", 3, "3 | 0 | 1") is None                  # label-less layouts pass


def test_grounding_is_not_a_rubber_stamp(monkeypatch):
    """With the value check replaced by 'always grounded', an invented value must get through —
    i.e. the check above is what keeps it out."""
    answer = ApplicationsAnswer.model_validate(
        {"data": {"granted": {"natural_person": 52, "total": 29}}, "quotes": {"granted": "（一）予以公开 | 25 | 2 | 0 | 1 | 0 | 1 | 29 |"}})
    assert "granted" in ungrounded(answer, _INVENTED_TABLE3)
    monkeypatch.setattr(grounding_module, "values_grounded", lambda values, quote: [])
    assert "granted" not in ungrounded(answer, _INVENTED_TABLE3)


def test_not_applicable_claims_need_a_quoted_marker():
    text = "四、政府信息公开行政复议、行政诉讼情况\n行政复议 | 2 | 0 | 0 | 0 | 2 |\n复议后起诉 | / | / | / | / | / |\n"
    good = AppealsAnswer.model_validate({"data": {"not_applicable": ["litigation_after_review.total"]},
                                         "quotes": {"litigation_after_review": "复议后起诉 | / | / | / | / | / |"}})
    assert ungrounded(good, text) == {}
    unquoted = AppealsAnswer.model_validate({"data": {"not_applicable": ["review.total"]}, "quotes": {}})
    assert "not_applicable:review.total" in ungrounded(unquoted, text)
    wrong_quote = AppealsAnswer.model_validate({"data": {"not_applicable": ["review.total"]},
                                                "quotes": {"review": "行政复议 | 2 | 0 | 0 | 0 | 2 |"}})
    assert "not_applicable:review.total" in ungrounded(wrong_quote, text)
    assert prints_not_applicable("规章 | 不适用 |") and not prints_not_applicable("规章 | 1 | 3 |")


def test_a_text_that_is_not_a_report_raises_before_any_model_call(server, tmp_path):
    from extractor.errors import NotAReport
    from extractor.reconcile.hybrid import HybridBackend

    notice = load_text("气象台发布暴雨蓝色预警：预计今天夜间到明天白天，全市有大到暴雨，局部大暴雨，请注意防范。" * 3)
    for backend in (LLMBackend(make_settings(server, tmp_path)), HybridBackend(make_settings(server, tmp_path))):
        with pytest.raises(NotAReport):
            backend(notice)
    assert server.chat_requests == []


@pytest.mark.parametrize("section", ["active", "applications", "appeals"])  # the numeric parts share the rules
def test_prompts_list_exactly_the_vocabularys_markers(section):
    """The prompt's zero / not-applicable markers are the ones the baseline and grounding use."""
    from extractor.llm.prompts import load_prompt
    from schemas.vocabulary import NA_MARKERS, ZERO_MARKERS

    system = load_prompt(None, section).system
    assert "{{" not in system
    rule = next(line for line in system.splitlines() if "not_applicable" in line)
    zero_part, na_part = rule.split("的单元格是 0", 1)
    for marker in ZERO_MARKERS:
        assert marker in zero_part.split("或", 1)[1], marker
    listed_na = na_part.split("印为", 1)[1].split("的单元格", 1)[0].strip().split("、")
    assert set(listed_na) == set(NA_MARKERS)


def test_a_lone_cell_of_a_run_together_row_is_not_proved_by_the_run():
    """Invented rows of the shape the scripted server used to quote (c019's 行政许可3705 = 37|0|5,
    c045's year-and-cumulative 同意公开答复数条22): the run proves the whole row read exactly,
    never one cell of it, since 3 from "2903" is how a truncated 2903 would look too."""
    assert values_grounded([3], "行政许可2903其他对外管理服务事项") == [3]
    assert values_grounded([29, 0, 3], "行政许可2903其他对外管理服务事项") == []
    assert values_grounded([4], "1.同意公开答复数条442.同意部分公开答复数条00") == [4]
    assert values_grounded([4], "已答复中“同意公开”的件数为4件") == []     # the clause a careful model quotes


def test_the_scripted_server_answers_every_dev_report_with_grounded_quotes(server, tmp_path, dev_dir):
    """bench_llm measures plumbing with this server: an answer grounding refuses would be timed as
    re-asks and left uncached, which no careful model causes."""
    from extractor.reconcile.hybrid import HybridBackend

    docs = [load_path(p) for p in sorted(dev_dir.glob("*.txt"))]
    backend = HybridBackend(make_settings(server, tmp_path, EXTRACTOR_USE_CACHE=False))
    results = list(backend.stream(docs, lambda d: d))
    assert not [r for _, r in results if isinstance(r, Exception)]
    assert backend.ungrounded_dropped == 0
    assert sum(r.usage["total"]["reasks"] for _, r in results) == 0
    asked = [(section_of(r.body), r.body["messages"][1]["content"]) for r in server.chat_requests]
    assert len(asked) == len(set(asked))                                  # no section asked twice


def test_the_request_on_the_wire_carries_messages_schema_and_settings(server, tmp_path, chongqing):
    """The request JSON goes as the SDK's extra_body (no SDK re-walk): the body must still be whole."""
    run_one(make_settings(server, tmp_path, EXTRACTOR_USE_CACHE=False), chongqing, ["appeals"])
    [req] = server.chat_requests
    body = req.body
    assert body["model"] == "test-model" and body["max_tokens"] > 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"] and "行政复议" in body["messages"][1]["content"]
    [tool] = body["tools"]
    assert tool["function"]["parameters"]["properties"]        # the answer model's schema
    assert body["tool_choice"]["function"]["name"] == tool["function"]["name"]


def test_ordered_stream_pulls_lazily_and_yields_in_input_order(server, tmp_path, dev_dir):
    """Bulk jobs hand documents over as an iterator: the backend must pull only what it can work
    on (flat memory) and, ordered, give them back in input order even when a later one finishes
    first."""
    text = load_path(dev_dir / "c038_pingtan_jtj_2022.txt").text
    docs = [load_text(text + f"\n附注{i}", name=f"d{i}.txt") for i in range(12)]
    slow = "附注0"

    def respond(req):
        answer = baseline_answer(req)
        user = req["messages"][-1]["content"]
        return Reply(200, completion(req, answer), delay=0.4 if slow in user else 0.0)

    server.responder = respond
    pulled: list[int] = []

    def items():
        for i, d in enumerate(docs):
            pulled.append(i)
            yield d

    settings = make_settings(server, tmp_path, EXTRACTOR_CONCURRENCY=2, EXTRACTOR_USE_CACHE=False)
    out = []
    for doc, result in LLMBackend(settings).stream(items(), lambda d: d, lambda d: ["other"], ordered=True):
        assert not isinstance(result, Exception)
        out.append(doc.path)
        if len(out) == 1:
            first_pulled = len(pulled)
    assert out == [d.path for d in docs]
    assert first_pulled <= 2 * 2 * 2    # never more than "ahead" (2 x in flight) documents taken
    assert len(pulled) == len(docs)
    unordered = [d.path for d, _ in LLMBackend(settings).stream(docs, lambda d: d, lambda d: ["other"])]
    assert sorted(unordered) == sorted(out) and unordered[0] != docs[0].path   # the slow one is not first


def test_model_calls_run_on_uvloop_where_it_is_installed(server, tmp_path, chongqing):
    import asyncio

    uvloop = pytest.importorskip("uvloop")
    loops: list[type] = []

    async def load(doc):
        loops.append(type(asyncio.get_running_loop()))
        return doc

    backend = LLMBackend(make_settings(server, tmp_path, EXTRACTOR_USE_CACHE=False))
    [(_, result)] = list(backend.stream([chongqing], load, lambda d: ["appeals"]))
    assert not isinstance(result, Exception) and result.values
    assert loops == [uvloop.Loop]
