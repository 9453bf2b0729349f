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
