"""The `reviewer` command: parses arguments, calls `Reviewer`, renders with rich.

Exit status: 0 success; 1 the command ran but some inputs failed (ingest: files that could
not be read, all others were stored); 2 a usage or configuration problem (bad flag, store
built with another model, unreachable Chroma server or LLM, missing API key).
"""

# No `from __future__ import annotations` in the CLI modules: typer would then evaluate every
# parameter's string annotation when it builds the commands (~40 ms of each `--help`).
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from reviewer.cli import bibfiles
from reviewer.cli.common import (ChromaOpt, JsonOpt, KOpt, LlmOpt, LlmUrlOpt, ModelOpt, StoreOpt, TokenOpt,  # noqa: F401
                                 _console, escape, fail, handled, make_reviewer, print_json, waiting_for_llm)
from reviewer.cli.filters import DesignOpt, StrengthOpt, parse_evidence_filters

app = typer.Typer(
    name="reviewer",
    help="Ask a folder of papers questions; get answers with cited, evidence-graded passages.",
    no_args_is_help=True,
    add_completion=False,
    # Plain click help: typer's rich help imports rich.markdown and markdown-it (~0.5 s of a loaded
    # machine's start-up) for every `--help`; the text is the same.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of PDF, Markdown, text or JSONL; .bib, .ris or CSL-JSON libraries; a Zotero data directory.")],
    prune: Annotated[bool, typer.Option("--prune", help="Also drop stored documents whose files are gone.")] = False, collection: bibfiles.CollectionOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None,
    embedding_model: ModelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Parse, chunk, grade and embed documents into the store; unchanged files are skipped.

    \b
    Example: reviewer ingest corpus/ papers/new.pdf --prune   (or: reviewer ingest ~/Zotero --collection "Sleep")
    """
    from reviewer.cli.render import IngestProgress, ingest_table

    with handled():
        r = make_reviewer(store, chroma_url, embedding_model, create=True, chroma_token=chroma_token)
        with IngestProgress(enabled=not as_json) as progress:
            report = r.ingest(paths, prune=prune, progress=progress, collection=collection)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        console = _console()
        for f in report.failures:
            _console(stderr=True).print(f"[yellow]skipped[/] {escape(f.path)}: {escape(f.reason)}", soft_wrap=True)
        for line in report.removed:
            _console(stderr=True).print(f"[yellow]pruned[/] {escape(line)}", soft_wrap=True)
        for line in report.duplicates:
            _console(stderr=True).print(f"[cyan]copy[/] {escape(line)}", soft_wrap=True)
        console.print(ingest_table(report))
    if report.failures:
        raise typer.Exit(1)


@app.command()
def docs(store: StoreOpt = None, chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None, embedding_model: ModelOpt = None,
         as_json: JsonOpt = False, fmt: bibfiles.ExportOpt = None, output: bibfiles.OutputOpt = None,
         doc: bibfiles.DocOpt = None) -> None:
    """List the documents (title, year, type, study design and strength, chunks, source), or export a bibliography.

    \b
    Example: reviewer docs --json | jq '.[].title'   (or: reviewer docs --format bib -o library.bib)
    """
    from reviewer.cli.render import documents_table

    if fmt is not None or output is not None:
        return bibfiles.export(lambda: make_reviewer(store, chroma_url, embedding_model, chroma_token=chroma_token), fmt, output, doc)
    with handled():
        items = make_reviewer(store, chroma_url, embedding_model, chroma_token=chroma_token).documents()
    if as_json:
        print_json([d.model_dump(mode="json") for d in items])
    else:
        _console().print(documents_table(items))


@app.command()
def stats(store: StoreOpt = None, chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None, embedding_model: ModelOpt = None,
          as_json: JsonOpt = False) -> None:
    """Show counts of documents and chunks, and where the store is.

    \b
    Example: reviewer stats --store ~/reviews/sleep
    """
    from reviewer.cli.render import stats_table

    with handled():
        s = make_reviewer(store, chroma_url, embedding_model, chroma_token=chroma_token).stats()
    if as_json:
        print_json(s.model_dump(mode="json"))
    else:
        _console().print(stats_table(s))


@app.command()
def remove(
    doc_ids: Annotated[list[str], typer.Argument(help="Document ids, as `reviewer docs` shows them.")],
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None,
    embedding_model: ModelOpt = None,
) -> None:
    """Remove documents (their chunks and records) from the store.

    \b
    Example: reviewer remove old-draft-2019
    """
    with handled():
        removed = make_reviewer(store, chroma_url, embedding_model, chroma_token=chroma_token).remove(doc_ids)
    for doc_id in doc_ids:
        _console().print(f"removed {escape(doc_id)}" if doc_id in removed else f"[yellow]not found[/] {escape(doc_id)}")
    if len(removed) != len(doc_ids):
        raise typer.Exit(1)


@app.command()
def doctor(
    fix: Annotated[bool, typer.Option("--fix", help="Repair what was found (never removes a document you stored).")] = False,
    store: StoreOpt = None, chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None,
    embedding_model: ModelOpt = None, as_json: JsonOpt = False,
) -> None:
    """Check that document records, chunks, interrupted ingests, the lexical index and the model stamp agree.

    Exit status 0 when the store is consistent (or --fix repaired everything), 1 when problems remain.

    \b
    Example: reviewer doctor --fix
    """
    from reviewer.ingest.doctor import summary_line

    with handled():
        report = make_reviewer(store, chroma_url, embedding_model, chroma_token=chroma_token).doctor(fix=fix)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        console = _console()
        for p in report.problems:
            mark = "[green]fixed[/]" if p.fixed else "[yellow]found[/]"
            console.print(f"{mark} {p.kind.label}: {escape(p.doc_id + ': ' if p.doc_id else '')}{escape(p.detail)}"
                          f" ({escape(p.action)})", soft_wrap=True)
        for doc_id in report.ingests_under_way:
            console.print(f"ingest under way: {escape(doc_id)} (not checked)", soft_wrap=True)
        console.print(escape(summary_line(report)), soft_wrap=True)
    if report.unfixed:
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    k: KOpt = None,
    llm: LlmOpt = None,
    llm_base_url: LlmUrlOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None,
    embedding_model: ModelOpt = None,
    as_json: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the answer and sources as Markdown.")] = False,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only these document ids (repeatable).")] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help="Only these document types: review, news, ...")] = None,
    years: Annotated[Optional[str], typer.Option("--years", help="Only documents from these years, e.g. 2020-2026.")] = None,
    design: DesignOpt = None, min_strength: StrengthOpt = None, bib: bibfiles.BibOpt = None,
    style: bibfiles.StyleOpt = None,
) -> None:
    """Answer a question with numbered citations [n] to passages, and a table of sources.

    \b
    Example: reviewer ask "Does resistance training improve memory in older adults?" -k 8
    """
    from reviewer.cli.render import answer_markdown, print_answer

    span = None
    if years:
        try:
            first, _, last = years.partition("-")
            span = (int(first), int(last or first))
        except ValueError:
            fail(f"--years '{years}' is not a range like 2015-2025")
    with handled():
        r = make_reviewer(store, chroma_url, embedding_model, llm, llm_base_url, chroma_token=chroma_token)
        with waiting_for_llm(r.settings):
            result = r.ask(question, k=k, doc_ids=doc, doc_types=doc_type, years=span, **parse_evidence_filters(design, min_strength))
    if as_json:
        print_json(result.model_dump(mode="json"))
    elif markdown:
        sys.stdout.write(answer_markdown(result, style))
    else:
        print_answer(_console(), result, style)
    bibfiles.write_cited(bib, result.citations)


@app.command()
def chat(
    k: KOpt = None,
    llm: LlmOpt = None,
    llm_base_url: LlmUrlOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None,
    embedding_model: ModelOpt = None,
    design: DesignOpt = None, min_strength: StrengthOpt = None,
    style: bibfiles.StyleOpt = None,
) -> None:
    """Ask questions one after another; follow-ups are understood in the context of earlier ones.

    Commands inside the session: /sources, /open N, /save FILE, /k N, /llm SPEC, /help, /quit.
    Input history is kept in the store folder (up-arrow recalls it). Piped input is read one
    question per line; the exit status is then 1 if any line ended in an error.

    \b
    Example: reviewer chat --store ~/reviews/sleep -k 6
    """
    from reviewer.cli.chat import ChatSession

    with handled():
        session = ChatSession(make_reviewer(store, chroma_url, embedding_model, llm, llm_base_url, chroma_token=chroma_token),
                              k=k, filters=parse_evidence_filters(design, min_strength), style=style or "author-year")
        code = session.run()
    raise typer.Exit(code)


@app.command("eval")
def eval_(
    suite: Annotated[Path, typer.Option("--suite", help="JSONL question suite.")] = Path("evals/seed_qa.jsonl"),
    check: Annotated[bool, typer.Option("--check", help="Gate: exit 1 when a metric is below its minimum or dropped too far from the baseline.")] = False,
    thresholds: Annotated[Path, typer.Option("--thresholds", help="Metric floors and allowed drops (TOML).")] = Path("evals/thresholds.toml"),
    baseline: Annotated[Path, typer.Option("--baseline", help="Accepted figures of an earlier run to compare with.")] = Path("evals/baseline.json"),
    update_baseline: Annotated[bool, typer.Option("--update-baseline", help="Accept this run as the new baseline (gated against thresholds only).")] = False,
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="Ingest this folder first (unchanged files are skipped).")] = None,
    only: Annotated[Optional[list[str]], typer.Option("--only", help="Only cases with this id or tag (repeatable).")] = None,
    junit: Annotated[Optional[Path], typer.Option("--junit", help="Also write JUnit XML (a testcase per gate check; missed questions as properties).")] = None,
    json_file: Annotated[Optional[Path], typer.Option("--json", help="Also write the full per-case JSON report to this file.")] = None,
    k: KOpt = None,
    llm: LlmOpt = None,
    llm_base_url: LlmUrlOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None,
    embedding_model: ModelOpt = None,
) -> None:
    """Run the eval suite through the real pipeline and report retrieval, answer, citation and evidence metrics.

    With --check, exit 1 when a metric falls below its minimum in evals/thresholds.toml or drops
    more than allowed from evals/baseline.json; each failure names the metric and its questions.
    Without --store or --chroma-url, a fresh temporary store is built from --corpus (default corpus/).

    \b
    Example: reviewer eval --check --junit eval.xml   (or: reviewer eval --llm openai:gpt-4o-mini --json report.json)
    """
    import tempfile

    from reviewer.cli.evalrun import run_suite_with_progress, store_in_environment
    from reviewer.cli.render import failures_table, metrics_table
    from reviewer.evaluation.gate import gates, to_junit, write_baseline

    compare_with = None if update_baseline else baseline
    with handled(), tempfile.TemporaryDirectory(prefix="reviewer-eval-") as tmp:
        fresh = store is None and chroma_url is None and not store_in_environment()
        r = make_reviewer(Path(tmp) / "store" if fresh else store, chroma_url, embedding_model, llm, llm_base_url,
                          create=fresh or corpus is not None, chroma_token=chroma_token)
        result = run_suite_with_progress(r, suite, k, only, corpus or (Path("corpus") if fresh else None))
        if update_baseline:
            write_baseline(result, baseline)
        checked = gates(result, thresholds, compare_with)
        if junit is not None:
            junit.write_text(to_junit(result, thresholds, compare_with), encoding="utf-8")
        if json_file is not None:
            write_baseline(result, json_file)
    failures = [msg for g in checked for msg in g.failures]
    console = _console()
    console.print(metrics_table(result, checked))
    if any(not c.passed for c in result.cases):
        console.print(failures_table(result))
    for msg in failures:
        _console(stderr=True).print(f"[bold red]gate failed:[/] {escape(msg)}" if check
                                    else f"[yellow]below gate:[/] {escape(msg)}", soft_wrap=True)
    if update_baseline:
        console.print(f"baseline written to {escape(str(baseline))}")
    if failures and check:
        raise typer.Exit(1)


@app.command()
def summarize(
    topic: Annotated[str, typer.Argument(help="The topic or question, in quotes.")],
    fmt: Annotated[Optional[str], typer.Option("--format", help="rich (terminal, default), md, json, csv (the rows) or html (one self-contained page); default from --output's extension.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file and print its path.")] = None,
    k: KOpt = None,
    llm: LlmOpt = None,
    llm_base_url: LlmUrlOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None, chroma_token: TokenOpt = None,
    embedding_model: ModelOpt = None,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only these document ids (repeatable).")] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option("--type", help="Only these document types: review, news, ...")] = None,
    design: DesignOpt = None, min_strength: StrengthOpt = None, bib: bibfiles.BibOpt = None,
    style: bibfiles.StyleOpt = None,
) -> None:
    """Summarize the evidence on a topic: a cited answer, a table of studies, agreements, conflicts and gaps.

    \b
    Example: reviewer summarize "Does resistance training improve cognition in older adults?" --format html -o evidence.html
    """
    from reviewer.cli.render import print_summary
    from reviewer.models import OutputFormat
    from reviewer.summary.export import render

    formats = [f.value for f in OutputFormat]
    suffix = output.suffix.lower().lstrip(".") if output else ""
    fmt = fmt or {"markdown": "md", "htm": "html"}.get(suffix, suffix if suffix in formats else None) or ("md" if output else "rich")
    if fmt not in formats:
        fail(f"--format '{fmt}' is not one of {', '.join(formats)}")
    if fmt == "rich" and output:
        fail("--format rich prints to the terminal; pick md, json, csv or html to write --output")
    with handled():
        r = make_reviewer(store, chroma_url, embedding_model, llm, llm_base_url, chroma_token=chroma_token)
        with waiting_for_llm(r.settings):
            summary = r.summarize(topic, k=k, doc_ids=doc, doc_types=doc_type,
                                  **parse_evidence_filters(design, min_strength))
    bibfiles.write_cited(bib, summary.citations)
    if fmt == "rich":
        print_summary(_console(), summary, style=style)
        return
    bibfiles.write_or_print(render(summary, fmt, style), output)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:  # console-script entry point
    """Run the CLI; SIGTERM and SIGHUP stop it the way Ctrl-C does (everything stored so far is kept)."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    app()


if __name__ == "__main__":
    main()
