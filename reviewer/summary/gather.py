"""Gathering: the passages a summary is built from, from several queries on the topic."""

from __future__ import annotations

from reviewer.models import Passage

#: Words added to the topic in extra queries, so trials, meta-analyses and quantified results that rank
#: lower on the bare topic still come in.
DESIGN_QUERIES = ("systematic review and meta-analysis", "randomized controlled trial", "cohort study",
                  "effect size 95% CI")
#: Above this many documents the per-document queries are skipped (one query per document is too many).
MAX_SPREAD_DOCUMENTS = 50


def gather(reviewer, topic: str, k: int, **filters) -> list[Passage]:
    """Passages on a topic from several queries, without duplicates, the topic's own ranking first.

    The topic alone gives `k` passages; the topic with each of `DESIGN_QUERIES` adds up to `k`
    each (trials and meta-analyses that rank lower on the bare topic); the topic within each
    document adds up to k/10 each, so every document contributes.
    """
    seen: dict[str, Passage] = {}

    def add(found: list[Passage]) -> None:
        for p in found:
            seen.setdefault(p.chunk_id, p)

    add(reviewer.retrieve(topic, k=k, **filters))
    for words in DESIGN_QUERIES:
        add(reviewer.retrieve(f"{topic} {words}", k=k, **filters))
    doc_ids = filters.get("doc_ids") or reviewer.store.document_ids()  # ids only: cheap at 100k
    if len(doc_ids) <= MAX_SPREAD_DOCUMENTS:
        for doc_id in doc_ids:
            add(reviewer.retrieve(topic, k=max(2, k // 10), **{**filters, "doc_ids": [doc_id]}))
    return list(seen.values())
