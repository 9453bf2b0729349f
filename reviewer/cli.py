"""The `reviewer` command: parses arguments, calls `Reviewer`, renders with rich.

Exit status: 0 success; 1 the command ran but some inputs failed (ingest: files that could
not be read, all others were stored); 2 a usage or configuration problem (bad flag, store
built with another model, unreachable Chroma server or LLM, missing API key).
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="reviewer",
    help="Ask a folder of papers questions; get answers with cited, evidence-graded passages.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[Optional[Path], typer.Option("--store", help="Embedded store directory [env: REVIEWER_STORE; default .reviewer]")]
ChromaOpt = Annotated[Optional[str], typer.Option("--chroma-url", help="Use a Chroma server, e.g. http://127.0.0.1:8000 [env: REVIEWER_CHROMA_URL]")]
ModelOpt = Annotated[Optional[str], typer.Option("--embedding-model", help="sentence-transformers model name or path [env: REVIEWER_EMBEDDING__MODEL]")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the pydantic model's dump) instead of tables.")]
LlmOpt = Annotated[Optional[str], typer.Option("--llm", help="PROVIDER:MODEL, e.g. openai:gpt-4o-mini, ollama:llama3.1, local:/path/model.gguf [env: REVIEWER_LLM]")]
LlmUrlOpt = Annotated[Optional[str], typer.Option("--llm-base-url", help="OpenAI-compatible server URL (vLLM, llama.cpp, LM Studio) [env: REVIEWER_LLM_BASE_URL]")]
KOpt = Annotated[Optional[int], typer.Option("-k", help="Passages to retrieve.", min=1)]


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def fail(message: str, code: int = 2) -> None:
    """Print one line naming the problem and exit."""
    _console(stderr=True).print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def handled():
    """Turn library errors into one clear line instead of a traceback."""
    from reviewer.errors import user_errors

    try:
        yield
    except user_errors() as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted: everything stored so far is kept; run the command again to finish")
        raise typer.Exit(130)


def make_reviewer(store: Optional[Path] = None, chroma_url: Optional[str] = None, embedding_model: Optional[str] = None,
                  llm: Optional[str] = None, llm_base_url: Optional[str] = None):
    """Settings from env/config with CLI flags on top, and a Reviewer over them."""
    from reviewer.api import Reviewer
    from reviewer.settings import Settings

    settings = Settings.load(**{"store": store, "chroma_url": chroma_url, "embedding.model": embedding_model,
                                "llm": llm, "llm_base_url": llm_base_url})
    return Reviewer(settings=settings)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of PDF, Markdown, text or JSONL.")],
    prune: Annotated[bool, typer.Option("--prune", help="Also drop stored documents whose files are gone.")] = False,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    embedding_model: ModelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Parse, chunk, grade and embed documents into the store; unchanged files are skipped.

    Example: reviewer ingest corpus/ papers/new.pdf --prune
    """
    from reviewer.render import IngestProgress, ingest_table

    with handled():
        r = make_reviewer(store, chroma_url, embedding_model)
        with IngestProgress(enabled=not as_json) as progress:
            report = r.ingest(paths, prune=prune, progress=progress)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        console = _console()
        for f in report.failures:
            _console(stderr=True).print(f"[yellow]skipped[/] {f.path}: {f.reason}", soft_wrap=True)
        console.print(ingest_table(report))
    if report.failures:
        raise typer.Exit(1)


@app.command()
def docs(store: StoreOpt = None, chroma_url: ChromaOpt = None, embedding_model: ModelOpt = None,
         as_json: JsonOpt = False) -> None:
    """List the documents in the store (title, year, type, chunks, source).

    Example: reviewer docs --json | jq '.[].title'
    """
    from reviewer.render import documents_table

    with handled():
        items = make_reviewer(store, chroma_url, embedding_model).documents()
    if as_json:
        print_json([d.model_dump(mode="json") for d in items])
    else:
        _console().print(documents_table(items))


@app.command()
def stats(store: StoreOpt = None, chroma_url: ChromaOpt = None, embedding_model: ModelOpt = None,
          as_json: JsonOpt = False) -> None:
    """Show counts of documents and chunks, and where the store is.

    Example: reviewer stats --store ~/reviews/sleep
    """
    from reviewer.render import stats_table

    with handled():
        s = make_reviewer(store, chroma_url, embedding_model).stats()
    if as_json:
        print_json(s.model_dump(mode="json"))
    else:
        _console().print(stats_table(s))


@app.command()
def remove(
    doc_ids: Annotated[list[str], typer.Argument(help="Document ids, as `reviewer docs` shows them.")],
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    embedding_model: ModelOpt = None,
) -> None:
    """Remove documents (their chunks and records) from the store.

    Example: reviewer remove old-draft-2019
    """
    with handled():
        removed = make_reviewer(store, chroma_url, embedding_model).remove(doc_ids)
    for doc_id in doc_ids:
        _console().print(f"removed {doc_id}" if doc_id in removed else f"[yellow]not found[/] {doc_id}")
    if len(removed) != len(doc_ids):
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    k: KOpt = None,
    llm: LlmOpt = None,
    llm_base_url: LlmUrlOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    embedding_model: ModelOpt = None,
    as_json: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the answer and sources as Markdown.")] = False,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only these document ids (repeatable).")] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help="Only these document types: review, news, ...")] = None,
    years: Annotated[Optional[str], typer.Option("--years", help="Only documents from these years, e.g. 2020-2026.")] = None,
) -> None:
    """Answer a question with numbered citations \\[n] to passages, and a table of sources.

    Example: reviewer ask "Does resistance training improve memory in older adults?" -k 8
    """
    from reviewer.render import answer_markdown, print_answer

    span = None
    if years:
        try:
            first, _, last = years.partition("-")
            span = (int(first), int(last or first))
        except ValueError:
            fail(f"--years '{years}' is not a range like 2015-2025")
    with handled():
        r = make_reviewer(store, chroma_url, embedding_model, llm, llm_base_url)
        result = r.ask(question, k=k, doc_ids=doc, doc_types=doc_type, years=span)
    if as_json:
        print_json(result.model_dump(mode="json"))
    elif markdown:
        sys.stdout.write(answer_markdown(result))
    else:
        print_answer(_console(), result)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    main()
