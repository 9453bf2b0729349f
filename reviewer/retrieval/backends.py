"""Choosing an embedder by name: the model, and the backend that runs it (torch or ONNX int8).

A store records `<model>` (torch) or `<model>+onnx-int8`; vectors of two backends are not
interchangeable, so a store opened without a backend named is queried with the one that built it.
"""

from __future__ import annotations

from typing import Optional

from reviewer.retrieval.embedding import Embedder, HashEmbedder, SentenceTransformerEmbedder


#: The backend of a store that records none (stores built before backends were recorded).
DEFAULT_BACKEND = "torch"


def split_name(name: str) -> tuple[str, str]:
    """An embedder's recorded name as (model, backend): 'all-MiniLM-L6-v2+onnx-int8' → (…, 'onnx-int8')."""
    model, _, backend = name.partition("+")
    return model, backend or DEFAULT_BACKEND


def make_embedder(model: str, batch_size: int = 64, device: str = "cpu", backend: Optional[str] = None) -> Embedder:
    """Build the embedder a settings' model name and backend ask for (`hash-N` gives the fake)."""
    if model.startswith("hash-"):
        return HashEmbedder(int(model.split("-", 1)[1]))
    model, named = split_name(model)
    backend = backend or named
    if backend == "onnx-int8":
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
    if split_name(recorded)[0] != split_name(embedder.name)[0]:
        raise refusal
    return make_embedder(recorded, batch_size=settings.batch_size, device=settings.device)
