"""CSL-JSON libraries (the citation-processor format Zotero, Pandoc and citeproc speak) become documents.

CSL-JSON is plain JSON with a published schema, so the standard library reads it. It has no
attachment field; a `file` (string or list) key, as some tools add, is honoured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from reviewer.loading.base import LoadError
from reviewer.loading.metadata import parse_authors
from reviewer.loading.records import LibraryRecord, clean_text, doc_type_of, optional, record_documents
from reviewer.models import Document, IngestFailure


def looks_like_csljson(data: Any) -> bool:
    """Whether parsed JSON is a list of CSL items (objects with a CSL `type` and an `id` or `title`)."""
    items = data if isinstance(data, list) else data.get("items") if isinstance(data, dict) else None
    return bool(items) and all(isinstance(i, dict) and "type" in i and ("id" in i or "title" in i) for i in items[:20])


def _date(issued: Any) -> Optional[str]:
    """'2020-03-15' (or '2020') from a CSL date ({'date-parts': [[2020, 3, 15]]} or {'raw': ...})."""
    if not isinstance(issued, dict):
        return optional(issued)
    parts = (issued.get("date-parts") or [[]])[0]
    if parts and parts[0] not in (None, ""):
        return "-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(parts) if str(p).strip())
    return optional(issued.get("raw") or issued.get("literal"))


def _record(item: dict, number: int) -> LibraryRecord:
    journal = optional(item.get("container-title"))
    files = item.get("file") or []
    return LibraryRecord(
        key=clean_text(item.get("id")) or f"item-{number}", title=clean_text(item.get("title")),
        authors=parse_authors(item.get("author") or item.get("editor")),
        date=_date(item.get("issued")), doi=optional(item.get("DOI")), url=optional(item.get("URL")),
        journal=journal, volume=optional(item.get("volume")), issue=optional(item.get("issue")),
        pages=optional(item.get("page")), publisher=optional(item.get("publisher")),
        doc_type=doc_type_of(str(item.get("type") or ""), journal), abstract=item.get("abstract"),
        files=[files] if isinstance(files, str) else [str(f) for f in files],
    )


def parse_csljson(text: str) -> list[LibraryRecord]:
    """Records of a CSL-JSON text (a list of items, or an object with an `items` list)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not looks_like_csljson(data):
        raise LoadError("not a CSL-JSON bibliography (expected a list of items with 'type' and 'id')")
    items = data if isinstance(data, list) else data["items"]
    return [_record(item, i) for i, item in enumerate(items, start=1)]


def load_csljson(path: Path, data: bytes) -> tuple[list[Document], list[IngestFailure]]:
    """Documents of a CSL-JSON file's items; missing attachments are one failure each."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError("not valid UTF-8 text; CSL-JSON is UTF-8") from None
    return record_documents(parse_csljson(text), path)
