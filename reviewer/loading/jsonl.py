"""JSONL abstract exports: one document per line; a bad line is a failure naming its number."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from reviewer.loading.base import LoadError, make_blocks
from reviewer.loading.metadata import record_metadata
from reviewer.models import DocType, Document, IngestFailure

_ID_KEYS = ("id", "doc_id", "_id", "pmid")


def load_jsonl(path: Path, data: bytes) -> tuple[list[Document], list[IngestFailure]]:
    """One document per line of an abstract export; a bad line is a failure naming its number."""
    if not data.strip():
        raise LoadError("empty file" if not data else "empty file (only whitespace)")
    if b"\x00" in data:
        raise LoadError("binary file, not text")
    try:
        lines = data.decode("utf-8-sig").split("\n")
    except UnicodeDecodeError:
        lines = None  # decode line by line so one bad line does not sink the file
    raw_lines = data.split(b"\n") if lines is None else lines
    docs: list[Document] = []
    failures: list[IngestFailure] = []
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw if isinstance(raw, str) else raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            failures.append(IngestFailure(path=str(path), reason=(
                f"line {number}: not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")))
            continue
        if not line.strip():
            continue
        try:
            doc = _jsonl_record(path, line, number, first_line_of)
        except LoadError as exc:
            failures.append(IngestFailure(path=str(path), reason=f"line {number}: {exc}"))
            continue
        docs.append(doc)
    if not docs and not failures:
        raise LoadError("empty file (no records)")
    return docs, failures


def _jsonl_record(path: Path, line: str, number: int, first_line_of: dict[str, int]) -> Document:
    """The document of one JSONL line, or a LoadError saying what the line lacks."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise LoadError(f"expected a JSON object, got {type(record).__name__}")
    record_id = next((record[k] for k in _ID_KEYS if record.get(k) not in (None, "")), None)
    if record_id is None:
        raise LoadError(f"no id (expected one of: {', '.join(_ID_KEYS)})")
    doc_id = str(record_id)
    if doc_id in first_line_of:
        raise LoadError(f"duplicate id '{doc_id}' (first seen on line {first_line_of[doc_id]})")
    body = record.get("abstract") or record.get("text")
    if isinstance(body, list):
        body = " ".join(str(s).strip() for s in body if s is not None and str(s).strip())
    if not isinstance(body, str) or not body.strip():
        raise LoadError(f"record '{doc_id}' has no text (expected 'abstract' or 'text')")
    first_line_of[doc_id] = number
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
    return Document(
        doc_id=doc_id, source=f"{path}#{doc_id}", content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        blocks=make_blocks((p, None, None) for p in paragraphs), **record_metadata(record, DocType.abstract))
