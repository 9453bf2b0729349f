"""`reviewer chat`: a real terminal driven with pexpect, piped input, and the session's parts in-process."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

from reviewer.cli.chat import ChatCommandError, ChatSession, Command, parse_line, positive_int

from conftest import ROOT

QUESTION = "How much did unstable free-weight training improve processing speed?"
FOLLOW_UP = "what about working memory?"
REVIEWER = ROOT / ".venv" / "bin" / "reviewer"
PROMPT = "reviewer> "
PROMPT_MARK = "reviewer>"  # prompt_toolkit moves the cursor instead of drawing the trailing space

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
_BOX = re.compile(r"[│╭╮╰╯─┃┏┓┗┛━┡┩╇╈┳┻┠┨┼┬┴├┤└┘┌┐]")


def plain(text: str) -> str:
    """Terminal output without escape sequences or carriage returns."""
    return _ANSI.sub("", text).replace("\r", "")


def flat(text: str) -> str:
    """Plain text without box-drawing characters, whitespace collapsed (undoes a panel's wrapping)."""
    return " ".join(_BOX.sub(" ", plain(text)).split())


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWER_")}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1",
               COLUMNS="160", LINES="50")
    return env


@pytest.fixture(scope="module")
def store(corpus_reviewer) -> Path:
    """The corpus store built once with the real model (chat only reads it and adds its history file)."""
    return Path(corpus_reviewer.settings.store)


# ---------------------------------------------------------------- fast: parsing and the session in-process


def test_parse_line_tells_questions_from_commands():
    assert parse_line("  Does training help?  ") == (None, "Does training help?")
    assert parse_line("") == (None, "")
    assert parse_line("/open 3") == (Command.open, "3")
    assert parse_line("/SAVE  notes/review.md ") == (Command.save, "notes/review.md")
    assert parse_line("/llm ollama:llama3.1:8b") == (Command.llm, "ollama:llama3.1:8b")
    assert parse_line("/exit") == (Command.quit, "")
    assert parse_line("/q") == (Command.quit, "")
    with pytest.raises(ChatCommandError, match=r"unknown command /frobnicate: type /help"):
        parse_line("/frobnicate now")


def test_positive_int_names_the_usage():
    assert positive_int("4", "/k N") == 4
    for bad in ("0", "-2", "four"):
        with pytest.raises(ChatCommandError, match=r"/k N: N must be a whole number"):
            positive_int(bad, "/k N")
    with pytest.raises(ChatCommandError, match="usage: /open N"):
        positive_int("", "/open N")


def _session(reviewer, width: int = 140) -> tuple[ChatSession, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    session = ChatSession(reviewer, console=Console(file=out, width=width, highlight=False),
                          err_console=Console(file=err, width=width, highlight=False))
    return session, out, err


def test_piped_lines_run_a_whole_conversation(corpus_reviewer, tmp_path):
    session, out, err = _session(corpus_reviewer)
    transcript = tmp_path / "notes" / "chat.md"
    transcript.parent.mkdir()
    lines = [QUESTION, "", FOLLOW_UP, "/open 1", "/open 99", "/k 3", "/sources", f"/save {transcript}", "/nope",
             "/quit", "never asked"]
    # StringIO is not a terminal, so run() reads it line by line
    code = session.run(stdin=io.StringIO("\n".join(lines) + "\n"))
    text, errors = out.getvalue(), err.getvalue()

    assert code == 1  # two lines ended in an error (/open 99, /nope)
    assert [t.question for t in session.turns] == [QUESTION, FOLLOW_UP]
    first, follow = session.turns
    assert "[1]" in first.answer and first.citations
    assert follow.standalone_question and follow.standalone_question != FOLLOW_UP
    assert f"(searched for: {follow.standalone_question})" in text
    assert "Sources" in text
    # /open 1 prints passage [1] of the last answer in full, not the table's snippet
    assert " ".join(session.passage(1).text.split()) in flat(text)
    assert "the last answer has no passage [99]" in errors
    assert "unknown command /nope: type /help" in errors
    assert session.k == 3 and "passages to retrieve: 3" in text
    assert "never asked" not in text
    saved = transcript.read_text(encoding="utf-8")
    assert f"## {QUESTION}" in saved and f"## {FOLLOW_UP}" in saved and "[1]" in saved
    assert "searched for:" in saved and "| n | title |" in saved


def test_commands_before_any_question_and_a_bad_llm_spec(corpus_reviewer):
    session, out, err = _session(corpus_reviewer)
    for line in ("/sources", "/open 1", "/save x.md", "/llm nonsense-model-name", "/k", "/help"):
        assert session.handle(line) is True
    errors = plain(err.getvalue()).splitlines()
    assert errors[:3] == ["error: no answer yet: ask a question first"] * 2 + ["error: nothing to save yet: ask a question first"]
    assert "nonsense-model-name" in errors[3] and "PROVIDER:MODEL" in errors[3] and len(errors) == 4
    text = out.getvalue()
    assert f"passages to retrieve: {corpus_reviewer.settings.retrieval.k}" in text
    assert all(usage in text for usage in ("/open N", "/save FILE", "/llm SPEC", "Ctrl-D"))
    assert session.handle("/exit") is False


def test_an_llm_error_prints_one_line_and_the_session_goes_on(corpus_reviewer):
    session, out, err = _session(corpus_reviewer)
    session.handle("/llm fake:empty")  # a fake model with no queued reply fails on the first call
    assert "LLM: fake:empty" in out.getvalue()
    session.handle(QUESTION)
    assert plain(err.getvalue()).strip() == "error: FakeChatModel has no queued reply left"
    assert session.turns == []
    session.handle("/llm off")
    session.handle(QUESTION)
    assert len(session.turns) == 1 and session.turns[0].llm is None


class _StuckReviewer:
    """A reviewer whose answers never come (a hung LLM server), to rehearse Ctrl-C."""

    def __init__(self, settings):
        self.settings = settings
        self.release = threading.Event()

    def ask(self, *args, **kwargs):
        self.release.wait(30)
        raise AssertionError("an abandoned answer must not be shown")


def test_ctrl_c_abandons_the_answer_being_computed(corpus_reviewer):
    stuck = _StuckReviewer(corpus_reviewer.settings)
    session, out, err = _session(stuck)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    try:
        assert session.handle("Does training help?") is True
    finally:
        timer.cancel()
        stuck.release.set()
    assert time.perf_counter() - started < 5
    assert "cancelled" in out.getvalue() and session.turns == []


# ---------------------------------------------------------------- real processes


@pytest.fixture()
def silent_llm_server():
    """An 'OpenAI-compatible server' that accepts connections and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(10)
    yield sock
    sock.close()


def _first_request(sock: socket.socket) -> str:
    """The start of the first request that reached the silent server (it is still waiting in the backlog)."""
    conn, _ = sock.accept()
    with conn:
        conn.settimeout(10)
        return conn.recv(4096).decode("latin-1")


def _turn(child, line: str, until: str, timeout: float = 60) -> str:
    """Type a line, wait for `until` in the output and then for the next prompt; the output, plain."""
    child.sendline(line)
    child.expect(until, timeout=timeout)
    seen = child.before + child.after
    child.expect_exact(PROMPT_MARK, timeout=timeout)
    return plain(seen + child.before)


@pytest.mark.slow
def test_chat_in_a_real_terminal(store, corpus_reviewer, tmp_path, silent_llm_server):
    expected = corpus_reviewer.ask(QUESTION)
    started = time.perf_counter()
    silent_url = f"http://127.0.0.1:{silent_llm_server.getsockname()[1]}/v1"
    child = pexpect.spawn(str(REVIEWER), ["chat", "--store", str(store), "--llm-base-url", silent_url],
                          cwd=str(tmp_path), env=child_env(), encoding="utf-8", dimensions=(50, 160), timeout=120)
    try:
        child.expect("reviewer chat")
        child.expect_exact(PROMPT_MARK)
        banner = plain(child.before)
        assert "3 documents" in banner and "LLM: off" in banner

        answer = _turn(child, QUESTION, "Sources", timeout=240)  # waits for the embedding model to load
        first_answer_seconds = time.perf_counter() - started
        assert "[1]" in answer and "controlled trial" in answer  # the table's evidence column

        follow = _turn(child, FOLLOW_UP, "searched for")
        assert "Sources" in follow

        opened = _turn(child, "/open 1", "╰")
        # passage [1] in full, as the first answer retrieved it (the follow-up retrieves the same top passage)
        assert " ".join(expected.passages[0].text.split()) in flat(opened)
        assert "evidence:" in opened and expected.passages[0].title[:40] in flat(opened)

        assert "passages to retrieve: 3" in _turn(child, "/k 3", "passages to retrieve: \\d+")
        child.send("\x1b[A")  # up-arrow recalls "/k 3" from the input history
        time.sleep(0.3)
        assert "passages to retrieve: 3" in _turn(child, "", "passages to retrieve: \\d+")

        assert "saved 2 turns" in _turn(child, "/save transcript.md", "saved \\d+ turns")
        saved = (tmp_path / "transcript.md").read_text(encoding="utf-8")
        assert f"## {QUESTION}" in saved and "[1]" in saved

        assert "type /help for the commands" in _turn(child, "/frobnicate", "unknown command")

        child.send("half a question")  # Ctrl-C at the prompt clears the line and keeps the session
        time.sleep(0.3)
        child.sendintr()
        time.sleep(0.3)
        assert "passages to retrieve: 3" in _turn(child, "/k", "passages to retrieve: \\d+")

        assert "LLM: openai:silent" in _turn(child, "/llm openai:silent", "LLM: ", timeout=120)
        child.sendline("Which myokines may resistance training release?")
        child.expect("searching and answering")
        time.sleep(1.5)  # the answer is now waiting on a server that never replies
        interrupted = time.perf_counter()
        child.sendintr()
        child.expect("cancelled", timeout=10)
        child.expect_exact(PROMPT_MARK, timeout=10)
        cancel_seconds = time.perf_counter() - interrupted
        assert _first_request(silent_llm_server).startswith("POST /v1/chat/completions")  # it was waiting on the LLM
        assert "LLM: off" in _turn(child, "/llm off", "LLM: ")

        child.sendeof()
        child.expect("bye")
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, (child.exitstatus, child.signalstatus)
    history = (store / "chat_history").read_text(encoding="utf-8")
    assert QUESTION in history and "/k 3" in history
    print(f"first answer after {first_answer_seconds:.1f} s; Ctrl-C returned to the prompt in {cancel_seconds:.2f} s")


@pytest.mark.slow
def test_piped_question_through_the_command(store):
    out = subprocess.run([str(REVIEWER), "chat", "--store", str(store)], input=f"{QUESTION}\n/sources\n",
                         capture_output=True, text=True, env=child_env(), timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"{PROMPT}{QUESTION}" in out.stdout and "[1]" in out.stdout
    assert out.stdout.count("Sources") == 2  # after the answer, and for /sources


def test_chat_on_a_missing_or_empty_store_says_what_to_do(tmp_path):
    env = {**child_env(), "REVIEWER_EMBEDDING__MODEL": "hash-256"}
    out = subprocess.run([str(REVIEWER), "chat", "--store", str(tmp_path / "nothing")], input="question\n",
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2
    assert plain(out.stderr).strip().startswith(f"error: no store at {tmp_path / 'nothing'}: run `reviewer ingest PATH")
    assert not (tmp_path / "nothing").exists()
    (tmp_path / "empty").mkdir()
    out = subprocess.run([str(REVIEWER), "chat", "--store", str(tmp_path / "empty")], input="question\n",
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2
    assert plain(out.stderr).strip() == f"error: the store at {tmp_path / 'empty'} is empty: run `reviewer ingest PATH` first"
