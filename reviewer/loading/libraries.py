"""Which reference-manager loader reads a file: by extension, or by content for `.txt` exports."""

from __future__ import annotations

from pathlib import Path


def library_loader(path: Path, suffix: str, data: bytes):
    """The reference-manager loader for a file, by extension or (for .txt and .json) by content."""
    head = data[:4096].decode("utf-8", "ignore")
    if suffix == ".sqlite" or data.startswith(b"SQLite format 3\x00"):
        from reviewer.loading.zotero import load_zotero

        return lambda p, _data, collection: load_zotero(p, collection)
    if suffix in (".bib", ".bibtex") or suffix == ".txt" and _sniff("bibtex", head):
        from reviewer.loading.bibtex import load_bibtex

        return lambda p, d, _c: load_bibtex(p, d)
    if suffix == ".ris" or suffix == ".txt" and _sniff("ris", head):
        from reviewer.loading.ris import load_ris

        return lambda p, d, _c: load_ris(p, d)
    if suffix == ".json":
        from reviewer.loading.csljson import load_csljson

        return lambda p, d, _c: load_csljson(p, d)
    return None


def _sniff(kind: str, head: str) -> bool:
    if kind == "ris":
        from reviewer.loading.ris import SNIFF
    else:
        from reviewer.loading.bibtex import SNIFF
    return bool(SNIFF.match(head))
