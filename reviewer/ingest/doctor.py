"""Checking a store: document records, chunks, pending markers, the lexical index and the model stamp agree.

`examine` reports every inconsistency; with `fix` it repairs what can be repaired without
deleting anything the user named: chunks that were never visible (an interrupted ingest's,
or an earlier version's) are removed, a record whose chunks went missing is re-read from its
file, and the lexical index is brought in step. A record whose file is gone is reported, not
removed (`reviewer remove` is the user's call).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

from reviewer.ingest.pipeline import _alive, _no_progress, sweep, writable
from reviewer.ingest.storing import store_documents
from reviewer.models import DoctorReport, DocumentInfo, Inconsistency, IngestReport, StoreProblem
from reviewer.retrieval.lexical import LexicalIndex
from reviewer.retrieval.store import Store


def examine(store: Store, index: LexicalIndex, fix: bool = False, embedder=None, settings=None) -> DoctorReport:
    """Every inconsistency of a store; with `fix` (and the embedder and settings, to re-read files) repair them."""
    if fix:
        writable(store)
    records = store.documents()
    markers = store.pending()
    live = {d for d, who in markers.items() if _alive(who)}
    report = DoctorReport(location=store.location, documents=len(records), chunks=store.count(),
                          ingests_under_way=sorted(live))
    _interrupted(store, index, markers, live, report, fix)
    skip = live if fix else set(markers)  # an interrupted document is reported once, as such
    counts, body = _census(store)
    _chunks(store, records, skip, counts, report, fix, embedder, settings, index)
    if fix:  # look again at what the fixes above left
        records, (_, body) = store.documents(), _census(store)
    _index(store, index, records, skip, body, report, fix)
    if report.chunks and not getattr(store, "recorded_model", True):
        report.problems.append(StoreProblem(
            kind=Inconsistency.unstamped, detail="chunks are stored but no embedding model is recorded",
            action="open the store with --embedding-model of the model that built it"))
    return report


def _interrupted(store: Store, index: LexicalIndex, markers: dict[str, str], live: set[str], report: DoctorReport,
                 fix: bool) -> None:
    dead = sorted(d for d in markers if d not in live)
    for doc_id in dead:
        report.problems.append(StoreProblem(
            kind=Inconsistency.interrupted_ingest, doc_id=doc_id, fixed=fix,
            detail=f"an ingest by {markers[doc_id]} stopped before finishing this document",
            action="its unfinished chunks removed" if fix else "run `reviewer doctor --fix` or ingest again"))
    if fix and dead:
        sweep(store, index)


def _census(store: Store) -> tuple[dict[str, Counter], dict[str, tuple[str, str]]]:
    """doc_id → content hash → chunks stored (body and reference-list chunks); body chunk id → (doc_id, hash)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    body: dict[str, tuple[str, str]] = {}
    for references in (False, True):
        for cid, _, meta in store.iter_chunks(references=references):
            doc_id, content_hash = meta.get("doc_id", ""), meta.get("content_hash", "")
            counts[doc_id][content_hash] += 1
            if not references:
                body[cid] = (doc_id, content_hash)
    return counts, body


def _chunks(store: Store, records: dict[str, DocumentInfo], skip: set[str], census: dict[str, Counter],
            report: DoctorReport, fix: bool, embedder, settings, index: LexicalIndex) -> None:
    for doc_id, versions in sorted(census.items()):
        if doc_id in skip:
            continue
        info = records.get(doc_id)
        if info is None:
            report.problems.append(StoreProblem(
                kind=Inconsistency.orphan_chunks, doc_id=doc_id, fixed=fix,
                detail=f"{sum(versions.values())} chunks without a document record (never shown)",
                action="removed" if fix else "run `reviewer doctor --fix`"))
            if fix:
                store.delete_documents([doc_id])
            continue
        stale = sum(n for h, n in versions.items() if h != info.content_hash)
        if stale:
            report.problems.append(StoreProblem(
                kind=Inconsistency.stale_chunks, doc_id=doc_id, fixed=fix,
                detail=f"{stale} chunks of an earlier version of {info.source}",
                action="removed" if fix else "run `reviewer doctor --fix`"))
            if fix:
                store.delete_stale_chunks(doc_id, info.content_hash)
    for doc_id, info in sorted(records.items()):
        stored = census.get(doc_id, Counter())[info.content_hash]
        if doc_id not in skip and stored < info.chunks:
            problem = StoreProblem(kind=Inconsistency.missing_chunks, doc_id=doc_id,
                                   detail=f"{info.chunks - stored} of its {info.chunks} chunks are missing",
                                   action="run `reviewer doctor --fix` to read its file again")
            if fix:
                problem.fixed, problem.action = _reread(info, store, embedder, settings, index)
            report.problems.append(problem)


def _reread(info: DocumentInfo, store: Store, embedder, settings, index: LexicalIndex) -> tuple[bool, str]:
    """Store a document again from its file (same id); returns (fixed, what was done or what to do)."""
    from reviewer.loading import load

    path = Path(info.source.split("#", 1)[0])
    if embedder is None or settings is None or not path.exists():
        return False, (f"its file {path} is gone: restore it and run `reviewer ingest`, "
                       f"or `reviewer remove {info.doc_id}`")
    docs, _ = load(path)
    doc = next((d for d in docs if d.source == info.source), None)
    if doc is None:
        return False, f"{info.source} no longer holds it: `reviewer remove {info.doc_id}` if it is gone"
    doc.doc_id = info.doc_id
    store_documents([(doc, True)], store, embedder, index, settings, IngestReport(), _no_progress)
    return True, f"read again from {path}"


def _index(store: Store, index: LexicalIndex, records: dict[str, DocumentInfo], skip: set[str],
           body: dict[str, tuple[str, str]], report: DoctorReport, fix: bool) -> None:
    """The lexical index lists exactly the body chunks of recorded documents (current versions)."""
    wanted = {cid: doc_id for cid, (doc_id, content_hash) in body.items()
              if doc_id not in skip and doc_id in records and records[doc_id].content_hash == content_hash}
    have = {cid: d for cid, d in index.entries().items() if d not in skip}
    missing = Counter(wanted[c] for c in wanted.keys() - have.keys())
    extra = Counter(have[c] for c in have.keys() - wanted.keys())
    for kind, found, what in ((Inconsistency.index_missing, missing, "chunks missing from the lexical index"),
                              (Inconsistency.index_extra, extra, "lexical index entries the store does not hold")):
        for doc_id, n in sorted(found.items()):
            report.problems.append(StoreProblem(kind=kind, doc_id=doc_id, detail=f"{n} {what}", fixed=fix,
                                                action="re-indexed" if fix else "run `reviewer doctor --fix`"))
    behind = (index.generation or "") != store.generation() and not store.shared
    if behind and not (missing or extra):
        report.problems.append(StoreProblem(
            kind=Inconsistency.index_behind, detail="the lexical index reflects another state of the store",
            fixed=fix, action="brought in step" if fix else "run `reviewer doctor --fix` (or any query)"))
    if fix and (missing or extra or behind):
        _reindex(store, index, records, set(missing) | set(extra))


def _reindex(store: Store, index: LexicalIndex, records: dict[str, DocumentInfo], doc_ids: set[str]) -> None:
    gone = [d for d in doc_ids if d not in records]
    index.remove(gone)
    for doc_id in sorted(set(doc_ids) - set(gone)):
        info = records[doc_id]
        index.add({doc_id: info.content_hash},
                  [(cid, text, meta) for cid, text, meta in store.iter_chunks(doc_ids=[doc_id])
                   if meta.get("content_hash") == info.content_hash])
    index.sync(store)


def summary_line(report: DoctorReport) -> Optional[str]:
    """One line for the outcome."""
    fixed = sum(p.fixed for p in report.problems)
    left = len(report.unfixed)
    if not report.problems:
        return f"{report.location}: consistent ({report.documents} documents, {report.chunks} chunks)"
    return f"{report.location}: {len(report.problems)} problems, {fixed} fixed, {left} left"
