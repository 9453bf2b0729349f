"""RIS libraries (`.ris`, exported by Zotero, EndNote, Mendeley and the databases) become documents.

Parsing is rispy (maintained, the tag table every RIS exporter follows, tolerant of missing
fields). Attachments come from `L1` (PDFs) and `L2`/`UR` file links; `file://` URLs become paths.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlparse

from reviewer.loading.base import LoadError
from reviewer.loading.records import LibraryRecord, clean_text, doc_type_of, full_name, optional, record_documents
from reviewer.models import Document, IngestFailure

#: What makes text look like RIS when its extension does not say so.
SNIFF = re.compile(r"^\ufeff?\s*TY  - ", re.M)
_LIST_TAGS = ["A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR", "L1", "L2"]


def _name(value: str) -> str:
    """'Given Family' of an RIS 'Family, Given' name."""
    family, _, given = value.partition(",")
    return full_name(family, given)


def _file(value: str) -> Optional[str]:
    """A local path from an attachment value (a path or a file:// URL); None for web links."""
    value = value.strip()
    if value.startswith("file:"):
        return unquote(urlparse(value).path)
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        return None
    return value or None


def _pages(entry: dict) -> Optional[str]:
    start, end = clean_text(entry.get("start_page")), clean_text(entry.get("end_page"))
    return optional(f"{start}–{end}" if start and end else start or end)


def _record(entry: dict, number: int) -> LibraryRecord:
    authors = entry.get("authors") or entry.get("first_authors") or []
    journal = optional(entry.get("secondary_title") or entry.get("journal_name") or entry.get("alternate_title3")
                       or entry.get("alternate_title1"))
    links = list(entry.get("file_attachments1") or []) + list(entry.get("file_attachments2") or [])
    urls = [u for u in entry.get("urls") or [] if u]
    files = [f for f in (_file(v) for v in links + [u for u in urls if u.startswith("file:")]) if f]
    web = [u for u in urls if re.match(r"https?://", u)]
    return LibraryRecord(
        key=clean_text(entry.get("id")) or f"record-{number}",
        title=clean_text(entry.get("title") or entry.get("primary_title")),
        authors=[_name(a) for a in authors if a.strip()],
        date=optional(entry.get("date") or entry.get("year") or entry.get("publication_year")),
        doi=optional(entry.get("doi")), url=web[0] if web else None, journal=journal,
        volume=optional(entry.get("volume")), issue=optional(entry.get("number")), pages=_pages(entry),
        publisher=optional(entry.get("publisher")),
        doc_type=doc_type_of(entry.get("type_of_reference", ""), journal),
        abstract=entry.get("abstract") or entry.get("notes_abstract"), files=files,
    )


def parse_ris(text: str) -> list[LibraryRecord]:
    """Records of an RIS text (a record without an ID is named by its position)."""
    import rispy

    try:
        entries = rispy.loads(text, list_tags=_LIST_TAGS)
    except Exception as exc:
        raise LoadError(f"not a readable RIS file ({str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__})") from None
    return [_record(entry, i) for i, entry in enumerate(entries, start=1)]


def load_ris(path: Path, data: bytes) -> tuple[list[Document], list[IngestFailure]]:
    """Documents of an RIS file's records; missing attachments are one failure each."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    records = parse_ris(text.replace("\r\n", "\n"))
    if not records:
        raise LoadError("no RIS records found (expected lines like 'TY  - JOUR')")
    return record_documents(records, path)
