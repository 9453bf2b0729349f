"""Storing: chunks and their embeddings in Chroma, plus a record of every ingested document.

Two collections live in one Chroma database (embedded `PersistentClient`, or a shared server
through `HttpClient`):

- `<name>`: one entry per chunk, with our own embedding, its text and flat metadata;
- `<name>-documents`: one entry per document (title, source, content hash, chunk count),
  written only after all of a document's chunks are stored. A document whose record is
  missing or carries an older hash is (re-)ingested on the next run; chunk ids are
  deterministic, so an interrupted ingest is completed without duplicates.

The embedding model's name is recorded in the chunk collection's metadata; opening the store
with another model is refused, since vectors of two models cannot be compared.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterable, Iterator, Optional
from urllib.parse import urlparse

from reviewer.errors import ReviewerError
from reviewer.models import Chunk, DocType, DocumentInfo, EvidenceTag, Passage

_STATE_ID = "__state__"
_DOC_PLACEHOLDER = [1.0]


class StoreError(ReviewerError):
    """The store cannot be opened or used as asked; the message says what to do."""


def _client(path: Optional[Path], url: Optional[str]):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise StoreError(f"--chroma-url '{url}' is not a URL like http://HOST:PORT")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StoreError(f"cannot reach the Chroma server at {url}: {exc}".splitlines()[0]) from exc
    assert path is not None
    if path.exists() and not path.is_dir():
        raise StoreError(f"store path {path} exists and is not a directory")
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}".splitlines()[0]) from exc


def _chunk_metadata(chunk: Chunk, content_hash: str) -> dict:
    meta = {
        "doc_id": chunk.doc_id,
        "source": chunk.source,
        "title": chunk.title,
        "section": chunk.section,
        "page": chunk.page,
        "start": chunk.start,
        "end": chunk.end,
        "is_reference": chunk.is_reference,
        "doc_type": chunk.doc_type.value,
        "year": chunk.year,
        "content_hash": content_hash,
    }
    if chunk.evidence is not None:
        meta["design"] = chunk.evidence.design.value
        meta["strength"] = chunk.evidence.strength.value
        meta["evidence"] = chunk.evidence.model_dump_json()
    if chunk.doc_evidence is not None:
        meta["doc_design"] = chunk.doc_evidence.design.value
        meta["doc_strength"] = chunk.doc_evidence.strength.value
    return {k: v for k, v in meta.items() if v is not None}


def passage_from(chunk_id: str, text: str, meta: dict, score: float = 0.0) -> Passage:
    """Build a Passage from a stored chunk's id, text and metadata."""
    evidence = meta.get("evidence")
    return Passage(
        chunk_id=chunk_id,
        doc_id=meta.get("doc_id", ""),
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        page=meta.get("page"),
        section=meta.get("section"),
        text=text,
        score=score,
        doc_type=DocType(meta.get("doc_type", "unknown")),
        year=meta.get("year"),
        evidence=EvidenceTag.model_validate_json(evidence) if evidence else None,
    )


class ChromaStore:
    """Chunks and document records in a Chroma database.

    Args:
        embedding_model: name of the model whose vectors this store holds.
        path: directory of an embedded store (ignored when `url` is given).
        url: `http://HOST:PORT` of a Chroma server.
        collection: collection name.
    """

    def __init__(self, embedding_model: str, path: Optional[Path] = None, url: Optional[str] = None,
                 collection: str = "reviewer"):
        self.path = Path(path) if path is not None else None
        self.url = url
        self.location = url or str(self.path)
        self.name = collection
        self.embedding_model = embedding_model
        self._client = _client(self.path, url)
        try:
            self.chunks = self._client.get_or_create_collection(
                collection,
                metadata={"embedding_model": embedding_model, "hnsw:space": "cosine"},
                embedding_function=None,
            )
            self.docs = self._client.get_or_create_collection(
                f"{collection}-documents", metadata={"kind": "documents"}, embedding_function=None
            )
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open collection '{collection}' at {self.location}: {exc}".splitlines()[0]) from exc
        recorded = (self.chunks.metadata or {}).get("embedding_model")
        if recorded and recorded != embedding_model:
            raise StoreError(
                f"the store at {self.location} was built with embedding model '{recorded}', not "
                f"'{embedding_model}': use --embedding-model {recorded} (REVIEWER_EMBEDDING__MODEL), "
                "or another --store / collection for the new model"
            )
        self._batch = max(1, min(self._client.get_max_batch_size(), 5000))

    # -- documents ---------------------------------------------------------------------------

    def documents(self) -> dict[str, DocumentInfo]:
        """Every recorded document by doc_id."""
        got = self.docs.get(include=["metadatas"])
        out: dict[str, DocumentInfo] = {}
        for doc_id, meta in zip(got["ids"], got["metadatas"] or []):
            if doc_id == _STATE_ID:
                continue
            out[doc_id] = DocumentInfo.model_validate_json(meta["info"])
        return out

    def put_documents(self, infos: Iterable[DocumentInfo]) -> None:
        infos = list(infos)
        for i in range(0, len(infos), self._batch):
            part = infos[i : i + self._batch]
            self.docs.upsert(
                ids=[d.doc_id for d in part],
                embeddings=[_DOC_PLACEHOLDER] * len(part),
                metadatas=[{"info": d.model_dump_json(), "source": d.source, "content_hash": d.content_hash} for d in part],
            )
        if infos:
            self.touch()

    def delete_document(self, doc_id: str) -> None:
        """Remove a document's chunks, then its record."""
        self.chunks.delete(where={"doc_id": doc_id})
        self.docs.delete(ids=[doc_id])
        self.touch()

    # -- chunks ------------------------------------------------------------------------------

    def add_chunks(self, chunks: list[Chunk], embeddings: list[list[float]], hashes: dict[str, str]) -> None:
        """Upsert chunks with their embeddings (`hashes`: doc_id → content hash)."""
        for i in range(0, len(chunks), self._batch):
            part = chunks[i : i + self._batch]
            self.chunks.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=embeddings[i : i + self._batch],
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c, hashes[c.doc_id]) for c in part],
            )

    def delete_stale_chunks(self, doc_id: str, content_hash: str) -> None:
        """Drop a document's chunks from any earlier version."""
        self.chunks.delete(where={"$and": [{"doc_id": doc_id}, {"content_hash": {"$ne": content_hash}}]})

    def count(self) -> int:
        return self.chunks.count()

    def query(self, embedding: list[float], n: int, where: Optional[dict] = None) -> list[Passage]:
        """Nearest chunks to an embedding; score is cosine similarity."""
        n = min(n, max(self.count(), 1))
        res = self.chunks.query(query_embeddings=[embedding], n_results=n, where=where or None,
                                include=["documents", "metadatas", "distances"])
        return [
            passage_from(cid, text, meta, 1.0 - dist)
            for cid, text, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])
        ]

    def get(self, chunk_ids: list[str]) -> dict[str, Passage]:
        if not chunk_ids:
            return {}
        res = self.chunks.get(ids=chunk_ids, include=["documents", "metadatas"])
        return {cid: passage_from(cid, text, meta) for cid, text, meta in zip(res["ids"], res["documents"], res["metadatas"])}

    def embeddings(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        if not chunk_ids:
            return {}
        res = self.chunks.get(ids=chunk_ids, include=["embeddings"])
        return {cid: list(vec) for cid, vec in zip(res["ids"], res["embeddings"])}

    def iter_chunks(self, where: Optional[dict] = None, page: int = 5000) -> Iterator[tuple[str, str, dict]]:
        """Every chunk's (id, text, metadata), page by page."""
        offset = 0
        while True:
            res = self.chunks.get(where=where, include=["documents", "metadatas"], limit=page, offset=offset)
            if not res["ids"]:
                return
            yield from zip(res["ids"], res["documents"], res["metadatas"])
            offset += len(res["ids"])

    # -- change tracking -----------------------------------------------------------------------

    def generation(self) -> str:
        """A token that changes whenever chunks or documents change (keeps derived indexes in step)."""
        got = self.docs.get(ids=[_STATE_ID], include=["metadatas"])
        return got["metadatas"][0]["generation"] if got["ids"] else ""

    def touch(self) -> None:
        self.docs.upsert(ids=[_STATE_ID], embeddings=[_DOC_PLACEHOLDER], metadatas=[{"generation": uuid.uuid4().hex}])


def cache_dir(store_path: Optional[Path], url: Optional[str], collection: str) -> Path:
    """Where derived indexes (BM25) live: inside an embedded store, or a local cache for a server."""
    if url:
        import hashlib

        key = hashlib.sha256(f"{url}|{collection}".encode()).hexdigest()[:16]
        return Path(".reviewer") / "cache" / key
    assert store_path is not None
    return Path(store_path) / f"{collection}-bm25"
