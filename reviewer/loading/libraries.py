"""Reference-manager libraries: which loader reads a file, by extension or by content.

BibTeX, RIS and CSL-JSON files and Zotero databases give one document per record (see
`reviewer.loading.records`); a BibTeX or RIS export saved as `.txt` is recognized by its content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from reviewer.loading.base import Loader
from reviewer.loading.bibtex import SNIFF as BIBTEX_START, load_bibtex
from reviewer.loading.csljson import load_csljson
from reviewer.loading.ris import SNIFF as RIS_START, load_ris
from reviewer.loading.zotero import load_zotero
from reviewer.models import Document, IngestFailure

#: The database file of a Zotero data directory (its storage/ folder holds the items' PDFs).
ZOTERO_DATABASE = "zotero.sqlite"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def load_zotero_file(path: Path, data: bytes) -> tuple[list[Document], list[IngestFailure]]:
    """Every item of a Zotero database (the bytes are read again from a copy of the file)."""
    return load_zotero(path)


#: The loader of each reference-manager suffix.
LIBRARY_LOADERS: dict[str, Loader] = {
    ".bib": load_bibtex,
    ".bibtex": load_bibtex,
    ".ris": load_ris,
    ".json": load_csljson,
    ".sqlite": load_zotero_file,
}


def library_loader(suffix: str, data: bytes, collection: Optional[str] = None) -> Optional[Loader]:
    """The reference-manager loader for a file's suffix and bytes, or None when it is not a library.

    Args:
        suffix: the file's suffix, lowercase with the dot.
        data: the file's bytes (a `.txt` file is a library when it starts like BibTeX or RIS).
        collection: for a Zotero database, only the items of this collection.
    """
    if suffix == ".sqlite" or data.startswith(_SQLITE_MAGIC):
        return lambda path, _data: load_zotero(path, collection)
    if suffix == ".txt":
        head = data[:4096].decode("utf-8", "ignore")
        if BIBTEX_START.match(head):
            return load_bibtex
        if RIS_START.match(head):
            return load_ris
        return None
    return LIBRARY_LOADERS.get(suffix)
