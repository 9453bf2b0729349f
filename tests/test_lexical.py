"""The incremental lexical index: updates per document, repair after a crash, visibility of half-written ingests."""

from __future__ import annotations

import os
import subprocess
import sys

from reviewer.api import Reviewer
from reviewer.models import Chunk
from reviewer.retrieval.lexical import LexicalIndex
from reviewer.retrieval.memory import MemoryStore
from reviewer.settings import Settings

from conftest import CORPUS


def note(folder, name: str, text: str):
    path = folder / f"{name}.md"
    path.write_text(f"# {name}\n\n{text}\n")
    return path


def fast(tmp_path, hash_embedder, store=None) -> Reviewer:
    return Reviewer(settings=Settings.load(store=tmp_path / "unused"), embedder=hash_embedder,
                    backend=store or MemoryStore(hash_embedder.name))


def test_adding_and_removing_a_document_updates_the_index_without_rebuilding(tmp_path, hash_embedder):
    r = fast(tmp_path, hash_embedder)
    r.ingest([note(tmp_path, "a", "Creatine supplements improved sprint times in rowers."),
              note(tmp_path, "b", "Sleep loss slowed reaction times in drivers.")])
    index = r.lexical()
    rows_before = len(index)
    r.ingest([note(tmp_path, "c", "Zebrafish larvae regenerate their fins.")])
    assert len(index) == rows_before + 1
    assert r.lexical().sync(r.store) == 0, "the ingest left the index in step: nothing to repair"
    assert r.retrieve("zebrafish fins", k=1, mode="bm25")[0].doc_id == "c"
    r.remove(["c"])
    assert r.retrieve("zebrafish fins", k=3, mode="bm25") == []
    assert len(r.lexical()) == rows_before


def test_counts_say_how_many_chunks_hold_each_word_in_any_form(tmp_path, hash_embedder):
    r = fast(tmp_path, hash_embedder)
    r.ingest([note(tmp_path, "a", "Creatine supplements improved sprint times in rowers."),
              note(tmp_path, "b", "Creatine loading and sleep loss were compared in drivers.")])
    assert r.lexical().counts(["creatine", "sleeping", "yoga", "the"]) == {"creatine": 2, "sleeping": 1, "yoga": 0,
                                                                           "the": 0}


def test_a_reader_catches_up_with_only_what_changed(tmp_path, hash_embedder):
    shared = MemoryStore(hash_embedder.name)
    writer, reader = fast(tmp_path, hash_embedder, shared), fast(tmp_path, hash_embedder, shared)
    writer.ingest([note(tmp_path, f"n{i}", f"Note {i} about topic {i} and rowing.") for i in range(20)])
    assert len(reader.retrieve("rowing", k=50, mode="bm25")) == 20
    writer.ingest([note(tmp_path, "late", "A late note on zebrafish fins.")])
    index = reader._lexical
    assert index.sync(shared) == 1, "only the new document is read"
    assert reader.retrieve("zebrafish", k=1, mode="bm25")[0].doc_id == "late"


def test_a_crash_between_store_and_index_is_repaired(tmp_path, hash_embedder):
    r = fast(tmp_path, hash_embedder)
    r.ingest([note(tmp_path, "a", "Creatine supplements improved sprint times in rowers.")])
    index = r.lexical()
    index.remove(["a"])  # as if the process died after writing the store, before the index
    r.store.put_documents(list(r.store.documents().values()))  # the store moves on: a new generation
    assert r.retrieve("creatine rowers", k=1, mode="bm25")[0].doc_id == "a"


def test_chunks_of_an_unrecorded_document_are_never_retrieved(tmp_path, hash_embedder):
    r = fast(tmp_path, hash_embedder)
    r.ingest([note(tmp_path, "a", "Creatine supplements improved sprint times in rowers.")])
    orphan = Chunk(chunk_id="ghost:00000000:0", doc_id="ghost", source="/gone.md", text="creatine cures rowers entirely")
    r.store.add_chunks([orphan], hash_embedder.embed([orphan.text]), {"ghost": "x"})  # killed before its record
    for mode in ("dense", "hybrid", "bm25"):
        assert all(p.doc_id != "ghost" for p in r.retrieve("creatine cures rowers", k=5, mode=mode)), mode


def test_a_dead_ingest_is_swept_by_the_next(tmp_path, hash_embedder):
    r = fast(tmp_path, hash_embedder)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket

    orphan = Chunk(chunk_id="ghost:00000000:0", doc_id="ghost", source="/gone.md", text="half written")
    r.store.mark_pending(["ghost"], f"{socket.gethostname()}:{dead.stdout.strip()}")
    r.store.add_chunks([orphan], hash_embedder.embed([orphan.text]), {"ghost": "x"})
    live = Chunk(chunk_id="busy:00000000:0", doc_id="busy", source="/busy.md", text="being written")
    r.store.mark_pending(["busy"], f"{socket.gethostname()}:{os.getpid()}")  # a running ingest is left alone
    r.store.add_chunks([live], hash_embedder.embed([live.text]), {"busy": "y"})
    r.ingest([note(tmp_path, "a", "Creatine supplements improved sprint times in rowers.")])
    assert r.store.get(["ghost:00000000:0"]) == {}
    assert list(r.store.pending()) == ["busy"] and r.store.get(["busy:00000000:0"])


def test_reference_lists_are_neither_embedded_nor_indexed(tmp_path, hash_embedder):
    r = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=hash_embedder)
    report = r.ingest([CORPUS])
    refs = list(r.store.iter_chunks(references=True))
    assert refs and report.chunks_embedded == r.store.count()
    stored = sum(d.chunks for d in r.documents())
    assert stored == r.store.count() + len(refs)
    assert not r.lexical().visible([cid for cid, _, _ in refs])


def test_a_reader_sees_another_processs_commit_and_keeps_its_searcher_otherwise(tmp_path):
    meta = {"doc_id": "a", "title": "A", "doc_type": "article"}
    reader, writer = LexicalIndex(tmp_path / "lex"), LexicalIndex(tmp_path / "lex")
    writer.add({"a": "h1"}, [("a:h1:0", "Creatine supplements improved sprint times in rowers.", meta)])
    assert [cid for cid, _ in reader.search("creatine rowers", 5)] == ["a:h1:0"]
    opened = reader._searcher()
    assert reader._searcher() is opened, "no commit since: the same searcher serves the next question"
    writer.add({"b": "h1"}, [("b:h1:0", "Zebrafish larvae regrew creatine-fed fins.", {**meta, "doc_id": "b"})])
    assert [cid for cid, _ in reader.search("zebrafish fins", 5)] == ["b:h1:0"]
    writer.remove(["a"])
    assert [cid for cid, _ in reader.search("creatine", 5)] == ["b:h1:0"]


def test_a_reader_of_a_chroma_store_catches_up_from_the_change_journal(tmp_path, hash_embedder, monkeypatch):
    """Another process's index reads only the documents the journal names, never every record's hash."""
    writer = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=hash_embedder)
    writer.ingest([note(tmp_path, f"n{i}", f"Note {i} about topic {i} and rowing.") for i in range(30)])
    reader = LexicalIndex(tmp_path / "reader-index")
    assert reader.sync(writer.store) == 30, "a new index compares every document"
    writer.ingest([note(tmp_path, "late", "A late note on zebrafish fins.")])

    def every_hash():
        raise AssertionError("the catch-up listed every document")

    monkeypatch.setattr(writer.store, "document_hashes", every_hash)
    assert reader.sync(writer.store) == 1
    assert reader.document_hashes().keys() == {f"n{i}" for i in range(30)} | {"late"}
    writer.remove(["n3"])
    assert reader.sync(writer.store) == 1 and "n3" not in reader.document_hashes()
    assert reader.sync(writer.store) == 0


def test_a_store_change_without_a_journal_entry_is_found_by_comparing_every_document(tmp_path, hash_embedder,
                                                                                     monkeypatch):
    """A writer of an older version leaves no journal entry: the reader falls back to the full comparison."""
    writer = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=hash_embedder)
    writer.ingest([note(tmp_path, f"n{i}", f"Note {i} about rowing.") for i in range(5)])
    reader = LexicalIndex(tmp_path / "reader-index")
    reader.sync(writer.store)
    journal = writer.store.journal.collection
    journal.delete(ids=journal.get(include=[])["ids"])
    monkeypatch.setattr(writer.store.journal, "record", lambda doc_ids: None)
    writer.ingest([note(tmp_path, "late", "A late note on zebrafish fins.")])
    assert writer.store.changes_since(0.0) == []
    assert reader.sync(writer.store) == 1 and "late" in reader.document_hashes()
