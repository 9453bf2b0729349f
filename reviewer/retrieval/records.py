"""Reading the documents collection of a Chroma store: every record, or only its ids, hashes or counts.

Listing a library of 47,000 documents costs two things of about equal size (profiled on
40,500 records): Chroma reading each record's metadata, and pydantic validating each record's
JSON. So the whole listing reads the next page in a thread while this one is validated, and
counting documents by type reads ids alone, in large pages (each record carries its type as a
key of its own), which is a fraction of reading the records.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

from reviewer.models import DocumentInfo
from reviewer.retrieval.rows import batches
from reviewer.vocabulary import DocType

STATE_ID = "__state__"
PENDING = "pending:"
#: Rows per page when only ids are read. Chroma binds no variable per row for them (a page is not held to
#: SQLite's limit), and each page of a filtered read evaluates its filter again from the first row:
#: at 40,500 records ids by type took 3.2 s of CPU in pages of 2,000 and 0.24 s in one page.
IDS_PAGE = 50_000


def is_record(row_id: str) -> bool:
    """Whether a row of the documents collection is a document's record (not the state or a pending marker)."""
    return row_id != STATE_ID and not row_id.startswith(PENDING)


def pages(fetch: Callable[[int], dict], ahead: bool = False) -> Iterator[dict]:
    """Chroma `get` results of `fetch(offset)` until one is empty; `ahead`: the next page is read in a thread.

    Only for callers that make no other Chroma call while they read a page.
    """
    if not ahead:
        offset = 0
        while (got := fetch(offset))["ids"]:
            yield got
            offset += len(got["ids"])
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="reviewer-records") as reader:
        next_page = reader.submit(fetch, 0)
        offset = 0
        while (got := next_page.result())["ids"]:
            offset += len(got["ids"])
            next_page = reader.submit(fetch, offset)  # Chroma reads while this page is validated
            yield got


def rows(collection, include: list[str], size: int, where=None, ahead: bool = False) -> Iterator[tuple]:
    """(id, document, metadata) of every row of `collection` matching `where`, page by page (only `include` read)."""
    size = size if include else max(size, IDS_PAGE)

    def fetch(offset: int) -> dict:
        return collection.get(include=include, where=where, limit=size, offset=offset)

    for got in pages(fetch, ahead):
        n = len(got["ids"])
        yield from zip(got["ids"], got.get("documents") or [None] * n, got.get("metadatas") or [None] * n)


def all_records(collection, size: int) -> dict[str, DocumentInfo]:
    """Every completely stored document's record by doc_id."""
    return {doc_id: DocumentInfo.model_validate_json(meta["info"])
            for doc_id, _, meta in rows(collection, ["metadatas"], size, ahead=True) if meta and "info" in meta}


def records_by_id(collection, doc_ids: Sequence[str], size: int) -> dict[str, DocumentInfo]:
    """The records of these documents (those stored)."""
    found: dict[str, DocumentInfo] = {}
    for part in batches(list(doc_ids), size):
        got = collection.get(ids=list(part), include=["metadatas"])
        found.update({i: DocumentInfo.model_validate_json(m["info"])
                      for i, m in zip(got["ids"], got["metadatas"]) if m and "info" in m})
    return found


def type_counts(collection, size: int) -> dict[str, int]:
    """How many completely stored documents there are of each type (doc_type value → count, by type name).

    Records written by this version carry their type as a key: their ids are counted per type. Records
    written before (no such key) are read in full, and only they; a store of those alone costs what
    listing it does.
    """
    counts: dict[str, int] = {}
    typed: set[str] = set()
    for doc_type in DocType:
        ids = [row_id for row_id, _, _ in rows(collection, [], size, where={"doc_type": doc_type.value})]
        typed.update(ids)
        if ids:
            counts[doc_type.value] = len(ids)
    others = len(collection.get(where={"kind": "pending"}, include=[])["ids"]) + len(
        collection.get(ids=[STATE_ID], include=[])["ids"])  # the rows that are no record: markers and the state
    if collection.count() - len(typed) > others:
        untyped = [d for d, _, _ in rows(collection, [], size) if is_record(d) and d not in typed]
        for info in records_by_id(collection, untyped, size).values():
            counts[info.doc_type.value] = counts.get(info.doc_type.value, 0) + 1
    return dict(sorted(counts.items()))
