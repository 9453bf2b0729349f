"""PDF layout to blocks: running headers dropped, paragraphs, captions and sections from font size and position.

The body font is the size most of the text is set in. A line opens a section when it names a
known section ("Results", "2. Methods") or stands alone in a bold or larger font; a line that
starts "Fig. 2" or "Table 1" in a caption's font opens a caption block, which runs as long as
that font does, so a caption never ends up inside a sentence of the body text. Paragraphs
break at vertical gaps, indents, and short lines that end a sentence; lines are joined with
hyphens undone only where the joined word is a word.
"""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from reviewer.loading.pdf_layout import Line, PageText
from reviewer.loading.words import Vocabulary, join_lines, repair_inline_hyphens, space_sentences
from reviewer.models import BlockKind
from reviewer.text import CAPTION as _CAPTION

KNOWN_HEADINGS = {
    "abstract", "summary", "author summary", "background", "introduction", "methods", "method", "materials and methods",
    "methods and materials", "material and methods", "experimental procedures", "results", "results and discussion",
    "discussion", "conclusion", "conclusions", "limitations", "references", "bibliography", "acknowledgements",
    "acknowledgments", "funding", "data availability", "code availability", "author contributions",
    "competing interests", "conflict of interest", "conflicts of interest", "supplementary information",
    "supplementary material", "supplementary materials", "declarations", "abbreviations", "importance",
    "data availability statement", "ethics declarations", "additional information", "availability of data and materials",
}
_NUMBER_PREFIX = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.)\s+")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.)\s+[A-Z][^\n]{2,90}$")
_SENTENCE_END = re.compile(r"[.?!:][\"”’)\]]*(\s*\[[\d,–-]+\])?$")
_NOT_HEADING = re.compile(r"@|universit|department|institute|hospital|e-?mail|\bfig\b|\btable\b|https?:|doi", re.I)
_REFERENCES = {"references", "bibliography"}
_INTRODUCTIONS = {"introduction", "background"}
_FRONT = {"abstract", "summary", "author summary", "importance", "keywords"}  # before the introduction
_RUN_IN = re.compile(r"^([A-Z]{4,}(?: [A-Z]{2,}){0,2})\s+(?=[A-Za-z(])")  # "ABSTRACT The two species..."
_ABSTRACT_RUN_IN = re.compile(r"^(Abstract)\s*[.:—–]\s*(?=\S)")  # "Abstract: The two species..."
_ABSTRACTS = {"abstract", "summary"}
_FRONT_MARKS = re.compile(r"©|creative commons|open access|@|\bcorrespond(?:ence|ing author)|\bcontributed equally", re.I)
# a first page's notes in small print beside or below the text: editor, dates, correspondence, licence, affiliations
_FRONT_NOTE = re.compile(
    r"^(?:editor|edited by|received|accepted|revised|published|copyright|\W?correspondence|address correspondence)\b|©|@"
    r"|contributed equally|competing interests|conflicts? of interest|^[\d*†‡§]{1,3}\s*[A-Z][^\n]{0,160}?"
    r"\b(?:universit|institut|department|hospital|cent(?:er|re)\b|school|laborator|college|academy)", re.I)
_DATES = re.compile(r"^(?:received|accepted|revised|published)(?: online)?:?\s+(?:\d{1,2}\s+[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2},?)"
                    r"\s+(?:19|20)\d\d\b|^check for updates$|^open access$", re.I)
FRONT_MATTER = "Front matter"  # title, authors, affiliations and the journal's notes before the first section
_HAS_SUBSECTIONS = {"results", "methods", "method", "materials and methods", "methods and materials",
                    "material and methods", "experimental procedures", "results and discussion"}


@dataclass
class _Style:
    """The document's body typography."""

    size: float
    width: float
    pitch: float
    columns: tuple[float, ...] = ()  # left edges of the text columns (full-width body lines start there)
    introduction: bool = True  # whether the paper prints an Introduction (or Background) heading
    abstract: bool = True  # whether the paper labels its abstract ("Abstract", "ABSTRACT The ...") on its first pages
    headings: bool = True  # whether the paper prints any of the usual section names


def page_blocks(pages: list[PageText], vocabulary: Vocabulary) -> list[tuple[str, Optional[str], int, BlockKind]]:
    """Paragraph and caption blocks with their section and 1-based page.

    Args:
        pages: The PDF's lines per page (running headers and footers still in).
        vocabulary: Words of the document and of English, for rejoining hyphenated words.

    Returns:
        (text, section, page, kind) per block, in reading order.
    """
    pages = drop_running_lines(pages)
    style = _body_style(pages)
    out: list[tuple[str, Optional[str], int, BlockKind]] = []
    state = {"section": None, "headed": False}
    for number, page in enumerate(pages, start=1):
        local = dataclasses.replace(style, pitch=_pitch([page], style.size) if len(page.lines) > 8 else style.pitch)
        for kind, lines in _groups(page.lines, local, state, number, vocabulary):
            text = join_lines([ln.text for ln in lines], vocabulary)
            text = space_sentences(repair_inline_hyphens(text, vocabulary), vocabulary).strip()
            if text and (kind is BlockKind.caption or not _is_debris(text)):
                section = _front_section(text, lines, kind, style, state, number, page.height)
                if kind is BlockKind.body and section != FRONT_MATTER and state.pop("lead", False):
                    text = _led(state.get("title") or "", text)
                _append(out, (text, section, number, kind or BlockKind.body))
    return out


def _front_section(text: str, lines: list[Line], kind: Optional[BlockKind], style: _Style, state: dict,
                   page: int, height: float) -> Optional[str]:
    """A block's section, telling the front matter and an abstract printed without a heading apart.

    Before the first heading (kind None), the first paragraph of prose in at least the body size
    opens the abstract, unless the paper labels its abstract elsewhere (then it is front matter)
    or prints none of the usual section names (then it may be the body itself, and keeps no
    section); the rest there (title, authors, affiliations, licence) is front matter, as is text
    after such an unlabelled abstract that is not prose (the journal's citation line). So are the
    first page's notes the text layer puts after a heading: publication dates, a few words in the
    top or bottom margin (the journal's name), and small print naming an editor, a correspondent,
    a licence or an affiliation (with the small print that follows it).
    """
    small = min(ln.size for ln in lines) < style.size - 0.3
    margin = all(ln.bottom < 0.09 * height or ln.top > 0.91 * height for ln in lines) and len(text.split()) <= 8
    if page == 1 and kind is BlockKind.body and (_DATES.search(text) or margin or small and (
            state.get("note") or _FRONT_NOTE.search(text))):
        state["note"] = True
        return FRONT_MATTER
    state["note"] = False
    if kind is None:
        if not _prose(text, lines, style) or style.abstract:
            return FRONT_MATTER
        if not style.headings:
            return None  # a paper without the usual sections: its first prose may be the body itself
        _open_section(state, "Abstract", lines[0])
        state["inferred"], state["front_font"] = True, (lines[0].size, lines[0].bold)
    elif kind is BlockKind.body and state.get("inferred") and (
            _FRONT_MARKS.search(text) or len(text.split()) < 30 and not _SENTENCE_END.search(text)):
        return FRONT_MATTER  # not a sentence of the abstract (which may break mid-sentence at a column's foot)
    return state["section"]


def _prose(text: str, lines: list[Line], style: _Style) -> bool:
    """Whether a block reads as a paragraph of sentences in at least the body size (not a title, an author list or small print)."""
    words = text.split()
    return (len(words) >= 40 and bool(_SENTENCE_END.search(text)) and not _FRONT_MARKS.search(text)
            and sum(w[0].islower() for w in words) >= 0.5 * len(words) and min(ln.size for ln in lines) >= style.size - 0.3)


def _led(heading: str, text: str) -> str:
    """A subsection's first paragraph opened by its heading, as a sentence of its own.

    Results subheadings often state the finding ("X evolved resistance to Y, but Z only to W")
    in words the paragraph below does not repeat, so the heading is kept in the text as well
    as in the section label.
    """
    heading = _NUMBER_PREFIX.sub("", heading).strip()
    if not heading:
        return text
    return f"{heading}{'' if heading[-1] in '.?!' else '.'} {text}"


def _append(out: list[tuple[str, Optional[str], int, BlockKind]], item: tuple[str, Optional[str], int, BlockKind]) -> None:
    """Add a block; body text that goes on mid-sentence after a caption joins the paragraph the caption interrupted."""
    text, section, page, kind = item
    if kind is BlockKind.body and text[0].islower() and out and out[-1][3] is BlockKind.caption:
        body = next((i for i in range(len(out) - 1, -1, -1) if out[i][3] is BlockKind.body), None)
        if body is not None and out[body][1:3] == (section, page) and not _SENTENCE_END.search(out[body][0]):
            out[body] = (f"{out[body][0]} {text}", section, page, kind)
            return
    out.append(item)


def _body_style(pages: list[PageText]) -> _Style:
    """The size most characters are set in, and the usual width of a full line in it."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    size = sizes.most_common(1)[0][0] if sizes else 10.0
    widths = [ln.x1 - ln.x0 for p in pages for ln in p.lines if abs(ln.size - size) < 0.6 and len(ln.text) >= 30]
    width = statistics.median(widths) if widths else 300.0
    edges = Counter(round(ln.x0) for p in pages for ln in p.lines
                    if abs(ln.size - size) < 0.6 and ln.x1 - ln.x0 > 0.9 * width)
    columns = tuple(sorted(x for x, n in edges.items() if n >= 5))
    names = [[_NUMBER_PREFIX.sub("", ln.text).strip(" :.").lower() for ln in p.lines if len(ln.text) < 40] for p in pages]
    openings = [(_RUN_IN.match(ln.text) or _ABSTRACT_RUN_IN.match(ln.text)) for p in pages[:2] for ln in p.lines]
    abstract = any(n in _ABSTRACTS for p in names[:2] for n in p) or any(
        m and m.group(1).lower() in _ABSTRACTS for m in openings)
    return _Style(size=size, width=width, pitch=_pitch(pages, size), columns=columns,
                  introduction=any(n in _INTRODUCTIONS for p in names for n in p), abstract=abstract,
                  headings=any(n in KNOWN_HEADINGS for p in names for n in p))


def _pitch(pages: list[PageText], size: float) -> float:
    """The usual distance from one body line to the next (single or double spacing)."""
    body = [[ln for ln in p.lines if abs(ln.size - size) < 0.6] for p in pages]
    pitches = [b.top - a.top for lines in body for a, b in zip(lines, lines[1:])
               if abs(a.x0 - b.x0) < size and 0.8 * size < b.top - a.top < 3 * size]
    return statistics.median(pitches) if len(pitches) >= 5 else 1.2 * size


def _edge_key(text: str) -> str:
    return re.sub(r"[\d\s]+", " ", text.lower()).strip()  # page numbers may touch their neighbours


def drop_running_lines(pages: list[PageText]) -> list[PageText]:
    """Pages without running headers and footers, page numbers and letterless debris in the margins."""
    def in_margin(line: Line, page: PageText) -> bool:
        return (line.bottom < 0.09 * page.height or line.top > 0.91 * page.height
                or line.x0 > 0.93 * page.width or line.x1 < 0.07 * page.width)

    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_edge_key(ln.text) for ln in page.lines if in_margin(ln, page)})
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= max(3, len(pages) // 3)}
    cleaned = []
    for page in pages:
        kept = [ln for ln in page.lines if not (in_margin(ln, page) and (
            _edge_key(ln.text) in repeated or not re.search(r"[A-Za-z]{2}", ln.text)))]
        cleaned.append(PageText(page.width, page.height, kept))
    return cleaned


def _groups(lines: list[Line], style: _Style, state: dict, page: int, vocabulary: Vocabulary):
    """Yield (kind, lines) per block of a page; headings update `state["section"]` and yield nothing.

    A kind of None marks front matter (title, authors) on the first page before any section.
    """
    group: list[Line] = []
    kind: Optional[BlockKind] = BlockKind.body
    for i, line in enumerate(lines):
        prev = group[-1] if group else None
        last = state.get("heading_line")
        if not group and last is not None and i > 0 and last is lines[i - 1] and _wraps(last, line, style):
            state["title"] = join_lines([state["title"], line.text.strip().rstrip(":")], vocabulary)
            state["section"] = _label(state)
            state["heading_line"] = line
            continue
        heading = _heading(line, prev, style, state, page)
        if heading and heading.lower() not in KNOWN_HEADINGS and i + 1 < len(lines) \
                and not _opens_text(line, lines[i + 1], style):
            heading = None  # a bold table header or figure label, not a section
        state["heading_line"] = line if heading else None
        run_in = None if heading else _run_in(line, prev, style, kind)
        if heading or run_in:
            if group:
                yield kind, group
            group = []
            _open_section(state, heading or run_in[0], line)
            if heading:
                continue
            line = run_in[1]
        starts_caption = _CAPTION.match(line.text) and (
            prev is None or _caption_font(line, style) or _breaks(prev, line, style, kind))
        if group and (starts_caption or _breaks(prev, line, style, kind)):
            yield kind, group
            group = []
        if not group:
            kind = BlockKind.caption if starts_caption and _caption_font(line, style) else (
                BlockKind.body if state["headed"] or page > 1 else None)
            if kind is BlockKind.body and not run_in and _opens_introduction(line, lines[i + 1:i + 2], style, state):
                _open_section(state, "Introduction", line)
            if kind is BlockKind.body and state.get("front_font") is None and (state.get("top") or "").lower() in _FRONT:
                state["front_font"] = (line.size, line.bold)
        group.append(line)
    if group:
        yield kind, group


def _run_in(line: Line, prev: Optional[Line], style: _Style, kind: Optional[BlockKind]):
    """A section name set in capitals at the start of a paragraph ("ABSTRACT The two species..."), and the rest of the line."""
    match = _RUN_IN.match(line.text) or _ABSTRACT_RUN_IN.match(line.text)
    if not match or kind is BlockKind.caption or not _at_column(line, style):
        return None
    name = match.group(1).capitalize()
    if name.lower() not in KNOWN_HEADINGS | _FRONT or (prev is not None and not _breaks(prev, line, style, kind)):
        return None
    return name, dataclasses.replace(line, text=line.text[match.end():])


def _opens_introduction(line: Line, following: list[Line], style: _Style, state: dict) -> bool:
    """Whether a paragraph after the abstract opens an introduction the paper prints without a heading.

    It does when the paper has no Introduction heading and the paragraph, set in the body font,
    follows the keywords, starts with a first-line indent (abstracts and importance statements
    are not indented), or follows an abstract set in another font (larger, or bold).
    """
    top = (state.get("top") or "").lower()
    if style.introduction or top not in _FRONT or not following or abs(line.size - style.size) >= 0.3:
        return False
    indent = line.x0 - following[0].x0 if abs(following[0].size - line.size) < 0.3 else 0.0
    indent = max([indent] + [line.x0 - x for x in style.columns if line.x0 - x < 4 * line.size])
    font = state.get("front_font")
    restyled = font is not None and (abs(font[0] - line.size) >= 0.3 or font[1] != line.bold)
    return top == "keywords" or indent > 0.8 * line.size or restyled


def _at_column(line: Line, style: _Style) -> bool:
    """Whether a line starts at a text column's left edge (or the document's columns are unknown)."""
    return not style.columns or any(abs(line.x0 - x) < 0.75 * style.size for x in style.columns)


def _open_section(state: dict, heading: str, line: Line) -> None:
    """Record a heading: a top-level one (a known name, or set like the last top-level one) or a subsection."""
    letters = [ch for ch in line.text if ch.isalpha()]
    look = (round(line.size), line.bold, sum(ch.isupper() for ch in letters) > 0.8 * len(letters))
    numbered = _NUMBER_PREFIX.match(heading)
    parent = (state.get("top") or "").lower() in _HAS_SUBSECTIONS
    top = (heading.lower() in KNOWN_HEADINGS or (look == state.get("top_look") and not parent) or not state.get("top")
           or (numbered and "." not in numbered.group(1).rstrip(".")))
    if top:
        state["top"], state["top_look"], state["title"] = heading, look, None
    else:
        state["title"] = heading
    state["section"], state["headed"], state["lead"] = _label(state), True, not top
    state["inferred"], state["front_font"] = False, None


def _label(state: dict) -> str:
    """A section's label: "Results › Cell culture" for a subsection, "Results" for a top-level section."""
    return f"{state['top']} › {state['title']}" if state.get("title") else state["top"]


def _opens_text(heading: Line, following: Line, style: _Style) -> bool:
    """Whether the line after a heading candidate is below it and not in a table's or figure's small print.

    A neighbour on the same baseline makes the candidate a table's column header.
    """
    if abs(following.top - heading.top) < 0.3 * heading.size:
        return False
    return following.size >= style.size - 0.6 or _wraps(heading, following, style)


def _wraps(heading: Line, line: Line, style: _Style) -> bool:
    """Whether a line continues the heading line above it (same bold or large font, right below it, single or double spaced)."""
    return (heading.bold == line.bold and abs(heading.size - line.size) < 0.3 and abs(heading.x0 - line.x0) < heading.size
            and 0 < line.top - heading.top < max(1.6 * heading.size, 1.2 * style.pitch) and not _CAPTION.match(line.text)
            and heading.text.rstrip()[-1:] not in ".:" and len(line.text.split()) <= 12)


def _caption_font(line: Line, style: _Style) -> bool:
    """Whether a "Fig. 2"/"Table 1" line is set as a caption (smaller or bold) rather than cited in the body."""
    return line.size < style.size - 0.3 or line.bold or bool(re.match(r"^\S+\s*S?\d+[A-Za-z]?\s*[|.:]", line.text))


def _breaks(prev: Line, line: Line, style: _Style, kind: Optional[BlockKind]) -> bool:
    """Whether `line` starts a new block after `prev`."""
    if abs(line.size - prev.size) > 0.3:
        return True
    pitch = line.top - prev.top
    same_column = abs(line.x0 - prev.x0) < 3 * prev.size and 0 < pitch < 4 * prev.size
    if kind is BlockKind.caption:
        return not same_column and not (pitch < 0 or line.x0 > prev.x1)
    if same_column and pitch > max(1.35 * style.pitch, 1.6 * prev.size) and abs(prev.size - style.size) < 0.6 \
            or same_column and pitch > 1.75 * prev.size and abs(prev.size - style.size) >= 0.6:
        return True  # a blank line's worth of space
    if same_column and line.x0 > prev.x0 + 0.8 * prev.size and len(line.text) > 20:
        return True  # first-line indent
    short = (prev.x1 - prev.x0) < 0.8 * style.width
    return bool(short and _SENTENCE_END.search(prev.text))


def _heading(line: Line, prev: Optional[Line], style: _Style, state: dict, page: int) -> Optional[str]:
    """The section a line opens, if it is a heading."""
    text = line.text.strip()
    if len(text) > 120 or len(text.split()) > 16 or not re.search(r"[A-Za-z]{2}", text):
        return None
    bare = _NUMBER_PREFIX.sub("", text).strip().rstrip(":.").strip()
    if bare.lower() in KNOWN_HEADINGS and (line.bold or line.size > style.size + 0.3 or text.isupper()
                                           or prev is None or _SENTENCE_END.search(prev.text or "")):
        heading = text.rstrip(":.").strip()
        return heading.capitalize() if heading.isupper() else heading
    if (state["section"] or "").lower() in _REFERENCES or _CAPTION.match(text) or _NOT_HEADING.search(text):
        return None
    if text[-1] in ",;" or (text[-1] == "." and not _NUMBERED.match(text)) or not (text[0].isupper() or text[0].isdigit()):
        return None
    if prev is not None and not line.bold and not _SENTENCE_END.search(prev.text):
        return None
    styled = (line.bold and line.size >= 0.85 * style.size) or line.size > style.size + 0.6
    if styled and not state["headed"] and page == 1:
        return None  # title, authors and affiliations
    font = state.get("front_font") if state.get("inferred") else None
    if styled and font and abs(font[0] - line.size) < 0.3 and font[1] == line.bold:
        return None  # a later paragraph of an abstract printed without a heading, in its own font
    if not _at_column(line, style):
        return None  # a label inside a figure: headings start at a column's left edge
    if styled or (_NUMBERED.match(text) and line.size >= style.size - 0.3 and len(text.split()) <= 14):
        return text.rstrip(":").strip()
    return None


def _is_debris(text: str) -> bool:
    """Figure labels, axis ticks and sequence alignments: text that is not prose."""
    if sum(ch.isalpha() for ch in text) < 3:
        return True
    tokens = text.split()
    return len(tokens) >= 10 and sum(len(t) == 1 for t in tokens) > 0.6 * len(tokens)
