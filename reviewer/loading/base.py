"""What every format's loader shares: the error type, decoding bytes to text, document ids, located blocks."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path
from typing import Callable, Iterable

from reviewer.models import Block, BlockKind, Document, IngestFailure

#: A format's loader: the file's path and bytes in, its documents and per-record failures out.
Loader = Callable[[Path, bytes], tuple[list[Document], list[IngestFailure]]]


class LoadError(Exception):
    """A file cannot be loaded; the message is the reason shown to the user."""


def slugify(text: str) -> str:
    """Lowercase ASCII slug of [a-z0-9-], e.g. 'My Paper (2020)' -> 'my-paper-2020'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def doc_id_for(path: Path, digest: str) -> str:
    """Document id of a file: the slug of its name without extension (its hash if that is empty)."""
    return slugify(path.stem) or f"doc-{digest[:12]}"


def make_blocks(items: Iterable[tuple]) -> list[Block]:
    """Blocks with offsets into the document text (the blocks joined by blank lines).

    Each item is (text, section, page), or (text, section, page, kind) for a caption.
    """
    blocks, pos = [], 0
    for text, section, page, *kind in items:
        blocks.append(Block(text=text, section=section, page=page, start=pos, kind=kind[0] if kind else BlockKind.body))
        pos += len(text) + 2
    return blocks


def decode(data: bytes) -> str:
    """Text of a file's bytes, or a LoadError saying why it is not text."""
    if not data:
        raise LoadError("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise LoadError("not valid UTF-16 text despite its byte-order mark") from None
    elif b"\x00" in data:
        raise LoadError("binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")  # also plain UTF-8
        except UnicodeDecodeError as exc:
            raise LoadError(
                f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save it as UTF-8"
            ) from None
    if not text.strip():
        raise LoadError("empty file (only whitespace)")
    return text.replace("\r\n", "\n").replace("\r", "\n")
