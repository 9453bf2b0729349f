"""Storing: chunks and their embeddings in Chroma, plus a record of every ingested document.

Three collections live in one Chroma database (embedded `PersistentClient`, or a shared server
through `HttpClient`):

- `<name>`: one entry per body chunk, with our own embedding, its text and flat metadata. It
  holds nothing but retrievable chunks, so the default query needs no `where` filter (a filter
  that matches nearly every chunk makes Chroma scan its metadata: a second a query at 100k);
- `<name>-references`: reference-list chunks, kept for display but neither embedded nor
  indexed for BM25 (a one-number placeholder vector, as Chroma requires a vector);
- `<name>-documents`: one entry per document (title, source, content hash, chunk count),
  written only after all of a document's chunks are stored, plus a pending marker written
  before them, so an interrupted ingest can be swept; and the store generation;
- `<name>-changes`: the change journal (`reviewer.retrieval.journal`), which documents each write touched.

Every call is batched (ids, deletes, listings), so no call exceeds SQLite's variable limit
however large the library. The embedding model and backend are recorded in the chunk
collection's metadata when its first vectors are stored; opening the store with another model is refused with a clear message,
since vectors of different models (or backends) are not comparable.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from pathlib import Path
from typing import Iterable, Iterator, Optional, Protocol, Sequence

from reviewer.models import Chunk, DocumentInfo, Passage
from reviewer.retrieval.chroma_client import (StoreError, cache_dir, embedded_client, explain, failure_kind, files_stamp,
                                              read_only, redact, scrub, server_client)
from reviewer.retrieval.journal import ChromaJournal
from reviewer.retrieval.records import STATE_ID, all_records, is_record, records_by_id, rows, type_counts
from reviewer.retrieval.rows import BATCH, batches, chunk_metadata, chunk_row, passage_from, record_metadata, row_text

__all__ = ["BATCH", "ChromaStore", "Store", "StoreError", "batches", "cache_dir", "chunk_metadata", "passage_from",
           "record_metadata"]

_PLACEHOLDER = [1.0]


class Store(Protocol):
    """What the pipeline needs of a store: Chroma (embedded or server) or the in-memory fake."""

    location: str
    embedding_model: str
    read_only: bool  # writes are refused (a store folder without write permission)
    shared: bool  # other machines write to it too (a server): derived indexes cannot trust their own updates

    def documents(self) -> dict[str, DocumentInfo]: ...
    def document_counts(self) -> dict[str, int]: ...
    def document_hashes(self) -> dict[str, str]: ...
    def document_ids(self) -> list[str]: ...
    def find_documents(self, sources: Sequence[str] = (), doc_ids: Sequence[str] = (),
                       text_hashes: Sequence[str] = ()) -> dict[str, DocumentInfo]: ...
    def put_documents(self, infos: Iterable[DocumentInfo]) -> str: ...
    def mark_pending(self, doc_ids: Sequence[str], owner: str) -> None: ...
    def pending(self) -> dict[str, str]: ...
    def clear_pending(self, doc_ids: Sequence[str]) -> None: ...
    def delete_documents(self, doc_ids: Sequence[str]) -> str: ...
    def add_chunks(self, chunks: list[Chunk], embeddings: list[list[float]], hashes: dict[str, str]) -> None: ...
    def add_references(self, chunks: list[Chunk], hashes: dict[str, str]) -> None: ...
    def delete_stale_chunks(self, doc_id: str, content_hash: str) -> None: ...
    def set_source(self, doc_id: str, source: str) -> None: ...
    def count(self) -> int: ...
    def nearest(self, embedding: list[float], n: int, where: Optional[dict] = None) -> list[tuple[str, float]]: ...
    def query(self, embedding: list[float], n: int, where: Optional[dict] = None) -> list[Passage]: ...
    def get(self, chunk_ids: Sequence[str]) -> dict[str, Passage]: ...
    def embeddings(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]: ...
    def iter_chunks(self, doc_ids: Optional[Sequence[str]] = None,
                    references: bool = False) -> Iterator[tuple[str, str, dict]]: ...
    def generation(self) -> str: ...
    def touch(self) -> str: ...
    def changes_since(self, at: float) -> list[str]: ...


#: Store calls that write: refused at once on a read-only store.
WRITES = ("put_documents", "mark_pending", "clear_pending", "delete_documents", "add_chunks", "add_references",
          "delete_stale_chunks", "set_source", "touch")


def _explained(name: str, method):
    """`method` with Chroma, SQLite and OS failures turned into one-line StoreErrors (writes refused when read-only)."""
    def check(self) -> None:
        if self.read_only and name in WRITES:
            raise read_only(self.location)

    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def pages(self, *args, **kwargs):
            check(self)
            try:
                yield from method(self, *args, **kwargs)
            except Exception as exc:
                raise explain(exc, self.location, self.url, self.token) from exc
        return pages

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        check(self)
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            raise explain(exc, self.location, self.url, self.token) from exc
    return call


class ChromaStore:
    """Chunks and document records in a Chroma database.

    Args:
        embedding_model: name of the model (and backend) whose vectors this store holds.
        path: directory of an embedded store (ignored when `url` is given).
        url: `http://HOST:PORT` of a Chroma server.
        collection: collection name.
        token: the server's auth token (sent as `Authorization: Bearer`, through chromadb's token auth).

    An embedded store whose folder is read-only is read from a temporary copy (`path` is then
    that copy, `read_only` is set, and every write is refused with one line).
    """

    def __init__(self, embedding_model: str, path: Optional[Path] = None, url: Optional[str] = None,
                 collection: str = "reviewer", token: Optional[str] = None):
        self.url = url
        self.token = token
        self.shared = url is not None
        self.location = redact(url) if url else str(path)
        self.name = collection
        self.embedding_model = embedding_model
        self.read_only = False
        self._seen: tuple = (None, "")  # (files stamp, generation) of the last generation read
        if url:
            self.path = None
            self._client = server_client(url, token)
        else:
            self._client, self.path = embedded_client(Path(path))
            self.read_only = self.path != Path(path)
        self._open(collection, embedding_model)

    def _open(self, collection: str, embedding_model: str) -> None:
        try:
            # Stamped with the model only when its first vectors are written (`add_chunks`): a model
            # that fails to load never leaves its name on a store.
            self.chunks = self._client.get_or_create_collection(
                collection, metadata={"hnsw:space": "cosine"}, embedding_function=None)
            self.references = self._client.get_or_create_collection(
                f"{collection}-references", metadata={"kind": "references"}, embedding_function=None)
            self.docs = self._client.get_or_create_collection(
                f"{collection}-documents", metadata={"kind": "documents"}, embedding_function=None)
            self.journal = ChromaJournal(self._client.get_or_create_collection(
                f"{collection}-changes", metadata={"kind": "changes"}, embedding_function=None))
        except Exception as exc:
            if failure_kind(exc):
                raise explain(exc, self.location, self.url, self.token) from None
            raise StoreError(scrub(f"cannot open collection '{collection}' at {self.location}: {exc}".splitlines()[0],
                                   self.url, self.token)) from None
        self.recorded_model = (self.chunks.metadata or {}).get("embedding_model")
        if self.recorded_model and self.recorded_model != embedding_model:
            error = StoreError(
                f"the store at {self.location} was built with embedding model '{self.recorded_model}', not "
                f"'{embedding_model}': use --embedding-model {self.recorded_model} (REVIEWER_EMBEDDING__MODEL; "
                "'+onnx-int8' names the backend, REVIEWER_EMBEDDING__BACKEND), or another --store / collection"
            )
            error.recorded = self.recorded_model
            raise error
        self._batch = max(1, min(self._client.get_max_batch_size(), BATCH))

    # -- documents ---------------------------------------------------------------------------

    def documents(self) -> dict[str, DocumentInfo]:
        """Every completely stored document by doc_id."""
        return all_records(self.docs, self._batch)

    def document_counts(self) -> dict[str, int]:
        """How many completely stored documents of each type (doc_type value → count), mostly without reading them."""
        return type_counts(self.docs, self._batch)

    def document_ids(self) -> list[str]:
        """The id of every completely stored document: ids alone (a tenth of the time of their hashes at 47,000 records)."""
        return [d for d, _, _ in rows(self.docs, [], self._batch) if is_record(d)]

    def document_hashes(self) -> dict[str, str]:
        """doc_id → content hash of every completely stored document.

        A record's Chroma document is its content hash, so this reads a few bytes per record
        instead of its whole metadata; records written before that are read in full.
        """
        hashes: dict[str, str] = {}
        older: list[str] = []
        for doc_id, content_hash, _ in rows(self.docs, ["documents"], self._batch):
            if content_hash:
                hashes[doc_id] = content_hash
            elif is_record(doc_id):
                older.append(doc_id)
        hashes.update({i: info.content_hash for i, info in records_by_id(self.docs, older, self._batch).items()})
        return hashes

    def find_documents(self, sources: Sequence[str] = (), doc_ids: Sequence[str] = (),
                       text_hashes: Sequence[str] = ()) -> dict[str, DocumentInfo]:
        """Recorded documents with these sources (any of their files), ids or text hashes, without listing all."""
        found: dict[str, DocumentInfo] = {}
        for key, values in (("source", sources), ("text_hash", text_hashes)):
            for part in batches(list(dict.fromkeys(values)), 500):
                got = self.docs.get(where={key: {"$in": list(part)}}, include=["metadatas"])
                found.update({i: DocumentInfo.model_validate_json(m["info"])
                              for i, m in zip(got["ids"], got["metadatas"])})
        # A file stored as a copy of another is listed in that record's `sources`; records of a library
        # (file#key) are found by their library's records, so only plain files are looked up this way.
        primary = {info.source for info in found.values()}
        copies = [s for s in dict.fromkeys(sources) if s not in primary and "#" not in s]
        for part in batches(copies, 50):
            where = [{"sources": {"$contains": s}} for s in part]
            got = self.docs.get(where=where[0] if len(where) == 1 else {"$or": where}, include=["metadatas"])
            found.update({i: DocumentInfo.model_validate_json(m["info"]) for i, m in zip(got["ids"], got["metadatas"])})
        found.update(records_by_id(self.docs, [d for d in dict.fromkeys(doc_ids) if d not in found], self._batch))
        return found

    def put_documents(self, infos: Iterable[DocumentInfo]) -> str:
        """Write document records (each after all its chunks), then change the generation; returns it."""
        infos = list(infos)
        if infos:  # changed before too: a process stopped between the records and the end still changed it
            self.touch()
        for part in batches(infos, self._batch):
            self.journal.record([d.doc_id for d in part])
            self.docs.upsert(
                ids=[d.doc_id for d in part],
                embeddings=[_PLACEHOLDER] * len(part),
                documents=[d.content_hash for d in part],  # what `document_hashes` reads
                metadatas=[record_metadata(d) for d in part],
            )
        return self.touch() if infos else self.generation()

    def mark_pending(self, doc_ids: Sequence[str], owner: str) -> None:
        """Record that these documents' chunks are about to be written by `owner` (swept if never finished)."""
        for part in batches(list(doc_ids), self._batch):
            self.docs.upsert(ids=[f"pending:{d}" for d in part], embeddings=[_PLACEHOLDER] * len(part),
                             metadatas=[{"kind": "pending", "pending": d, "owner": owner} for d in part])

    def pending(self) -> dict[str, str]:
        """Documents whose ingest started and has not finished (interrupted, or under way), with its owner."""
        got = self.docs.get(where={"kind": "pending"}, include=["metadatas"])
        return {meta["pending"]: meta.get("owner", "") for meta in got["metadatas"] or []}

    def clear_pending(self, doc_ids: Sequence[str]) -> None:
        for part in batches([f"pending:{d}" for d in doc_ids], self._batch):
            self.docs.delete(ids=list(part))

    def delete_documents(self, doc_ids: Sequence[str]) -> str:
        """Remove documents' chunks (body and references), then their records; returns the generation."""
        doc_ids = list(doc_ids)
        if doc_ids:
            self.touch()
        for part in batches(doc_ids, self._batch):
            self.journal.record(list(part))
        for part in batches(doc_ids, 500):
            where = {"doc_id": {"$in": list(part)}}
            self.chunks.delete(where=where)
            self.references.delete(where=where)
        for part in batches(doc_ids, self._batch):
            self.docs.delete(ids=list(part))
        self.clear_pending(doc_ids)
        return self.touch() if doc_ids else self.generation()

    # -- chunks ------------------------------------------------------------------------------

    def add_chunks(self, chunks: list[Chunk], embeddings: list[list[float]], hashes: dict[str, str]) -> None:
        """Upsert body chunks with their embeddings (`hashes`: doc_id → content hash); the first stamps the model."""
        if chunks and not self.recorded_model:
            self.chunks.modify(metadata={"embedding_model": self.embedding_model})
            self.recorded_model = self.embedding_model
        for i in range(0, len(chunks), self._batch):
            part = chunks[i : i + self._batch]
            self.chunks.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=embeddings[i : i + self._batch],
                metadatas=[chunk_row(c, hashes[c.doc_id]) for c in part],  # text in metadata: see rows.TEXT
            )

    def add_references(self, chunks: list[Chunk], hashes: dict[str, str]) -> None:
        """Upsert reference-list chunks, unembedded: kept for display, never retrieved."""
        for part in batches(chunks, self._batch):
            self.references.upsert(ids=[c.chunk_id for c in part], embeddings=[_PLACEHOLDER] * len(part),
                                   metadatas=[chunk_row(c, hashes[c.doc_id]) for c in part])

    def delete_stale_chunks(self, doc_id: str, content_hash: str) -> None:
        """Drop a document's chunks from any earlier version."""
        where = {"$and": [{"doc_id": doc_id}, {"content_hash": {"$ne": content_hash}}]}
        self.chunks.delete(where=where)
        self.references.delete(where=where)

    def set_source(self, doc_id: str, source: str) -> None:
        """Point a document's chunks at another of its files (the one they named is gone)."""
        for collection in (self.chunks, self.references):
            ids = collection.get(where={"doc_id": doc_id}, include=[])["ids"]
            for part in batches(ids, self._batch):
                collection.update(ids=list(part), metadatas=[{"source": source}] * len(part))

    def count(self) -> int:
        """Retrievable (body) chunks."""
        return self.chunks.count()

    def nearest(self, embedding: list[float], n: int, where: Optional[dict] = None) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the chunks nearest an embedding. `where` only for filters a user asked for.

        Only ids and distances come back: fetching the text and metadata of a hundred candidates
        costs Chroma several times the vector search itself, and fusion keeps just a few of them.
        """
        res = self.chunks.query(query_embeddings=[embedding], n_results=max(n, 1), where=where or None,
                                include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def query(self, embedding: list[float], n: int, where: Optional[dict] = None) -> list[Passage]:
        """Nearest chunks to an embedding, as passages; score is cosine similarity."""
        hits = self.nearest(embedding, n, where)
        got = self.get([cid for cid, _ in hits])
        return [got[cid].model_copy(update={"score": score}) for cid, score in hits if cid in got]

    def get(self, chunk_ids: Sequence[str]) -> dict[str, Passage]:
        """Stored chunks (body or reference) by id."""
        out: dict[str, Passage] = {}
        for collection in (self.chunks, self.references):
            wanted = [c for c in chunk_ids if c not in out]
            for part in batches(wanted, self._batch):
                res = collection.get(ids=list(part), include=["documents", "metadatas"])
                out.update({cid: passage_from(cid, *row_text(doc, meta))
                            for cid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"])})
        return out

    def embeddings(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for part in batches(list(chunk_ids), self._batch):
            res = self.chunks.get(ids=list(part), include=["embeddings"])
            out.update({cid: list(vec) for cid, vec in zip(res["ids"], res["embeddings"])})
        return out

    def iter_chunks(self, doc_ids: Optional[Sequence[str]] = None,
                    references: bool = False) -> Iterator[tuple[str, str, dict]]:
        """Every body chunk's (id, text, metadata), page by page; reference chunks when `references`."""
        collection = self.references if references else self.chunks
        if doc_ids is None:
            yield from self._pages(collection, None)
            return
        for part in batches(list(doc_ids), 500):
            yield from self._pages(collection, {"doc_id": {"$in": list(part)}})

    def _pages(self, collection, where: Optional[dict]) -> Iterator[tuple[str, str, dict]]:
        offset = 0
        while True:
            res = collection.get(where=where, include=["documents", "metadatas"], limit=self._batch, offset=offset)
            if not res["ids"]:
                return
            documents = res["documents"] or [None] * len(res["ids"])
            yield from ((cid, *row_text(doc, meta)) for cid, doc, meta in zip(res["ids"], documents, res["metadatas"]))
            offset += len(res["ids"])

    # -- change tracking -----------------------------------------------------------------------

    def generation(self) -> str:
        """A token that changes whenever chunks or documents change (keeps derived indexes in step).

        Asked before every question: an embedded store whose database is unchanged since the last
        read answers from memory (a Chroma read costs more than the BM25 search).
        """
        stamp = files_stamp(Path(self.path)) if self.path is not None else None
        if stamp is not None and stamp == self._seen[0]:
            return self._seen[1]
        got = self.docs.get(ids=[STATE_ID], include=["metadatas"])
        token = got["metadatas"][0]["generation"] if got["ids"] else ""
        self._seen = (stamp, token)  # stamped before the read: a write in between shows at the next call
        return token

    def changes_since(self, at: float) -> list[str]:
        """Documents written or removed since time `at` (less the journal's margin); empty if the journal cannot tell."""
        return self.journal.since(at)

    def touch(self) -> str:
        token = uuid.uuid4().hex
        self.docs.upsert(ids=[STATE_ID], embeddings=[_PLACEHOLDER], metadatas=[{"generation": token}])
        return token


for _name, _method in list(vars(ChromaStore).items()):
    if inspect.isfunction(_method) and not _name.startswith("__") and _name != "_open":
        setattr(ChromaStore, _name, _explained(_name, _method))

