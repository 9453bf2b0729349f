"""Lexical retrieval: a BM25 index (bm25s) over the stored chunks, persisted beside the store.

bm25s is chosen over rank-bm25 for its sparse-matrix scoring (milliseconds on tens of
thousands of chunks) and its save/load. The index records the store generation it was built
from; when the store has changed since (an ingest, a prune, another user of a shared server),
it is rebuilt from the chunks in Chroma, so it never drifts out of step.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Optional

_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOP = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or such that the their then there these "
    "they this to was were which will with what when where who whom why how does do did can could should would than also "
    "between after before about over under not no".split()
)


def _stemmer():
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer("english")


class LexicalIndex:
    """BM25 over chunk texts with per-chunk metadata for filtering.

    Args:
        directory: where the index is saved.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._retriever = None
        self._ids: list[str] = []
        self._meta: list[dict] = []
        self.generation: Optional[str] = None
        self._stem = None

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        if self._stem is None:
            self._stem = _stemmer()
        stem = self._stem.stemWords
        return [stem([w for w in _WORD.findall(t.lower()) if w not in _STOP]) for t in texts]

    def build(self, ids: list[str], texts: list[str], meta: list[dict], generation: str) -> None:
        """Index texts and save the index with the store generation it reflects."""
        import bm25s

        self._ids, self._meta, self.generation = list(ids), list(meta), generation
        self._retriever = bm25s.BM25(k1=1.2, b=0.75)
        if texts:
            self._retriever.index(self._tokens(texts), show_progress=False)
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if texts:
            self._retriever.save(str(tmp / "bm25"))
        (tmp / "chunks.json").write_text(json.dumps({"generation": generation, "ids": self._ids, "meta": self._meta}))
        # Swap in the new index whole, so a crash never leaves half an index behind.
        shutil.rmtree(self.directory, ignore_errors=True)
        tmp.rename(self.directory)

    def load(self) -> bool:
        """Load a saved index; False when there is none (or it is unreadable)."""
        import bm25s

        info = self.directory / "chunks.json"
        if not info.exists():
            return False
        try:
            data = json.loads(info.read_text())
            self._ids, self._meta, self.generation = data["ids"], data["meta"], data["generation"]
            self._retriever = bm25s.BM25.load(str(self.directory / "bm25")) if self._ids else None
        except Exception:
            return False
        return True

    def search(self, query: str, n: int, allow: Optional[callable] = None) -> list[tuple[str, float]]:
        """Top chunks for a query as (chunk_id, score); `allow(meta)` filters candidates."""
        if not self._ids or self._retriever is None:
            return []
        tokens = self._tokens([query])[0]
        if not tokens:
            return []
        scores = self._retriever.get_scores(tokens)
        import numpy as np

        order = np.argsort(-scores)
        out: list[tuple[str, float]] = []
        for i in order:
            if scores[i] <= 0 or len(out) >= n:
                break
            if allow is None or allow(self._meta[i]):
                out.append((self._ids[i], float(scores[i])))
        return out
