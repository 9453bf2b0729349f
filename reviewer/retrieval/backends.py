"""Choosing an embedder by name: the model, and the backend that runs it (torch or ONNX int8).

A store records `<model>` (torch) or `<model>+onnx-int8`; vectors of two backends are not
interchangeable, so a store opened without a backend named is queried with the one that built it.
A new store with no backend named gets `onnx-int8` when the model can be exported (a local copy
with a `tokenizer.json`, as the shipped all-MiniLM-L6-v2 is), `torch` otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from reviewer.retrieval.embedding import Embedder, EmbeddingError, HashEmbedder, SentenceTransformerEmbedder, resolve_model_path


#: The backend of a store that records none (stores built before backends were recorded).
DEFAULT_BACKEND = "torch"
#: The backend of a new store when none is named and the model can be exported (see `new_store_backend`).
FAST_BACKEND = "onnx-int8"


def split_name(name: str) -> tuple[str, str]:
    """An embedder's recorded name as (model, backend): 'all-MiniLM-L6-v2+onnx-int8' → (…, 'onnx-int8')."""
    model, _, backend = name.partition("+")
    return model, backend or DEFAULT_BACKEND


def new_store_backend(model: str) -> str:
    """The backend for a new store when none is named: onnx-int8 if the model is on disk with a tokenizer.json."""
    try:
        path = Path(resolve_model_path(model))
    except EmbeddingError:
        return DEFAULT_BACKEND
    return FAST_BACKEND if (path / "tokenizer.json").is_file() else DEFAULT_BACKEND


def make_embedder(model: str, batch_size: int = 64, device: str = "cpu", backend: Optional[str] = None) -> Embedder:
    """Build the embedder a settings' model name and backend ask for (`hash-N` gives the fake).

    `model` may carry its backend as a store records it (`all-MiniLM-L6-v2+onnx-int8`); with none
    there or in `backend`, a new store's backend is chosen by `new_store_backend`.
    """
    if model.startswith("hash-"):
        return HashEmbedder(int(model.split("-", 1)[1]))
    model, _, named = model.partition("+")
    backend = backend or named or new_store_backend(model)
    if backend == FAST_BACKEND:
        from reviewer.retrieval.onnx import OnnxEmbedder

        return OnnxEmbedder(model, batch_size=batch_size)
    return SentenceTransformerEmbedder(model, batch_size=batch_size, device=device)


def adopt_backend(embedder: Embedder, refusal: Exception, settings) -> Embedder:
    """The embedder for a store built by the same model on another backend, when no backend was asked for.

    Re-raises `refusal` (the store's "built with another model" error) in every other case.
    """
    recorded = getattr(refusal, "recorded", None)
    if not recorded or settings.backend is not None or embedder.name.startswith("hash-"):
        raise refusal
    model, backend = split_name(recorded)
    if model != split_name(embedder.name)[0]:
        raise refusal
    # The recorded backend, named: a store that records none was built by torch.
    return make_embedder(model, batch_size=settings.batch_size, device=settings.device, backend=backend)
