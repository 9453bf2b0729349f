"""Finding the files to load, their identity hash, and `load`: one file to documents, by its format.

Each format has its own module and loader (`Loader`: path and bytes in, documents and failures
out); `LOADERS` maps a file suffix to it, so a new format is one module and one entry here.
Reference-manager libraries (BibTeX, RIS, CSL-JSON, Zotero) are in `reviewer.loading.libraries`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Iterable, Optional

from reviewer.loading.base import Loader, LoadError
from reviewer.loading.jsonl import load_jsonl
from reviewer.loading.libraries import LIBRARY_LOADERS, ZOTERO_DATABASE, library_loader
from reviewer.loading.markdown import load_markdown
from reviewer.loading.pdf import load_pdf
from reviewer.loading.plaintext import load_text
from reviewer.models import Document, IngestFailure

#: The loader of each supported file suffix (lowercase, with the dot).
LOADERS: dict[str, Loader] = {
    ".pdf": load_pdf,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".jsonl": load_jsonl,
    **LIBRARY_LOADERS,
}
SUPPORTED_SUFFIXES = set(LOADERS)

_log = logging.getLogger(__name__)
_SUPPORTED_LIST = ", ".join([".pdf", ".md", ".markdown", ".txt", ".jsonl", ".bib", ".ris", ".json (CSL-JSON)",
                             "a Zotero data directory"])


def _unsupported(path: Path) -> str:
    kind = f"'{path.suffix}'" if path.suffix else "(no extension)"
    return f"unsupported file type {kind} (supported: {_SUPPORTED_LIST})"


def discover(paths: Iterable[Path | str]) -> tuple[list[Path], list[IngestFailure]]:
    """Expand files and directories into the supported files to load.

    Directories are walked recursively in sorted order, skipping hidden files and directories
    (such as `.reviewer/` and `.git/`). Each file is listed once even if given twice.

    Args:
        paths: Files and/or directories.

    Returns:
        The supported files, and a failure for each missing path or file of an unsupported type.
    """
    files: list[Path] = []
    failures: list[IngestFailure] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        try:
            key = p.resolve(strict=True)  # absolute: a stored source means the same file from any folder
        except (OSError, RuntimeError) as exc:  # a dangling link, or a link loop
            failures.append(IngestFailure(path=str(p), reason=f"cannot follow link: {exc.strerror or exc}"
                                          if isinstance(exc, OSError) else "symbolic link loop"))
            return
        if key in seen:
            return
        seen.add(key)
        if p.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(key)
        else:
            failures.append(IngestFailure(path=str(p), reason=_unsupported(p)))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                if ZOTERO_DATABASE in names:  # a Zotero data directory: its storage/ holds the items' PDFs
                    add(Path(root) / ZOTERO_DATABASE)
                    dirs[:] = []
                    continue
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith("."):
                        add(Path(root) / name)
        elif p.is_file():
            add(p)
        elif p.exists():
            failures.append(IngestFailure(path=str(p), reason="not a regular file"))
        else:
            failures.append(IngestFailure(path=str(p), reason="no such file or directory"))
    return files, failures


def file_hash(path: Path | str) -> str:
    """sha256 hex digest of a file's bytes (identity for skipping unchanged files)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for piece in iter(lambda: fh.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


#: Formats whose size on disk is their text's size: checked against the limit before they are read.
_PLAIN_TEXT = {".md", ".markdown", ".txt"}


def too_large(size: int, limit_mb: Optional[float]) -> Optional[str]:
    """Why a text of `size` characters (or bytes) is not ingested, or None when it is within `limit_mb`."""
    if limit_mb is None or size <= limit_mb * 1_000_000:
        return None
    return (f"{size / 1_000_000:.3g} MB of text is over the limit of {limit_mb:g} MB: raise ingest.max_text_mb "
            "(REVIEWER_INGEST__MAX_TEXT_MB) to ingest it")


def _oversized_plain_text(path: Path, limit_mb: Optional[float]) -> Optional[str]:
    """The size check of a plain-text file, from its size on disk (a RIS or BibTeX library is exempt)."""
    if path.suffix.lower() not in _PLAIN_TEXT:
        return None
    try:
        reason = too_large(path.stat().st_size, limit_mb)
        if reason and path.suffix.lower() == ".txt":
            with open(path, "rb") as fh:
                if library_loader(".txt", fh.read(4096)) is not None:
                    return None  # a library: each of its records is checked once loaded
    except OSError:
        return None  # `load` reports why it cannot be read
    return reason


def _within_limit(docs: list[Document], failures: list[IngestFailure],
                  limit_mb: Optional[float]) -> tuple[list[Document], list[IngestFailure]]:
    """Documents whose text is within the limit; the others become failures naming their size."""
    kept = []
    for doc in docs:
        reason = too_large(sum(len(b.text) for b in doc.blocks), limit_mb)
        if reason:
            failures.append(IngestFailure(path=doc.source, reason=reason))
        else:
            kept.append(doc)
    return kept, failures


def load(path: Path | str, collection: Optional[str] = None,
         max_text_mb: Optional[float] = None) -> tuple[list[Document], list[IngestFailure]]:
    """Parse one file into documents.

    PDF, Markdown and plain-text files give one document; a JSONL abstract export gives one
    document per line, and a bad line gives a failure without stopping the others. A BibTeX,
    RIS or CSL-JSON library or a Zotero database gives one document per record (see
    `reviewer.loading.records`); RIS or BibTeX saved as `.txt` is recognized by its content.

    Args:
        path: The file to load.
        collection: For a Zotero database, only the items of this collection.
        max_text_mb: Skip a document with more text than this (plain text and Markdown are
            checked by their size on disk, before they are read).

    Returns:
        The documents loaded, and failures with one clear reason each (never raises for bad input).
    """
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())

    def fail(reason: str) -> tuple[list[Document], list[IngestFailure]]:
        return [], [IngestFailure(path=str(path), reason=reason)]

    if loader is None:
        return fail(_unsupported(path))
    oversized = _oversized_plain_text(path, max_text_mb)
    if oversized:
        return fail(oversized)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return fail("no such file or directory")
    except IsADirectoryError:
        return fail("is a directory, not a file")
    except PermissionError:
        return fail("permission denied")
    except OSError as exc:
        return fail(f"cannot read file: {exc.strerror or exc}")
    try:
        return _within_limit(*(library_loader(path.suffix.lower(), data, collection) or loader)(path, data),
                             max_text_mb)
    except LoadError as exc:
        return fail(str(exc))
    except Exception as exc:  # a parser bug must not stop a whole ingest run
        _log.debug("unexpected error loading %s", path, exc_info=True)
        return fail(f"unexpected error while loading: {type(exc).__name__}: {exc}")
