"""How chunks and document records are laid out as Chroma rows: flat scalar metadata and back.

The same layout serves the embedded store, a Chroma server and the in-memory store, so a
passage read back from any of them carries the same fields.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from reviewer.models import BlockKind, Chunk, DocType, DocumentInfo, EvidenceTag, Passage

#: Ids per Chroma call: well under SQLite's variable limit (32,766) and Chroma's batch limit.
BATCH = 2000


def batches(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    """Consecutive slices of at most `size` items."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def chunk_metadata(chunk: Chunk, content_hash: str) -> dict:
    """The flat metadata stored with a chunk (Chroma metadata values are scalars)."""
    meta = {
        "doc_id": chunk.doc_id,
        "source": chunk.source,
        "title": chunk.title,
        "section": chunk.section,
        "page": chunk.page,
        "start": chunk.start,
        "end": chunk.end,
        "is_reference": chunk.is_reference,
        "kind": chunk.kind.value,
        "doc_type": chunk.doc_type.value,
        "year": chunk.year,
        "content_hash": content_hash,
        "suspect": True if chunk.suspect else None,  # absent, as in older stores, means not suspect
    }
    if chunk.evidence is not None:
        meta["design"] = chunk.evidence.design.value
        meta["strength"] = chunk.evidence.strength.value
        meta["evidence"] = chunk.evidence.model_dump_json()
    if chunk.doc_evidence is not None:
        meta["doc_design"] = chunk.doc_evidence.design.value
        meta["doc_strength"] = chunk.doc_evidence.strength.value
    return {k: v for k, v in meta.items() if v is not None}


#: Metadata key of a chunk's text. Chroma indexes a row's document for full-text search (a trigram
#: index: most of an upsert's cost, and of the store's size) and nothing here searches it, so the
#: text is kept in the metadata; chunks written before are read from their document.
TEXT = "text"


def chunk_row(chunk: Chunk, content_hash: str) -> dict:
    """A chunk's metadata with its text, as written to Chroma."""
    return chunk_metadata(chunk, content_hash) | {TEXT: chunk.text}


def row_text(document, meta: dict) -> tuple[str, dict]:
    """(text, metadata without the text) of a stored chunk row, whichever way it was written."""
    if meta and TEXT in meta:
        meta = dict(meta)
        return meta.pop(TEXT), meta
    return document or "", meta or {}


def passage_from(chunk_id: str, text: str, meta: dict, score: float = 0.0) -> Passage:
    """Build a Passage from a stored chunk's id, text and metadata."""
    evidence = meta.get("evidence")
    return Passage(
        chunk_id=chunk_id,
        doc_id=meta.get("doc_id", ""),
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        page=meta.get("page"),
        section=meta.get("section"),
        text=text,
        score=score,
        doc_type=DocType(meta.get("doc_type", "unknown")),
        year=meta.get("year"),
        evidence=EvidenceTag.model_validate_json(evidence) if evidence else None,
        suspect=bool(meta.get("suspect", False)),
        kind=BlockKind(meta.get("kind", "body")),  # stores written before kinds were kept hold body text only
    )


def record_metadata(info: DocumentInfo) -> dict:
    """The flat metadata of a document record: the record itself, and the keys it is looked up by."""
    # None removes a key an earlier version of the record had (an upsert merges metadata).
    return {"info": info.model_dump_json(), "source": info.source, "content_hash": info.content_hash,
            "text_hash": info.text_hash or None, "doc_type": info.doc_type.value,  # counted without reading the record
            "sources": list(info.sources) if len(info.sources) > 1 else None}  # copies under other names
