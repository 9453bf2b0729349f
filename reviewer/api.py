"""The `Reviewer`: everything a command does, callable from Python.

The CLI, the tests, the evals and the benchmarks all go through this class.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from reviewer.models import Answer, DoctorReport, DocumentInfo, IngestReport, Passage, StoreStats
from reviewer.settings import Settings


class Reviewer:
    """A literature-review assistant over one store.

    Args:
        store: directory of the embedded Chroma store (default `.reviewer/`, or `REVIEWER_STORE`).
        chroma_url: `http://HOST:PORT` of a Chroma server to use instead.
        settings: full settings; `store` and `chroma_url` override its fields.
        embedder: an embedder to use instead of the one the settings name (tests inject fakes).
        backend: a store to use instead of Chroma (e.g. `reviewer.retrieval.memory.MemoryStore` for fast
            tests); its lexical index is then kept in memory.

    Example:
        >>> r = Reviewer(store="/tmp/store")
        >>> r.ingest(["corpus/"]).documents_added
        3
        >>> r.ask("Does resistance training improve memory?").answer
    """

    def __init__(self, store: Union[str, Path, None] = None, chroma_url: Optional[str] = None,
                 settings: Optional[Settings] = None, embedder=None, backend=None):
        self.settings = settings.model_copy(deep=True) if settings is not None else Settings.load()
        if store is not None:
            self.settings.store = Path(store)
        if chroma_url is not None:
            self.settings.chroma_url = chroma_url
        if embedder is None:
            from reviewer.retrieval.backends import make_embedder

            emb = self.settings.embedding
            embedder = make_embedder(emb.model, batch_size=emb.batch_size, device=emb.device, backend=emb.backend)
        self.embedder = embedder
        self._store = backend
        self._files = backend is None  # an injected store keeps no files: its lexical index lives in memory
        self._lexical = None
        self._seen_chunks = False

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def store(self):
        """The Chroma store, opened on first use."""
        if self._store is None:
            from reviewer.retrieval.backends import adopt_backend
            from reviewer.retrieval.store import ChromaStore, StoreError

            token = self.settings.chroma_token.get_secret_value() if self.settings.chroma_token else None

            def open_store():
                return ChromaStore(embedding_model=self.embedder.name,
                                   path=None if self.settings.chroma_url else Path(self.settings.store),
                                   url=self.settings.chroma_url, collection=self.settings.collection, token=token)

            try:
                self._store = open_store()
            except StoreError as exc:
                # Same model, other backend, none asked for: query with the backend that built the store.
                self.embedder = adopt_backend(self.embedder, exc, self.settings.embedding)
                self._store = open_store()
        return self._store

    def lexical(self):
        """The lexical (BM25) index, brought in step with the store."""
        self._index().sync(self.store)
        return self._lexical

    def _index(self):
        """The lexical index as it is on disk (not synced)."""
        if self._lexical is None:
            from reviewer.retrieval.lexical import LexicalIndex
            from reviewer.retrieval.store import cache_dir

            # A read-only store is read from a copy: its index is the copy's.
            folder = getattr(self.store, "path", None) or self.settings.store
            self._lexical = LexicalIndex(cache_dir(folder, self.settings.chroma_url, self.settings.collection)
                                         if self._files else None)
        return self._lexical

    # -- ingest --------------------------------------------------------------------------------

    def ingest(self, paths: Iterable[Union[str, Path]], prune: bool = False, progress=None,
               collection: Optional[str] = None) -> IngestReport:
        """Load, chunk, grade, embed and store documents; unchanged files are skipped.

        Args:
            paths: files or directories (searched recursively).
            prune: also drop stored documents whose files no longer exist.
            progress: callback `progress(stage, advance, total)` for progress bars.
            collection: for a Zotero library, only the items of this collection.

        Returns:
            What was added, updated, left unchanged, removed, and every file that failed with why.
        """
        from reviewer.ingest.pipeline import ingest

        self.embedder.ensure_loadable()  # a mistyped model name fails before the store is opened or written
        return ingest(paths, self.store, self.embedder, self.lexical(), self.settings, prune=prune, progress=progress,
                      collection=collection)

    def remove(self, doc_ids: Sequence[str]) -> list[str]:
        """Drop documents (chunks and records) by id; returns the ids that were found."""
        from reviewer.ingest.pipeline import remove

        return remove(self.store, self.lexical(), doc_ids)

    def prune(self) -> list[str]:
        """Drop documents whose source files are really gone; returns one line for each (what and why)."""
        from reviewer.ingest.pipeline import prune_missing

        return prune_missing(self.store, self.lexical())

    def doctor(self, fix: bool = False) -> DoctorReport:
        """Check that records, chunks, pending markers, the lexical index and the model stamp agree.

        Args:
            fix: repair what can be repaired without deleting anything the user named (chunks that were
                never visible are removed, a record whose chunks are missing is read again from its file).
        """
        from reviewer.ingest.doctor import examine

        return examine(self.store, self._index(), fix=fix, embedder=self.embedder, settings=self.settings)

    # -- reading -------------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """Every document in the store, by title."""
        return sorted(self.store.documents().values(), key=lambda d: (d.title.lower(), d.doc_id))

    def stats(self) -> StoreStats:
        """Counts of documents and chunks."""
        by_type = self.store.document_counts()  # counted from ids, not read from every record
        return StoreStats(location=self.store.location, collection=self.settings.collection,
                          embedding_model=self.embedder.name, documents=sum(by_type.values()), chunks=self.store.count(),
                          by_doc_type=by_type)

    def retrieve(self, question: str, k: int = 10, mode: Optional[str] = None, doc_ids: Optional[Sequence[str]] = None,
                 years: Optional[tuple[int, int]] = None, doc_types: Optional[Sequence[str]] = None,
                 mmr: Optional[bool] = None, designs: Optional[Sequence[str]] = None,
                 min_strength: Optional[str] = None) -> list[Passage]:
        """The passages most relevant to a question.

        Args:
            question: the question or claim.
            k: how many passages.
            mode: "hybrid" (default), "dense" or "bm25".
            doc_ids: only these documents.
            years: only documents published in this (first, last) range.
            doc_types: only these document types ("review", "news", ...).
            mmr: diversify across documents (default from settings).
            designs: only documents of these study designs ("rct", "meta_analysis", ...).
            min_strength: only documents whose evidence is at least this strong ("moderate", ...).
        """
        return self._search(question, k, mode, doc_ids, years, doc_types, mmr, designs, min_strength).passages

    def _search(self, question, k, mode=None, doc_ids=None, years=None, doc_types=None, mmr=None, designs=None,
                min_strength=None):
        from reviewer.retrieval.search import Filters, search

        cfg = self.settings.retrieval
        filters = Filters(doc_ids, years, doc_types, designs=designs, min_strength=min_strength)
        if not self._seen_chunks:  # a count is a store call: once, then again only if nothing is found
            self._require_chunks()
        result = search(question, k, mode or cfg.mode, filters, cfg, self.store,
                        self.lexical, self.embedder, use_mmr=cfg.mmr if mmr is None else mmr)
        if not result.passages:
            self._require_chunks()
        return result

    def _require_chunks(self) -> None:
        from reviewer.retrieval.store import StoreError

        self._seen_chunks = self.store.count() > 0
        if not self._seen_chunks:
            raise StoreError(f"the store at {self.store.location} is empty: run `reviewer ingest PATH` first")

    def ask(self, question: str, k: Optional[int] = None, llm=None,
            history: Optional[list[tuple[str, str]]] = None, **filters) -> Answer:
        """Answer a question with numbered citations to retrieved passages.

        Args:
            question: the question.
            k: passages to retrieve (default from settings).
            llm: an LLM spec ("openai:gpt-4o-mini"), a LangChain chat model, or None for the settings' choice
                (the offline extractive answerer when none is configured).
            history: earlier (question, answer) turns; a follow-up is rewritten into a standalone question.
            **filters: doc_ids, years, doc_types, mmr, designs, min_strength, as for `retrieve`.
        """
        from reviewer.answering import answer, rerank, rewrite_followup
        from reviewer.answering.wording import request_free
        from reviewer.text import papers_terms

        started = time.perf_counter()
        standalone = None
        if history:
            standalone = rewrite_followup(question, history, self.settings, llm=llm)
        asked = question if standalone is None else standalone
        k = k or self.settings.retrieval.k
        cfg = self.settings.answering
        t = time.perf_counter()
        # searched in the papers' terms, without the asker's introduction or instructions ("I need author names")
        query = papers_terms(request_free(asked))
        result = self._search(query, max(k, cfg.rerank_candidates) if cfg.rerank else k, **filters)
        retrieve_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        passages = rerank(asked, result.passages, k, cfg, self.embedder) if cfg.rerank else result.passages
        # the passages' documents, read once: their journals may name them in the question, their records cite them
        documents = self.store.find_documents(doc_ids=sorted({p.doc_id for p in passages})) if passages else {}
        for p in passages:
            p.journal = documents[p.doc_id].journal if p.doc_id in documents else None
        rerank_ms = (time.perf_counter() - t) * 1000
        out = answer(asked, passages, self.settings, llm=llm, embedder=self.embedder, library=self._index().counts)  # synced by _search
        self.cite(out.citations, documents)
        out.question = question
        out.standalone_question = standalone
        out.timings_ms = {"retrieve": round(retrieve_ms, 1), **{k2: round(v, 1) for k2, v in result.timings_ms.items()},
                          "rerank": round(rerank_ms, 1), **out.timings_ms,
                          "total": round((time.perf_counter() - started) * 1000, 1)}
        return out

    def summarize(self, topic: str, k: Optional[int] = None, llm=None, **filters):
        """A structured evidence summary of a topic (see `reviewer.summary.build`)."""
        from reviewer.summary.build import summarize

        summary = summarize(self, topic, k=k, llm=llm, **filters)
        self.cite(summary.citations)
        return summary

    def cite(self, citations, documents: Optional[dict] = None) -> None:
        """Give citations their documents' bibliographic records (authors, year, DOI, journal, file); `documents`:
        those records already read (doc_id → record), else they are read from the store."""
        from reviewer.bibliography.references import attach

        if citations:
            attach(citations, documents if documents is not None else
                   self.store.find_documents(doc_ids=sorted({c.doc_id for c in citations})))

    def export_bibliography(self, fmt: str, doc_ids: Optional[Sequence[str]] = None) -> str:
        """The library (or these documents) as BibTeX ('bib'), RIS ('ris') or CSL-JSON ('csljson')."""
        from reviewer.bibliography.export import export

        docs = self.documents()
        return export([d for d in docs if doc_ids is None or d.doc_id in doc_ids], fmt)
