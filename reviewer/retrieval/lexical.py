"""Lexical retrieval: an incremental BM25 index (tantivy) with its bookkeeping in SQLite, beside the store.

Why tantivy: it ranks with BM25 as Lucene does (k1 = 1.2, b = 0.75, the same IDF as the bm25s
index used before, so quality is kept), it is incremental (adding or removing a document
touches only that document; bm25s rebuilt its whole matrix, 50 s at 100k chunks), it saves
each commit atomically, and its top-k search skips most of a long posting list (1.5 ms a
query on 11k chunks). SQLite FTS5 was tried first: it is incremental too and in the standard
library, but its bm25() ranking of OR-queries computes every matching row, 40x slower than
tantivy on the same index (62 ms a query at 11k chunks, so hundreds of milliseconds at 100k).

SQLite (standard library) keeps what must change atomically with a document: which documents
and chunks are indexed (also the list of what retrieval may show, dense hits included), their
metadata for filters, and the store generation the index reflects. Row numbers are never
reused, so a tantivy row written by an update that died before its SQLite commit names nothing.

Texts are stemmed by us (Snowball English via PyStemmer, stopwords dropped), as before. When
the store's generation differs from the index's (a crash mid-update, another process, another
user of a shared server), `sync` re-checks the documents the store's change journal names
since the index last looked (`reviewer.retrieval.journal`; every document's hash when there is
no journal to go by) and re-reads only the documents that differ, never the whole corpus.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOP = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or such that the their then there these "
    "they this to was were which will with what when where who whom why how does do did can could should would than also "
    "between after before about over under not no".split()
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
                                   meta TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id);
"""
#: The chunk metadata kept for filtering lexical hits (the fields `Filters.allows` may read).
_META_SKIP = {"evidence", "source", "title", "section", "start", "end", "content_hash"}


def context_text(title: Optional[str], section: Optional[str], text: str) -> str:
    """What is embedded and indexed for a chunk: its title and section give context the text may lack.

    A subsection heading the text already opens with (a PDF subsection's first paragraph) is not repeated.
    """
    if section and " › " in section and text.startswith(section.rsplit(" › ", 1)[1]):
        section = section.rsplit(" › ", 1)[0]
    head = title or ""
    if section and section != title:
        head = f"{head} — {section}" if head else section
    return f"{head}\n{text}" if head else text


class LexicalIndex:
    """BM25 over chunk texts in one SQLite file, updated document by document.

    Args:
        directory: folder of the index file (created on first use); None keeps the index in memory.
    """

    def __init__(self, directory: Optional[Path]):
        self.directory = Path(directory) if directory is not None else None
        self.path = self.directory / "lexical.sqlite3" if self.directory is not None else ":memory:"
        self._db: Optional[sqlite3.Connection] = None
        self._stem = None
        self._text = None  # the tantivy index
        self._writes = 0  # commits made by this object
        self._searcher_at = None  # (what the index looked like, the searcher opened on it)

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            if self.directory is not None:
                self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    @property
    def text(self):
        """The tantivy index; when missing (new, deleted), the bookkeeping is reset so `sync` rebuilds it."""
        if self._text is None:
            import tantivy

            builder = tantivy.SchemaBuilder()
            builder.add_integer_field("row", stored=True, indexed=True)
            builder.add_text_field("doc_id", stored=False, tokenizer_name="raw")
            builder.add_text_field("stems", stored=False, tokenizer_name="whitespace", index_option="freq")
            schema = builder.build()
            if self.directory is None:
                self._text = tantivy.Index(schema)
            else:
                folder = self.directory / "bm25"
                fresh = not (folder / "meta.json").exists()
                folder.mkdir(parents=True, exist_ok=True)
                self._text = tantivy.Index(schema, path=str(folder))
                if fresh:
                    with self._write():
                        self.db.execute("DELETE FROM chunks")
                        self.db.execute("DELETE FROM docs")
                        self.db.execute("DELETE FROM state WHERE key = 'generation'")
            self._schema = schema
        return self._text

    def _writer(self):
        """tantivy allows one writer at a time: wait for another process's update to finish."""
        deadline = time.monotonic() + 120
        while True:
            try:
                return self.text.writer(heap_size=15_000_000, num_threads=1)
            except ValueError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- text --------------------------------------------------------------------------------

    def stems(self, text: str) -> list[str]:
        if self._stem is None:
            import Stemmer  # PyStemmer

            self._stem = Stemmer.Stemmer("english").stemWords
        return self._stem([w for w in _WORD.findall(text.lower()) if w not in _STOP])

    def counts(self, words: Sequence[str]) -> dict[str, int]:
        """How many indexed chunks hold each word (0 for a word no chunk holds, or one made only of stopwords).

        Chunks of removed documents still count until the index merges their segment: this says whether the
        library uses a word, not an exact tally.
        """
        searcher = self._searcher()
        out = {}
        for word in words:
            stems = self.stems(word)
            out[word] = min((searcher.doc_freq("stems", s) for s in stems), default=0)
        return out

    # -- state -------------------------------------------------------------------------------

    @property
    def generation(self) -> Optional[str]:
        row = self.db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()
        return row[0] if row else None

    def advance(self, before: str, after: str) -> None:
        """Record generation `after` if the index was at `before` (it then reflects exactly the store)."""
        with self._write():
            if (self.generation or "") == before:
                self._set_generation(after)

    def _set_generation(self, generation: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO state VALUES ('generation', ?)", (generation,))

    def _write(self):
        db = self.db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind, exc, tb):
                db.execute("ROLLBACK" if kind else "COMMIT")

        return _Tx()

    def document_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT doc_id, content_hash FROM docs"))

    def entries(self) -> dict[str, str]:
        """chunk_id → doc_id of every indexed chunk (what retrieval may show)."""
        return dict(self.db.execute("SELECT chunk_id, doc_id FROM chunks"))

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    # -- updates -----------------------------------------------------------------------------

    def _rows(self, n: int) -> int:
        """Reserve `n` fresh row numbers (committed first, so they are never handed out twice)."""
        with self._write():
            row = self.db.execute("SELECT value FROM state WHERE key = 'next_row'").fetchone()
            start = int(row[0]) if row else (self.db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM chunks").fetchone()[0])
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('next_row', ?)", (str(start + n),))
        return start

    def add(self, doc_hashes: dict[str, str], chunks: Iterable[tuple[str, str, dict]]) -> None:
        """Index documents (replacing any earlier version): `chunks` are (chunk_id, text, metadata)."""
        import tantivy

        rows = [(cid, text, meta) for cid, text, meta in chunks
                if meta.get("doc_id") in doc_hashes and not meta.get("is_reference")]
        start = self._rows(len(rows))
        writer = self._writer()
        for doc_id in doc_hashes:
            writer.delete_documents("doc_id", doc_id)
        for i, (cid, text, meta) in enumerate(rows):
            body = " ".join(self.stems(context_text(meta.get("title"), meta.get("section"), text)))
            writer.add_document(tantivy.Document(row=start + i, doc_id=meta["doc_id"], stems=body))
        writer.commit()
        writer.wait_merging_threads()
        self._writes += 1
        with self._write():
            self._remove(list(doc_hashes))
            self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)", doc_hashes.items())
            self.db.executemany(
                "INSERT OR REPLACE INTO chunks (rowid, chunk_id, doc_id, meta) VALUES (?, ?, ?, ?)",
                [(start + i, cid, meta["doc_id"], json.dumps({k: v for k, v in meta.items() if k not in _META_SKIP}))
                 for i, (cid, _, meta) in enumerate(rows)])

    def remove(self, doc_ids: Sequence[str]) -> None:
        """Drop documents from the index (invisible at once; their BM25 rows go next)."""
        if not doc_ids:
            return
        with self._write():
            self._remove(doc_ids)
        writer = self._writer()
        for doc_id in doc_ids:
            writer.delete_documents("doc_id", doc_id)
        writer.commit()
        writer.wait_merging_threads()
        self._writes += 1

    def _remove(self, doc_ids: Sequence[str]) -> None:
        for doc_id in doc_ids:
            self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))

    def sync(self, store, batch: int = 200) -> int:
        """Bring the index in step with the store; returns how many documents were (re-)read.

        Cheap when nothing changed (one generation read). Otherwise the documents the store's
        change journal names since this index last looked are re-checked (their hashes against
        the index's); with no journal to go by (a new index, an older store) every document's
        hash is compared. Either way only documents that differ are removed or re-read.
        """
        generation = store.generation()
        if self.generation == generation:
            return 0
        looked = time.time()  # before reading: a change made meanwhile shows next time
        changed = self._changed(store)
        if changed:
            stored = {d: info.content_hash for d, info in store.find_documents(doc_ids=changed).items()}
            indexed = self._hashes_of(changed)
        else:
            stored, indexed = store.document_hashes(), self.document_hashes()
        gone = [d for d, h in indexed.items() if stored.get(d) != h]
        fresh = [d for d, h in stored.items() if indexed.get(d) != h]
        self.remove(gone)
        for i in range(0, len(fresh), batch):
            part = {d: stored[d] for d in fresh[i : i + batch]}
            rows = [(cid, text, meta) for cid, text, meta in store.iter_chunks(doc_ids=list(part))
                    if meta.get("content_hash") == part.get(meta.get("doc_id"))]
            self.add(part, rows)
        with self._write():
            self._set_generation(generation)  # read before the diff: a change made meanwhile shows next time
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('looked', ?)", (repr(looked),))
        return len(gone) + len(fresh)

    def _changed(self, store) -> list[str]:
        """The documents the store's journal names since this index last looked (empty: compare them all)."""
        row = self.db.execute("SELECT value FROM state WHERE key = 'looked'").fetchone()
        if row is None or self.generation is None:
            return []
        return store.changes_since(float(row[0]))

    def _hashes_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(doc_ids), 500):
            part = list(doc_ids[i : i + 500])
            found.update(self.db.execute(f"SELECT doc_id, content_hash FROM docs WHERE doc_id IN "
                                         f"({','.join('?' * len(part))})", part))
        return found

    # -- reading -----------------------------------------------------------------------------

    def visible(self, chunk_ids: Sequence[str]) -> set[str]:
        """The chunk ids among these that belong to a recorded document (current version)."""
        out: set[str] = set()
        ids = list(chunk_ids)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            out.update(r[0] for r in self.db.execute(f"SELECT chunk_id FROM chunks WHERE chunk_id IN ({marks})", part))
        return out

    def search(self, query: str, n: int, allow: Optional[Callable[[dict], bool]] = None) -> list[tuple[str, float]]:
        """Top chunks for a query as (chunk_id, BM25 score); `allow(meta)` filters candidates."""
        stems = self.stems(query)
        if not stems:
            return []
        import tantivy

        searcher = self._searcher()
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "stems", s)) for s in stems])
        out: list[tuple[str, float]] = []
        depth = n
        while True:
            hits = searcher.search(query, depth).hits
            ranked = [(searcher.doc(address)["row"][0], score) for score, address in hits]
            names = self._names([row for row, _ in ranked])
            out = [(names[row][0], score) for row, score in ranked
                   if row in names and (allow is None or allow(json.loads(names[row][1])))]
            if len(out) >= n or len(hits) < depth:
                return out[:n]
            depth *= 4  # filters or dropped rows left too few: look deeper

    def _searcher(self):
        """A searcher on the latest commit; reopened only when a commit happened (here or in another process)."""
        stamp: tuple = (self._writes,)
        if self.directory is not None:
            try:  # every tantivy commit replaces meta.json (a new file)
                st = (self.directory / "bm25" / "meta.json").stat()
                stamp += (st.st_ino, st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                stamp += (None,)
        if self._searcher_at is None or self._searcher_at[0] != stamp:
            index = self.text
            index.reload()
            self._searcher_at = (stamp, index.searcher())
        return self._searcher_at[1]

    def _names(self, rowids: list[int]) -> dict[int, tuple[str, str]]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(f"SELECT rowid, chunk_id, meta FROM chunks WHERE rowid IN ({marks})", rowids)
        return {rowid: (cid, meta) for rowid, cid, meta in rows}
