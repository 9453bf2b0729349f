"""Storing the documents an ingest queued: chunk and grade, embed, write chunks, then records, a slice at a time.

Documents are prepared (`reviewer.ingest.prepare`) as they are stored, not all before: once
`settings.embedding.store_batch` chunks are ready they are embedded and written, and each
document whose last chunk is written gets its record. So what an ingest holds besides the
documents it read is one slice of chunks and what the worker processes prepare ahead of it,
however many documents there are (a 46,647-record file held every prepared chunk and its
grade before: 1.3 GB).

Order of writes for each slice, so an interrupted ingest never shows half a document: a pending
marker for each document whose first chunk is in it (with the writing process), its chunks
(reference-list chunks unembedded, apart), then the record of every document it completes, the
lexical index, and their markers cleared. Documents not yet reached have no marker and nothing
stored: the next ingest finds them new.
"""

from __future__ import annotations

import os
import socket
from typing import Callable, Optional

from reviewer.errors import ReviewerError
from reviewer.ingest.prepare import chunked
from reviewer.models import Chunk, Document, DocumentInfo, IngestFailure, IngestReport
from reviewer.retrieval.lexical import LexicalIndex, context_text
from reviewer.retrieval.store import Store, chunk_metadata

# progress(stage, advance, total): total is given once when a stage starts (advance 0), and again if it changes.
Progress = Callable[[str, int, Optional[int]], None]


class StoreFailure(ReviewerError):
    """The store failed while an ingest wrote to it; the message names the file and what was kept."""


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk (the same text the lexical index holds)."""
    return context_text(chunk.title, chunk.section, chunk.text)


def owner() -> str:
    """Who writes: host and process id (a marker whose process is gone on this host can be swept)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class _Slices:
    """Prepared documents whose chunks are not all stored yet, and the chunks waiting for the next slice."""

    def __init__(self, total: int) -> None:
        self.total = total  # documents to prepare
        self.prepared = 0
        self.body = 0  # body chunks prepared so far
        self.waiting: dict[int, tuple[Document, bool, list[Chunk]]] = {}  # position → document not yet recorded
        self.remaining: dict[int, int] = {}  # position → its chunks not yet stored
        self.marked: set[int] = set()
        self.queue: list[tuple[Chunk, int]] = []

    def add(self, i: int, doc: Document, is_update: bool, chunks: list[Chunk]) -> None:
        self.waiting[i] = (doc, is_update, chunks)
        self.remaining[i] = len(chunks)
        self.queue.extend((c, i) for c in chunks)
        self.body += sum(not c.is_reference for c in chunks)

    def estimate(self) -> int:
        """Body chunks to embed in all: exact once every document is prepared, extrapolated before."""
        if self.prepared >= self.total or not self.prepared:
            return self.body
        return max(self.body, round(self.body * self.total / self.prepared))

    def take(self, step: int) -> list[tuple[Chunk, int]]:
        part, self.queue = self.queue[:step], self.queue[step:]
        return part

    def stored(self, part: list[tuple[Chunk, int]]) -> list[tuple[Document, bool, list[Chunk]]]:
        """The documents whose last chunk was in `part` (they leave the slices)."""
        finished = []
        for _, i in part:
            self.remaining[i] -= 1
            if self.remaining[i] == 0:
                finished.append(self.waiting.pop(i))
                del self.remaining[i]
                self.marked.discard(i)
        return finished


def store_documents(pending: list[tuple[Document, bool]], store: Store, embedder, index: LexicalIndex, settings,
                    report: IngestReport, progress: Progress) -> None:
    """Prepare, embed and store documents a slice at a time; a document's record is written after its last chunk."""
    step = settings.embedding.store_batch
    docs = [doc for doc, _ in pending]
    slices = _Slices(len(docs))
    progress("chunking", 0, len(docs))
    for i, chunks in enumerate(chunked(docs, settings, lambda: progress("chunking", 1, None))):
        slices.prepared += 1
        if not chunks:
            report.failures.append(IngestFailure(path=docs[i].source, reason="no text to index"))
            continue
        slices.add(i, docs[i], pending[i][1], chunks)
        while len(slices.queue) >= step:
            _store_part(slices.take(step), slices, store, embedder, index, report, progress)
    while slices.queue:
        _store_part(slices.take(step), slices, store, embedder, index, report, progress)


def _store_part(part: list[tuple[Chunk, int]], slices: _Slices, store: Store, embedder, index: LexicalIndex,
                report: IngestReport, progress: Progress) -> None:
    """Mark, embed and write one slice of chunks, then finish the documents it completes."""
    sources = [slices.waiting[i][0].source for _, i in part]
    hashes = {slices.waiting[i][0].doc_id: slices.waiting[i][0].content_hash for _, i in part}
    try:
        first = [i for i in dict.fromkeys(i for _, i in part) if i not in slices.marked]
        store.mark_pending([slices.waiting[i][0].doc_id for i in first], owner())
        slices.marked.update(first)
        progress("embedding", 0, slices.estimate())
        body = [c for c, _ in part if not c.is_reference]
        vectors = embedder.embed([embedding_text(c) for c in body], progress=lambda n: progress("embedding", n, None))
        store.add_chunks(body, vectors, hashes)
        store.add_references([c for c, _ in part if c.is_reference], hashes)
        report.chunks_embedded += len(body)
        _finish(slices.stored(part), store, index, report)
    except Exception as exc:
        raise _stopped(exc, sources, report, store) from exc


def _stopped(exc: Exception, sources: list[str], report: IngestReport, store: Store) -> Exception:
    """One line for a store that failed mid-ingest: which file, what is kept, what to do (other errors as they are)."""
    from reviewer.retrieval.chroma_client import explain, failure_kind

    if not isinstance(exc, ReviewerError) and failure_kind(exc) is None:
        return exc
    reason = str(explain(exc, store.location, getattr(store, "url", None), getattr(store, "token", None)))
    done = report.documents_added + report.documents_updated
    kept = f"{done} documents of this run were stored and are kept (`reviewer docs` lists them)" if done else \
        "nothing of this run was stored; what was stored before is kept"
    return StoreFailure(f"{reason} (while storing {sources[0]}); {kept}; the next ingest completes the rest")


def _finish(finished: list[tuple[Document, bool, list[Chunk]]], store: Store, index: LexicalIndex,
            report: IngestReport) -> None:
    """Write the records of documents whose chunks are all stored, then index them and clear their markers."""
    if not finished:
        return
    infos = []
    for doc, is_update, chunks in finished:
        if is_update:
            store.delete_stale_chunks(doc.doc_id, doc.content_hash)
            report.documents_updated += 1
        else:
            report.documents_added += 1
        infos.append(DocumentInfo.of(doc, chunks=len(chunks)))  # metadata, evidence tag; not the text
    before = store.generation()
    after = store.put_documents(infos)
    hashes = {doc.doc_id: doc.content_hash for doc, _, _ in finished}
    index.add(hashes, ((c.chunk_id, c.text, chunk_metadata(c, doc.content_hash))
                       for doc, _, chunks in finished for c in chunks if not c.is_reference))
    store.clear_pending(list(hashes))
    if not store.shared:
        index.advance(before, after)
