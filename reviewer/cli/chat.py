"""`reviewer chat`: questions and follow-ups over one store, in a terminal session.

Each question goes to `Reviewer.ask` with the conversation so far, so a follow-up ("what
about working memory?") is rewritten into a standalone question before retrieval. Lines
starting with "/" are commands (see `COMMANDS`). On a terminal, input is edited with
prompt_toolkit and kept in a history file (up-arrow recalls it); piped input is read one
line per question, so `echo "question" | reviewer chat` works.

Ctrl-C while an answer is computed abandons it (the work runs in a daemon thread) and
returns to the prompt; Ctrl-C at the prompt clears the line; Ctrl-D leaves.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable, Optional, TypeVar

from reviewer.errors import ReviewerError, user_errors
from reviewer.models import Answer, Passage

PROMPT = "reviewer> "
HISTORY_FILE = "chat_history"  # inside an embedded store
SERVER_HISTORY = Path("~/.reviewer_history")  # for a Chroma server, whose store is not a local folder

T = TypeVar("T")


class Command(str, Enum):
    """The slash commands of a chat session."""

    sources = "sources"
    open = "open"
    save = "save"
    k = "k"
    llm = "llm"
    help = "help"
    quit = "quit"


ALIASES = {"exit": Command.quit, "q": Command.quit, "?": Command.help}

COMMANDS: dict[Command, tuple[str, str]] = {
    Command.sources: ("/sources", "the sources of the last answer"),
    Command.open: ("/open N", "passage N of the last answer in full, with its evidence tag and why"),
    Command.save: ("/save FILE", "write the conversation, with citations, to a Markdown file"),
    Command.k: ("/k N", "retrieve N passages per question (no N: show the current value)"),
    Command.llm: ("/llm SPEC", "answer with an LLM, e.g. openai:gpt-4o-mini; /llm off: offline answers"),
    Command.help: ("/help", "this list"),
    Command.quit: ("/quit, /exit", "leave (Ctrl-D does too)"),
}


class ChatCommandError(ReviewerError):
    """A slash command that is unknown or has a bad argument."""


def parse_line(line: str) -> tuple[Optional[Command], str]:
    """Split an input line into (command, argument); a question gives (None, question).

    A blank line gives (None, "").

    Raises:
        ChatCommandError: the line starts with "/" but names no command.
    """
    text = line.strip()
    if not text.startswith("/"):
        return None, text
    name, _, arg = text[1:].partition(" ")
    name = name.lower()
    command = ALIASES.get(name)
    if command is None:
        try:
            command = Command(name)
        except ValueError:
            raise ChatCommandError(f"unknown command /{name}: type /help for the commands") from None
    return command, arg.strip()


def positive_int(arg: str, usage: str) -> int:
    """The argument as a whole number ≥ 1, or a ChatCommandError showing the usage."""
    try:
        value = int(arg)
    except ValueError:
        value = 0
    if value < 1:
        raise ChatCommandError(f"{usage}: N must be a whole number of at least 1, not '{arg}'" if arg else f"usage: {usage}")
    return value


def history_path(settings) -> Path:
    """Where input history is kept: inside an embedded store, or in the home folder for a server."""
    if settings.chroma_url:
        return SERVER_HISTORY.expanduser()
    return Path(settings.store).expanduser() / HISTORY_FILE


def transcript_markdown(turns: list[Answer], location: str = "", style: str = "author-year") -> str:
    """A conversation as Markdown: each question, its answer with [n] markers, its sources and references."""
    from reviewer.cli.render import answer_markdown

    head = f"# reviewer chat, {datetime.now():%Y-%m-%d %H:%M}"
    parts = [head, "", f"Store: {location}", ""] if location else [head, ""]
    for turn in turns:
        md = answer_markdown(turn, style)
        if turn.standalone_question and turn.standalone_question != turn.question:
            title, _, rest = md.partition("\n")
            md = f"{title}\n\n*(searched for: {turn.standalone_question})*\n{rest}"
        parts.append(md)
    return "\n".join(parts)


def quiet_progress_bars() -> None:
    """Turn off model-loading progress bars for this process: they would draw over the prompt."""
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"  # read by transformers when it is imported
    if "transformers" in sys.modules:
        from transformers.utils import logging

        logging.disable_progress_bar()


class ChatSession:
    """A conversation with a `Reviewer`: the turns so far, the chosen k and LLM.

    Args:
        reviewer: the `Reviewer` over the store.
        k: passages to retrieve per question (None: the settings' value).
        console: where answers go (a rich Console; stdout by default).
        err_console: where one-line errors go (stderr by default).
        filters: retrieval filters applied to every question, as for `Reviewer.ask`.

    Example:
        >>> session = ChatSession(Reviewer(store="/tmp/store"))
        >>> session.run_lines(["Does training improve memory?", "/sources"])
        0
    """

    def __init__(self, reviewer, k: Optional[int] = None, console=None, err_console=None,
                 filters: Optional[dict] = None, style: str = "author-year"):
        from rich.console import Console

        self.reviewer = reviewer
        self.k = k
        self.filters = dict(filters or {})  # retrieval filters for every question (designs, min_strength)
        self.style = style  # reference-list style of printed answers and saved transcripts
        self.llm = None  # a chat model chosen with /llm; None means the settings' choice
        self.llm_label: Optional[str] = None
        self.turns: list[Answer] = []
        self.errors = 0
        self.console = console or Console(highlight=False)
        self.err = err_console or Console(stderr=True, highlight=False)
        self._warm: Optional[threading.Thread] = None

    # -- start ---------------------------------------------------------------------------------

    def check_store(self) -> str:
        """A one-line description of the store; raises the store's error when it is empty or unusable."""
        from reviewer.retrieval.store import StoreError

        stats = self.reviewer.stats()
        if stats.documents == 0:
            raise StoreError(f"the store at {stats.location} is empty: run `reviewer ingest PATH` first")
        return f"{stats.documents} documents, {stats.chunks} chunks in {stats.location}"

    def warm_up(self) -> None:
        """Load the embedding model and BM25 index in the background while the first question is typed."""
        def load() -> None:
            try:
                self.reviewer.embedder.embed_query("warm-up")
                self.reviewer.lexical()
            except Exception:  # noqa: BLE001 - the first question reports the same problem in one line
                pass

        self._warm = threading.Thread(target=load, name="reviewer-warm-up", daemon=True)
        self._warm.start()

    @property
    def llm_name(self) -> str:
        return self.llm_label or self.reviewer.settings.llm or "off (offline extractive answers)"

    @property
    def last(self) -> Optional[Answer]:
        return self.turns[-1] if self.turns else None

    # -- one line ------------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Act on one input line (a question or a command); returns False when the session should end.

        Library errors print one line and the session goes on; Ctrl-C abandons the current answer.
        """
        try:
            command, arg = parse_line(line)
            if command is None:
                if arg:
                    self.ask(arg)
                return True
            if command is Command.quit:
                return False
            getattr(self, f"_do_{command.value}")(arg)
        except user_errors() as exc:
            self.error(str(exc))
        except KeyboardInterrupt:
            self.console.print("[yellow]cancelled[/]: nothing was kept from it; ask again or ask something else")
        return True

    def error(self, message: str) -> None:
        from reviewer.cli.render import safe as escape

        self.errors += 1
        self.err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)

    def ask(self, question: str) -> Answer:
        """Answer a question in the context of the earlier turns, print it, and keep it as a turn."""
        from reviewer.cli.render import print_answer

        history = [(turn.question, turn.answer) for turn in self.turns]

        def work() -> Answer:
            if self._warm is not None:
                self._warm.join()
            return self.reviewer.ask(question, k=self.k, llm=self.llm, history=history or None, **self.filters)

        result = self.in_worker(work, "searching and answering…")
        self.turns.append(result)
        print_answer(self.console, result, self.style)
        return result

    def in_worker(self, fn: Callable[[], T], status: str) -> T:
        """Run fn in a daemon thread with a spinner; Ctrl-C (KeyboardInterrupt) abandons it and propagates."""
        box: dict = {}

        def target() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                box["error"] = exc

        worker = threading.Thread(target=target, name="reviewer-ask", daemon=True)
        worker.start()
        with self.console.status(status, spinner="dots"):
            while worker.is_alive():
                worker.join(0.1)  # short waits keep the main thread responsive to SIGINT
        if "error" in box:
            raise box["error"]
        return box["value"]

    # -- commands ------------------------------------------------------------------------------

    def _need_answer(self) -> Answer:
        if self.last is None:
            raise ChatCommandError("no answer yet: ask a question first")
        return self.last

    def passage(self, n: int) -> Passage:
        """Passage [n] of the last answer (the cited one numbered n, else the n-th retrieved)."""
        last = self._need_answer()
        for citation in last.citations:
            if citation.n == n:
                return citation
        if 1 <= n <= len(last.passages):
            return last.passages[n - 1]
        raise ChatCommandError(f"the last answer has no passage [{n}]: it has [1] to [{len(last.passages)}]"
                               if last.passages else "the last answer has no passages")

    def _do_sources(self, arg: str) -> None:
        from reviewer.cli.render import sources_table

        self.console.print(sources_table(self._need_answer()))

    def _do_open(self, arg: str) -> None:
        from reviewer.cli.render import passage_panel

        n = positive_int(arg, "/open N")
        self.console.print(passage_panel(self.passage(n), n))

    def _do_save(self, arg: str) -> None:
        if not arg:
            raise ChatCommandError("usage: /save FILE")
        if not self.turns:
            raise ChatCommandError("nothing to save yet: ask a question first")
        path = Path(arg).expanduser()
        try:
            path.write_text(transcript_markdown(self.turns, self.reviewer.store.location, self.style), encoding="utf-8")
        except OSError as exc:
            raise ChatCommandError(f"cannot write {path}: {exc.strerror or exc}") from None
        from reviewer.cli.render import safe

        self.console.print(f"saved {len(self.turns)} turn{'s' if len(self.turns) != 1 else ''} to {safe(path)}")

    def _do_k(self, arg: str) -> None:
        if arg:
            self.k = positive_int(arg, "/k N")
        self.console.print(f"passages to retrieve: {self.k or self.reviewer.settings.retrieval.k}")

    def _do_llm(self, arg: str) -> None:
        from reviewer.cli.render import safe as escape

        if arg.lower() in ("off", "none", "offline"):
            self.llm, self.llm_label = None, None
            self.reviewer.settings.llm = None
        elif arg:
            from reviewer.llm.providers import make_chat_model

            self.llm = self.in_worker(lambda: make_chat_model(arg, self.reviewer.settings), f"setting up {arg}…")
            self.llm_label = arg
        self.console.print(f"LLM: {escape(self.llm_name)}")

    def _do_help(self, arg: str) -> None:
        from rich.table import Table

        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        table.add_row("[bold]a question[/]", "answered with numbered citations; follow-ups use the conversation")
        for usage, what in COMMANDS.values():
            table.add_row(f"[bold]{usage}[/]", what)
        table.add_row("[bold]Ctrl-C[/]", "abandon the answer being computed, or clear the line")
        table.add_row("[bold]Ctrl-D[/]", "leave")
        self.console.print(table)

    # -- loops ---------------------------------------------------------------------------------

    def run(self, stdin=None) -> int:
        """Interactive on a terminal, line by line otherwise; returns the exit status."""
        stdin = stdin or sys.stdin
        quiet_progress_bars()
        try:
            if stdin.isatty() and sys.stdout.isatty():
                return self.run_interactive()
            return self.run_lines(stdin)
        except KeyboardInterrupt:  # while starting up, before the prompt catches it
            return 130

    def run_interactive(self) -> int:
        """Read lines with prompt_toolkit (editing, up-arrow history) until /quit or Ctrl-D."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
        from prompt_toolkit.completion import WordCompleter
        from prompt_toolkit.patch_stdout import patch_stdout

        words = [f"/{c.value}" for c in Command] + ["/exit"]
        session = PromptSession(history=self._history(), auto_suggest=AutoSuggestFromHistory(),
                                completer=WordCompleter(words, sentence=True), complete_while_typing=False)
        from reviewer.cli.render import safe

        self.console.print(f"[bold]reviewer chat[/] · {safe(self.check_store())} · LLM: {safe(self.llm_name)}",
                           soft_wrap=True)
        self.console.print("[dim]Ask a question; /help lists the commands; Ctrl-D leaves.[/]")
        self.warm_up()
        while True:
            try:
                with patch_stdout():  # a background thread's stray output goes above the prompt, not through it
                    line = session.prompt(PROMPT)
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            if not self.handle(line):
                break
        self.console.print("bye")
        return 0

    def run_lines(self, lines: Iterable[str]) -> int:
        """Treat each non-blank line as typed input; returns 1 when any line ended in an error, else 0."""
        from reviewer.cli.render import safe as escape

        self.check_store()
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            self.console.print(f"[bold]{escape(PROMPT + line)}[/]", soft_wrap=True)
            if not self.handle(line):
                break
        return 1 if self.errors else 0

    def _history(self):
        """A FileHistory where it can be written, else an in-memory one (with a note why)."""
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        path = history_path(self.reviewer.settings)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "ab"):
                pass
        except OSError as exc:
            self.console.print(f"[dim]note: input history is not kept: cannot write {path} ({exc.strerror or exc})[/]")
            return InMemoryHistory()
        return FileHistory(str(path))
