"""Markdown: YAML front matter to metadata, paragraphs to blocks under their nearest heading."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Optional

from reviewer.loading.base import LoadError, decode, doc_id_for, make_blocks
from reviewer.loading.metadata import record_metadata
from reviewer.models import DocType, Document, IngestFailure

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


def load_markdown(path: Path, data: bytes) -> tuple[list[Document], list[IngestFailure]]:
    """Front matter to metadata; paragraphs to blocks, each under its nearest heading."""
    text = decode(data)
    meta, body = _front_matter(text)
    fields = record_metadata(meta, DocType.unknown)
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
    return [Document(doc_id=doc_id_for(path, digest), source=str(path), content_hash=digest,
                     blocks=make_blocks(items), **fields)], []
