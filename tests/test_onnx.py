"""The ONNX Runtime int8 backend: exported from the installed model, close to torch, recorded by the store."""

from __future__ import annotations

import numpy as np
import pytest

from reviewer.api import Reviewer
from reviewer.settings import Settings

from conftest import CORPUS


@pytest.mark.slow
def test_onnx_vectors_agree_with_torch_and_the_store_remembers_the_backend(tmp_path, real_embedder):
    from reviewer.retrieval.onnx import OnnxEmbedder

    texts = [p.read_text()[:900] for p in sorted(CORPUS.glob("*.md"))] + ["Does creatine help older adults?"]
    fast = OnnxEmbedder("all-MiniLM-L6-v2")
    agreement = (np.asarray(fast.embed(texts)) * np.asarray(real_embedder.embed(texts))).sum(axis=1)
    assert agreement.min() > 0.97, agreement

    settings = Settings.load(store=tmp_path / "store", **{"embedding.backend": "onnx-int8"})
    built = Reviewer(settings=settings, embedder=fast)
    built.ingest([CORPUS / "news-exercise-muscle-signals-brain.md"])
    reopened = Reviewer(settings=Settings.load(store=tmp_path / "store"))  # no backend named
    assert reopened.stats().embedding_model == "all-MiniLM-L6-v2+onnx-int8"
    assert reopened.retrieve("muscle signals to the brain", k=1)
