"""Retrieval: embedding, the Chroma store, the lexical index and their fusion into ranked passages."""

from reviewer.retrieval.search import Filters, search

__all__ = ["Filters", "search"]
