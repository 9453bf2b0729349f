"""Lexical retrieval: an incremental BM25 index in SQLite FTS5, kept beside the store.

Why FTS5: it ships with Python's standard library (no new dependency, no server), ranks with
BM25 (k1 = 1.2, b = 0.75, the figures the project used with bm25s), and is incremental:
adding or removing one document touches only that document's rows, where bm25s rebuilt its
whole sparse matrix (50 s at 100k chunks). SQLite transactions make every update atomic, WAL
lets readers go on while a writer updates, and the file doubles as the list of what is
visible to retrieval. tantivy would also do, but is a compiled extra dependency with no gain
at this size.

Texts are stemmed by us (Snowball English via PyStemmer, stopwords dropped) and stored as
stems, so ranking matches the earlier bm25s index word for word; FTS5's own porter tokenizer
would stem differently.

The index holds only documents whose record is in the store (their chunks become visible to
retrieval, dense results included, once the record is written) and remembers the store
generation it reflects. When the store's generation differs (a crash mid-update, another
process, another user of a shared server), `sync` compares document hashes and re-reads only
the documents that differ, never the whole corpus.
"""

from __future__ import annotations

import json
import re
import sqlite3
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
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (stems, tokenize = 'unicode61 remove_diacritics 0');
"""
#: The chunk metadata kept for filtering lexical hits (the fields `Filters.allows` may read).
_META_SKIP = {"evidence", "source", "title", "section", "start", "end", "content_hash"}


def context_text(title: Optional[str], section: Optional[str], text: str) -> str:
    """What is embedded and indexed for a chunk: its title and section give context the text may lack."""
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

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    # -- updates -----------------------------------------------------------------------------

    def add(self, doc_hashes: dict[str, str], chunks: Iterable[tuple[str, str, dict]]) -> None:
        """Index documents (replacing any earlier version): `chunks` are (chunk_id, text, metadata)."""
        with self._write():
            self._remove(list(doc_hashes))
            self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)", doc_hashes.items())
            for cid, text, meta in chunks:
                if meta.get("doc_id") not in doc_hashes or meta.get("is_reference"):
                    continue
                keep = {k: v for k, v in meta.items() if k not in _META_SKIP}
                cur = self.db.execute("INSERT OR REPLACE INTO chunks (chunk_id, doc_id, meta) VALUES (?, ?, ?)",
                                      (cid, meta["doc_id"], json.dumps(keep)))
                body = context_text(meta.get("title"), meta.get("section"), text)
                self.db.execute("INSERT INTO fts (rowid, stems) VALUES (?, ?)", (cur.lastrowid, " ".join(self.stems(body))))

    def remove(self, doc_ids: Sequence[str]) -> None:
        """Drop documents from the index."""
        with self._write():
            self._remove(doc_ids)

    def _remove(self, doc_ids: Sequence[str]) -> None:
        for doc_id in doc_ids:
            self.db.execute("DELETE FROM fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)", (doc_id,))
            self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))

    def sync(self, store, batch: int = 200) -> int:
        """Bring the index in step with the store; returns how many documents were (re-)read.

        Cheap when nothing changed (one generation read). Otherwise the store's document hashes
        are compared with the index's and only documents that differ are removed or re-read.
        """
        generation = store.generation()
        if self.generation == generation:
            return 0
        stored = store.document_hashes()
        indexed = self.document_hashes()
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
        return len(gone) + len(fresh)

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
        stems = self.stems(query)  # repeated words weigh more, as they did with bm25s
        if not stems:
            return []
        match = " OR ".join(f'"{s}"' for s in stems)
        sql = ("SELECT c.chunk_id, -bm25(fts) AS score, c.meta FROM fts JOIN chunks c ON c.rowid = fts.rowid "
               "WHERE fts MATCH ? ORDER BY bm25(fts)")
        if allow is None:
            return [(cid, score) for cid, score, _ in self.db.execute(sql + " LIMIT ?", (match, n))]
        out: list[tuple[str, float]] = []
        for cid, score, meta in self.db.execute(sql, (match,)):
            if allow(json.loads(meta)):
                out.append((cid, score))
                if len(out) >= n:
                    break
        return out
