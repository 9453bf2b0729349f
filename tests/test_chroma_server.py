"""A real Chroma server (`chroma run`) started and stopped by the test, used through --chroma-url."""

from __future__ import annotations

import pytest

from reviewer.api import Reviewer
from reviewer.settings import Settings

from conftest import CORPUS, free_port


@pytest.mark.slow
def test_ingest_and_retrieve_through_a_chroma_server(chroma_server, real_embedder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = Reviewer(settings=Settings.load(chroma_url=chroma_server), embedder=real_embedder)
    report = r.ingest([CORPUS])
    assert report.documents_added == 3 and not report.failures
    assert r.stats().location == chroma_server
    hits = r.retrieve("unstable free-weight training processing speed", k=3)
    assert "Eckardt et al." in hits[0].text
    # a second client (another team member) sees the same corpus and re-ingest embeds nothing
    other = Reviewer(settings=Settings.load(chroma_url=chroma_server), embedder=real_embedder)
    assert other.ingest([CORPUS]).chunks_embedded == 0
    assert len(other.documents()) == 3
    assert not (tmp_path / ".reviewer" / "chroma.sqlite3").exists(), "no embedded store is created"


def test_unreachable_server_is_one_clear_error(tmp_path, hash_embedder):
    from reviewer.retrieval.store import StoreError

    port = free_port()
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}"):
        Reviewer(settings=Settings.load(chroma_url=f"http://127.0.0.1:{port}"), embedder=hash_embedder).documents()


@pytest.mark.slow
def test_a_team_member_catches_up_with_only_what_changed(chroma_server, hash_embedder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "alice-cache"))
    alice = Reviewer(settings=Settings.load(chroma_url=chroma_server), embedder=hash_embedder)
    alice.ingest([CORPUS])
    alice_index = alice.lexical()
    assert alice_index.path.is_relative_to(tmp_path / "alice-cache" / "reviewer")
    assert not (tmp_path / ".reviewer").exists(), "a server corpus leaves nothing in the working directory"

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "bob-cache"))  # another machine
    bob = Reviewer(settings=Settings.load(chroma_url=chroma_server), embedder=hash_embedder)
    assert bob.retrieve("muscle signals brain", k=3, mode="bm25")
    note = tmp_path / "zebrafish.md"
    note.write_text("# Zebrafish\n\nZebrafish larvae regrew amputated fins within seven days.\n")
    alice.ingest([note])
    assert bob._lexical.sync(bob.store) == 1, "bob reads the one new document, not the corpus"
    assert bob.retrieve("zebrafish fins", k=1, mode="bm25")[0].doc_id == "zebrafish"
    alice.remove(["zebrafish"])
    assert all(p.doc_id != "zebrafish" for p in bob.retrieve("zebrafish fins", k=3))
