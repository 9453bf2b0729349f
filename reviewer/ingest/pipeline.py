"""The ingest pipeline: discover files, skip unchanged ones, chunk, grade, embed, store, index.

Files are read and the documents to store decided first (`_plan`); they are then prepared,
embedded and stored a slice at a time (`reviewer.ingest.storing`). Order of writes, so an
interrupted ingest never shows half a document:

1. a pending marker for every document about to be written (with the writing process);
2. its chunks, in slices of `settings.embedding.store_batch` (reference-list chunks unembedded, apart);
3. its record, once its last chunk is stored; then the lexical index, which is also the list
   of what retrieval may show (dense hits included); then the marker is cleared.

A later ingest sweeps markers left by a process that is gone: the partial chunks of a new
document are deleted, a half-written new version of a known document is dropped.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from reviewer.ingest.copies import Copies, without_vanished
from reviewer.ingest.storing import Progress, store_documents
from reviewer.models import Document, DocumentInfo, IngestReport
from reviewer.retrieval.lexical import LexicalIndex
from reviewer.retrieval.store import Store

def _no_progress(stage: str, advance: int, total: Optional[int]) -> None:
    return None


def _alive(who: str) -> bool:
    host, _, pid = who.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's ingest: it may still be running
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def writable(store: Store) -> None:
    """Refuse at once, in one line, to change a store that cannot be written."""
    if getattr(store, "read_only", False):
        from reviewer.retrieval.chroma_client import read_only

        raise read_only(store.location)


def sweep(store: Store, index: LexicalIndex) -> int:
    """Undo what ingests that died left half-written; returns how many documents were cleaned."""
    dead = [d for d, who in store.pending().items() if not _alive(who)]
    if not dead:
        return 0
    known = store.document_hashes()
    partial_new = [d for d in dead if d not in known]
    for doc_id in dead:
        if doc_id in known:
            store.delete_stale_chunks(doc_id, known[doc_id])
    _delete(store, index, partial_new)  # keeps the index's generation in step
    store.clear_pending(dead)
    return len(dead)


def ingest(paths: Iterable[Union[str, Path]], store: Store, embedder, index: LexicalIndex, settings,
           prune: bool = False, progress: Optional[Progress] = None, collection: Optional[str] = None) -> IngestReport:
    """Load, chunk, grade, embed and store documents; unchanged files are skipped.

    Args:
        paths: files or directories (searched recursively).
        store: where chunks and records go.
        embedder: the document embedder.
        index: the lexical index, in step with the store.
        settings: `Settings` (chunking).
        prune: also drop stored documents whose files no longer exist.
        progress: callback for progress bars.
        collection: for a Zotero library, only the items of this collection.
    """
    from reviewer.loading import discover

    progress = progress or _no_progress
    started = time.perf_counter()
    report = IngestReport()
    writable(store)
    sweep(store, index)
    files, failures = discover([Path(p) for p in paths])
    report.failures.extend(failures)
    files.sort(key=lambda p: p.suffix.lower() == ".pdf")  # libraries first: their records claim the PDFs they attach
    plan = _plan(files, store, report, progress, collection, settings.ingest.max_text_mb)
    _write_records(store, index, plan.copies.records({doc.doc_id for doc, _ in plan.pending}))
    store_documents(plan.pending, store, embedder, index, settings, report, progress)
    if prune:
        deleted, dropped = _prune(store, index)
        report.removed += deleted + dropped
        report.documents_removed += len(deleted)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


@dataclass
class _Plan:
    """What one ingest run knows of the store, and what it will write."""

    known: dict[str, DocumentInfo]
    by_source: dict[str, DocumentInfo] = field(default_factory=dict)  # every recorded file of a record
    pending: list[tuple[Document, bool]] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)
    copies: Copies = field(default_factory=Copies)

    def learn(self, found: dict[str, DocumentInfo]) -> None:
        self.known.update(found)
        self.by_source.update({src: info for info in found.values() for src in info.sources})
        self.copies.learn(found.values())


def _plan(files: list[Path], store: Store, report: IngestReport, progress: Progress,
          collection: Optional[str] = None, max_text_mb: Optional[float] = None) -> _Plan:
    """Load the files that changed: `pending` holds (document, is_update) pairs with their final doc ids.

    Only the records of these files (and of colliding ids or equal texts) are looked up, never the
    whole library. A PDF that a library record of this ingest attaches is ingested once, as that
    record; a file whose text is already stored is recorded as a copy (`reviewer.ingest.copies`).
    """
    from reviewer.loading import file_hash, load

    plan = _Plan(known={})
    sources = [str(p) for p in files if p.suffix.lower() != ".jsonl"]
    plan.learn(store.find_documents(sources=sources))
    plan.learn(_migrate_relative([s for s in sources if s not in plan.by_source], store))
    by_source = plan.by_source
    attached: set[Path] = set()
    progress("files", 0, len(files))
    for path in files:
        if path.suffix.lower() == ".pdf" and path.resolve() in attached:
            progress("files", 1, None)
            continue
        if path.suffix.lower() != ".jsonl":
            info = by_source.get(str(path))
            if info is not None and info.content_hash == file_hash(path):
                report.documents_unchanged += 1
                progress("files", 1, None)
                continue
        docs, errors = load(path, collection=collection, max_text_mb=max_text_mb)
        report.failures.extend(errors)
        files_of = [d.file for d in docs if d.file and d.file != d.source]
        attached.update(Path(f).resolve() for f in files_of)
        if path.suffix.lower() == ".jsonl":
            plan.learn(_migrate_relative([d.source for d in docs], store))
        plan.learn(store.find_documents(sources=[d.source for d in docs] + files_of, doc_ids=[d.doc_id for d in docs]))
        texts = [h for d in docs if d.source not in by_source and (h := d.text_hash())]
        plan.learn(store.find_documents(text_hashes=texts) if texts else {})
        for doc in docs:
            _queue(doc, plan, report)
        progress("files", 1, None)
    return plan


def _migrate_relative(sources: list[str], store: Store) -> dict[str, DocumentInfo]:
    """Records that older versions wrote with a path relative to the working folder take the absolute one.

    `sources` are absolute (a file, or file#record); returns the migrated records by doc id.
    """
    import os

    def relative(source: str) -> str:
        path, sep, record = source.partition("#")
        return os.path.relpath(path) + sep + record

    wanted = {relative(src): src for src in sources}
    found = store.find_documents(sources=list(wanted))
    moved = [info.model_copy(update={"source": wanted[info.source],
                                     "sources": [wanted.get(s, s) for s in info.sources]})
             for info in found.values() if info.source in wanted and wanted[info.source] != info.source]
    if moved:
        store.put_documents(moved)
    return {info.doc_id: info for info in moved}


def _queue(doc: Document, plan: _Plan, report: IngestReport) -> None:
    """Queue a loaded document unless it is stored unchanged or is a copy of another, and give it a free id.

    A library record whose attached PDF was stored on its own takes that document's place (same id).
    A document rewritten with new text keeps only its own file (its copies hold the old text).
    """
    info = plan.by_source.get(doc.source)
    if info is None and doc.file and doc.file != doc.source:
        attached = plan.by_source.get(doc.file)
        info = attached if attached is not None and attached.doc_id not in plan.claimed else None
    if info is not None and info.source != doc.source and doc.source in info.sources:  # a recorded copy
        if info.text_hash == doc.text_hash():
            report.documents_unchanged += 1
            return
        plan.copies.leave(info, doc.source)  # its text changed: a document of its own now
        info = None
    if info is not None:
        doc.doc_id = info.doc_id
        if info.content_hash == doc.content_hash and info.source == doc.source:
            report.documents_unchanged += 1
            return
    else:
        original = plan.copies.original(doc, plan.claimed)
        if original is not None:
            report.duplicates.append(f"{doc.source}: same content as {original}; stored once")
            return
        if (doc.doc_id in plan.known and plan.known[doc.doc_id].source != doc.source) or doc.doc_id in plan.claimed:
            # Two files with the same name in different folders: keep both.
            doc.doc_id = f"{doc.doc_id}-{hashlib.sha1(doc.source.encode()).hexdigest()[:6]}"
    doc.sources = [doc.source]
    plan.claimed.add(doc.doc_id)
    plan.copies.queue(doc)
    plan.pending.append((doc, info is not None))


def remove(store: Store, index: LexicalIndex, doc_ids: Sequence[str]) -> list[str]:
    """Drop documents (chunks and records) by id; returns the ids that were found."""
    writable(store)
    known = store.find_documents(doc_ids=doc_ids)  # these records only, not the whole library
    found = [d for d in doc_ids if d in known]
    _delete(store, index, found)
    return found


def prune_missing(store: Store, index: LexicalIndex) -> list[str]:
    """Drop documents whose files are all really gone; returns what was dropped and why, one line each.

    A document stored from several files (copies) loses only the paths that are gone and stays
    while one remains. Only absolute sources are checked: a record written with a relative path
    (older stores) cannot be told apart from a file seen from another folder, so it is never pruned.
    """
    deleted, dropped = _prune(store, index)
    return deleted + dropped


def _prune(store: Store, index: LexicalIndex) -> tuple[list[str], list[str]]:
    """(one line per document deleted, one line per vanished copy dropped from a record that stays)."""
    records = store.documents()
    kept, gone, dropped = without_vanished(records.values())
    for info in kept:
        if info.source != records[info.doc_id].source:
            store.set_source(info.doc_id, info.source)
    _write_records(store, index, kept)
    _delete(store, index, list(gone))
    return list(gone.values()), dropped


def _write_records(store: Store, index: LexicalIndex, infos: list[DocumentInfo]) -> None:
    """Rewrite records whose files changed (not their text): the lexical index stays in step."""
    if not infos:
        return
    before = store.generation()
    after = store.put_documents(infos)
    if not store.shared:
        index.advance(before, after)


def _delete(store: Store, index: LexicalIndex, doc_ids: list[str]) -> None:
    if not doc_ids:
        return
    # The store first: if we stop in between, the index is behind a changed generation and is repaired.
    before = store.generation()
    after = store.delete_documents(doc_ids)
    index.remove(doc_ids)
    if not store.shared:
        index.advance(before, after)
