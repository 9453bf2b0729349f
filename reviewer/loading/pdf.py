"""PDF: a paper's text as paragraphs and captions under their sections, with title, authors, DOI and year.

The text layer comes from a `PdfBackend` (PDFium by default, see `reviewer.loading.pdf_layout`);
`reviewer.loading.pdf_blocks` turns its lines into blocks. Metadata comes from the PDF's
document information and its first page. Problems come back as `LoadError`s with a one-line reason.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Optional

from reviewer.loading.base import LoadError, doc_id_for, make_blocks
from reviewer.loading.metadata import clean_doi, parse_authors, parse_year
from reviewer.loading.pdf_blocks import page_blocks
from reviewer.loading.pdf_layout import PdfBackend, PdfiumBackend, PdfText
from reviewer.loading.pdf_metadata import first_page_metadata
from reviewer.loading.words import Vocabulary
from reviewer.models import DocType, Document, IngestFailure

_log = logging.getLogger(__name__)

NO_TEXT = "no extractable text (scanned or image-only PDF? run OCR first)"


def load_pdf(path: Path, data: bytes, backend: Optional[PdfBackend] = None) -> tuple[list[Document], list[IngestFailure]]:
    """Parse a PDF's bytes into a Document with one block per paragraph or caption, each with its page.

    Args:
        path: Where the bytes came from (names the document and its id).
        data: The file's bytes.
        backend: The text layer reader (PDFium unless given).

    Returns:
        The document (and no failures: a PDF that cannot be read raises).

    Raises:
        LoadError: The PDF is corrupt, encrypted, or has no text layer.
    """
    if not data:
        raise LoadError("empty file")
    if b"%PDF-" not in data[:1024]:
        raise LoadError("not a PDF file (no %PDF- header; is it another format renamed to .pdf?)")
    pdf = (backend or PdfiumBackend()).read(data)
    texts = ["\n".join(line.text for line in page.lines) for page in pdf.pages]
    if pdf.unreadable == len(pdf.pages):
        raise LoadError("corrupt or unreadable PDF (no page could be read)")
    letters = sum(ch.isalpha() for text in texts for ch in text)
    if letters < 50 * len(texts) and not any(len(text.split()) > 100 for text in texts):
        raise LoadError(NO_TEXT)
    if pdf.unreadable:
        _log.warning("%s: %d of %d pages could not be read and were skipped", path, pdf.unreadable, len(pdf.pages))
    blocks = make_blocks(page_blocks(pdf.pages, Vocabulary("\n".join(texts))))
    if not blocks:
        raise LoadError(NO_TEXT)
    first_page = texts[0]  # with running headers: they often carry the DOI and the year
    info = _info(pdf)
    digest = hashlib.sha256(data).hexdigest()
    return [Document(
        doc_id=doc_id_for(path, digest), source=str(path), content_hash=digest,
        title=info["title"] or _largest_text(pdf) or path.stem, file=str(path),
        # the full author list and the journal, when the first page prints them
        **first_page_metadata(first_page, parse_authors(info["author"])),
        doi=clean_doi(info["doi"]) or clean_doi(first_page) or clean_doi(info["subject"]),
        year=_pdf_year(first_page, info["creationdate"]),
        doc_type=_pdf_doc_type(first_page),
        blocks=blocks,
    )], []


def _info(pdf: PdfText) -> dict[str, str]:
    """Title, author, DOI, subject and creation date from the PDF's document information."""
    meta = {key: " ".join(str(pdf.info.get(key, "")).split()) for key in
            ("title", "author", "doi", "subject", "creationdate")}
    title = meta["title"]
    if len(title) < 5 or re.search(r"\.(pdf|docx?|tex|indd|dvi)$|^microsoft word|^untitled", title, re.I):
        meta["title"] = ""
    return meta


def _largest_text(pdf: PdfText) -> str:
    """The first page's largest-font text of a few words (the title, when the PDF info lacks one)."""
    lines = pdf.pages[0].lines if pdf.pages else []
    for size in sorted({round(ln.size, 1) for ln in lines}, reverse=True)[:3]:
        title = " ".join(" ".join(ln.text for ln in lines if round(ln.size, 1) == size).split())
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
