"""Rendering results for people: rich tables, progress bars, Markdown.

Colours follow evidence strength everywhere passages are shown. Every string that comes from
a document (titles, passages, sources, reasons) goes through `safe` first: rich would read
"[abstract only]" as a tag and "[link=...]" as a live link, and control characters would
reach the terminal as escape sequences.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.models import SUSPECT_LABEL, Answer, DocumentInfo, EvidenceSummary, EvidenceTag, IngestReport, Passage, StoreStats
from reviewer.text import snippet

STRENGTH_STYLE = {"high": "bold green", "moderate": "green", "low": "yellow", "very_low": "red", "not_graded": "dim"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: object) -> str:
    """Text with terminal control characters (escape sequences, bells, carriage returns) removed."""
    return _CONTROL.sub("", str(text))


def safe(text: object) -> str:
    """Text shown literally in rich markup: control characters removed, markup escaped."""
    from rich.markup import escape

    return escape(plain(text))


def suspect_markup(p: Passage, before: str = "") -> str:
    """The suspect label of a passage marked at ingest (empty for others)."""
    return f"{before}[bold red]⚠ {SUSPECT_LABEL}[/]" if p.suspect else ""


DIRECTION_STYLE = {"benefit": "green", "harm": "red", "no_effect": "yellow", "mixed": "magenta"}
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
        return self

    def _start(self) -> None:
        """Draw the bars once work starts (an error before that is one line, with no empty bars above it)."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=False,
        )
        self._progress.start()

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, stage: str, advance: int, total: Optional[int]) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            self._start()
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
    if report.duplicates:
        table.add_row("copies stored once", str(len(report.duplicates)))
    table.add_row("chunks embedded", str(report.chunks_embedded))
    table.add_row("files failed", f"[red]{len(report.failures)}[/]" if report.failures else "0")
    table.add_row("seconds", f"{report.seconds:.1f}")
    return table


def documents_table(items: list[DocumentInfo]):
    from rich.table import Table

    table = Table(title=f"{len(items)} documents")
    for col in ("id", "title", "year", "type", "design", "chunks", "source"):
        table.add_column(col, overflow="fold")
    for d in items:  # a document stored once from several files (copies) lists each
        table.add_row(safe(d.doc_id), safe(d.title), str(d.year or ""), d.doc_type.value, evidence_markup(d.evidence),
                      str(d.chunks), "\n".join(safe(s) for s in d.sources))
    return table


def stats_table(s: StoreStats):
    from rich.table import Table

    table = Table(title="Store", show_header=False)
    table.add_row("location", safe(s.location))
    table.add_row("collection", safe(s.collection))
    table.add_row("embedding model", safe(s.embedding_model))
    table.add_row("documents", str(s.documents))
    table.add_row("chunks", str(s.chunks))
    for doc_type, n in sorted(s.by_doc_type.items()):
        table.add_row(f"  {doc_type}", str(n))
    return table


def evidence_label(tag: Optional[EvidenceTag]) -> str:
    if tag is None:
        return ""
    return tag.label


def evidence_markup(tag: Optional[EvidenceTag]) -> str:
    if tag is None:
        return ""
    style = STRENGTH_STYLE.get(tag.strength.value, "")
    return f"[{style}]{evidence_label(tag)}[/]"


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
        table.add_row(str(n), safe(p.title), safe(p.location), evidence_markup(p.evidence) + suspect_markup(p, "\n"),
                      safe(p.text if full else snippet(p.text)))
    return table


def print_references(console, citations, style: str = "author-year") -> None:
    """The reference list of the cited documents (author, year, title, DOI or file and pages)."""
    from reviewer.bibliography.references import cited_references, plain_lines

    lines = plain_lines(cited_references(citations, style))
    if lines:
        console.print("[bold]References[/]")
        for line in lines:
            console.print(safe(line), soft_wrap=True)


def references_markdown(citations, style: str = "author-year") -> list[str]:
    """A '### References' section for Markdown outputs (empty without citations)."""
    from reviewer.bibliography.references import cited_references, markdown_lines

    lines = markdown_lines(cited_references(citations, style))
    return ["### References", "", *lines, ""] if lines else []


def print_answer(console, answer: Answer, style: str = "author-year") -> None:
    """The answer with [n] markers, notes and flags, the sources table, then the reference list."""
    if answer.standalone_question and answer.standalone_question != answer.question:
        console.print(f"[dim](searched for: {safe(answer.standalone_question)})[/]")
    colour = "yellow" if answer.insufficient_evidence else ""
    # Word-wrap on a terminal; keep long lines whole when piped.
    console.print(f"[{colour}]{safe(answer.answer)}[/]" if colour else safe(answer.answer),
                  soft_wrap=not console.is_terminal)
    if answer.strongest_design:
        mixed = " · [yellow]evidence mixed[/]" if answer.mixed else ""
        console.print(f"[dim]strongest evidence:[/] {answer.strongest_design.label}{mixed}")
    for flag in answer.flagged:
        why = f" [dim]({safe(flag.reason)})[/]" if flag.reason else ""
        console.print(f"[yellow]⚠ {flag.problem.label}:[/] {safe(flag.sentence)}{why}", soft_wrap=True)
    for note in answer.notes:
        console.print(f"[dim]note: {safe(note)}[/]", soft_wrap=True)
    console.print(sources_table(answer))
    print_references(console, answer.citations, style)


def answer_markdown(answer: Answer, style: str = "author-year") -> str:
    """The answer, its sources and its reference list as Markdown (for `--markdown` and chat transcripts)."""
    lines = [f"## {answer.question}", "", answer.answer, ""]
    if answer.strongest_design:
        lines += [f"*Strongest evidence: {answer.strongest_design.label}"
                  f"{' (mixed)' if answer.mixed else ''}*", ""]
    for note in answer.notes:
        lines += [f"> note: {note}", ""]
    if answer.citations:
        lines += ["| n | title | section / page | evidence | passage |", "|---|---|---|---|---|"]
        for c in answer.citations:
            evidence = " · ".join(x for x in (evidence_label(c.evidence), SUSPECT_LABEL if c.suspect else "") if x)
            cells = [str(c.n), c.title, c.location, evidence, snippet(c.text, 200)]
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
    from rich.panel import Panel
    from rich.text import Text

    meta = [p.location, p.doc_type.value if p.doc_type.value != "unknown" else "", str(p.year or "")]
    lines = [f"[dim]{safe(' · '.join(x for x in meta if x) or 'no section or page recorded')}[/]",
             f"[dim]source:[/] {safe(p.source)}"]
    if p.suspect:
        lines.append(suspect_markup(p) + " [dim](its text speaks to an AI model; not evidence)[/]")
    if p.evidence is None:
        lines.append("[dim]evidence: not graded[/]")
    else:
        lines.append(f"[dim]evidence:[/] {evidence_markup(p.evidence)}")
        lines += [f"  [dim]because:[/] “{safe(reason)}”" for reason in p.evidence.reasons]
        facts = facts_line(p.evidence)
        if facts:
            lines.append(f"[dim]study:[/] {safe(facts)}")
    border = STRENGTH_STYLE.get(p.evidence.strength.value, "dim") if p.evidence else "dim"
    body = Group(*(Text.from_markup(line) for line in lines), Text(""), Text(plain(p.text)))
    return Panel(body, title=safe(f"[{n}] {p.title}"), title_align="left", border_style=border)


def print_summary(console, summary: EvidenceSummary, full: Optional[bool] = False, style: str = "author-year") -> None:
    """The summary in the terminal: answer, evidence table, agreements, conflicts, gaps, sources, references."""
    from rich.table import Table

    from reviewer.summary.export import label

    console.print(f"[bold]{safe(summary.question)}[/]")
    console.print(safe(summary.answer), soft_wrap=True)
    # The terminal shows the columns a reader scans; md, csv and html carry every column.
    table = Table(title=f"Evidence table ({len(summary.rows)} studies)", show_lines=False)
    for c in ("#", "study", "design", "strength", "n", "outcome", "effect", "direction", "cite"):
        table.add_column(c, overflow="fold", justify="right" if c in ("#", "n") else "left",
                         min_width=12 if c in ("study", "effect") else None)
    for i, row in enumerate(summary.rows, 1):
        direction = label(row.direction)
        table.add_row(
            str(i), safe(row.study), label(row.design),
            f"[{STRENGTH_STYLE[row.strength.value]}]{label(row.strength)}[/]", label(row.n),
            safe(label(row.outcome)), safe(label(row.effect)),
            f"[{DIRECTION_STYLE[row.direction.value]}]{direction}[/]" if row.direction else "",
            f"\\[{row.citation}]",
        )
    console.print(table)
    for title, findings in (("Agreements", summary.agreements), ("Conflicts", summary.conflicts)):
        console.print(f"[bold]{title}[/]" + ("" if findings else ": none found"))
        for f in findings:
            console.print(f"  • {safe(f.finding)} [dim](rows {', '.join(str(i + 1) for i in f.rows)})[/]",
                          soft_wrap=True)
    console.print("[bold]Gaps[/]" + ("" if summary.gaps else ": none stated"))
    for g in summary.gaps:
        console.print(f"  • {safe(g.text)} \\[{g.citation}]", soft_wrap=True)
    sources = Table(title="Sources")
    sources.add_column("n", justify="right")
    sources.add_column("title", overflow="fold", max_width=40)
    sources.add_column("section / page", overflow="fold", max_width=30)
    sources.add_column("passage", overflow="fold")
    for c in summary.citations:
        sources.add_row(str(c.n), safe(c.title), safe(c.location),
                        (suspect_markup(c) + " " if c.suspect else "") + safe(c.text if full else snippet(c.text, 160)))
    console.print(sources)
    print_references(console, summary.citations, style)
    for note in summary.notes:
        console.print(f"[dim]note: {safe(note)}[/]", soft_wrap=True)


def metrics_table(report, checked=None):
    """A rich table of the metrics, with thresholds, baseline and pass/fail when `checked` gates are given."""
    from pathlib import Path

    from rich.table import Table

    by_metric = {g.metric: g for g in checked or []}
    table = Table(title=f"eval: {Path(report.suite).name}, {len(report.cases)} cases, k={report.k}, "
                        f"llm={report.llm or 'extractive'}", title_justify="left")
    for col in ("metric", "value", "min/max", "baseline", ""):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for metric, value in report.metrics.items():
        g = by_metric.get(metric)
        bound = "" if g is None else (f"≥ {g.minimum:g}" if g.minimum is not None else
                                      f"≤ {g.maximum:g}" if g.maximum is not None else "")
        status = "" if g is None else ("[green]ok[/]" if g.passed else "[bold red]FAIL[/]")
        shown = "—" if value is None else (f"{value:.0f}" if metric.endswith("_ms") else f"{value:.3f}")
        table.add_row(metric, shown, bound, "" if g is None or g.baseline is None else f"{g.baseline:.3f}", status)
    return table


def failures_table(report):
    """A rich table of the cases that failed and why."""
    from rich.table import Table

    table = Table(title="failed cases", title_justify="left")
    table.add_column("case")
    table.add_column("problem")
    for c in report.cases:
        if not c.passed:
            table.add_row(c.id, "\n".join(c.problems()))
    return table
