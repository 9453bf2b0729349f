"""The PDF text layer: lines of text with their font size, weight and position, behind `PdfBackend`.

The default backend reads PDFs with PDFium (pypdfium2), character by character: each
character's box, baseline and font size let us rebuild lines ourselves, restore the spaces
between words from the gaps between glyphs, and recognise superscripts (smaller and raised),
which become citation markers "[16,17]" instead of digits glued to the word before them.

Why PDFium rather than pypdf: pypdf's text visitor reports whole text runs, not glyphs, so the
spaces it leaves out inside a run ("Thelocation") and a superscript inside a run cannot be
recovered from it, and its `extract_text` is about four times slower than PDFium's glyph
loop on the LitQA2 papers. pdfminer.six gives glyphs too but is slower still.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass, field
from typing import Optional, Protocol

from reviewer.loading.base import LoadError

ENCRYPTED = "encrypted PDF: cannot read without a password"
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
                            "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
                            "\u2212": "-", "\ufffe": "", "\x02": "-"})
_CITATION = re.compile(r"\d{1,3}(?:\s*[,–\-]\s*\d{1,3})*")


@dataclass
class Line:
    """One line of text on a page, in reading order, with its typography and position (points, top-down)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False


@dataclass
class PageText:
    """A page's size and its lines."""

    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass
class PdfText:
    """What a backend reads from a PDF: its pages, its document information, pages it could not read."""

    pages: list[PageText]
    info: dict[str, str]
    unreadable: int = 0


class PdfBackend(Protocol):
    """Reads a PDF's bytes into lines with font size and position; raises `LoadError` with a one-line reason."""

    def read(self, data: bytes) -> PdfText:
        """The PDF's pages as lines, and its document information."""
        ...


@dataclass
class _Glyph:
    index: int
    ch: str
    x0: float
    x1: float
    base: float
    size: float


class PdfiumBackend:
    """`PdfBackend` on PDFium (pypdfium2)."""

    def read(self, data: bytes) -> PdfText:
        """The PDF's pages as lines, and its document information."""
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise LoadError(ENCRYPTED) from None
            raise LoadError(f"corrupt or unreadable PDF ({_short_error(exc)})") from None
        try:
            if len(pdf) == 0:
                raise LoadError("corrupt or unreadable PDF (no pages)")
            pages, unreadable = [], 0
            for index in range(len(pdf)):
                try:
                    pages.append(_read_page(pdf[index]))
                except pdfium.PdfiumError:
                    unreadable += 1
                    pages.append(PageText(0.0, 0.0))
            try:
                info = {k.lower(): str(v) for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
            except Exception:
                info = {}
            return PdfText(pages=pages, info=info, unreadable=unreadable)
        finally:
            pdf.close()


def _short_error(exc: Exception) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return message[:160]


def _read_page(page) -> PageText:
    """A page's glyphs grouped into lines."""
    import pypdfium2.raw as raw

    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        glyphs = _glyphs(textpage.raw, raw, height)
        lines = [line for run in _split_runs(glyphs) if (line := _make_line(run, textpage.raw, raw))]
    finally:
        textpage.close()
        page.close()
    return PageText(width, height, lines)


def _glyphs(tp, raw, height: float) -> list[Optional[_Glyph]]:
    """Every character with its box, baseline (top-down) and size; None marks a line break PDFium saw."""
    box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[Optional[_Glyph]] = []
    for i in range(raw.FPDFText_CountChars(tp)):
        code = raw.FPDFText_GetUnicode(tp, i)
        if code in (10, 13):
            if out and out[-1] is not None:
                out.append(None)
            continue
        if code == 0xFFFE or code == 2:  # PDFium's marks for a hyphen it saw at a line end
            code = 0x2D
        raw.FPDFText_GetLooseCharBox(tp, i, box)
        raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
        raw.FPDFText_GetMatrix(tp, i, matrix)  # the font size is in text space: scale it to the page
        size = raw.FPDFText_GetFontSize(tp, i) * ((matrix.c ** 2 + matrix.d ** 2) ** 0.5 or 1.0)
        out.append(_Glyph(i, chr(code), box.left, box.right, height - oy.value, size))
    return out


def _split_runs(glyphs: list[Optional[_Glyph]]) -> list[list[_Glyph]]:
    """Runs of glyphs on one line: a break where the baseline jumps or the text goes back left or across a gutter.

    PDFium's own line breaks are hints only: it also breaks around raised citation numbers.
    """
    runs: list[list[_Glyph]] = []
    current: list[_Glyph] = []
    base = size = last_x1 = 0.0
    hinted = False
    for g in glyphs:
        if g is None:
            hinted = True
            continue
        if g.ch == " " and not current:
            continue
        if current and g.ch != " " and _new_line(g, base, size, last_x1, hinted):
            runs.append(current)
            current = []
        hinted = False
        if g.ch != " " and (not current or g.size >= 0.85 * size):
            base, size = (g.base, g.size) if not current or g.size >= size else (base, size)
        current.append(g)
        if g.ch != " ":
            last_x1 = g.x1
    if current:
        runs.append(current)
    return runs


def _new_line(g: _Glyph, base: float, size: float, last_x1: float, hinted: bool) -> bool:
    """Whether a glyph starts a new line: off the baseline, back to the left, or across a gutter."""
    small = g.size < 0.85 * size
    if abs(g.base - base) > (0.7 if not small else 1.0) * max(size, g.size):
        return True
    if g.x0 < last_x1 - (0.5 if hinted else 2) * size:
        return True
    return g.x0 > last_x1 + (1.5 if hinted else 4) * size


def _make_line(run: list[_Glyph], tp, raw) -> Optional[Line]:
    """A line's text (spaces from gaps, superscript citations as markers) and typography."""
    letters = [g for g in run if g.ch != " "]
    if not letters:
        return None
    size = statistics.mode(round(g.size, 1) for g in letters)
    base = statistics.median(g.base for g in letters if abs(g.size - size) < 0.15 * size) if any(
        abs(g.size - size) < 0.15 * size for g in letters) else letters[0].base
    drop_cap = len(letters) > 3 and letters[0].ch.isupper() and letters[0].size >= 1.8 * size
    text = _line_text(run[1:] if drop_cap else run, size, base)
    if drop_cap:  # a large initial letter spanning several lines belongs to the first word
        text, letters = letters[0].ch + text, letters[1:]
    if not text.strip():
        return None
    return Line(text=text, x0=letters[0].x0, x1=max(g.x1 for g in letters), top=base - size, bottom=base,
                size=size, bold=_bold(tp, raw, letters))


def _line_text(run: list[_Glyph], size: float, base: float) -> str:
    """The line's characters with spaces restored and superscript citation numbers as markers."""
    parts: list[str] = []
    sup: list[str] = []
    prev: Optional[_Glyph] = None
    for g in run:
        raised = g.ch != " " and g.size < 0.85 * size and base - g.base > 0.2 * size
        if raised:
            sup.append(g.ch)
        else:
            if sup:
                _add_superscript(parts, "".join(sup))
                sup = []
            if g.ch != " " and prev is not None and prev.ch != " " and g.x0 - prev.x1 > 0.2 * size and parts:
                parts.append(" ")
            parts.append(g.ch)
        if g.ch != " ":
            prev = g
        elif not raised:
            prev = g
    if sup:
        _add_superscript(parts, "".join(sup))
    return re.sub(r" {2,}", " ", "".join(parts)).translate(_LIGATURES).strip()


def _add_superscript(parts: list[str], text: str) -> None:
    """Append a superscript: a citation becomes a marker " [16,17]" set before sentence punctuation."""
    clean = text.strip()
    before = "".join(parts[-40:])
    word = re.search(r"([A-Za-z0-9’'-]*)([)\].,;:]?)\s*$", before)
    letters = sum(ch.isalpha() for ch in word.group(1)) if word else 0
    listed = bool(re.search(r"[,–-]", clean))
    if not (_CITATION.fullmatch(clean) and word and (letters >= 3 or word.group(2) or (letters == 2 and listed))):
        parts.append(text)
        return
    marker = " [" + re.sub(r"\s+", "", clean).replace("-", "–") + "]"
    if parts and parts[-1] in ".,;:":
        parts.insert(len(parts) - 1, marker)
    else:
        parts.append(marker)


def _bold(tp, raw, letters: list[_Glyph]) -> bool:
    """Whether a line is set in a bold font (its first and last letters are)."""
    return all(_is_bold(tp, raw, g.index) for g in (letters[0], letters[-1]))


def _is_bold(tp, raw, index: int) -> bool:
    """Whether a character's font is bold, by its weight or else its name."""
    weight = raw.FPDFText_GetFontWeight(tp, index)
    if weight >= 600:
        return True
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    n = raw.FPDFText_GetFontInfo(tp, index, buffer, 128, ctypes.byref(flags))
    name = buffer.raw[: max(n - 1, 0)].decode("latin-1").lower()
    return bool(re.search(r"bold|black|heavy|demi|[.,_+-](b|bd|sb)$", name))
