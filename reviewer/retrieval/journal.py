"""The store's change journal: which documents each write touched, so a reader catches up with only those.

Every `put_documents` and `delete_documents` first appends one entry per batch: the writer's
clock time and the ids it is about to write or remove. A reader (the lexical index of another
process, or of a teammate on a shared Chroma server) remembers when it last looked, asks for
the entries since then, and re-checks only those documents: the cost of catching up grows with
the change, not with the library. The entries since a reader looked are taken with a margin
(`MARGIN`) for clocks that disagree between machines and for a write under way while it looked;
re-checking a document that did not change costs one hash comparison.

Entries are kept (one per batch of an ingest, a few kilobytes each). A store written before the
journal existed, or by a version that does not write it, moves its generation without an entry:
a reader that finds no entry then compares every document, as before.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Sequence

#: Seconds before a reader's last look that it reads the journal from.
MARGIN = 600.0


def entry(doc_ids: Sequence[str]) -> tuple[str, dict]:
    """(id, metadata) of one journal entry for a write to these documents, stamped now."""
    now = time.time()
    return f"{now:.6f}-{uuid.uuid4().hex[:8]}", {"at": now, "doc_ids": json.dumps(list(doc_ids))}


def doc_ids_of(metadatas) -> list[str]:
    """The documents named by these entries, each once, in the order written."""
    ids: list[str] = []
    for meta in sorted(metadatas or [], key=lambda m: m["at"]):
        ids.extend(json.loads(meta["doc_ids"]))
    return list(dict.fromkeys(ids))


class ChromaJournal:
    """The journal as a Chroma collection beside the store's (`<collection>-changes`)."""

    def __init__(self, collection):
        self.collection = collection

    def record(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            key, meta = entry(doc_ids)
            self.collection.upsert(ids=[key], embeddings=[[1.0]], metadatas=[meta])

    def since(self, at: float) -> list[str]:
        got = self.collection.get(where={"at": {"$gt": at - MARGIN}}, include=["metadatas"])
        return doc_ids_of(got["metadatas"])


class MemoryJournal:
    """The journal of an in-memory store."""

    def __init__(self):
        self.entries: list[dict] = []

    def record(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self.entries.append(entry(doc_ids)[1])

    def since(self, at: float) -> list[str]:
        return doc_ids_of([m for m in self.entries if m["at"] > at - MARGIN])
