"""Retrieving: dense (Chroma), lexical (BM25) or both fused, with filters and optional MMR.

Fusion is weighted reciprocal rank fusion: score = Σ w / (rrf_k + rank). It needs no score
calibration between cosine similarities and BM25 scores, which live on different scales.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from reviewer.models import STRENGTH_ORDER, Passage, StudyDesign


@dataclass
class Filters:
    """Restrict retrieval to some documents, years, document types, or documents' study designs and strengths."""

    doc_ids: Optional[Sequence[str]] = None
    years: Optional[tuple[int, int]] = None
    doc_types: Optional[Sequence[str]] = None
    include_references: bool = False
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
        """The Chroma `where` clause."""
        clauses: list[dict] = []
        if not self.include_references:
            clauses.append({"is_reference": False})
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


def rrf(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion of (ranked ids, weight) lists."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        if weight <= 0:
            continue
        for rank, cid in enumerate(ids, start=1):
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
    return fused


def mmr(candidates: list[Passage], vectors: dict[str, list[float]], query: list[float], k: int,
        lam: float) -> list[Passage]:
    """Maximal marginal relevance: trade relevance to the query against similarity to what is chosen.

    Passages from a document already chosen are penalised too, spreading the answer across documents.
    """
    import numpy as np

    if not candidates:
        return []
    q = np.asarray(query, dtype=np.float32)
    mat = np.asarray([vectors.get(p.chunk_id, [0.0] * len(query)) for p in candidates], dtype=np.float32)
    relevance = mat @ q
    # Blend in the fused rank so lexical-only hits are not lost.
    rank_score = np.linspace(1.0, 0.0, num=len(candidates), dtype=np.float32)
    relevance = 0.5 * relevance + 0.5 * rank_score
    chosen: list[int] = []
    rest = list(range(len(candidates)))
    while rest and len(chosen) < k:
        if not chosen:
            best = max(rest, key=lambda i: relevance[i])
        else:
            sims = mat[rest] @ mat[chosen].T
            same_doc = np.asarray(
                [[candidates[i].doc_id == candidates[j].doc_id for j in chosen] for i in rest], dtype=np.float32
            )
            redundancy = np.maximum(sims, same_doc).max(axis=1)
            scores = lam * relevance[rest] - (1 - lam) * redundancy
            best = rest[int(np.argmax(scores))]
        chosen.append(best)
        rest.remove(best)
    return [candidates[i] for i in chosen]


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
        store: the `ChromaStore`.
        lexical: a callable returning the up-to-date `LexicalIndex` (built lazily).
        embedder: the query embedder.
        use_mmr: re-rank the fused candidates for diversity.
    """
    import time

    timings: dict[str, float] = {}
    pool = max(settings.candidates, k)
    dense: list[Passage] = []
    query_vec = None
    if mode in ("hybrid", "dense") or use_mmr:
        t = time.perf_counter()
        query_vec = embedder.embed_query(question)
        if mode in ("hybrid", "dense"):
            dense = store.query(query_vec, pool, filters.where())
        timings["dense_ms"] = (time.perf_counter() - t) * 1000
    lex: list[tuple[str, float]] = []
    if mode in ("hybrid", "bm25"):
        t = time.perf_counter()
        lex = lexical().search(question, pool, filters.allows)
        timings["bm25_ms"] = (time.perf_counter() - t) * 1000

    if mode == "dense":
        ranked = [(p.chunk_id, p.score) for p in dense]
    elif mode == "bm25":
        ranked = lex
    else:
        fused = rrf([([p.chunk_id for p in dense], settings.dense_weight), ([cid for cid, _ in lex], settings.bm25_weight)],
                    settings.rrf_k)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))

    depth = min(len(ranked), pool if use_mmr else k)
    top = ranked[:depth]
    known = {p.chunk_id: p for p in dense}
    missing = [cid for cid, _ in top if cid not in known]
    known.update(store.get(missing))
    passages = [known[cid].model_copy(update={"score": score}) for cid, score in top if cid in known]
    if use_mmr and passages:
        passages = mmr(passages, store.embeddings([p.chunk_id for p in passages]), query_vec, k, settings.mmr_lambda)
    return RetrievalResult(passages=passages[:k], timings_ms=timings)
