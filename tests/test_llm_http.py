"""The LLM answerer against a real HTTP server speaking the OpenAI chat-completions protocol.

A stdlib server on 127.0.0.1 (random port, own thread) replies from a script and records
every request, so these tests see exactly what the client sends and how the answerer copes
with good replies, bogus citations, malformed bodies, rate limits, timeouts and a server
that is not there. Decision on a malformed body (HTTP 200, not JSON): it raises LLMError
telling the user to check --llm-base-url — a wrong base URL (a web page answering 200) is
its usual cause, and an answer silently replaced by the extractive one would hide that.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reviewer.answering import answer, rewrite_followup
from reviewer.answering.citations import quote_matches
from reviewer.llm import LLMError, make_chat_model
from reviewer.models import DocType, Passage
from reviewer.settings import Settings

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUESTION = "Which myokines may resistance training release?"


def _paragraph(doc: str, starts_with: str) -> tuple[str, str]:
    """(title, paragraph) of a corpus document: the paragraph that starts with the given words."""
    text = (CORPUS / doc).read_text(encoding="utf-8")
    title = re.search(r"^title:\s*'?(.*?)'?\s*$", text, re.M).group(1)
    for para in re.split(r"\n\s*\n", text):
        if para.strip().startswith(starts_with):
            return title, para.strip()
    raise AssertionError(f"{doc}: no paragraph starts with {starts_with!r}")


@pytest.fixture(scope="module")
def passages() -> list[Passage]:
    picks = [
        ("resistance-training-cognition-muscle-brain-axis-review.md", "Resistance training may release myokines", "Findings"),
        ("news-exercise-muscle-signals-brain.md", "A study published in the journal", None),
        ("exercise-neuroplasticity-multiscale-review.md", "Exercise promotes neuroplasticity", "What are the main findings?"),
    ]
    out = []
    for i, (doc, start, section) in enumerate(picks):
        title, text = _paragraph(doc, start)
        out.append(Passage(chunk_id=f"c{i}", doc_id=doc[:-3], title=title, section=section, text=text,
                           doc_type=DocType.news if doc.startswith("news") else DocType.review))
    return out


class _Handler(BaseHTTPRequestHandler):
    server: "ScriptedServer"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.server.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": json.loads(body)})
        status, payload, headers, delay = self.server.script.pop(0) if self.server.script else (500, "no script", {}, 0)
        if delay:
            time.sleep(delay)
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(payload, str) else "text/html")
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list = []
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def reply(self, content: str, status: int = 200, headers: dict | None = None, delay: float = 0.0) -> None:
        """Queue a chat-completions reply with the given assistant text."""
        body = {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }
        self.script.append((status, body, headers or {}, delay))

    def raw(self, status: int, payload, headers: dict | None = None, delay: float = 0.0) -> None:
        self.script.append((status, payload, headers or {}, delay))


@pytest.fixture(scope="module")
def server():
    srv = ScriptedServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def llm_server(server):
    server.script.clear()
    server.requests.clear()
    return server


def _settings(url: str, **overrides) -> Settings:
    values = {"llm": "openai:test-model", "llm_base_url": url, "llm_api_key": "dummy-key", "llm_timeout": 5.0,
              "llm_max_retries": 2, **overrides}
    return Settings(**values)


def test_client_sends_model_numbered_passages_and_question(llm_server, passages):
    llm_server.reply("Resistance training may release myokines like irisin and IL-6 [1].")
    out = answer(QUESTION, passages, _settings(llm_server.url))

    (request,) = llm_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer dummy-key"
    sent = request["json"]
    assert sent["model"] == "test-model"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    user = sent["messages"][1]["content"]
    assert QUESTION in user
    for n, p in enumerate(passages, 1):
        assert f"[{n}] {p.title}" in user
        assert p.text.split(".")[0] in user
    assert out.llm == "openai:test-model"
    assert [c.n for c in out.citations] == [1]
    assert out.citations[0].chunk_id == passages[0].chunk_id
    assert out.flagged == [] and out.notes == []
    assert "llm" in out.timings_ms


def test_bogus_citation_is_dropped_and_valid_one_kept(llm_server, passages):
    llm_server.reply("Resistance training may release myokines like irisin and IL-6 [1, 7]. "
                     "Innervated muscle sends signals to the brain [7].")
    out = answer(QUESTION, passages, _settings(llm_server.url))
    assert [c.n for c in out.citations] == [1]
    assert "[7]" not in out.answer
    assert any("[7]" in note for note in out.notes)
    # The second sentence lost its only citation, so it is flagged.
    assert [(f.problem, f.sentence) for f in out.flagged] == [("uncited", "Innervated muscle sends signals to the brain.")]


def test_only_bogus_citations_fall_back_to_extractive_answer(llm_server, passages):
    llm_server.reply("Myokines such as irisin are released [7]. Brain networks reorganize [9].")
    out = answer(QUESTION, passages, _settings(llm_server.url))
    assert out.llm is None
    assert any("not used" in note and "cited no passage that was given" in note for note in out.notes)
    assert out.citations and not out.insufficient_evidence
    for citation in out.citations:
        quoted = out.answer.split(f" [{citation.n}]")[0].split("] ")[-1].splitlines()[-1]
        assert quote_matches(quoted.removeprefix("- "), citation.text)  # a listing answer's items are "- " lines


@pytest.mark.parametrize("body", ["<html><body>Welcome to my homepage</body></html>", {"status": "ok"}],
                         ids=["not-json", "json-without-choices"])
def test_malformed_body_raises_clear_error(llm_server, passages, body):
    llm_server.raw(200, body)
    with pytest.raises(LLMError) as caught:
        answer(QUESTION, passages, _settings(llm_server.url))
    message = str(caught.value)
    assert "\n" not in message
    assert llm_server.url in message and "malformed" in message


def test_rate_limit_is_retried_with_backoff(llm_server, passages):
    llm_server.raw(429, {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}})
    llm_server.reply("Resistance training may release myokines like irisin and IL-6 [1].")
    started = time.perf_counter()
    out = answer(QUESTION, passages, _settings(llm_server.url))
    assert len(llm_server.requests) == 2
    assert time.perf_counter() - started >= 0.3  # the client waited (backoff starts near 0.5 s)
    assert [c.n for c in out.citations] == [1]


def test_rate_limit_past_retries_is_one_clear_error(llm_server, passages):
    for _ in range(2):
        llm_server.raw(429, {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}},
                       headers={"retry-after-ms": "20"})
    with pytest.raises(LLMError, match="rate-limiting requests after 1 retries"):
        answer(QUESTION, passages, _settings(llm_server.url, llm_max_retries=1))
    assert len(llm_server.requests) == 2


def test_timeout_is_one_clear_error(llm_server, passages):
    llm_server.reply("too late [1]", delay=2.0)
    make_chat_model("openai:test-model", _settings(llm_server.url))  # provider imports are not the wait measured
    started = time.perf_counter()
    with pytest.raises(LLMError) as caught:
        answer(QUESTION, passages, _settings(llm_server.url, llm_timeout=0.3, llm_max_retries=0))
    assert time.perf_counter() - started < 1.5
    assert str(caught.value) == (f"the LLM server at {llm_server.url} did not answer within 0.3 s: "
                                 "raise REVIEWER_LLM_TIMEOUT or check the server")


def test_timeout_bounds_the_whole_call_not_each_retry(passages):
    """A server that never answers costs llm_timeout in all, not llm_timeout for every retry."""
    silent = ScriptedServer()  # its own server: the abandoned client may still knock after the test
    threading.Thread(target=silent.serve_forever, daemon=True).start()
    try:
        for _ in range(4):
            silent.reply("too late [1]", delay=3.0)
        make_chat_model("openai:test-model", _settings(silent.url))  # provider imports are not the wait measured
        started = time.perf_counter()
        with pytest.raises(LLMError, match=r"did not answer within 1 s"):
            answer(QUESTION, passages, _settings(silent.url, llm_timeout=1.0, llm_max_retries=3))
        assert time.perf_counter() - started < 2.5  # one budget, where each retry's own timeout would take 4+ s
    finally:
        silent.shutdown()
        silent.server_close()


def test_unreachable_server_is_one_clear_error(passages):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(LLMError) as caught:
        answer(QUESTION, passages, _settings(url, llm_max_retries=0))
    assert str(caught.value) == f"cannot reach the LLM server at {url}: connection refused"


def test_missing_api_key_is_one_clear_error(monkeypatch, passages):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMError) as caught:
        answer(QUESTION, passages, Settings(llm="openai:gpt-4o-mini", llm_base_url=None, llm_api_key=None))
    assert str(caught.value) == "OPENAI_API_KEY is not set: export it or pass --llm-base-url for a local server"


def test_followup_rewritten_by_the_server(llm_server):
    llm_server.reply("Standalone question: Does resistance training improve executive function in older adults?")
    history = [("Does resistance training improve memory in older adults?", "Studies show mixed results [1].")]
    out = rewrite_followup("What about executive function?", history, _settings(llm_server.url))
    assert out == "Does resistance training improve executive function in older adults?"
    user = llm_server.requests[0]["json"]["messages"][1]["content"]
    assert "Does resistance training improve memory in older adults?" in user
    assert "What about executive function?" in user
