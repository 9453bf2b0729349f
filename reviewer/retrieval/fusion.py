"""Fusion: reciprocal rank fusion of several rankings, and maximal marginal relevance re-ranking.

Fusion is weighted reciprocal rank fusion: score = Σ w / (rrf_k + rank). It needs no score
calibration between cosine similarities and BM25 scores, which live on different scales.
"""

from __future__ import annotations

from reviewer.models import Passage


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
