"""Copies: the same text under two file names is stored once, with every file recorded.

A copy is found by the hash of its parsed text (`Document.text_hash`), not of its file's bytes
or path: the same paper saved twice, or by two tools, holds the same text. A file whose text is
already stored, or queued earlier in the same run, is added to that document's `sources` and
reported in one line; nothing of it is embedded again. A recorded copy whose text has since
changed leaves that record and is ingested as a document of its own. Pruning drops a vanished
path from `sources` and deletes a document only when none of its files remain.

Records written before text hashes were recorded are not matched (their files are read as before).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from reviewer.models import Document, DocumentInfo


class Copies:
    """The text hashes of the stored and queued documents of one ingest, and the records it re-points."""

    def __init__(self) -> None:
        self.stored: dict[str, DocumentInfo] = {}
        self.queued: dict[str, Document] = {}
        self.changed: dict[str, DocumentInfo] = {}  # doc_id → its record with new `sources`

    def learn(self, infos: Iterable[DocumentInfo]) -> None:
        """Remember stored records by their text hash."""
        for info in infos:
            info = self.changed.get(info.doc_id, info)
            if info.text_hash:
                self.stored.setdefault(info.text_hash, info)

    def original(self, doc: Document, busy: set[str]) -> Optional[str]:
        """The source of the document already holding `doc`'s text (and `doc` becomes its copy), or None.

        `busy`: ids of documents rewritten in this run, whose stored text is about to change.
        """
        digest = doc.text_hash()
        if digest is None:
            return None
        queued = self.queued.get(digest)
        if queued is not None:
            queued.sources.append(doc.source)
            return queued.source
        info = self.stored.get(digest)
        if info is None or info.doc_id in busy:
            return None
        info = self.changed.get(info.doc_id, info)
        self._record(info.model_copy(update={"sources": [*info.sources, doc.source]}))
        return info.source

    def queue(self, doc: Document) -> None:
        """A document about to be stored: later files with its text become its copies."""
        digest = doc.text_hash()
        if digest is not None:
            self.queued.setdefault(digest, doc)

    def leave(self, info: DocumentInfo, source: str) -> None:
        """`source` no longer holds `info`'s text: drop it from the record."""
        info = self.changed.get(info.doc_id, info)
        self._record(info.model_copy(update={"sources": [s for s in info.sources if s != source]}))

    def _record(self, info: DocumentInfo) -> None:
        self.changed[info.doc_id] = info
        if info.text_hash:
            self.stored[info.text_hash] = info

    def records(self, rewritten: set[str]) -> list[DocumentInfo]:
        """The re-pointed records to write (not those this run rewrites whole)."""
        return [info for doc_id, info in self.changed.items() if doc_id not in rewritten]


def vanished(source: str) -> bool:
    """Whether a recorded source file is really gone (absolute, missing, its folder still there).

    A relative source (older stores) cannot be told apart from a file seen from another folder,
    and a missing folder may be an unmounted disk: neither counts as gone.
    """
    path = Path(source.split("#", 1)[0])
    return path.is_absolute() and not path.exists() and path.parent.exists()


def without_vanished(infos: Iterable[DocumentInfo]) -> tuple[list[DocumentInfo], dict[str, str], list[str]]:
    """Split records by their vanished files: (records that keep another file, re-pointed;
    {doc_id: why} of documents with no file left; one line per path dropped from a kept record)."""
    kept: list[DocumentInfo] = []
    gone: dict[str, str] = {}
    lines: list[str] = []
    for info in infos:
        missing = [s for s in info.sources if vanished(s)]
        if not missing:
            continue
        left = [s for s in info.sources if s not in missing]
        if not left:
            gone[info.doc_id] = f"{info.doc_id}: {missing[0]} no longer exists"
            continue
        file = left[0] if info.file in missing else info.file  # a PDF's own file, when it was the one gone
        kept.append(info.model_copy(update={"sources": left, "source": left[0], "file": file}))
        lines += [f"{info.doc_id}: {s} no longer exists; the document stays, still at {left[0]}" for s in missing]
    return kept, gone, lines
