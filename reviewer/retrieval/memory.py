"""An in-memory store with the same behaviour as `ChromaStore`, for fast unit tests and demos.

It follows the `Store` protocol exactly (the store contract test runs against both), including
Chroma's `where` grammar for the operators retrieval uses (`$and`, `$in`, `$ne`, `$gte`, `$lte`).
"""

from __future__ import annotations

import uuid
from typing import Iterable, Iterator, Optional, Sequence

from reviewer.models import Chunk, DocumentInfo, Passage
from reviewer.retrieval.journal import MemoryJournal
from reviewer.retrieval.store import StoreError, chunk_metadata, passage_from


def matches(meta: dict, where: Optional[dict]) -> bool:
    """Whether metadata satisfies a Chroma `where` clause."""
    if not where:
        return True
    if "$and" in where:
        return all(matches(meta, w) for w in where["$and"])
    if "$or" in where:
        return any(matches(meta, w) for w in where["$or"])
    for key, cond in where.items():
        value = meta.get(key)
        if not isinstance(cond, dict):
            cond = {"$eq": cond}
        for op, want in cond.items():
            ok = {
                "$eq": lambda: value == want,
                "$ne": lambda: value != want,
                "$in": lambda: value in want,
                "$nin": lambda: value not in want,
                "$gt": lambda: value is not None and value > want,
                "$gte": lambda: value is not None and value >= want,
                "$lt": lambda: value is not None and value < want,
                "$lte": lambda: value is not None and value <= want,
            }[op]()
            if not ok:
                return False
    return True


class MemoryStore:
    """Chunks, reference chunks and document records in dictionaries.

    Args:
        embedding_model: name of the model whose vectors this store holds.
    """

    def __init__(self, embedding_model: str = "hash-256"):
        self.embedding_model = embedding_model
        self.location = f"memory:{id(self):x}"
        self.shared = False
        self.read_only = False
        self._chunks: dict[str, tuple[str, dict, list[float]]] = {}
        self._references: dict[str, tuple[str, dict]] = {}
        self._docs: dict[str, DocumentInfo] = {}
        self._pending: dict[str, str] = {}
        self._generation = ""
        self.journal = MemoryJournal()

    def documents(self) -> dict[str, DocumentInfo]:
        return dict(self._docs)

    def document_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for info in self._docs.values():
            counts[info.doc_type.value] = counts.get(info.doc_type.value, 0) + 1
        return dict(sorted(counts.items()))

    def document_hashes(self) -> dict[str, str]:
        return {d: info.content_hash for d, info in self._docs.items()}

    def document_ids(self) -> list[str]:
        return list(self._docs)

    def find_documents(self, sources: Sequence[str] = (), doc_ids: Sequence[str] = (),
                       text_hashes: Sequence[str] = ()) -> dict[str, DocumentInfo]:
        wanted_sources, wanted_ids, wanted_hashes = set(sources), set(doc_ids), set(text_hashes)
        return {d: i for d, i in self._docs.items() if i.source in wanted_sources or d in wanted_ids
                or (i.text_hash is not None and i.text_hash in wanted_hashes)
                or any("#" not in s and s in wanted_sources for s in i.sources)}

    def put_documents(self, infos: Iterable[DocumentInfo]) -> str:
        infos = list(infos)
        self.journal.record([d.doc_id for d in infos])
        self._docs.update({d.doc_id: d.model_copy() for d in infos})
        return self.touch() if infos else self._generation

    def mark_pending(self, doc_ids: Sequence[str], owner: str) -> None:
        self._pending.update({d: owner for d in doc_ids})

    def pending(self) -> dict[str, str]:
        return dict(self._pending)

    def clear_pending(self, doc_ids: Sequence[str]) -> None:
        for d in doc_ids:
            self._pending.pop(d, None)

    def delete_documents(self, doc_ids: Sequence[str]) -> str:
        gone = set(doc_ids)
        self.journal.record(list(doc_ids))
        for table in (self._chunks, self._references):
            for cid in [c for c, v in table.items() if v[1]["doc_id"] in gone]:
                del table[cid]
        for d in gone:
            self._docs.pop(d, None)
        self.clear_pending(list(gone))
        return self.touch() if gone else self._generation

    def add_chunks(self, chunks: list[Chunk], embeddings: list[list[float]], hashes: dict[str, str]) -> None:
        if len(chunks) != len(embeddings):
            raise StoreError(f"{len(chunks)} chunks but {len(embeddings)} embeddings")
        for chunk, vector in zip(chunks, embeddings):
            self._chunks[chunk.chunk_id] = (chunk.text, chunk_metadata(chunk, hashes[chunk.doc_id]), list(vector))

    def add_references(self, chunks: list[Chunk], hashes: dict[str, str]) -> None:
        for chunk in chunks:
            self._references[chunk.chunk_id] = (chunk.text, chunk_metadata(chunk, hashes[chunk.doc_id]))

    def delete_stale_chunks(self, doc_id: str, content_hash: str) -> None:
        for table in (self._chunks, self._references):
            for cid in [c for c, v in table.items() if v[1]["doc_id"] == doc_id and v[1]["content_hash"] != content_hash]:
                del table[cid]

    def set_source(self, doc_id: str, source: str) -> None:
        for row in [*self._chunks.values(), *self._references.values()]:
            if row[1]["doc_id"] == doc_id:
                row[1]["source"] = source

    def count(self) -> int:
        return len(self._chunks)

    def nearest(self, embedding: list[float], n: int, where: Optional[dict] = None) -> list[tuple[str, float]]:
        import numpy as np

        items = [(cid, v) for cid, v in self._chunks.items() if matches(v[1], where)]
        if not items:
            return []
        q = np.asarray(embedding, dtype=np.float32)
        mat = np.asarray([v[2] for _, v in items], dtype=np.float32)
        norms = np.linalg.norm(mat, axis=1) * (np.linalg.norm(q) or 1.0)
        sims = (mat @ q) / np.where(norms == 0, 1.0, norms)
        order = np.argsort(-sims, kind="stable")[:n]
        return [(items[i][0], float(sims[i])) for i in order]

    def query(self, embedding: list[float], n: int, where: Optional[dict] = None) -> list[Passage]:
        hits = self.nearest(embedding, n, where)
        got = self.get([cid for cid, _ in hits])
        return [got[cid].model_copy(update={"score": score}) for cid, score in hits]

    def get(self, chunk_ids: Sequence[str]) -> dict[str, Passage]:
        out: dict[str, Passage] = {}
        for cid in chunk_ids:
            row = self._chunks.get(cid) or self._references.get(cid)
            if row is not None:
                out[cid] = passage_from(cid, row[0], row[1])
        return out

    def embeddings(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        return {cid: list(self._chunks[cid][2]) for cid in chunk_ids if cid in self._chunks}

    def iter_chunks(self, doc_ids: Optional[Sequence[str]] = None,
                    references: bool = False) -> Iterator[tuple[str, str, dict]]:
        table = self._references if references else self._chunks
        wanted = None if doc_ids is None else set(doc_ids)
        for cid, row in list(table.items()):
            if wanted is None or row[1]["doc_id"] in wanted:
                yield cid, row[0], dict(row[1])

    def generation(self) -> str:
        return self._generation

    def changes_since(self, at: float) -> list[str]:
        return self.journal.since(at)

    def touch(self) -> str:
        self._generation = uuid.uuid4().hex
        return self._generation
