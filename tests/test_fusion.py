"""Reciprocal rank fusion and maximal marginal relevance, on hand-made rankings and vectors."""

from __future__ import annotations

import pytest

from reviewer.models import Passage
from reviewer.retrieval.fusion import mmr, rrf


def test_rrf_sums_reciprocal_ranks_across_rankings():
    fused = rrf([(["a", "b", "c"], 1.0), (["c", "a"], 1.0)], k=60)
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)
    assert sorted(fused, key=fused.get, reverse=True) == ["a", "c", "b"]


def test_rrf_weights_and_ignores_zero_weight_rankings():
    fused = rrf([(["a", "b"], 1.0), (["b"], 3.0), (["z"], 0.0)], k=60)
    assert max(fused, key=fused.get) == "b"
    assert "z" not in fused


def passage(cid: str, doc: str) -> Passage:
    return Passage(chunk_id=cid, doc_id=doc, text=cid)


def test_mmr_skips_a_near_duplicate_for_a_different_document():
    # p1 and p2 say nearly the same thing in one document; p3, ranked lower, says something else.
    candidates = [passage("p1", "A"), passage("p2", "A"), passage("p3", "B"), passage("p4", "C")]
    vectors = {"p1": [0.8, 0.6, 0.0], "p2": [0.8, 0.59, 0.1], "p3": [0.8, -0.6, 0.0], "p4": [0.0, 0.0, 1.0]}
    chosen = mmr(candidates, vectors, query=[1.0, 0.0, 0.0], k=2, lam=0.7)
    assert [p.chunk_id for p in chosen] == ["p1", "p3"]
    assert [p.chunk_id for p in candidates[:2]] == ["p1", "p2"], "without MMR the duplicate would be second"


def test_mmr_with_full_relevance_weight_keeps_the_relevance_order():
    candidates = [passage("p1", "A"), passage("p2", "A"), passage("p3", "B")]
    vectors = {"p1": [0.8, 0.6, 0.0], "p2": [0.8, 0.59, 0.1], "p3": [0.8, -0.6, 0.0]}
    assert [p.chunk_id for p in mmr(candidates, vectors, [1.0, 0.0, 0.0], k=3, lam=1.0)] == ["p1", "p2", "p3"]
    assert mmr([], vectors, [1.0, 0.0], k=3, lam=0.5) == []
