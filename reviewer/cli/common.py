"""What every command shares: its options, one-line failures, and opening a `Reviewer` from settings and flags."""

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

StoreOpt = Annotated[Optional[Path], typer.Option("--store", help="Embedded store directory [env: REVIEWER_STORE; default .reviewer]")]
ChromaOpt = Annotated[Optional[str], typer.Option("--chroma-url", help="Use a Chroma server, e.g. http://127.0.0.1:8000 [env: REVIEWER_CHROMA_URL]")]
TokenOpt = Annotated[Optional[str], typer.Option("--chroma-token", help="Auth token of the Chroma server [env: REVIEWER_CHROMA_TOKEN]", show_default=False)]
ModelOpt = Annotated[Optional[str], typer.Option("--embedding-model", help="sentence-transformers model name or path [env: REVIEWER_EMBEDDING__MODEL]")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the pydantic model's dump) instead of tables.")]
LlmOpt = Annotated[Optional[str], typer.Option("--llm", help="PROVIDER:MODEL, e.g. openai:gpt-4o-mini, ollama:llama3.1, local:/path/model.gguf [env: REVIEWER_LLM]")]
LlmUrlOpt = Annotated[Optional[str], typer.Option("--llm-base-url", help="OpenAI-compatible server URL (vLLM, llama.cpp, LM Studio) [env: REVIEWER_LLM_BASE_URL]")]
KOpt = Annotated[Optional[int], typer.Option("-k", help="Passages to retrieve.", min=1)]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def escape(text: object) -> str:
    """Text shown as is in rich output: file names, titles and messages are never read as markup."""
    from reviewer.cli.render import safe

    return safe(text)


def fail(message: str, code: int = 2) -> None:
    """Print one line naming the problem and exit."""
    # The message can quote a file name or document text: escaped, so it is never read as markup.
    _console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def handled():
    """Turn library errors, and store failures (lost server, full disk, read-only files), into one clear line."""
    from reviewer.errors import user_errors

    try:
        yield
    except user_errors() as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted: everything stored so far is kept; run the command again to finish")
        raise typer.Exit(130)
    except Exception as exc:
        from reviewer.retrieval.chroma_client import explain, failure_kind

        if failure_kind(exc) in (None, "credentials"):  # credentials: only a store call knows whose they were
            raise
        fail(str(explain(exc, None, None)))


@contextmanager
def waiting_for_llm(settings):
    """A spinner on stderr while an LLM works (terminals only), saying how long it may take."""
    if not settings.llm:
        yield
        return
    with _console(stderr=True).status(f"asking {escape(settings.llm)} (gives up after {settings.llm_timeout:g} s)…"):
        yield


def make_reviewer(store: Optional[Path] = None, chroma_url: Optional[str] = None, embedding_model: Optional[str] = None,
                  llm: Optional[str] = None, llm_base_url: Optional[str] = None, create: bool = False,
                  chroma_token: Optional[str] = None):
    """Settings from env/config with CLI flags on top, and a Reviewer over them.

    Only `create` (ingest, eval) may start a new embedded store: a mistyped `--store` given to
    any other command is an error, not an empty store left behind.
    """
    from reviewer.api import Reviewer
    from reviewer.retrieval.store import StoreError
    from reviewer.settings import Settings

    settings = Settings.load(**{"store": store, "chroma_url": chroma_url, "chroma_token": chroma_token,
                                "embedding.model": embedding_model, "llm": llm, "llm_base_url": llm_base_url})
    if not create and settings.chroma_url is None and not Path(settings.store).exists():
        raise StoreError(f"no store at {settings.store}: run `reviewer ingest PATH --store {settings.store}` first, "
                         "or check --store / REVIEWER_STORE")
    return Reviewer(settings=settings)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
