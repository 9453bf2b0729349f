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


@pytest.mark.slow
def test_a_new_store_is_built_with_onnx_and_a_torch_store_keeps_torch(tmp_path, real_embedder):
    from reviewer.retrieval.backends import new_store_backend
    from reviewer.retrieval.store import StoreError

    paper = CORPUS / "news-exercise-muscle-signals-brain.md"
    fresh = Reviewer(settings=Settings.load(store=tmp_path / "new"))  # no backend named
    fresh.ingest([paper])
    assert fresh.stats().embedding_model == "all-MiniLM-L6-v2+onnx-int8"

    Reviewer(settings=Settings.load(store=tmp_path / "old"), embedder=real_embedder).ingest([paper])
    reopened = Reviewer(settings=Settings.load(store=tmp_path / "old"))
    assert reopened.retrieve("muscle signals to the brain", k=1)
    assert reopened.embedder.name == "all-MiniLM-L6-v2"  # queried by the backend that built it
    named = Reviewer(settings=Settings.load(store=tmp_path / "old", **{"embedding.backend": "onnx-int8"}))
    with pytest.raises(StoreError, match="built with embedding model 'all-MiniLM-L6-v2', not 'all-MiniLM-L6-v2[+]onnx-int8'"):
        named.retrieve("muscle signals to the brain", k=1)
    # A model that is not on disk cannot be exported: torch (which can fetch it) is the default.
    assert new_store_backend("some-org/a-model-not-downloaded") == "torch"


@pytest.mark.slow
def test_a_sentence_scores_the_same_whatever_was_embedded_before_it():
    """int8 activations are scaled per batch: answers must not depend on the sentences an earlier question embedded."""
    from reviewer.answering.semantic import _VectorCache
    from reviewer.retrieval.onnx import OnnxEmbedder

    fast = OnnxEmbedder("all-MiniLM-L6-v2")
    sentence = "Personal factors like genetics and environment influence exercise-induced neuroplasticity outcomes."
    others = ["Irisin is a myokine released by muscle.", "The DAPA trial enrolled 494 people with dementia. " * 6]
    assert not np.allclose(fast.embed([sentence])[0], fast.embed([sentence, *others])[0], atol=1e-4)  # the hazard

    alone = _VectorCache().vectors([sentence], fast)[0]
    beside = _VectorCache().vectors([*others, sentence], fast)[2]
    assert np.array_equal(alone, beside)
