"""Meaning-level scores: embedding similarity of sentences to a question, and an optional cross-encoder.

Sentence vectors come from the embedder the store uses (all-MiniLM-L6-v2 by default) and are
kept in a bounded in-process cache keyed by model and sentence, since the same passages come
back question after question: a warm answer embeds only sentences it has not seen.

A cross-encoder (any sentence-transformers `CrossEncoder`, by name or path, set as
`answering.cross_encoder`) reads question and passage together; it is slower and more exact,
and none is installed by default.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Sequence

from reviewer.errors import ReviewerError

#: Sentence vectors kept in memory (about 1.5 kB each for a 384-dimension model).
CACHE_SIZE = 20_000


class RerankError(ReviewerError):
    """The configured cross-encoder could not be loaded or run."""


class _VectorCache:
    """Least-recently-used sentence vectors, keyed by (embedder name, text)."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[tuple[str, str], list[float]] = OrderedDict()

    def vectors(self, texts: Sequence[str], embedder) -> list[list[float]]:
        name = getattr(embedder, "name", type(embedder).__name__)
        todo = list(dict.fromkeys(t for t in texts if (name, t) not in self._items))
        # One text per call: an int8 model's activations are scaled per batch, so a sentence embedded beside others
        # gets a slightly different vector (cosine 0.99), and the answer would depend on what was asked before.
        # Alone is also no slower for sentences: nothing is padded.
        for text in todo:
            self._items[(name, text)] = embedder.embed([text])[0]
        out = []
        for text in texts:
            self._items.move_to_end((name, text))
            out.append(self._items[(name, text)])
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return out


_CACHE = _VectorCache()


def similarities(question: str, texts: Sequence[str], embedder) -> list[float]:
    """Cosine similarity of each text to the question, by the embedder's (L2-normalised) vectors."""
    import numpy as np

    if not texts:
        return []
    query = np.asarray(embedder.embed_query(question), dtype=np.float32)
    matrix = np.asarray(_CACHE.vectors(list(texts), embedder), dtype=np.float32)
    return (matrix @ query).tolist()


@lru_cache(maxsize=2)
def _cross_encoder(name: str, device: str):
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()
    try:
        from sentence_transformers import CrossEncoder

        return CrossEncoder(name, device=device)
    except Exception as exc:
        first = f"{exc.__class__.__name__}: {exc}".splitlines()[0]
        raise RerankError(f"cannot load cross-encoder '{name}' (setting answering.cross_encoder): {first}") from exc


def cross_encoder_scores(model: str, question: str, texts: Sequence[str], device: str = "cpu") -> list[float]:
    """Relevance of each text to the question by a sentence-transformers `CrossEncoder` (higher is better).

    Raises:
        RerankError: the model could not be loaded.
    """
    if not texts:
        return []
    encoder = _cross_encoder(model, device)
    return [float(s) for s in encoder.predict([(question, t) for t in texts], show_progress_bar=False)]
