"""Chunking: section-aware, on sentence boundaries, with overlap.

A chunk never spans two sections, never cuts a sentence (unless one sentence alone is longer
than the chunk size), and repeats up to `overlap` characters of trailing sentences from the
previous chunk. Reference lists are kept but marked `is_reference`, so they never crowd out
findings in retrieval.

Sentences come from `reviewer.text.split_sentences`, a small regular-expression splitter of
our own: pysbd is accurate but takes about a millisecond a sentence (a minute on SciFact),
nltk's punkt needs a data download this tool cannot make offline, and blingfire is unmaintained.
"""

from __future__ import annotations

import re
from typing import Iterator

from reviewer.models import Block, Chunk, Document
from reviewer.text import split_sentences

_REFERENCE_SECTION = re.compile(r"^\s*(\d+(\.\d+)*\.?\s*)?(references|bibliography|works cited|literature cited)\b", re.I)
_CITATION_LINE = re.compile(r"(\bdoi\b|10\.\d{4,9}/|\bet al\b|\bPMC ?\d+|\bpubmed\b)", re.I)


def is_reference_section(section: str | None) -> bool:
    """Whether a section heading names a reference list."""
    return bool(section and _REFERENCE_SECTION.match(section))


def looks_like_references(text: str) -> bool:
    """Whether a block reads as a run of bibliography entries rather than prose."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 3 or max(len(ln) for ln in lines) > 600:  # prose paragraphs are long single lines
        return False
    hits = sum(1 for ln in lines if _CITATION_LINE.search(ln))
    return hits / len(lines) >= 0.6


def _pieces(block: Block, size: int) -> Iterator[tuple[int, int]]:
    """Sentence spans of a block, with over-long sentences cut at word boundaries."""
    for s, e in split_sentences(block.text):
        while e - s > size:
            cut = block.text.rfind(" ", s, s + size)
            cut = cut if cut > s else s + size
            yield s, cut
            s = cut + 1
        yield s, e


def chunk_document(doc: Document, size: int = 900, overlap: int = 150) -> list[Chunk]:
    """Split a document's blocks into chunks.

    Args:
        doc: a loaded document.
        size: target chunk size in characters.
        overlap: characters of trailing sentences carried into the next chunk of the same section.

    Returns:
        Chunks in document order, with ids `{doc_id}:{hash8}:{n}`.
    """
    chunks: list[Chunk] = []
    # Group consecutive blocks by section and kind (and page, so a chunk's page is exact):
    # a caption is never packed with running text.
    groups: list[list[Block]] = []
    for block in doc.blocks:
        head = groups[-1][0] if groups else None
        if head and (head.section, head.page, head.kind) == (block.section, block.page, block.kind):
            groups[-1].append(block)
        else:
            groups.append([block])

    for group in groups:
        section = group[0].section
        sentences: list[tuple[int, int, str, int]] = []  # absolute start, end, text, paragraph
        for b, block in enumerate(group):
            for s, e in _pieces(block, size):
                sentences.append((block.start + s, block.start + e, block.text[s:e], b))
        reference = is_reference_section(section) or all(looks_like_references(b.text) for b in group)
        _pack(doc, group[0], sentences, size, overlap, reference, chunks)
    return chunks


def _pack(doc: Document, first: Block, sentences: list[tuple[int, int, str, int]], size: int, overlap: int,
          reference: bool, out: list[Chunk]) -> None:
    """Greedily pack sentences into chunks of at most `size` characters, with overlap.

    A chunk that is already substantial ends at a paragraph boundary rather than taking the
    start of the next paragraph (paragraphs of a review usually report one study each), and
    overlap never reaches back across a paragraph boundary.
    """
    i = 0
    while i < len(sentences):
        j = i
        length = 0
        while j < len(sentences) and (j == i or length + 1 + len(sentences[j][2]) <= size):
            if j > i and sentences[j][3] != sentences[j - 1][3] and length >= size * 0.4:
                break
            length += len(sentences[j][2]) + (1 if j > i else 0)
            j += 1
        part = sentences[i:j]
        text = " ".join(p[2] for p in part)
        out.append(
            Chunk(
                chunk_id=f"{doc.doc_id}:{doc.content_hash[:8]}:{len(out)}",
                doc_id=doc.doc_id,
                source=doc.source,
                title=doc.title,
                section=first.section,
                page=first.page,
                start=part[0][0],
                end=part[-1][1],
                text=text,
                is_reference=reference,
                kind=first.kind,
                doc_type=doc.doc_type,
                year=doc.year,
            )
        )
        if j >= len(sentences):
            break
        # Step back over trailing sentences of the same paragraph that fit in the overlap.
        back, carried = j, 0
        while (back - 1 > i and sentences[back - 1][3] == sentences[j][3]
               and carried + len(sentences[back - 1][2]) <= overlap):
            back -= 1
            carried += len(sentences[back][2])
        i = back
