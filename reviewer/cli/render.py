"""Rendering results for people: rich tables, progress bars, Markdown.

Colours follow evidence strength everywhere passages are shown.
"""

from __future__ import annotations

from typing import Optional

from reviewer.models import Answer, DocumentInfo, EvidenceTag, IngestReport, Passage, StoreStats

STRENGTH_STYLE = {"high": "bold green", "moderate": "green", "low": "yellow", "very_low": "red"}
_STAGE_LABEL = {"files": "Reading files", "chunking": "Chunking and grading", "embedding": "Embedding chunks"}


class IngestProgress:
    """Progress bars for ingest (files read, chunks embedded), drawn on stderr.

    Used as the `progress` callback of `Reviewer.ingest`.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._progress = None
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> "IngestProgress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, stage: str, advance: int, total: Optional[int]) -> None:
        if self._progress is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(_STAGE_LABEL.get(stage, stage), total=total)
        elif total is not None:
            self._progress.update(self._tasks[stage], total=total)
        if advance:
            self._progress.advance(self._tasks[stage], advance)


def ingest_table(report: IngestReport):
    from rich.table import Table

    table = Table(title="Ingest", show_header=False)
    table.add_row("documents added", str(report.documents_added))
    table.add_row("documents updated", str(report.documents_updated))
    table.add_row("documents unchanged", str(report.documents_unchanged))
    if report.documents_removed:
        table.add_row("documents removed", str(report.documents_removed))
    table.add_row("chunks embedded", str(report.chunks_embedded))
    table.add_row("files failed", f"[red]{len(report.failures)}[/]" if report.failures else "0")
    table.add_row("seconds", f"{report.seconds:.1f}")
    return table


def documents_table(items: list[DocumentInfo]):
    from rich.table import Table

    table = Table(title=f"{len(items)} documents")
    for col in ("id", "title", "year", "type", "chunks", "source"):
        table.add_column(col, overflow="fold")
    for d in items:
        table.add_row(d.doc_id, d.title, str(d.year or ""), d.doc_type.value, str(d.chunks), d.source)
    return table


def stats_table(s: StoreStats):
    from rich.table import Table

    table = Table(title="Store", show_header=False)
    table.add_row("location", s.location)
    table.add_row("collection", s.collection)
    table.add_row("embedding model", s.embedding_model)
    table.add_row("documents", str(s.documents))
    table.add_row("chunks", str(s.chunks))
    for doc_type, n in sorted(s.by_doc_type.items()):
        table.add_row(f"  {doc_type}", str(n))
    return table


def location(p: Passage) -> str:
    """Section and page of a passage, as far as known."""
    parts = [p.section or ""]
    if p.page:
        parts.append(f"p. {p.page}")
    return ", ".join(x for x in parts if x)


def evidence_label(tag: Optional[EvidenceTag]) -> str:
    if tag is None:
        return ""
    return f"{tag.design.value.replace('_', ' ')} · {tag.strength.value.replace('_', ' ')}"


def evidence_markup(tag: Optional[EvidenceTag]) -> str:
    if tag is None:
        return ""
    style = STRENGTH_STYLE.get(tag.strength.value, "")
    return f"[{style}]{evidence_label(tag)}[/]"


def snippet(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def sources_table(answer: Answer, full: bool = False):
    """The cited passages (or, with none cited, the retrieved ones) as a table."""
    from rich.table import Table

    rows = answer.citations or [p for p in answer.passages]
    title = "Sources" if answer.citations else "Retrieved passages (none cited)"
    table = Table(title=title, show_lines=False)
    table.add_column("n", justify="right")
    table.add_column("title", overflow="fold", max_width=40)
    table.add_column("section / page", overflow="fold", max_width=28)
    table.add_column("evidence", overflow="fold")
    table.add_column("passage", overflow="fold")
    for i, p in enumerate(rows, start=1):
        n = getattr(p, "n", i)
        table.add_row(str(n), p.title, location(p), evidence_markup(p.evidence), p.text if full else snippet(p.text))
    return table


def print_references(console, citations, style: str = "author-year") -> None:
    """The reference list of the cited documents (author, year, title, DOI or file and pages)."""
    from rich.markup import escape

    from reviewer.bibliography.references import cited_references, plain_lines

    lines = plain_lines(cited_references(citations, style))
    if lines:
        console.print("[bold]References[/]")
        for line in lines:
            console.print(escape(line), soft_wrap=True)


def references_markdown(citations, style: str = "author-year") -> list[str]:
    """A '### References' section for Markdown outputs (empty without citations)."""
    from reviewer.bibliography.references import cited_references, markdown_lines

    lines = markdown_lines(cited_references(citations, style))
    return ["### References", "", *lines, ""] if lines else []


def print_answer(console, answer: Answer, style: str = "author-year") -> None:
    """The answer with [n] markers, notes and flags, the sources table, then the reference list."""
    from rich.markup import escape

    if answer.standalone_question and answer.standalone_question != answer.question:
        console.print(f"[dim](searched for: {escape(answer.standalone_question)})[/]")
    style = "yellow" if answer.insufficient_evidence else ""
    # Word-wrap on a terminal; keep long lines whole when piped.
    console.print(f"[{style}]{escape(answer.answer)}[/]" if style else escape(answer.answer),
                  soft_wrap=not console.is_terminal)
    if answer.strongest_design:
        mixed = " · [yellow]evidence mixed[/]" if answer.mixed else ""
        console.print(f"[dim]strongest evidence:[/] {answer.strongest_design.value.replace('_', ' ')}{mixed}")
    for flag in answer.flagged:
        console.print(f"[yellow]⚠ {flag.problem}:[/] {escape(flag.sentence)}", soft_wrap=True)
    for note in answer.notes:
        console.print(f"[dim]note: {escape(note)}[/]", soft_wrap=True)
    console.print(sources_table(answer))
    print_references(console, answer.citations, style)


def answer_markdown(answer: Answer, style: str = "author-year") -> str:
    """The answer, its sources and its reference list as Markdown (for `--markdown` and chat transcripts)."""
    lines = [f"## {answer.question}", "", answer.answer, ""]
    if answer.strongest_design:
        lines += [f"*Strongest evidence: {answer.strongest_design.value.replace('_', ' ')}"
                  f"{' (mixed)' if answer.mixed else ''}*", ""]
    for note in answer.notes:
        lines += [f"> note: {note}", ""]
    if answer.citations:
        lines += ["| n | title | section / page | evidence | passage |", "|---|---|---|---|---|"]
        for c in answer.citations:
            cells = [str(c.n), c.title, location(c), evidence_label(c.evidence), snippet(c.text, 200)]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        lines.append("")
    lines += references_markdown(answer.citations, style)
    return "\n".join(lines) + "\n"


def facts_line(tag: EvidenceTag) -> str:
    """The study facts of an evidence tag on one line (sample size, intervention, effects, p, CI)."""
    f = tag.facts
    parts = [f"n = {f.sample_size}" if f.sample_size else "", f.population or "", f.intervention or "",
             f.duration or "", f.outcome or ""]
    parts += [e.text for e in f.effects]
    parts += [f"p {f.p_value}" if f.p_value else "", f"CI {f.ci}" if f.ci else ""]
    return " · ".join(p for p in parts if p)


def passage_panel(p: Passage, n: int):
    """One passage in full (chat's `/open N`): where it comes from, its evidence tag and why, its text."""
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    meta = [location(p), p.doc_type.value if p.doc_type.value != "unknown" else "", str(p.year or "")]
    lines = [f"[dim]{escape(' · '.join(x for x in meta if x) or 'no section or page recorded')}[/]",
             f"[dim]source:[/] {escape(p.source)}"]
    if p.evidence is None:
        lines.append("[dim]evidence: not graded[/]")
    else:
        lines.append(f"[dim]evidence:[/] {evidence_markup(p.evidence)}")
        lines += [f"  [dim]because:[/] “{escape(reason)}”" for reason in p.evidence.reasons]
        facts = facts_line(p.evidence)
        if facts:
            lines.append(f"[dim]study:[/] {escape(facts)}")
    border = STRENGTH_STYLE.get(p.evidence.strength.value, "dim") if p.evidence else "dim"
    body = Group(*(Text.from_markup(line) for line in lines), Text(""), Text(p.text))
    return Panel(body, title=escape(f"[{n}] {p.title}"), title_align="left", border_style=border)
