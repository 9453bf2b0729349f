"""Documents' records as BibTeX, RIS or CSL-JSON, for a reference manager or a manuscript.

BibTeX is written with bibtexparser and RIS with rispy, the same libraries that read them, so
an exported file ingested again gives the same metadata. CSL-JSON is plain JSON.
"""

from __future__ import annotations

import json
import re
from typing import Iterable, Optional, Sequence

from reviewer.errors import ReviewerError
from reviewer.models import DocType, Reference
from reviewer.text import split_name

#: Export format names, and the file extensions that pick them.
EXPORT_FORMATS = ("bib", "ris", "csljson")
SUFFIXES = {".bib": "bib", ".bibtex": "bib", ".ris": "ris", ".json": "csljson"}
_CSL_TYPES = {DocType.preprint: "article", DocType.news: "article-newspaper", DocType.review: "article-journal"}
_RIS_TYPES = {DocType.preprint: "UNPB", DocType.news: "NEWS"}
_BIB_TYPES = {DocType.preprint: "unpublished"}
_LATEX_SPECIALS = re.compile(r"([&%$#_{}])")


def format_for(path_suffix: str) -> Optional[str]:
    """The export format a file extension names ('.bib' -> 'bib'), or None."""
    return SUFFIXES.get(path_suffix.lower())


def export(references: Iterable[Reference], fmt: str) -> str:
    """References as text in one of `EXPORT_FORMATS`.

    Raises:
        ReviewerError: an unknown format.
    """
    writers = {"bib": to_bibtex, "ris": to_ris, "csljson": to_csljson}
    if fmt not in writers:
        raise ReviewerError(f"unknown bibliography format '{fmt}' (choose one of {', '.join(EXPORT_FORMATS)})")
    return writers[fmt](list(references))


def key_of(ref: Reference) -> str:
    """The key a reference is cited by: its reference manager's key, else its document id."""
    return ref.citation_key or ref.doc_id


def _abstract(ref: Reference) -> Optional[str]:
    return getattr(ref, "abstract", None)  # document records carry it; citations' references do not


def _latex(text: str) -> str:
    return _LATEX_SPECIALS.sub(r"\\\1", text)


def to_bibtex(references: Sequence[Reference]) -> str:
    """A `.bib` file: one entry per reference, names as 'Family, Given', the local PDF in `file`."""
    import bibtexparser
    from bibtexparser.model import Entry, Field

    library = bibtexparser.Library()
    for ref in references:
        names = " and ".join(_latex(", ".join(p for p in split_name(a) if p)) for a in ref.authors)
        values = {"title": _latex(ref.title), "author": names, "year": ref.year, "journal": ref.journal,
                  "volume": ref.volume, "number": ref.issue, "pages": (ref.pages or "").replace("–", "--"),
                  "publisher": ref.publisher, "doi": ref.doi, "url": ref.url,
                  "abstract": _latex(_abstract(ref) or ""), "file": ref.file}
        fields = [Field(k, _latex(str(v)) if k in ("journal", "publisher", "volume", "number") else str(v))
                  for k, v in values.items() if v not in (None, "")]
        library.add(Entry(_BIB_TYPES.get(ref.doc_type, "article"), key_of(ref), fields))
    return bibtexparser.write_string(library)


def to_ris(references: Sequence[Reference]) -> str:
    """An `.ris` file: one record per reference, the local PDF in `L1`."""
    import rispy

    entries = []
    for ref in references:
        first, _, last = (ref.pages or "").partition("–")
        entry = {"type_of_reference": _RIS_TYPES.get(ref.doc_type, "JOUR"), "id": key_of(ref), "title": ref.title,
                 "authors": [", ".join(p for p in split_name(a) if p) for a in ref.authors],
                 "year": str(ref.year) if ref.year else None, "secondary_title": ref.journal, "volume": ref.volume,
                 "number": ref.issue, "start_page": first or None, "end_page": last or None,
                 "publisher": ref.publisher, "doi": ref.doi, "urls": [ref.url] if ref.url else None,
                 "abstract": _abstract(ref), "file_attachments1": [ref.file] if ref.file else None}
        entries.append({k: v for k, v in entry.items() if v not in (None, "", [])})
    return rispy.dumps(entries, list_tags=["A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR", "L1", "L2"])


def csl_item(ref: Reference, item_id: Optional[str] = None) -> dict:
    """One CSL-JSON item (the input of citeproc and of Zotero's and Pandoc's importers)."""
    authors = []
    for name in ref.authors:
        family, given = split_name(name)
        authors.append({"family": family, "given": given} if given else {"literal": family})
    item = {"id": item_id or key_of(ref), "type": _CSL_TYPES.get(ref.doc_type, "article-journal"), "title": ref.title,
            "author": authors, "issued": {"date-parts": [[ref.year]]} if ref.year else None,
            "container-title": ref.journal, "volume": ref.volume, "issue": ref.issue, "page": ref.pages,
            "publisher": ref.publisher, "DOI": ref.doi, "URL": ref.url, "abstract": _abstract(ref), "file": ref.file}
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def to_csljson(references: Sequence[Reference]) -> str:
    """A CSL-JSON file: a list of items."""
    return json.dumps([csl_item(ref) for ref in references], ensure_ascii=False, indent=2) + "\n"
