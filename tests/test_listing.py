"""Listing and counting a library of 40,500 records (real Chroma on disk): what reading every record says.

`documents()` reads its pages ahead in a thread and `stats` counts documents by type from ids;
both must say exactly what a plain read of every record, page after page, says, including for
records written before they carried their type, and with pending markers and the store's
state in the same collection.
"""

from __future__ import annotations

from collections import Counter

import pytest

from reviewer.api import Reviewer
from reviewer.models import DocumentInfo, EvidenceTag
from reviewer.retrieval.embedding import HashEmbedder
from reviewer.settings import Settings
from reviewer.vocabulary import DocType, StudyDesign, Strength

N = 40_500
TYPES = [DocType.abstract, DocType.article, DocType.review, DocType.abstract, DocType.preprint, DocType.news]


def _record(i: int) -> DocumentInfo:
    evidence = EvidenceTag(design=list(StudyDesign)[i % len(StudyDesign)], strength=list(Strength)[i % len(Strength)],
                           reasons=[f"reason {i}"]) if i % 3 else None
    return DocumentInfo(doc_id=f"d{i}", title=f"Trial {i % 997}", source=f"/library/records.jsonl#d{i}",
                        content_hash=f"{i:064x}", text_hash=f"{i + 1:064x}", chunks=1 + i % 4, year=1990 + i % 35,
                        doc_type=TYPES[i % len(TYPES)], authors=[f"Author {i % 13}"], evidence=evidence)


def _read_plainly(docs_collection) -> dict[str, DocumentInfo]:
    """Every record, one page after another, nothing ahead (what `documents()` did before)."""
    out: dict[str, DocumentInfo] = {}
    offset = 0
    while (got := docs_collection.get(include=["metadatas"], limit=1000, offset=offset))["ids"]:
        out.update({d: DocumentInfo.model_validate_json(m["info"])
                    for d, m in zip(got["ids"], got["metadatas"]) if m and "info" in m})
        offset += len(got["ids"])
    return out


@pytest.mark.slow
def test_listing_and_counting_forty_thousand_records_say_what_reading_each_says(tmp_path):
    r = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=HashEmbedder(16))
    written = [_record(i) for i in range(N)]
    r.store.put_documents(written)
    r.store.mark_pending(["d7", "new-one"], "elsewhere:1")  # an ingest under way: markers are no documents

    listed = r.store.documents()
    assert listed == _read_plainly(r.store.docs) == {d.doc_id: d for d in written}
    assert list(listed) == list(_read_plainly(r.store.docs)), "in the store's order, as before"
    assert [d.doc_id for d in r.documents()] == [d.doc_id for d in sorted(written, key=lambda d: (d.title.lower(),
                                                                                                   d.doc_id))]
    expected = dict(sorted(Counter(d.doc_type.value for d in written).items()))
    stats = r.stats()
    assert stats.documents == N and stats.by_doc_type == expected

    # Records written before records carried their type: read in full, and only they.
    older = [f"d{i}" for i in range(0, N, 3)]
    for start in range(0, len(older), 2000):
        part = older[start : start + 2000]
        r.store.docs.update(ids=part, metadatas=[{"doc_type": None}] * len(part))
    assert "doc_type" not in r.store.docs.get(ids=["d0"], include=["metadatas"])["metadatas"][0]
    assert r.store.document_counts() == expected
    assert r.stats().documents == N
    assert r.store.documents() == listed
