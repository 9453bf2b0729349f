"""Evidence summaries for people and programs: rich, Markdown, JSON, CSV and one-file HTML.

Every format shows the same `EvidenceSummary`: JSON is the model's own dump, CSV is its rows,
HTML is a single self-contained page (inline CSS and an inline SVG chart of the rows by study
design and strength; no scripts, fonts or images from anywhere else).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from html import escape
from typing import Optional

from reviewer.bibliography.references import cited_references, html_items, markdown_lines
from reviewer.bibliography.references import label as label_of
from reviewer.models import SUSPECT_LABEL, Citation, EvidenceSummary, OutputFormat, Strength, SummaryRow
from reviewer.text import snippet

#: Columns of the evidence table, in order (also the CSV header).
COLUMNS = ("study", "design", "population", "n", "intervention", "duration", "outcome", "effect", "direction",
           "strength", "citation")
#: The CSV adds the cited document's identity to every row.
CSV_COLUMNS = COLUMNS + ("doc_id", "title", "first_author", "year", "doi", "file", "page")
STRENGTH_COLOURS = {"high": "#1a7f37", "moderate": "#57ab5a", "low": "#d4a72c", "very_low": "#cf222e",
                    "not_graded": "#8c959f"}
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def label(value) -> str:
    """A cell as people read it: enums by their words ('very low'), None as empty."""
    if value is None:
        return ""
    return getattr(value, "label", None) or str(value)


def cells(row: SummaryRow) -> list[str]:
    """A row's cells in `COLUMNS` order, as text."""
    return [label(getattr(row, c)) for c in COLUMNS]


def render(summary: EvidenceSummary, fmt: OutputFormat, style: str = "author-year") -> str:
    """The summary as text in a file format (every `OutputFormat` but `rich`, which is the terminal's).

    `style` formats the reference list of md and html.
    """
    renderers = {OutputFormat.md: to_markdown, OutputFormat.json: to_json, OutputFormat.csv: to_csv,
                 OutputFormat.html: to_html}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(r.value for r in renderers)}")
    fmt = OutputFormat(fmt)
    return renderers[fmt](summary, style) if fmt in (OutputFormat.md, OutputFormat.html) else renderers[fmt](summary)


def _document_cells(citation: Optional[Citation]) -> list[str]:
    """doc_id, title, first author, year, DOI, file and page of the passage a row cites."""
    if citation is None:
        return [""] * 7
    ref = citation.reference
    first = ref.authors[0] if ref and ref.authors else ""
    year = (ref.year if ref else None) or citation.year
    file = ref.file if ref and ref.file else ""
    return [citation.doc_id, (ref.title if ref else "") or citation.title, first, str(year or ""),
            (ref.doi if ref else None) or "", file, str(citation.page) if file and citation.page else ""]


# ---------------------------------------------------------------- JSON, CSV, Markdown


def to_json(summary: EvidenceSummary) -> str:
    """The model's own JSON dump."""
    return summary.model_dump_json(indent=2) + "\n"


def to_csv(summary: EvidenceSummary) -> str:
    """The evidence table: a header of `COLUMNS`, then one line per row (enum values as stored)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    by_n = {c.n: c for c in summary.citations}
    for row in summary.rows:
        dump = row.model_dump(mode="json")
        writer.writerow(["" if dump[c] is None else dump[c] for c in COLUMNS] + _document_cells(by_n.get(row.citation)))
    return out.getvalue()


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _findings_md(title: str, findings) -> list[str]:
    lines = [f"## {title}", ""]
    if not findings:
        return lines + ["None found.", ""]
    for f in findings:
        rows = ", ".join(str(i + 1) for i in f.rows)
        lines.append(f"- {f.finding} (rows {rows})")
    return lines + [""]


def to_markdown(summary: EvidenceSummary, style: str = "author-year") -> str:
    """Answer, evidence table, agreements, conflicts, gaps and sources as Markdown."""
    lines = [f"# Evidence summary: {summary.question}", "", summary.answer, ""]
    lines += ["## Evidence table", ""]
    if summary.rows:
        lines.append("| # | " + " | ".join(COLUMNS) + " |")
        lines.append("|---" * (len(COLUMNS) + 1) + "|")
        for i, row in enumerate(summary.rows, 1):
            values = cells(row)
            values[-1] = f"[{row.citation}]"
            lines.append(f"| {i} | " + " | ".join(_md(v) for v in values) + " |")
    else:
        lines.append("No study reported in the retrieved passages.")
    lines.append("")
    lines += _findings_md("Agreements", summary.agreements)
    lines += _findings_md("Conflicts", summary.conflicts)
    lines += ["## Gaps", ""]
    lines += [f"- {g.text} [{g.citation}]" for g in summary.gaps] or ["None stated in the retrieved passages."]
    lines += ["", "## Sources", ""]
    for c in summary.citations:
        evidence = f" — {c.evidence.label.replace(' · ', ', ')}" if c.evidence else ""
        evidence += f" — **⚠ {SUSPECT_LABEL}**" if c.suspect else ""
        where = f" ({c.location})" if c.location else ""
        who = f" — {label_of(c.reference)}" if c.reference else ""
        lines.append(f"{c.n}. **{_md(c.title or c.doc_id)}**{who}{where}{evidence}: {_md(snippet(c.text))}")
    lines += ["", "## References", ""] + (markdown_lines(cited_references(summary.citations, style)) or ["None cited."])
    if summary.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in summary.notes]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- HTML


def _strengths(rows: list[SummaryRow]) -> dict[str, Counter]:
    by_design: dict[str, Counter] = {}
    for row in rows:
        by_design.setdefault(label(row.design), Counter())[row.strength.value] += 1
    return by_design


def design_chart_svg(rows: list[SummaryRow], width: int = 640) -> str:
    """An inline SVG bar chart: one bar per study design, stacked by strength, with counts and a legend."""
    by_design = _strengths(rows)
    bar_h, gap, left, top = 22, 8, 170, 34
    height = top + max(len(by_design), 1) * (bar_h + gap) + 10
    most = max((sum(c.values()) for c in by_design.values()), default=1)
    unit = (width - left - 40) / most
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Rows by study design and strength" font-family="system-ui, sans-serif" font-size="12">']
    x = 10
    shown = [s for s in Strength if s is not Strength.not_graded or any(r.strength is s for r in rows)]
    for s in shown:
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{STRENGTH_COLOURS[s.value]}"/>'
                     f'<text x="{x + 16}" y="18">{label(s)}</text>')
        x += 90
    if not by_design:
        parts.append(f'<text x="{left}" y="{top + 15}">no rows</text>')
    for i, (design, counts) in enumerate(sorted(by_design.items(), key=lambda kv: -sum(kv[1].values()))):
        y = top + i * (bar_h + gap)
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(design)}</text>')
        x = float(left)
        for s in Strength:
            n = counts.get(s.value, 0)
            if n:
                w = n * unit
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                             f'fill="{STRENGTH_COLOURS[s.value]}">'
                             f"<title>{escape(design)}: {n} {label(s)}</title></rect>")
                if w >= 14:
                    parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 15}" text-anchor="middle" fill="#fff">{n}</text>')
                x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{sum(counts.values())}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;
color:#1f2328;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.3rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #d0d7de;
padding-bottom:.2rem}.answer{background:#f6f8fa;border-left:4px solid #0969da;padding:.8rem 1rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #d0d7de;padding:.3rem .45rem;
vertical-align:top;text-align:left}th{background:#f6f8fa}tr:nth-child(even) td{background:#fbfcfd}
.badge{display:inline-block;border-radius:1em;padding:0 .55em;color:#fff;font-size:.8rem;white-space:nowrap}
.benefit{color:#1a7f37}.harm{color:#cf222e;font-weight:600}.no_effect{color:#9a6700}.mixed{color:#8250df}
.sources li{margin-bottom:.5rem}.meta{color:#57606a;font-size:.85rem}a{color:#0969da;text-decoration:none}
.notes{color:#57606a;font-size:.85rem}.glance{display:flex;gap:2rem;flex-wrap:wrap}.glance section{flex:1 1 420px}
"""


def _link_markers(text: str) -> str:
    """Escape text and turn [n] markers into links to the sources list."""
    out, last = [], 0
    for m in _MARKER.finditer(text):
        out.append(escape(text[last:m.start()]))
        links = ", ".join(f'<a href="#src-{n.strip()}">{n.strip()}</a>' for n in m.group(1).split(","))
        out.append(f"[{links}]")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _findings_html(findings) -> str:
    if not findings:
        return "<p>None found.</p>"
    items = "".join(f"<li>{escape(f.finding)} <span class=\"meta\">(rows {', '.join(str(i + 1) for i in f.rows)})"
                    f"</span></li>" for f in findings)
    return f"<ul>{items}</ul>"


def to_html(summary: EvidenceSummary, style: str = "author-year") -> str:
    """One self-contained HTML page: answer, evidence table, chart, agreements, conflicts, gaps, sources."""
    head = "".join(f"<th>{escape(c)}</th>" for c in ("#",) + COLUMNS)
    body = []
    for i, row in enumerate(summary.rows, 1):
        values = cells(row)
        tds = [f"<td>{i}</td>"] + [f"<td>{escape(v)}</td>" for v in values[:8]]
        direction = row.direction.value if row.direction else ""
        tds.append(f'<td class="{direction}">{escape(values[8])}</td>')
        tds.append(f'<td><span class="badge" style="background:{STRENGTH_COLOURS[row.strength.value]}">'
                   f"{escape(values[9])}</span></td>")
        tds.append(f'<td><a href="#src-{row.citation}">[{row.citation}]</a></td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    table = (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>" if body
             else "<p>No study reported in the retrieved passages.</p>")
    gaps = "".join(f'<li>{escape(g.text)} <a href="#src-{g.citation}">[{g.citation}]</a></li>' for g in summary.gaps)
    sources = []
    for c in summary.citations:
        meta = [label_of(c.reference) if c.reference else "", c.location, c.evidence.label if c.evidence else "",
                f"⚠ {SUSPECT_LABEL}" if c.suspect else ""]
        sources.append(f'<li id="src-{c.n}" value="{c.n}"><strong>{escape(c.title or c.doc_id)}</strong> '
                       f'<span class="meta">{escape(" · ".join(m for m in meta if m))}</span><br>'
                       f"{escape(snippet(c.text, 400))}</li>")
    notes = "".join(f"<li>{escape(n)}</li>" for n in summary.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence summary: {escape(summary.question)}</title><style>{_CSS}</style></head>
<body>
<h1>Evidence summary</h1><p class="meta">{escape(summary.question)}</p>
<div class="answer">{_link_markers(summary.answer)}</div>
<div class="glance">
<section><h2>Studies by design and strength</h2>
{design_chart_svg(summary.rows, width=520)}</section>
<section><h2>Conflicts</h2>
{_findings_html(summary.conflicts)}</section>
</div>
<h2>Evidence table ({len(summary.rows)} studies)</h2>
{table}
<h2>Agreements</h2>
{_findings_html(summary.agreements)}
<h2>Gaps</h2>
{f"<ul>{gaps}</ul>" if gaps else "<p>None stated in the retrieved passages.</p>"}
<h2>Sources</h2>
<ol class="sources">{''.join(sources)}</ol>
<h2>References</h2>
<ul class="references">{html_items(cited_references(summary.citations, style)) or "<li>None cited.</li>"}</ul>
{f'<h2>Notes</h2><ul class="notes">{notes}</ul>' if notes else ""}
</body></html>
"""
