"""Loading: turn files (PDF, Markdown, plain text, JSONL abstract exports) into `Document`s.

`discover` expands the paths a user gives into supported files; `load` parses one file into
documents made of located `Block`s (text, section, page, offset). Loading never raises for bad
input: a file that cannot be read comes back as an `IngestFailure` with one line saying why.
PDF parsing lives in `reviewer.loading.pdf`; chunking the blocks is the next stage's job (`reviewer.ingest.chunking`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Any, Iterable, Optional

from reviewer.loading.common import (  # noqa: F401  (re-exported: the loaders' shared helpers)
    DOI_RE, LoadError, _authors, _decode, _metadata, clean_doi, doc_id_for, hyphenated_words, join_lines, make_blocks,
    parse_year, slugify,
)
from reviewer.models import DocType, Document, IngestFailure

#: Reference-manager libraries: each record becomes a document (see `reviewer.loading.records`).
LIBRARY_SUFFIXES = {".bib", ".bibtex", ".ris", ".json", ".sqlite"}
SUPPORTED_SUFFIXES = {".pdf", ".md", ".markdown", ".txt", ".jsonl"} | LIBRARY_SUFFIXES

_log = logging.getLogger(__name__)
_SUPPORTED_LIST = ", ".join([".pdf", ".md", ".markdown", ".txt", ".jsonl", ".bib", ".ris", ".json (CSL-JSON)",
                             "a Zotero data directory"])
ZOTERO_DATABASE = "zotero.sqlite"


# --------------------------------------------------------------------------- discovery


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
        key = p.resolve()
        if key in seen:
            return
        seen.add(key)
        if p.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(p)
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


# --------------------------------------------------------------------------- entry point


def load(path: Path | str, collection: Optional[str] = None) -> tuple[list[Document], list[IngestFailure]]:
    """Parse one file into documents.

    PDF, Markdown and plain-text files give one document; a JSONL abstract export gives one
    document per line, and a bad line gives a failure without stopping the others. A BibTeX,
    RIS or CSL-JSON library or a Zotero database gives one document per record (see
    `reviewer.loading.records`); RIS or BibTeX saved as `.txt` is recognized by its content.

    Args:
        path: The file to load.
        collection: For a Zotero database, only the items of this collection.

    Returns:
        The documents loaded, and failures with one clear reason each (never raises for bad input).
    """
    path = Path(path)
    suffix = path.suffix.lower()

    def fail(reason: str) -> tuple[list[Document], list[IngestFailure]]:
        return [], [IngestFailure(path=str(path), reason=reason)]

    if suffix not in SUPPORTED_SUFFIXES:
        return fail(_unsupported(path))
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
        from reviewer.loading.libraries import library_loader

        library = library_loader(path, suffix, data)
        if library is not None:
            return library(path, data, collection)
        if suffix == ".jsonl":
            from reviewer.loading.jsonl import load_jsonl

            return load_jsonl(path, data)
        if suffix == ".pdf":
            from reviewer.loading.pdf import load_pdf

            doc = load_pdf(path, data)
            return [doc.model_copy(update={"file": doc.file or str(path)})], []
        loader = _load_text if suffix == ".txt" else _load_markdown
        return [loader(path, data)], []
    except LoadError as exc:
        return fail(str(exc))
    except Exception as exc:  # a parser bug must not stop a whole ingest run
        _log.debug("unexpected error loading %s", path, exc_info=True)
        return fail(f"unexpected error while loading: {type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- markdown and text

_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_STRUCTURED_LINE_RE = re.compile(r"^\s*([-*+]\s|\d{1,3}[.)]\s|\||>|```|~~~|    )")


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter (between '---' lines at the top) from the body."""
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            break
    else:
        return {}, text  # no closing line: a horizontal rule, not front matter
    import yaml

    try:
        meta = yaml.safe_load("\n".join(lines[1:i]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LoadError(f"invalid YAML front matter{where}: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise LoadError("front matter is not a set of 'key: value' lines")
    return meta, "\n".join(lines[i + 1:])


def _paragraph_text(lines: list[str]) -> str:
    """Prose lines joined with spaces; lists, tables, quotes and code keep their line breaks."""
    if any(_STRUCTURED_LINE_RE.match(line) for line in lines):
        return "\n".join(line.rstrip() for line in lines).strip("\n")
    return " ".join(line.strip() for line in lines)


def _clean_heading(text: str) -> str:
    """Heading text without surrounding emphasis markers."""
    return re.sub(r"^[*_]+|[*_]+$", "", text.strip()).strip()


def _load_markdown(path: Path, data: bytes) -> Document:
    """Front matter to metadata; paragraphs to blocks, each under its nearest heading."""
    text = _decode(data)
    meta, body = _front_matter(text)
    fields = _metadata(meta, DocType.unknown)
    items: list[tuple[str, Optional[str], None]] = []
    section: Optional[str] = None
    first_h1: Optional[str] = None
    para: list[str] = []
    fence: Optional[str] = None

    def flush() -> None:
        if para:
            paragraph = _paragraph_text(para)
            if paragraph.strip():
                items.append((paragraph, section, None))
            para.clear()

    for line in body.split("\n"):
        stripped = line.strip()
        if fence:  # inside a code block, '#' lines and blank lines are content
            para.append(line)
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            para.append(line)
            continue
        heading = _HEADING_RE.match(line)
        if heading and heading.group(2) and _clean_heading(heading.group(2)):
            flush()
            heading_text = _clean_heading(heading.group(2))
            if len(heading.group(1)) == 1 and first_h1 is None:
                first_h1 = heading_text
                if not items:  # the title heading is not body text and opens no section
                    section = None
                    continue
            section = heading_text
            continue
        if not stripped:
            flush()
        else:
            para.append(line)
    flush()
    if not items:
        raise LoadError("no body text (only front matter or headings)")
    digest = hashlib.sha256(data).hexdigest()
    fields["title"] = fields["title"] or first_h1 or path.stem
    return Document(doc_id=doc_id_for(path, digest), source=str(path), content_hash=digest,
                    blocks=make_blocks(items), **fields)


def _load_text(path: Path, data: bytes) -> Document:
    """Paragraphs (split on blank lines) to blocks; a short first line is the title."""
    text = _decode(data)
    hyphenated = hyphenated_words(text)
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    items = [(join_lines([ln.strip() for ln in p.split("\n") if ln.strip()], hyphenated), None, None)
             for p in paragraphs]
    first_line = next(ln.strip() for ln in text.split("\n") if ln.strip())
    title = first_line if len(first_line) <= 150 and len(first_line.split()) <= 25 else path.stem
    digest = hashlib.sha256(data).hexdigest()
    return Document(doc_id=doc_id_for(path, digest), source=str(path), title=title, content_hash=digest,
                    blocks=make_blocks(items))
