"""The `Reviewer`: everything a command does, callable from Python.

The CLI, the tests, the evals and the benchmarks all go through this class.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Union

from reviewer.models import Answer, Chunk, Document, DocumentInfo, IngestFailure, IngestReport, Passage, StoreStats
from reviewer.settings import Settings

# progress(stage, advance, total): total is given once when a stage starts (advance 0).
Progress = Callable[[str, int, Optional[int]], None]

_EMBED_BATCH_CHUNKS = 1024


def _no_progress(stage: str, advance: int, total: Optional[int]) -> None:
    return None


def context_text(title: Optional[str], section: Optional[str], text: str) -> str:
    """What is embedded and indexed for a chunk: its title and section give context the text may lack."""
    head = title or ""
    if section and section != title:
        head = f"{head} — {section}" if head else section
    return f"{head}\n{text}" if head else text


def embedding_text(chunk: Chunk) -> str:
    return context_text(chunk.title, chunk.section, chunk.text)


def _queue(doc: Document, known: dict[str, DocumentInfo], by_source: dict[str, DocumentInfo],
           pdf_copies: dict[Path, DocumentInfo], claimed: set[str], pending: list[tuple[Document, bool]],
           report: IngestReport) -> None:
    """Queue a loaded document for storing, unless it is stored unchanged; give it a free id.

    A library record whose attached PDF was stored on its own replaces that document (same id).
    """
    info = by_source.get(doc.source)
    if info is None and doc.file and doc.file != doc.source:
        copy = pdf_copies.get(Path(doc.file).resolve())
        info = copy if copy is not None and copy.doc_id not in claimed else None
    if info is not None:
        doc.doc_id = info.doc_id
        if info.content_hash == doc.content_hash:
            report.documents_unchanged += 1
            return
    elif (doc.doc_id in known and known[doc.doc_id].source != doc.source) or doc.doc_id in claimed:
        # Two files with the same name in different folders: keep both.
        doc.doc_id = f"{doc.doc_id}-{hashlib.sha1(doc.source.encode()).hexdigest()[:6]}"
    claimed.add(doc.doc_id)
    pending.append((doc, info is not None))


class Reviewer:
    """A literature-review assistant over one store.

    Args:
        store: directory of the embedded Chroma store (default `.reviewer/`, or `REVIEWER_STORE`).
        chroma_url: `http://HOST:PORT` of a Chroma server to use instead.
        settings: full settings; `store` and `chroma_url` override its fields.
        embedder: an embedder to use instead of the one the settings name (tests inject fakes).

    Example:
        >>> r = Reviewer(store="/tmp/store")
        >>> r.ingest(["corpus/"]).documents_added
        3
        >>> r.ask("Does resistance training improve memory?").answer
    """

    def __init__(self, store: Union[str, Path, None] = None, chroma_url: Optional[str] = None,
                 settings: Optional[Settings] = None, embedder=None):
        self.settings = settings.model_copy(deep=True) if settings is not None else Settings.load()
        if store is not None:
            self.settings.store = Path(store)
        if chroma_url is not None:
            self.settings.chroma_url = chroma_url
        if embedder is None:
            from reviewer.retrieval.embedding import make_embedder

            emb = self.settings.embedding
            embedder = make_embedder(emb.model, batch_size=emb.batch_size, device=emb.device)
        self.embedder = embedder
        self._store = None
        self._lexical = None

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def store(self):
        """The Chroma store, opened on first use."""
        if self._store is None:
            from reviewer.retrieval.store import ChromaStore

            self._store = ChromaStore(
                embedding_model=self.embedder.name,
                path=None if self.settings.chroma_url else Path(self.settings.store),
                url=self.settings.chroma_url,
                collection=self.settings.collection,
            )
        return self._store

    def lexical(self):
        """The BM25 index, rebuilt from the store when the store has changed since it was built."""
        from reviewer.retrieval.lexical import LexicalIndex
        from reviewer.retrieval.store import cache_dir

        generation = self.store.generation()
        if self._lexical is not None and self._lexical.generation == generation:
            return self._lexical
        index = LexicalIndex(cache_dir(self.settings.store, self.settings.chroma_url, self.settings.collection))
        if not index.load() or index.generation != generation:
            self._build_lexical(index, generation)
        self._lexical = index
        return index

    def _build_lexical(self, index, generation: str) -> None:
        ids, texts, meta = [], [], []
        for cid, text, m in self.store.iter_chunks(where={"is_reference": False}):
            ids.append(cid)
            texts.append(context_text(m.get("title"), m.get("section"), text))
            meta.append({"doc_id": m.get("doc_id"), "doc_type": m.get("doc_type"), "year": m.get("year")})
        index.build(ids, texts, meta, generation)

    # -- ingest --------------------------------------------------------------------------------

    def ingest(self, paths: Iterable[Union[str, Path]], prune: bool = False,
               progress: Optional[Progress] = None, collection: Optional[str] = None) -> IngestReport:
        """Load, chunk, grade, embed and store documents; unchanged files are skipped.

        Args:
            paths: files or directories (searched recursively).
            prune: also drop stored documents whose files no longer exist.
            progress: callback for progress bars.
            collection: for a Zotero library, only the items of this collection.

        Returns:
            What was added, updated, left unchanged, removed, and every file that failed with why.
        """
        from reviewer.loading import discover, file_hash, load

        progress = progress or _no_progress
        started = time.perf_counter()
        report = IngestReport()
        files, failures = discover([Path(p) for p in paths])
        files.sort(key=lambda p: p.suffix.lower() == ".pdf")  # libraries first: their records claim the PDFs they attach
        report.failures.extend(failures)
        known = self.store.documents()
        by_source = {info.source: info for info in known.values()}
        # PDFs stored on their own: a library record attaching one later takes its place
        pdf_copies = {Path(s).resolve(): info for s, info in by_source.items() if s.lower().endswith(".pdf")}

        pending: list[tuple[Document, bool]] = []  # (document, is_update)
        claimed: set[str] = set()
        attached: set[Path] = set()  # PDFs a library record of this ingest reads: ingested once, as that record
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
            docs, errors = load(path, collection=collection)
            report.failures.extend(errors)
            attached.update(Path(doc.file).resolve() for doc in docs if doc.file and doc.file != doc.source)
            for doc in docs:
                _queue(doc, known, by_source, pdf_copies, claimed, pending, report)
            progress("files", 1, None)

        self._store_documents(pending, report, progress)
        if prune:
            report.documents_removed += self.prune()
        if pending or report.documents_removed:
            self._refresh_lexical()
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _chunk(self, doc: Document) -> list[Chunk]:
        from reviewer.ingest.chunking import chunk_document
        from reviewer.grading.design import grade

        cfg = self.settings.chunking
        chunks = chunk_document(doc, size=cfg.size, overlap=cfg.overlap)
        for chunk in chunks:
            if not chunk.is_reference:
                chunk.evidence = grade(chunk.text, chunk.section, doc.doc_type)
        return chunks

    def _store_documents(self, pending: list[tuple[Document, bool]], report: IngestReport, progress: Progress) -> None:
        """Chunk, embed and store documents in slices; a document's record is written after its last chunk."""
        prepared: list[tuple[Document, bool, list[Chunk]]] = []
        progress("chunking", 0, len(pending))
        for doc, is_update in pending:
            chunks = self._chunk(doc)
            progress("chunking", 1, None)
            if not chunks:
                report.failures.append(IngestFailure(path=doc.source, reason="no text to index"))
                continue
            prepared.append((doc, is_update, chunks))
        queue = [(c, i) for i, (_, _, chunks) in enumerate(prepared) for c in chunks]
        remaining = [len(chunks) for _, _, chunks in prepared]
        hashes = {doc.doc_id: doc.content_hash for doc, _, _ in prepared}
        progress("embedding", 0, len(queue))
        for start in range(0, len(queue), _EMBED_BATCH_CHUNKS):
            part = queue[start : start + _EMBED_BATCH_CHUNKS]
            chunks = [c for c, _ in part]
            vectors = self.embedder.embed([embedding_text(c) for c in chunks],
                                          progress=lambda n: progress("embedding", n, None))
            self.store.add_chunks(chunks, vectors, hashes)
            report.chunks_embedded += len(chunks)
            finished = []
            for _, i in part:
                remaining[i] -= 1
                if remaining[i] == 0:
                    finished.append(i)
            infos = []
            for i in finished:
                doc, is_update, doc_chunks = prepared[i]
                if is_update:
                    self.store.delete_stale_chunks(doc.doc_id, doc.content_hash)
                    report.documents_updated += 1
                else:
                    report.documents_added += 1
                infos.append(DocumentInfo.of(doc, chunks=len(doc_chunks)))
            self.store.put_documents(infos)

    def _refresh_lexical(self) -> None:
        self._lexical = None
        self.lexical()

    def remove(self, doc_ids: Sequence[str]) -> list[str]:
        """Drop documents (chunks and records) by id; returns the ids that were found."""
        known = self.store.documents()
        removed = [d for d in doc_ids if d in known]
        for doc_id in removed:
            self.store.delete_document(doc_id)
        if removed:
            self._refresh_lexical()
        return removed

    def prune(self) -> int:
        """Drop documents whose source files no longer exist; returns how many."""
        gone = [info.doc_id for info in self.store.documents().values() if not Path(info.source.split("#", 1)[0]).exists()]
        for doc_id in gone:
            self.store.delete_document(doc_id)
        if gone:
            self._refresh_lexical()
        return len(gone)

    # -- reading -------------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """Every document in the store, by title."""
        return sorted(self.store.documents().values(), key=lambda d: (d.title.lower(), d.doc_id))

    def stats(self) -> StoreStats:
        """Counts of documents and chunks."""
        docs = self.store.documents().values()
        by_type: dict[str, int] = {}
        for d in docs:
            by_type[d.doc_type.value] = by_type.get(d.doc_type.value, 0) + 1
        return StoreStats(location=self.store.location, collection=self.settings.collection,
                          embedding_model=self.embedder.name, documents=len(docs), chunks=self.store.count(),
                          by_doc_type=by_type)

    def retrieve(self, question: str, k: int = 10, mode: Optional[str] = None, doc_ids: Optional[Sequence[str]] = None,
                 years: Optional[tuple[int, int]] = None, doc_types: Optional[Sequence[str]] = None,
                 mmr: Optional[bool] = None) -> list[Passage]:
        """The passages most relevant to a question.

        Args:
            question: the question or claim.
            k: how many passages.
            mode: "hybrid" (default), "dense" or "bm25".
            doc_ids: only these documents.
            years: only documents published in this (first, last) range.
            doc_types: only these document types ("review", "news", ...).
            mmr: diversify across documents (default from settings).
        """
        return self._search(question, k, mode, doc_ids, years, doc_types, mmr).passages

    def _search(self, question, k, mode=None, doc_ids=None, years=None, doc_types=None, mmr=None):
        from reviewer.retrieval.search import Filters, search

        cfg = self.settings.retrieval
        if self.store.count() == 0:
            from reviewer.retrieval.store import StoreError

            raise StoreError(f"the store at {self.store.location} is empty: run `reviewer ingest PATH` first")
        return search(question, k, mode or cfg.mode, Filters(doc_ids, years, doc_types), cfg, self.store,
                      self.lexical, self.embedder, use_mmr=cfg.mmr if mmr is None else mmr)

    def ask(self, question: str, k: Optional[int] = None, llm=None,
            history: Optional[list[tuple[str, str]]] = None, **filters) -> Answer:
        """Answer a question with numbered citations to retrieved passages.

        Args:
            question: the question.
            k: passages to retrieve (default from settings).
            llm: an LLM spec ("openai:gpt-4o-mini"), a LangChain chat model, or None for the settings' choice
                (the offline extractive answerer when none is configured).
            history: earlier (question, answer) turns; a follow-up is rewritten into a standalone question.
            **filters: doc_ids, years, doc_types, mmr, as for `retrieve`.
        """
        from reviewer.answering.extractive import answer, rewrite_followup

        started = time.perf_counter()
        standalone = None
        if history:
            standalone = rewrite_followup(question, history, self.settings, llm=llm)
        t = time.perf_counter()
        result = self._search(standalone or question, k or self.settings.retrieval.k, **filters)
        retrieve_ms = (time.perf_counter() - t) * 1000
        out = answer(question if standalone is None else standalone, result.passages, self.settings, llm=llm)
        self.cite(out.citations)
        out.question = question
        out.standalone_question = standalone
        out.timings_ms = {"retrieve": round(retrieve_ms, 1), **{k2: round(v, 1) for k2, v in result.timings_ms.items()},
                          **out.timings_ms, "total": round((time.perf_counter() - started) * 1000, 1)}
        return out

    def summarize(self, topic: str, k: Optional[int] = None, llm=None, **filters):
        """A structured evidence summary of a topic (see `reviewer.summary.build`)."""
        from reviewer.summary.build import summarize

        summary = summarize(self, topic, k=k, llm=llm, **filters)
        self.cite(summary.citations)
        return summary

    def cite(self, citations) -> None:
        """Give citations their documents' bibliographic records (authors, year, DOI, journal, file)."""
        from reviewer.bibliography.references import attach

        if citations:
            attach(citations, self.store.documents())

    def export_bibliography(self, fmt: str, doc_ids: Optional[Sequence[str]] = None) -> str:
        """The library (or these documents) as BibTeX ('bib'), RIS ('ris') or CSL-JSON ('csljson')."""
        from reviewer.bibliography.export import export

        docs = self.documents()
        return export([d for d in docs if doc_ids is None or d.doc_id in doc_ids], fmt)
