"""BibTeX libraries (`.bib`, including Better BibTeX exports from Zotero) become documents.

Parsing is bibtexparser 2 (maintained, tolerant of the odd bad entry: it reports a failed
block and keeps the rest); names are split by its BibTeX name rules and LaTeX accents decoded
by pylatexenc, which it ships with. Attachments come from the `file` field in either of the
forms exporters write: `path;path` (Better BibTeX) or `description:path:mime-type` (Zotero's
own export, JabRef, Mendeley).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Optional

from reviewer.loading.base import LoadError
from reviewer.loading.records import LibraryRecord, clean_text, doc_type_of, full_name, optional
from reviewer.models import Document, IngestFailure

#: What makes text look like BibTeX when its extension does not say so.
SNIFF = re.compile(r"^\s*(%[^\n]*\n\s*)*@(article|book|inproceedings|incollection|misc|online|report|techreport|"
                   r"phdthesis|mastersthesis|unpublished|preprint|string|comment|preamble)\s*[{(]", re.I)


def _latex(text: str) -> str:
    """Plain text of a LaTeX field value (accents, escapes and protective braces undone)."""
    if not re.search(r"[\\{}$~]", text):
        return clean_text(text)
    from pylatexenc.latex2text import LatexNodes2Text

    return clean_text(LatexNodes2Text(math_mode="verbatim").latex_to_text(text))


def _names(parts: list) -> list[str]:
    """'Given Family' names of bibtexparser's NameParts."""
    names = []
    for p in parts:
        family = _latex(" ".join(p.von + p.last + ([", " + " ".join(p.jr)] if p.jr else [])).replace(" ,", ","))
        names.append(full_name(family, _latex(" ".join(p.first))))
    return [n for n in names if n]


def attachment_paths(value: str) -> list[str]:
    """Paths of a `file` field: 'a.pdf;b.pdf' or 'Full Text:files/3/a.pdf:application/pdf' pieces."""
    out = []
    for piece in re.split(r"(?<!\\);", value or ""):
        piece = piece.strip()
        if not piece:
            continue
        fields = re.split(r"(?<!\\):", piece)
        if len(fields) >= 3 and "/" in fields[-1]:  # description:path:mime-type
            piece = ":".join(fields[1:-1])
        out.append(piece.replace("\\:", ":").replace("\\;", ";").replace("\\\\", "\\"))
    return out


def _record(entry) -> LibraryRecord:
    fields = {k.lower(): v for k, v in entry.fields_dict.items()}

    def text(*keys: str) -> Optional[str]:
        for key in keys:
            if key in fields and isinstance(fields[key].value, str) and fields[key].value.strip():
                return _latex(fields[key].value)
        return None

    def raw(key: str) -> Optional[str]:  # URLs and DOIs: '~' and '%' are characters here, not LaTeX
        value = fields[key].value if key in fields else None
        return clean_text(value.replace("\\_", "_").replace("\\%", "%")) or None if isinstance(value, str) else None

    authors = fields.get("author") or fields.get("editor")
    journal = text("journal", "journaltitle", "booktitle")
    return LibraryRecord(
        key=entry.key, title=text("title") or "", authors=_names(authors.value) if authors else [],
        year=None, date=text("date", "year"), doi=raw("doi"), url=raw("url"), journal=journal,
        volume=text("volume"), issue=text("number", "issue"), pages=optional((text("pages") or "").replace("--", "–")),
        publisher=text("publisher"), doc_type=doc_type_of(entry.entry_type, journal),
        abstract=text("abstract"), files=attachment_paths(fields["file"].value) if "file" in fields else [],
    )


def parse_bibtex(text: str) -> tuple[list[LibraryRecord], list[str]]:
    """Records of a BibTeX text, and one line per entry that could not be parsed."""
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

    logger = logging.getLogger("bibtexparser")
    level, logger.level = logger.level, logging.CRITICAL  # its warnings repeat the failures reported here
    try:
        library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    finally:
        logger.setLevel(level)
    problems = []
    for block in library.failed_blocks:
        line = getattr(block, "start_line", None)
        where = f"entry at line {line + 1}" if isinstance(line, int) else "an entry"
        problems.append(f"{where}: {_short(getattr(block, 'error', None))}; entry skipped")
    records = []
    for entry in library.entries:
        try:
            records.append(_record(entry))
        except Exception as exc:  # one odd entry must not sink the library
            problems.append(f"entry '{entry.key}': {type(exc).__name__}: {exc}")
    return records, problems


def _short(error) -> str:
    message = str(error or "").strip().splitlines()
    return f"syntax error ({message[0][:160]})" if message else "syntax error (unbalanced braces or a missing comma?)"


def load_bibtex(path: Path, data: bytes) -> tuple[list[Document], list[IngestFailure]]:
    """Documents of a BibTeX file's records; bad entries and missing attachments are one failure each."""
    from reviewer.loading.records import record_documents

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # older .bib files are often Latin-1; LaTeX escapes carry the rest
    records, problems = parse_bibtex(text)
    if not records and not problems:
        raise LoadError("no BibTeX entries found")
    docs, failures = record_documents(records, path)
    return docs, [IngestFailure(path=str(path), reason=p) for p in problems] + failures
