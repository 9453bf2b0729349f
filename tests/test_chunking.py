"""Chunking promises: within one section, whole sentences, bounded overlap, reference lists marked."""

from __future__ import annotations

import random

import pytest

from reviewer.ingest.chunking import chunk_document, looks_like_references
from reviewer.models import Block, Document
from reviewer.text import split_sentences

WORDS = ("muscle brain training memory older adults cognition trial effect strength irisin BDNF weeks "
         "participants improved executive function resistance exercise cohort").split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 24))]
    return f"Finding {n} shows " + " ".join(words) + "."


def _document(seed: int) -> Document:
    """A document of several sections and paragraphs, every sentence numbered so it can be found again."""
    rng = random.Random(seed)
    blocks, offset, n = [], 0, 0
    for section in ("Introduction", "Methods", "Results", "Discussion"):
        for _ in range(rng.randint(1, 4)):
            sentences = []
            for _ in range(rng.randint(1, 9)):
                sentences.append(_sentence(rng, n))
                n += 1
            text = " ".join(sentences)
            blocks.append(Block(text=text, section=section, page=None, start=offset))
            offset += len(text) + 2
    return Document(doc_id=f"doc{seed}", source=f"doc{seed}.md", title="A synthetic paper", blocks=blocks,
                    content_hash=f"{seed:064d}")


def _sentences_of(doc: Document) -> dict[str, str]:
    """Each sentence of the document with its section."""
    out = {}
    for block in doc.blocks:
        for s, e in split_sentences(block.text):
            out[block.text[s:e]] = block.section
    return out


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("size, overlap", [(300, 60), (500, 150), (900, 150)])
def test_chunks_keep_sections_and_whole_sentences(seed, size, overlap):
    doc = _document(seed)
    known = _sentences_of(doc)
    chunks = chunk_document(doc, size=size, overlap=overlap)
    covered: set[str] = set()
    for chunk in chunks:
        pieces = [chunk.text[s:e] for s, e in split_sentences(chunk.text)]
        assert pieces, chunk.text
        for piece in pieces:
            assert piece in known, f"a cut sentence: {piece!r}"
            assert known[piece] == chunk.section, "a chunk spans two sections"
            covered.add(piece)
        assert len(chunk.text) <= size or len(pieces) == 1
    assert covered == set(known), "every sentence is in some chunk"


@pytest.mark.parametrize("seed", range(12))
def test_overlap_repeats_at_most_the_overlap_and_only_within_a_section(seed):
    doc = _document(seed)
    chunks = chunk_document(doc, size=400, overlap=120)
    for before, after in zip(chunks, chunks[1:]):
        shared = [s for s in (after.text[a:b] for a, b in split_sentences(after.text)) if s in before.text]
        if after.section != before.section:
            assert shared == []
        assert sum(len(s) for s in shared) <= 120
        assert after.start >= before.start  # chunks advance through the document


def test_overlap_zero_repeats_nothing():
    doc = _document(3)
    chunks = chunk_document(doc, size=300, overlap=0)
    seen: set[str] = set()
    for chunk in chunks:
        pieces = {chunk.text[s:e] for s, e in split_sentences(chunk.text)}
        assert not pieces & seen
        seen |= pieces


def test_a_sentence_longer_than_a_chunk_is_cut_at_word_boundaries():
    words = " ".join(f"word{i}" for i in range(300)) + "."
    doc = Document(doc_id="long", source="long.txt", blocks=[Block(text=words, section="Body")], content_hash="0" * 64)
    chunks = chunk_document(doc, size=200, overlap=0)
    assert len(chunks) > 1 and all(len(c.text) <= 200 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == words.split()


def test_reference_lists_are_marked_by_heading_or_by_shape():
    refs = "\n".join(f"{i}. Smith J, et al. A study of things. J Med. 2020;{i}:1-9. doi:10.1000/xyz{i}"
                     for i in range(1, 8))
    prose = "Resistance training improved memory in older adults. The effect was small but consistent."
    doc = Document(doc_id="r", source="r.md", content_hash="1" * 64, blocks=[
        Block(text=prose, section="Results", start=0),
        Block(text=refs, section="References", start=200),
        Block(text=refs, section="Appendix", start=2000),
    ])
    marks = {c.section: c.is_reference for c in chunk_document(doc)}
    assert marks == {"Results": False, "References": True, "Appendix": True}
    assert looks_like_references(refs) and not looks_like_references(prose)
