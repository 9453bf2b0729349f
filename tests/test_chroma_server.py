"""A real Chroma server (`chroma run`) started and stopped by the test, used through --chroma-url."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from reviewer.api import Reviewer
from reviewer.settings import Settings

from conftest import CORPUS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path):
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    log = (tmp_path / "chroma.log").open("w")
    proc = subprocess.Popen([str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path",
                             str(tmp_path / "server-data")], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / "chroma.log").read_text())
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("chroma server did not start within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


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
