"""Preparing documents for the store: chunk each one and grade its evidence.

Grading is pure Python and most of an ingest's own cost (half of it for a library of
abstracts, before the embedding model), so a large ingest (`PARALLEL_FROM` documents or more)
grades in worker processes, one per CPU core by default (`settings.ingest.workers`). Workers
are forked, so they start at once with what this process has loaded; where forking is not the
platform's safe default (macOS, Windows), or in a process that may not have children, documents
are prepared here, one by one. Either way each document gets the same chunks and tags, in order,
and documents are prepared as the caller asks for them: workers run at most `_AHEAD` slices
each ahead of it, so what waits in memory does not grow with the number of documents.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import Callable, Iterator, Optional

from reviewer.models import Chunk, Document, EvidenceTag

#: Documents from which an ingest grades in worker processes (below, starting them costs more than it saves).
PARALLEL_FROM = 200
#: Documents handed to a worker at a time.
_SLICE = 16
#: Slices each worker may have prepared, or be preparing, ahead of the store.
_AHEAD = 4


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


def _in_worker(docs: list[Document], size: int, overlap: int) -> list[tuple[list[Chunk], Optional[EvidenceTag]]]:
    """`_chunked` in a worker, for a slice of documents: each one's chunks, and its own tag (set on the worker's copy only)."""
    return [(_chunked(doc, size, overlap), doc.evidence) for doc in docs]


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
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=_worker_signals)
    try:
        starts = iter(range(0, len(docs), _SLICE))
        ahead: deque = deque()

        def submit() -> None:
            start = next(starts, None)
            if start is not None:
                ahead.append((start, pool.submit(_in_worker, docs[start : start + _SLICE], size, overlap)))

        for _ in range(n * _AHEAD):
            submit()
        while ahead:
            start, future = ahead.popleft()
            results = future.result()
            submit()  # a bounded window: what is prepared ahead of the store does not grow with the library
            for doc, (chunks, evidence) in zip(docs[start : start + _SLICE], results):
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
