"""Preparing documents for the store: chunk each one and grade its evidence.

Grading is pure Python and most of an ingest's own cost (half of it for a library of
abstracts, before the embedding model), so a large ingest (`PARALLEL_FROM` documents or more)
grades in worker processes, one per CPU core by default (`settings.ingest.workers`). Workers
are forked, so they start at once with what this process has loaded; where forking is not the
platform's safe default (macOS, Windows), or in a process that may not have children, documents
are prepared here, one by one. Either way each document gets the same chunks and tags, in order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import Callable, Iterable, Iterator, Optional

from reviewer.models import Chunk, Document, EvidenceTag

#: Documents from which an ingest grades in worker processes (below, starting them costs more than it saves).
PARALLEL_FROM = 200
#: Documents handed to a worker at a time.
_SLICE = 16


def chunk(doc: Document, settings) -> list[Chunk]:
    """A document's chunks; the document is graded as a whole, then each body chunk in its light."""
    return _chunked(doc, settings.chunking.size, settings.chunking.overlap)


def _chunked(doc: Document, size: int, overlap: int) -> list[Chunk]:
    from reviewer.grading import grade, grade_document
    from reviewer.ingest.chunking import chunk_document
    from reviewer.text import looks_like_instruction

    chunks = chunk_document(doc, size=size, overlap=overlap)
    doc.evidence = grade_document(doc)
    for c in chunks:
        c.doc_evidence = doc.evidence
        c.suspect = looks_like_instruction(c.text)
        if not c.is_reference:
            c.evidence = grade(c.text, c.section, doc.doc_type, document=doc.evidence)
    return chunks


def _in_worker(job: tuple[Document, int, int]) -> tuple[list[Chunk], Optional[EvidenceTag]]:
    """`_chunked` in a worker: the chunks, and the document's own tag (set on the worker's copy only)."""
    doc, size, overlap = job
    return _chunked(doc, size, overlap), doc.evidence


def workers(settings, documents: int) -> int:
    """How many processes prepare `documents` documents (1: this one alone)."""
    wanted = settings.ingest.workers or min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                            else os.cpu_count() or 1)
    if wanted <= 1 or documents < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return 1
    if multiprocessing.current_process().daemon:  # a daemonic process may not start children
        return 1
    return wanted


def chunked(docs: list[Document], settings, done: Callable[[], None]) -> Iterator[list[Chunk]]:
    """Each document's chunks, in order (`doc.evidence` set as `chunk` sets it); `done()` after each."""
    size, overlap = settings.chunking.size, settings.chunking.overlap
    n = workers(settings, len(docs))
    if n <= 1:
        for doc in docs:
            yield _chunked(doc, size, overlap)
            done()
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=_worker_signals)
    try:
        results: Iterable = pool.map(_in_worker, ((doc, size, overlap) for doc in docs), chunksize=_SLICE)
        for doc, (chunks, evidence) in zip(docs, results):
            doc.evidence = evidence
            yield chunks
            done()
    finally:  # stopped (Ctrl-C, a signal, an error): the documents not yet started are dropped, not graded
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_signals() -> None:
    """Workers leave stopping to this process: Ctrl-C reaches the whole process group, the ingest stops once."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
