"""The store: real Chroma on disk, incremental ingest, pruning, model checks, retrieval."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewer.api import Reviewer
from reviewer.settings import Settings
from reviewer.retrieval.store import StoreError

from conftest import CORPUS, LITQA2_PDFS, ROOT, needs_shared


def make(store: Path, embedder) -> Reviewer:
    return Reviewer(settings=Settings.load(store=store), embedder=embedder)


def test_second_ingest_embeds_nothing(tmp_path, real_embedder):
    r = make(tmp_path / "store", real_embedder)
    first = r.ingest([CORPUS])
    assert first.documents_added == 3 and first.chunks_embedded > 50
    second = make(tmp_path / "store", real_embedder).ingest([CORPUS])
    assert second.chunks_embedded == 0
    assert second.documents_unchanged == 3 and second.documents_added == 0


def test_changed_file_replaces_its_chunks(tmp_path, hash_embedder, corpus_copy):
    r = make(tmp_path / "store", hash_embedder)
    r.ingest([corpus_copy])
    news = corpus_copy / "news-exercise-muscle-signals-brain.md"
    before = {d.doc_id: d for d in r.documents()}["news-exercise-muscle-signals-brain"]
    news.write_text(news.read_text() + "\n\nA new closing paragraph about zebrafish swimming trials.\n")
    report = r.ingest([corpus_copy])
    assert report.documents_updated == 1 and report.documents_unchanged == 2
    after = {d.doc_id: d for d in r.documents()}["news-exercise-muscle-signals-brain"]
    assert after.content_hash != before.content_hash
    stored = [m for _, _, m in r.store.iter_chunks(doc_ids=[after.doc_id])]
    assert len(stored) == after.chunks, "old chunks of the changed file must be gone"
    assert {m["content_hash"] for m in stored} == {after.content_hash}
    hits = r.retrieve("zebrafish swimming trials", k=1, mode="bm25")
    assert hits[0].doc_id == after.doc_id and "zebrafish" in hits[0].text


def test_prune_drops_documents_whose_files_are_gone(tmp_path, hash_embedder, corpus_copy):
    r = make(tmp_path / "store", hash_embedder)
    r.ingest([corpus_copy])
    (corpus_copy / "news-exercise-muscle-signals-brain.md").unlink()
    report = r.ingest([corpus_copy], prune=True)
    assert report.documents_removed == 1
    assert {d.doc_id for d in r.documents()} == {
        "exercise-neuroplasticity-multiscale-review", "resistance-training-cognition-muscle-brain-axis-review"}
    assert not list(r.store.iter_chunks(doc_ids=["news-exercise-muscle-signals-brain"]))
    # the BM25 index follows the prune
    assert all(p.doc_id != "news-exercise-muscle-signals-brain" for p in r.retrieve("Hyunjun Kong", k=5, mode="bm25"))


def test_remove_by_id(tmp_path, hash_embedder):
    r = make(tmp_path / "store", hash_embedder)
    r.ingest([CORPUS])
    assert r.remove(["news-exercise-muscle-signals-brain", "no-such-doc"]) == ["news-exercise-muscle-signals-brain"]
    assert r.stats().documents == 2


def test_other_embedding_model_is_refused(tmp_path, hash_embedder):
    from reviewer.retrieval.embedding import HashEmbedder

    make(tmp_path / "store", hash_embedder).ingest([CORPUS / "news-exercise-muscle-signals-brain.md"])
    with pytest.raises(StoreError, match="built with embedding model 'hash-256'"):
        make(tmp_path / "store", HashEmbedder(128)).documents()


def test_bad_files_do_not_damage_the_store(tmp_path, hash_embedder):
    r = make(tmp_path / "store", hash_embedder)
    r.ingest([CORPUS])
    chunks = r.store.count()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (bad / "good.md").write_text("# A note\n\nResistance training sessions twice weekly improved grip strength.\n")
    report = r.ingest([bad])
    assert {Path(f.path).name for f in report.failures} == {"empty.txt", "broken.pdf"}
    assert all(f.reason for f in report.failures)
    assert report.documents_added == 1
    assert r.store.count() == chunks + 1
    assert r.stats().documents == 4


def test_reference_list_is_not_retrieved(corpus_reviewer):
    hits = corpus_reviewer.retrieve("Petersen Caracciolo Brayne Mild cognitive impairment: A concept in evolution", k=10)
    assert hits, "prose passages are still retrieved"
    assert all(p.section != "References" for p in hits)
    refs = list(corpus_reviewer.store.iter_chunks(references=True))
    assert refs and all(m["section"] == "References" for _, _, m in refs)


def test_passages_carry_location_and_evidence(corpus_reviewer):
    hits = corpus_reviewer.retrieve("unstable free-weight training working memory processing speed older adults", k=5)
    top = hits[0]
    assert "Eckardt et al." in top.text
    assert top.section == "3.1. Naturally Aging Older Adult Population"
    assert top.title.startswith("The Muscle–Brain Axis in Aging")
    assert top.evidence is not None
    assert [p.score for p in hits] == sorted((p.score for p in hits), reverse=True)


def test_filters_by_document_type_and_year(corpus_reviewer):
    news = corpus_reviewer.retrieve("exercise and the brain", k=5, doc_types=["news"])
    assert news and {p.doc_type.value for p in news} == {"news"}
    recent = corpus_reviewer.retrieve("exercise and the brain", k=5, years=(2026, 2026))
    assert recent and all(p.year == 2026 for p in recent)
    one = corpus_reviewer.retrieve("BDNF", k=5, doc_ids=["exercise-neuroplasticity-multiscale-review"])
    assert one and {p.doc_id for p in one} == {"exercise-neuroplasticity-multiscale-review"}


def test_mmr_spreads_across_documents(corpus_reviewer):
    plain = corpus_reviewer.retrieve("exercise improves cognitive function and brain health", k=6, mmr=False)
    diverse = corpus_reviewer.retrieve("exercise improves cognitive function and brain health", k=6, mmr=True)
    assert len({p.doc_id for p in diverse}) >= len({p.doc_id for p in plain})
    assert len({p.doc_id for p in diverse}) >= 2


@needs_shared
def test_real_pdf_keeps_pages(tmp_path, real_embedder):
    pdf = min(LITQA2_PDFS.glob("*.pdf"), key=lambda p: p.stat().st_size)
    r = make(tmp_path / "store", real_embedder)
    report = r.ingest([pdf])
    assert report.documents_added == 1 and report.chunks_embedded > 10
    pages = {m.get("page") for _, _, m in r.store.iter_chunks()}
    assert None not in pages and max(pages) > 3


INTERRUPT = """
import os, sys
from reviewer.api import Reviewer
from reviewer.retrieval.embedding import HashEmbedder
from reviewer.settings import Settings

class Slow(HashEmbedder):
    calls = 0
    def embed(self, texts, progress=None):
        Slow.calls += 1
        if Slow.calls == 3:
            print("KILLME", flush=True)
            import time; time.sleep(60)
        return super().embed(texts, progress)

r = Reviewer(settings=Settings.load(store=sys.argv[1], **{"embedding.batch_size": 8, "embedding.store_batch": 16}),
             embedder=Slow(256))
r.ingest([sys.argv[2]])
"""


def test_killed_ingest_is_completed_without_duplicates(tmp_path, hash_embedder):
    store = tmp_path / "store"
    script = tmp_path / "interrupt.py"
    script.write_text(INTERRUPT)
    proc = subprocess.Popen([sys.executable, str(script), str(store), str(CORPUS)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    assert proc.stdout.readline().strip() == "KILLME"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    r = make(store, hash_embedder)
    partial = r.stats()
    assert 0 < partial.chunks and partial.documents < 3
    report = r.ingest([CORPUS])
    assert report.documents_added + report.documents_unchanged == 3
    ids = [cid for cid, _, _ in r.store.iter_chunks()] + [cid for cid, _, _ in r.store.iter_chunks(references=True)]
    assert len(ids) == len(set(ids))
    assert len(ids) == sum(d.chunks for d in r.documents())


def test_prune_from_another_folder_removes_only_files_really_gone(tmp_path, corpus_copy, hash_embedder, monkeypatch):
    """Sources are absolute: `ingest note.md --prune` run elsewhere keeps the library, and names what it drops."""
    monkeypatch.chdir(corpus_copy.parent)
    r = make(tmp_path / "store", hash_embedder)
    assert r.ingest(["corpus"]).documents_added == 3
    assert all(Path(d.source).is_absolute() for d in r.documents())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "note.md").write_text("# Note\n\nGrip strength rose by 12% after twelve weeks of training.\n")
    monkeypatch.chdir(elsewhere)
    report = r.ingest(["note.md"], prune=True)
    assert report.documents_added == 1 and report.documents_removed == 0 and len(r.documents()) == 4
    gone = next(corpus_copy.glob("news-*.md"))
    gone.unlink()
    report = r.ingest(["note.md"], prune=True)
    assert report.documents_removed == 1 and len(r.documents()) == 3
    assert report.removed == [f"{gone.stem}: {gone} no longer exists"]


def test_relative_sources_of_older_stores_are_migrated_without_duplicates(tmp_path, corpus_copy, hash_embedder,
                                                                         monkeypatch):
    import os

    monkeypatch.chdir(corpus_copy.parent)
    r = make(tmp_path / "store", hash_embedder)
    r.ingest(["corpus"])
    older = [d.model_copy(update={"source": os.path.relpath(d.source)}) for d in r.documents()]
    r.store.put_documents(older)  # as a store written before sources were absolute
    assert not any(Path(d.source).is_absolute() for d in r.documents())
    assert r.ingest(["corpus"], prune=True).documents_removed == 0  # relative records are never pruned
    report = r.ingest(["corpus"])
    assert report.documents_unchanged == 3 and report.documents_added == 0
    assert len(r.documents()) == 3 and all(Path(d.source).is_absolute() for d in r.documents())


def test_a_link_loop_is_one_failure_and_the_rest_is_ingested(tmp_path, corpus_copy, hash_embedder):
    (corpus_copy / "loop.md").symlink_to(corpus_copy / "loop.md")
    report = make(tmp_path / "store", hash_embedder).ingest([corpus_copy])
    assert report.documents_added == 3
    assert [(Path(f.path).name, f.reason) for f in report.failures] == [("loop.md", "symbolic link loop")]


def test_asking_an_empty_store_says_so_also_after_everything_was_removed(tmp_path, hash_embedder):
    from reviewer.retrieval.memory import MemoryStore

    r = Reviewer(settings=Settings.load(store=tmp_path / "unused"), embedder=hash_embedder,
                 backend=MemoryStore(hash_embedder.name))
    with pytest.raises(StoreError, match="is empty: run `reviewer ingest PATH` first"):
        r.retrieve("zebrafish fins")
    note = tmp_path / "fins.md"
    note.write_text("# Fins\n\nZebrafish larvae regrew their fins within a week.\n")
    r.ingest([note])
    assert r.retrieve("zebrafish fins", k=1)[0].doc_id == "fins"
    r.remove(["fins"])
    with pytest.raises(StoreError, match="is empty"):
        r.retrieve("zebrafish fins")


def test_chunks_written_with_their_text_as_chroma_document_are_still_read(tmp_path, hash_embedder):
    """Older stores kept a chunk's text as its Chroma document; it is shown, searched and rebuilt from there."""
    notes = tmp_path / "grip.md"
    notes.write_text("# Grip\n\nGrip strength rose by 12 percent after eight weeks of resistance training.\n")
    r = make(tmp_path / "store", hash_embedder)
    r.ingest([notes])
    cid, text, meta = next(r.store.iter_chunks())
    assert "text" not in meta and "Grip strength rose" in text
    rows = r.store.chunks.get(ids=[cid], include=["metadatas", "embeddings"])
    old = {k: v for k, v in rows["metadatas"][0].items() if k != "text"}
    r.store.chunks.delete(ids=[cid])  # the row as an older version wrote it
    r.store.chunks.add(ids=[cid], embeddings=[rows["embeddings"][0]], documents=[text], metadatas=[old])
    assert r.store.get([cid])[cid].text == text
    assert [t for _, t, _ in r.store.iter_chunks()] == [text]
    again = make(tmp_path / "store", hash_embedder)
    again.lexical().remove([meta["doc_id"]])  # a reader whose BM25 index must be rebuilt from the store
    again.lexical().advance(again.lexical().generation or "", "stale")
    assert again.retrieve("grip strength percent", k=1, mode="bm25")[0].text == text
