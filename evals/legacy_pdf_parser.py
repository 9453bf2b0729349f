"""The PDF parser this project used before the PDFium text layer, kept to time against (evals/bench_pdf.py).

A frozen copy: pypdf text per page, paragraphs, sections and metadata.

Text comes out of pypdf as lines; this module removes running headers and footers, joins
wrapped lines into paragraphs (undoing hyphenation), opens a section at heading-like lines
("Results", "2. Methods"), and reads title, authors, DOI and year from the PDF's document
information and its first page. Problems come back as `LoadError`s with a one-line reason.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import statistics
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

from reviewer.loading.base import LoadError, doc_id_for, make_blocks
from reviewer.loading.metadata import clean_doi, parse_year
from reviewer.models import DocType, Document

_log = logging.getLogger(__name__)

ENCRYPTED = "encrypted PDF: cannot read without a password"
NO_TEXT = "no extractable text (scanned or image-only PDF? run OCR first)"
NEEDS_CRYPTOGRAPHY = "encrypted PDF: reading it needs the 'cryptography' package (pip install cryptography)"

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
                            "\u00a0": " ", "\u2009": " ", "\u202f": " "})
_KNOWN_HEADINGS = {
    "abstract", "summary", "author summary", "background", "introduction", "methods", "method", "materials and methods",
    "methods and materials", "material and methods", "experimental procedures", "results", "results and discussion",
    "discussion", "conclusion", "conclusions", "limitations", "references", "bibliography", "acknowledgements",
    "acknowledgments", "funding", "data availability", "code availability", "author contributions",
    "competing interests", "conflict of interest", "conflicts of interest", "supplementary information",
    "supplementary material", "supplementary materials", "declarations", "abbreviations",
}
_NUMBER_PREFIX_RE = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.)\s+")
_NUMBERED_HEADING_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.)\s+[A-Z][^\n]{2,90}$")
_SENTENCE_END_RE = re.compile(r"[.?!:][\"”’)\]]*(\d+([,–-]\d+)*)?$")
_NOT_HEADING_RE = re.compile(r"@|universit|department|institute|hospital|e-?mail|\bfig\b|\btable\b", re.I)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's warnings about sloppy-but-readable PDFs."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def load_pdf(path: Path, data: bytes) -> Document:
    """Parse a PDF's bytes into a Document with one block per paragraph, each with its page.

    Args:
        path: Where the bytes came from (names the document and its id).
        data: The file's bytes.

    Returns:
        The document.

    Raises:
        LoadError: The PDF is corrupt, encrypted, or has no text layer.
    """
    if not data:
        raise LoadError("empty file")
    if b"%PDF-" not in data[:1024]:
        raise LoadError("not a PDF file (no %PDF- header; is it another format renamed to .pdf?)")
    with _quiet_pypdf():
        reader = _open(data)
        try:
            pages = list(reader.pages)
        except Exception as exc:
            raise LoadError(f"corrupt or unreadable PDF ({_short_error(exc)})") from None
        if not pages:
            raise LoadError("corrupt or unreadable PDF (no pages)")
        texts, errors = [], 0
        for page in pages:
            try:
                texts.append((page.extract_text() or "").translate(_LIGATURES))
            except Exception:
                errors += 1
                texts.append("")
        if errors == len(pages):
            raise LoadError("corrupt or unreadable PDF (no page could be read)")
        letters = sum(ch.isalpha() for text in texts for ch in text)
        if letters < 50 * len(pages) and not any(len(text.split()) > 100 for text in texts):
            raise LoadError(NO_TEXT)
        if errors:
            _log.warning("%s: %d of %d pages could not be read and were skipped", path, errors, len(pages))
        info = _pdf_info(reader)
        big_title = "" if info["title"] else _largest_text(pages[0])
    blocks = make_blocks(_paragraphs(_page_lines(texts)))
    if not blocks:
        raise LoadError(NO_TEXT)
    first_page = texts[0]  # raw, with running headers: they often carry the DOI and the year
    digest = hashlib.sha256(data).hexdigest()
    return Document(
        doc_id=doc_id_for(path, digest), source=str(path), content_hash=digest,
        title=info["title"] or big_title or path.stem,
        authors=info["authors"],
        doi=info["doi"] or clean_doi(first_page) or info["subject_doi"],
        year=_pdf_year(first_page, info["created"]),
        doc_type=_pdf_doc_type(first_page),
        blocks=blocks,
    )


def _open(data: bytes) -> Any:
    """A pypdf reader, decrypted if it opens with the empty password."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:
        raise LoadError(f"corrupt or unreadable PDF ({_short_error(exc)})") from None
    if encrypted:
        try:
            unlocked = reader.decrypt("")
        except DependencyError:
            raise LoadError(NEEDS_CRYPTOGRAPHY) from None
        except Exception:
            unlocked = 0
        if not unlocked:
            raise LoadError(ENCRYPTED)
    return reader


def _short_error(exc: Exception) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return message[:160]


def _pdf_info(reader: Any) -> dict[str, Any]:
    """Title, authors, DOI and creation date from the PDF's document information."""
    try:
        meta = {str(k).lstrip("/").lower(): str(v) for k, v in (reader.metadata or {}).items()}
    except Exception:
        meta = {}
    title = " ".join(meta.get("title", "").split())
    if len(title) < 5 or re.search(r"\.(pdf|docx?|tex|indd|dvi)$|^microsoft word|^untitled", title, re.I):
        title = ""
    author = meta.get("author", "").strip()
    if ";" in author:
        authors = [p.strip() for p in author.split(";") if p.strip()]
    else:
        authors = [p.strip() for p in re.split(r",|\band\b", author) if p.strip()]
        if len(authors) == 2 and all(" " not in p for p in authors):
            authors = [f"{authors[1]} {authors[0]}"]  # "Last, First"
    return {
        "title": title, "authors": authors,
        "doi": clean_doi(meta.get("doi")), "subject_doi": clean_doi(meta.get("subject")),
        "created": meta.get("creationdate", ""),
    }


def _largest_text(page: Any) -> str:
    """The first page's largest-font text of a few words (the title, when the PDF info lacks one)."""
    runs: list[tuple[float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            scale = ((tm[2] ** 2 + tm[3] ** 2) ** 0.5) * ((cm[2] ** 2 + cm[3] ** 2) ** 0.5)
            runs.append((round(size * scale, 1), text))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:
        return ""
    for size in sorted({s for s, _ in runs}, reverse=True)[:3]:
        title = " ".join(" ".join(t for s, t in runs if s == size).translate(_LIGATURES).split())
        if len(title.split()) >= 3 and len(title) <= 300:
            return title
    return ""


def _pdf_year(first_page: str, created: str) -> Optional[int]:
    """Publication year from the first page, else the PDF's creation date."""
    for pattern in (r"(?:published|accepted|posted)[^\n]{0,40}?\b((?:19|20)\d\d)\b",
                    r"(?:©|\(c\)|copyright)\s*((?:19|20)\d\d)\b", r"\(((?:19|20)\d\d)\)"):
        match = re.search(pattern, first_page, re.I)
        if match:
            return int(match.group(1))
    match = re.match(r"D?:?((?:19|20)\d\d)", created.strip())
    return int(match.group(1)) if match else parse_year(first_page)


def _pdf_doc_type(first_page: str) -> DocType:
    """Preprint, review or article, from the words the first page labels itself with."""
    head = "\n".join(line for line in first_page.split("\n")[:6]).lower()
    if re.search(r"biorxiv|medrxiv|arxiv:|preprint", first_page[:3000], re.I):
        return DocType.preprint
    if re.search(r"\b(systematic |mini[- ])?review( article)?\b", head):
        return DocType.review
    if re.search(r"\b(research |original )?article\b", head):
        return DocType.article
    return DocType.unknown


def _edge_key(line: str) -> str:
    return re.sub(r"[\d\s]+", " ", line.lower()).strip()  # page numbers may touch their neighbours


def _page_lines(texts: list[str]) -> list[list[str]]:
    """Stripped lines per page, without running headers/footers and page-edge debris."""
    pages = [[" ".join(line.split()) for line in text.split("\n")] for text in texts]
    counts: dict[str, int] = {}
    for lines in pages:
        content = [line for line in lines if line]
        for key in {_edge_key(line) for line in content[:4] + content[-4:]}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    cleaned = []
    for lines in pages:
        content_idx = [i for i, line in enumerate(lines) if line]
        near_edge = set(content_idx[:4] + content_idx[-4:])
        at_edge = set(content_idx[:2] + content_idx[-2:])
        kept = []
        for i, line in enumerate(lines):
            if i in near_edge and _edge_key(line) in repeated:
                continue
            if i in at_edge and not re.search(r"[A-Za-z]{2}", line):
                continue  # page numbers and other letterless debris
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def _heading(line: str, prev: str, in_references: bool) -> Optional[str]:
    """The section a line opens, if it looks like a heading."""
    if len(line) > 100:
        return None
    bare = _NUMBER_PREFIX_RE.sub("", line).strip().rstrip(":").strip()
    if bare.lower() in _KNOWN_HEADINGS:
        heading = line.rstrip(":").strip()
        return heading.capitalize() if heading.isupper() else heading
    if in_references or not _NUMBERED_HEADING_RE.match(line) or line[-1] in ".,;" or len(line.split()) > 14:
        return None
    if (prev and not _SENTENCE_END_RE.search(prev)) or _NOT_HEADING_RE.search(line):
        return None
    return line


def _is_debris(text: str) -> bool:
    """Figure labels, axis ticks and sequence alignments: text that is not prose."""
    if sum(ch.isalpha() for ch in text) < 3:
        return True
    tokens = text.split()
    return len(tokens) >= 10 and sum(len(t) == 1 for t in tokens) > 0.6 * len(tokens)


def _paragraphs(pages: list[list[str]]) -> list[tuple[str, Optional[str], int]]:
    """Paragraphs with their section and 1-based page, from cleaned page lines."""
    hyphenated = hyphenated_words("\n".join("\n".join(lines) for lines in pages))
    long_lines = [len(line) for lines in pages for line in lines if len(line) >= 30]
    typical = statistics.median(long_lines) if long_lines else 60
    items: list[tuple[str, Optional[str], int]] = []
    section: Optional[str] = None
    for number, lines in enumerate(pages, start=1):
        para: list[str] = []
        prev = ""

        def flush() -> None:
            text = join_lines(para, hyphenated).strip()
            if text and not _is_debris(text):
                items.append((text, section, number))
            para.clear()

        for line in lines:
            if not line:
                flush()
                prev = ""
                continue
            in_references = (section or "").lower() in ("references", "bibliography")
            heading = _heading(line, prev, in_references)
            if heading:
                flush()
                section, prev = heading, ""
                continue
            para.append(line)
            prev = line
            # a sentence ending on a short line closes the paragraph (pypdf gives no blank lines)
            if _SENTENCE_END_RE.search(line) and len(line) < 0.8 * typical:
                flush()
        flush()
    return items


def join_lines(lines: list[str], hyphenated: set[str]) -> str:
    """Join wrapped lines into one paragraph, undoing hyphenation at line breaks.

    A word broken as "mole-" + "cular" is rejoined; a hyphenated word that the text also
    writes unbroken elsewhere ("long-term") keeps its hyphen; "EF-" + "1A" keeps it too.
    """
    out = ""
    for line in lines:
        if not out:
            out = line
            continue
        if out.endswith("\u00ad"):  # soft hyphen: always a break inside a word
            out = out[:-1] + line
            continue
        broken = re.search(r"(\w+)-$|(\w{3,}) -$", out)  # some PDFs set the hyphen apart: "conforma -"
        head = broken and (broken.group(1) or broken.group(2))
        if head and head[-1].isalpha() and line[:1].isalnum():
            tail = re.match(r"\w*", line).group(0)
            stem = out[: broken.start()] + head
            if head[-1].islower() and line[0].islower() and f"{head}-{tail}".lower() not in hyphenated:
                out = stem + line
            else:
                out = stem + "-" + line
        else:
            out += " " + line
    return out.replace("\u00ad", "")


def hyphenated_words(text: str) -> set[str]:
    """Hyphenated words written unbroken somewhere in the text (kept hyphenated across breaks)."""
    return {w.lower() for w in re.findall(r"\b[A-Za-z]+-[A-Za-z]+\b", text)}
