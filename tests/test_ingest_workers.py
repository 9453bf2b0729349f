"""A large ingest grades its documents in worker processes: what it stores is what one process stores."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.api import Reviewer
from reviewer.ingest.prepare import PARALLEL_FROM, workers
from reviewer.retrieval.embedding import HashEmbedder
from reviewer.settings import Settings

LABELS = Path(__file__).resolve().parent.parent / "evals" / "evidence_labels.jsonl"


def _library(path: Path) -> Path:
    """Passages of every study design (the evidence labels), two or three to a record."""
    texts = [json.loads(line)["text"] for line in LABELS.open(encoding="utf-8")]
    records = path / "library.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for i in range(PARALLEL_FROM + 20):
            abstract = " ".join(texts[(i * 3 + j) % len(texts)] for j in range(2 + i % 2)) + f" Cohort {i}."
            out.write(json.dumps({"id": f"rec{i}", "title": f"Study {i}", "abstract": abstract}) + "\n")
    return records


def _stored(r: Reviewer) -> tuple[list, dict]:
    rows = sorted((cid, text, meta) for cid, text, meta in r.store.iter_chunks())
    docs = {d.doc_id: d.model_dump(exclude={"source", "sources"}) for d in r.documents()}
    return rows, docs


def test_workers_store_the_same_chunks_and_tags_as_one_process(tmp_path):
    records = _library(tmp_path)
    one = Reviewer(settings=Settings.load(store=tmp_path / "one", **{"ingest.workers": 1}), embedder=HashEmbedder(64))
    two = Reviewer(settings=Settings.load(store=tmp_path / "two", **{"ingest.workers": 2}), embedder=HashEmbedder(64))
    assert workers(two.settings, PARALLEL_FROM + 20) == 2  # graded in two worker processes
    assert one.ingest([records]).documents_added == two.ingest([records]).documents_added == PARALLEL_FROM + 20
    rows_one, docs_one = _stored(one)
    rows_two, docs_two = _stored(two)
    assert rows_one == rows_two and docs_one == docs_two
    designs = {meta.get("design") for _, _, meta in rows_two}
    assert len(designs) > 3, designs  # graded passages of several designs, not one default tag
