"""Reference-manager records (BibTeX, RIS, CSL-JSON, Zotero) become documents.

Each format's module parses its file into `LibraryRecord`s; `record_documents` turns them into
documents the same way for every format: an attached PDF that exists is loaded as the record's
text, a record with only an abstract becomes an abstract document, and a record whose
attachment is missing (or that has neither) is one failure line naming the record. The record's
metadata wins over what the PDF says about itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterable, Optional

from pydantic import BaseModel, Field

from reviewer.loading.base import LoadError, make_blocks, slugify
from reviewer.loading.metadata import clean_doi, parse_year
from reviewer.models import DocType, Document, IngestFailure

#: Name particles that belong to the family name ("Ludwig van Beethoven" -> family "van Beethoven").


class LibraryRecord(BaseModel):
    """One entry of a reference manager's library, before it becomes a document."""

    key: str = Field(description="Citation key (or the manager's own id) naming the record.")
    title: str = ""
    authors: list[str] = Field(default_factory=list, description="Full names, given names first.")
    year: Optional[int] = None
    date: Optional[str] = None
    doi: Optional[str] = None
    url: Optional[str] = None
    journal: Optional[str] = None
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    publisher: Optional[str] = None
    doc_type: DocType = DocType.article
    abstract: Optional[str] = None
    files: list[str] = Field(default_factory=list, description="Attachment paths, absolute or relative to the library.")


def full_name(family: Optional[str], given: Optional[str]) -> str:
    """'Given Family' from name parts (either may be missing)."""
    return " ".join(" ".join(p.split()) for p in (given, family) if p and p.strip())


def clean_text(value) -> str:
    """A field's text on one line (whitespace runs made single spaces)."""
    return " ".join(str(value).split()) if value not in (None, "") else ""


def optional(value) -> Optional[str]:
    return clean_text(value) or None


def doc_type_of(kind: str, journal: Optional[str] = None) -> DocType:
    """The document type of a record type from any of the formats ('article-journal', 'JOUR', 'misc', ...)."""
    kind = (kind or "").lower()
    if kind in ("preprint", "unpublished", "report", "techreport") or re.search(r"arxiv|biorxiv|medrxiv", journal or "", re.I):
        return DocType.preprint
    if kind in ("article-newspaper", "article-magazine", "newspaperarticle", "magazinearticle", "news", "mgzn"):
        return DocType.news
    if kind in ("review", "review-book"):
        return DocType.review
    return DocType.article


def _canonical(record: LibraryRecord) -> str:
    return json.dumps(record.model_dump(mode="json", exclude={"files"}), sort_keys=True, ensure_ascii=False)


def _attachment(record: LibraryRecord, base: Path) -> tuple[Optional[Path], list[str]]:
    """The first attached PDF that exists, and the attachments that do not."""
    missing = []
    for raw in record.files:
        path = Path(raw).expanduser()
        path = path if path.is_absolute() else base / path
        if path.suffix.lower() != ".pdf":
            continue  # snapshots (.html) and other attachments are not the paper's text
        if path.is_file():
            return path, missing
        missing.append(str(path))
    return None, missing


def _metadata(record: LibraryRecord) -> dict:
    fields = record.model_dump(exclude={"key", "files"})
    fields["abstract"] = record.abstract.strip() if record.abstract and record.abstract.strip() else None
    fields["doi"] = clean_doi(record.doi) if record.doi else None
    fields["year"] = record.year or parse_year(record.date)
    fields["citation_key"] = record.key
    return fields


def record_document(record: LibraryRecord, library: Path, base: Path) -> Document:
    """The document of one record: its PDF's text, or its abstract, under the record's metadata.

    Raises:
        LoadError: the attachment is missing or unreadable, or there is neither a PDF nor an abstract.
    """
    pdf, missing = _attachment(record, base)
    source = f"{library}#{record.key}"
    doc_id = slugify(record.key) or f"doc-{hashlib.sha256(source.encode()).hexdigest()[:12]}"
    meta = _metadata(record)
    if pdf is not None:
        from reviewer.loading.pdf import load_pdf

        data = pdf.read_bytes()
        try:
            doc = load_pdf(pdf, data)[0][0]
        except LoadError as exc:
            raise LoadError(f"attached file {pdf}: {exc}") from None
        digest = hashlib.sha256(hashlib.sha256(data).hexdigest().encode() + _canonical(record).encode()).hexdigest()
        # The record wins; what the PDF says fills only what the record lacks.
        merged = {k: v for k, v in meta.items() if v not in (None, "", [])}
        merged.setdefault("doc_type", doc.doc_type)
        return doc.model_copy(update={**merged, "doc_id": doc_id, "source": source, "content_hash": digest,
                                      "file": str(pdf)})
    if missing:
        raise LoadError(f"attached file not found: {missing[0]}")
    if not record.abstract or not record.abstract.strip():
        raise LoadError("no attached PDF and no abstract: nothing to index")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", record.abstract) if p.strip()]
    digest = hashlib.sha256(_canonical(record).encode()).hexdigest()
    meta["title"] = meta["title"] or record.key
    if meta["doc_type"] == DocType.article:
        meta["doc_type"] = DocType.abstract
    return Document(doc_id=doc_id, source=source, content_hash=digest,
                    blocks=make_blocks((p, "Abstract", None) for p in paragraphs), **meta)


def record_documents(records: Iterable[LibraryRecord], library: Path,
                     base: Optional[Path] = None) -> tuple[list[Document], list[IngestFailure]]:
    """Documents of a library's records; a record that cannot be loaded is one failure naming its key.

    Args:
        records: the parsed records.
        library: the library file (names each document's source, `library#key`).
        base: folder that relative attachment paths start from (default: the library's folder).
    """
    base = base if base is not None else library.parent
    docs: list[Document] = []
    failures: list[IngestFailure] = []
    seen: set[str] = set()
    for record in records:
        where = f"{library}#{record.key}"
        if record.key in seen:
            failures.append(IngestFailure(path=where, reason=f"duplicate key '{record.key}' (first record kept)"))
            continue
        seen.add(record.key)
        try:
            docs.append(record_document(record, library, base))
        except LoadError as exc:
            failures.append(IngestFailure(path=where, reason=str(exc)))
        except OSError as exc:
            failures.append(IngestFailure(path=where, reason=f"cannot read attachment: {exc.strerror or exc}"))
    return docs, failures
