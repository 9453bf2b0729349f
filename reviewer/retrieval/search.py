"""Retrieving: dense (Chroma), lexical (BM25) or both fused, with filters and optional MMR.

The default query carries no `where` filter: reference-list chunks live in a collection of
their own, so a filter is sent to Chroma only when the user asked for one (documents, years,
types, designs, strengths). Dense hits are kept only when the lexical index lists their chunk, i.e. when their
document's record is written: a killed ingest never shows passages of an unlisted document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from reviewer.models import STRENGTH_ORDER, Passage, StudyDesign
from reviewer.retrieval.fusion import mmr, rrf


@dataclass
class Filters:
    """Restrict retrieval to some documents, years, document types, or documents' study designs and strengths."""

    doc_ids: Optional[Sequence[str]] = None
    years: Optional[tuple[int, int]] = None
    doc_types: Optional[Sequence[str]] = None
    designs: Optional[Sequence[str]] = None
    min_strength: Optional[str] = None

    def __post_init__(self) -> None:
        from reviewer.errors import ReviewerError

        designs = {d.value for d in StudyDesign}
        bad = [d for d in self.designs or () if str(getattr(d, "value", d)) not in designs]
        if bad:
            raise ReviewerError(f"design '{bad[0]}' is not a study design: use one of {', '.join(sorted(designs))}")
        if self.min_strength and str(getattr(self.min_strength, "value", self.min_strength)) not in [
                s.value for s in STRENGTH_ORDER]:
            raise ReviewerError(f"min_strength '{self.min_strength}' is not one of high, moderate, low, very_low")

    def strengths(self) -> Optional[list[str]]:
        """The document strengths `min_strength` admits (it and every stronger one)."""
        if not self.min_strength:
            return None
        order = [s.value for s in STRENGTH_ORDER]
        return order[: order.index(str(getattr(self.min_strength, "value", self.min_strength))) + 1]

    def where(self) -> Optional[dict]:
        """The Chroma `where` clause: None unless the user asked for a restriction."""
        clauses: list[dict] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.doc_types:
            clauses.append({"doc_type": {"$in": [str(t) for t in self.doc_types]}})
        if self.years:
            clauses.append({"year": {"$gte": self.years[0]}})
            clauses.append({"year": {"$lte": self.years[1]}})
        if self.designs:  # the document's own design and strength, stored on each of its chunks
            clauses.append({"doc_design": {"$in": [str(getattr(d, "value", d)) for d in self.designs]}})
        if self.min_strength:
            clauses.append({"doc_strength": {"$in": self.strengths()}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def active(self) -> bool:
        """Whether any restriction is set."""
        return self.where() is not None

    def allows(self, meta: dict) -> bool:
        """The same test, for the BM25 side."""
        if self.doc_ids and meta.get("doc_id") not in self.doc_ids:
            return False
        if self.doc_types and meta.get("doc_type") not in [str(t) for t in self.doc_types]:
            return False
        if self.years:
            year = meta.get("year")
            if year is None or not (self.years[0] <= year <= self.years[1]):
                return False
        if self.designs and meta.get("doc_design") not in [str(getattr(d, "value", d)) for d in self.designs]:
            return False
        if self.min_strength and meta.get("doc_strength") not in self.strengths():
            return False
        return True


@dataclass
class RetrievalResult:
    passages: list[Passage]
    timings_ms: dict[str, float] = field(default_factory=dict)


def search(question: str, k: int, mode: str, filters: Filters, settings, store, lexical, embedder,
           use_mmr: bool = False) -> RetrievalResult:
    """Retrieve the top `k` passages for a question.

    Args:
        question: the question or claim.
        k: passages to return.
        mode: "hybrid", "dense" or "bm25".
        filters: document, year and type restrictions.
        settings: `RetrievalSettings`.
        store: the store (`reviewer.retrieval.store.Store`).
        lexical: a callable returning the up-to-date `LexicalIndex` (synced with the store).
        embedder: the query embedder.
        use_mmr: re-rank the fused candidates for diversity.
    """
    import time

    timings: dict[str, float] = {}
    pool = max(settings.candidates, k)
    t = time.perf_counter()
    index = lexical()
    timings["sync_ms"] = (time.perf_counter() - t) * 1000
    dense: list[tuple[str, float]] = []
    query_vec = None
    if mode in ("hybrid", "dense") or use_mmr:
        t = time.perf_counter()
        query_vec = embedder.embed_query(question)
        timings["embed_ms"] = (time.perf_counter() - t) * 1000
    if mode in ("hybrid", "dense"):
        t = time.perf_counter()
        dense = store.nearest(query_vec, pool, filters.where())
        shown = index.visible([cid for cid, _ in dense])
        dense = [(cid, score) for cid, score in dense if cid in shown]
        timings["dense_ms"] = (time.perf_counter() - t) * 1000
    lex: list[tuple[str, float]] = []
    if mode in ("hybrid", "bm25"):
        t = time.perf_counter()
        lex = index.search(question, pool, filters.allows if filters.active() else None)
        timings["bm25_ms"] = (time.perf_counter() - t) * 1000

    if mode == "dense":
        ranked = dense
    elif mode == "bm25":
        ranked = lex
    else:
        fused = rrf([([cid for cid, _ in dense], settings.dense_weight), ([cid for cid, _ in lex], settings.bm25_weight)],
                    settings.rrf_k)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))

    t = time.perf_counter()
    depth = min(len(ranked), pool if use_mmr else k)
    top = ranked[:depth]
    known = store.get([cid for cid, _ in top])  # text and metadata of the few kept, not of every candidate
    passages = [known[cid].model_copy(update={"score": score}) for cid, score in top if cid in known]
    if use_mmr and passages:
        passages = mmr(passages, store.embeddings([p.chunk_id for p in passages]), query_vec, k, settings.mmr_lambda)
    timings["fetch_ms"] = (time.perf_counter() - t) * 1000
    return RetrievalResult(passages=passages[:k], timings_ms=timings)
