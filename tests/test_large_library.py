"""A library past SQLite's variable limit (40,500 tiny documents, hashing embedder, real Chroma on disk)."""

from __future__ import annotations

import json
import re

import pytest

from reviewer.api import Reviewer
from reviewer.retrieval.embedding import HashEmbedder
from reviewer.settings import Settings

N = 40_500


@pytest.mark.slow
def test_every_store_operation_works_past_forty_thousand_documents(tmp_path):
    records = tmp_path / "abstracts.jsonl"
    with records.open("w") as out:
        for i in range(N):
            out.write(json.dumps({"id": f"a{i}", "title": f"Trial {i}", "abstract": f"Walking {i} minutes daily."}) + "\n")
    r = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=HashEmbedder(16))
    assert r.ingest([records]).documents_added == N
    assert len(r.documents()) == N and r.stats().documents == N

    again = r.ingest([records])
    assert again.documents_unchanged == N and again.chunks_embedded == 0

    extra = tmp_path / "extra.md"
    extra.write_text("# Zebrafish\n\nZebrafish larvae regrew fins within seven days.\n")
    assert r.ingest([extra]).documents_added == 1
    assert r.retrieve("zebrafish fins", k=1, mode="bm25")[0].doc_id == "extra"
    extra.unlink()
    assert r.prune() == [f"extra: {extra.resolve()} no longer exists"]
    assert r.remove([f"a{i}" for i in range(100)] + ["missing"]) == [f"a{i}" for i in range(100)]
    assert len(r.documents()) == N - 100
    hits = r.retrieve("walking 40499 minutes", k=3, mode="bm25")
    assert hits[0].doc_id == "a40499"
    assert all(p.doc_id != "a50" for p in r.retrieve("walking 50 minutes", k=5)), "removed documents stay gone"
    summary = r.summarize("walking minutes daily", k=5)
    gathered = [int(n) for note in summary.notes for n in re.findall(r"built from (\d+) retrieved passages", note)]
    assert gathered and gathered[0] > 0, summary.notes
