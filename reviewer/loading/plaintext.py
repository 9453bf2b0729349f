"""Plain text: paragraphs split on blank lines, wrapped lines rejoined; a short first line is the title."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from reviewer.loading.base import decode, doc_id_for, make_blocks
from reviewer.loading.words import Vocabulary, join_lines
from reviewer.models import Document, IngestFailure


def load_text(path: Path, data: bytes) -> tuple[list[Document], list[IngestFailure]]:
    """Paragraphs (split on blank lines) to blocks; a short first line is the title."""
    text = decode(data)
    vocabulary = Vocabulary(text)
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    items = [(join_lines([ln.strip() for ln in p.split("\n") if ln.strip()], vocabulary), None, None)
             for p in paragraphs]
    first_line = next(ln.strip() for ln in text.split("\n") if ln.strip())
    title = first_line if len(first_line) <= 150 and len(first_line.split()) <= 25 else path.stem
    digest = hashlib.sha256(data).hexdigest()
    return [Document(doc_id=doc_id_for(path, digest), source=str(path), title=title, content_hash=digest,
                     blocks=make_blocks(items))], []
