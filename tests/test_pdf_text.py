"""PDF text quality: citations, captions, spaces, hyphens and sections, on real papers and on PDFs made here.

The two made PDFs (tests/fixtures/make_fixtures.py) hold each defect a PDF text layer can
cause: superscript citations, a caption set between the two halves of a sentence, words
hyphenated at line ends, two columns, bold subheadings and a drop cap. The six LitQA2 papers
are real ones; their chunks must be free of the same defects.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, LITQA2_PDFS
from reviewer.ingest.chunking import chunk_document
from reviewer.loading import load
from reviewer.loading.quality import text_defects
from reviewer.loading.words import Vocabulary
from reviewer.models import BlockKind, Document

sys.path.insert(0, str(FIXTURES))
import make_fixtures  # noqa: E402

LITQA2 = sorted(LITQA2_PDFS.glob("*.pdf"))


def _load(path: Path) -> Document:
    docs, failures = load(path)
    assert failures == []
    return docs[0]


def _defects(doc: Document):
    chunks = chunk_document(doc)
    body = [c.text for c in chunks if not c.is_reference and c.kind is BlockKind.body]
    captions = [b.text for b in doc.blocks if b.kind is BlockKind.caption]
    return chunks, text_defects(body, captions, Vocabulary("\n".join(b.text for b in doc.blocks)))


@pytest.fixture(scope="module")
def two_column(tmp_path_factory) -> Document:
    path = tmp_path_factory.mktemp("pdf") / "two_column.pdf"
    path.write_bytes(make_fixtures.two_column_pdf())
    return _load(path)


def test_superscripts_become_citation_markers(two_column: Document) -> None:
    text = "\n".join(b.text for b in two_column.blocks)
    assert "poorer memory [1,2]. Myokines" in text
    assert "(r = 0.31) [5–7]. The" in text and "120 adults [8]." in text
    assert _defects(two_column)[1].glued_citations == []


def test_a_caption_is_its_own_block_and_the_sentence_around_it_stays_whole(two_column: Document) -> None:
    [caption] = [b for b in two_column.blocks if b.kind is BlockKind.caption]
    assert caption.text == "Fig. 1 Grip strength and recall in the cohort. Each point is one participant; the line is a linear fit."
    chunks, defects = _defects(two_column)
    assert defects.captions_in_body == []
    assert any("whereas the resting cells keep it apart [4]" in c.text for c in chunks if c.kind is BlockKind.body)
    assert [c.kind for c in chunks if c.text.startswith("Fig. 1")] == [BlockKind.caption]


def test_hyphens_are_undone_only_inside_words(two_column: Document) -> None:
    text = "\n".join(b.text for b in two_column.blocks)
    assert "the molecular basis" in text  # "mole-" + "cular"
    assert "codon-optimized" in text  # two words: the hyphen stays
    assert "pre-GAIT complex" in text and "muscle-brain link" in text


def test_two_columns_read_in_order_with_sections_and_subsections(two_column: Document) -> None:
    chunks, _ = _defects(two_column)
    where = {word: c.section for c in chunks for word in ("poorer memory", "kilogram", "Walking speed was", "dynamometer")
             if word in c.text}
    assert where == {"poorer memory": "1. Introduction", "kilogram": "2. Results › Grip strength predicts recall",
                     "Walking speed was": "2. Results › Walking speed does not", "dynamometer": "3. Methods › Dynamometry"}
    assert [c.is_reference for c in chunks if "doi:10.1234/test.1" in c.text] == [True]


def test_a_drop_cap_joins_its_word(tmp_path: Path) -> None:
    path = tmp_path / "drop_cap.pdf"
    path.write_bytes(make_fixtures.drop_cap_pdf())
    doc = _load(path)
    assert [(b.section, b.text[:40]) for b in doc.blocks[1:]] == [
        ("Background", "Acinetobacter species persist in hospita"), ("Findings", "Twelve of forty sinks carried Acinetobac")]
    assert "meropenem [15]. Replacing" in doc.blocks[2].text


@pytest.fixture(scope="module", params=[p.name for p in LITQA2])
def paper(request) -> Document:
    return _load(LITQA2_PDFS / request.param)


def test_litqa2_chunks_are_free_of_text_defects(paper: Document) -> None:
    chunks, defects = _defects(paper)
    assert defects.glued_citations == []
    assert defects.captions_in_body == []
    assert defects.hyphen_residues == []
    assert defects.glued_per_10k < 1.0, (defects.glued_words, defects.run_together)
    assert any(b.kind is BlockKind.caption and b.text.lower().startswith(("fig", "table")) for b in paper.blocks)


def test_litqa2_body_chunks_have_sections(paper: Document) -> None:
    chunks, _ = _defects(paper)
    body = [c for c in chunks if not c.is_reference and c.kind is BlockKind.body]
    first = next(i for i, c in enumerate(body) if c.section)  # front matter, and an introduction printed without a heading, come before
    assert all(c.section for c in body[first:])
    sections = {c.section.split(" › ")[0].lower() for c in body[first:]}
    assert len(sections) >= 5


SECTION_SPOT_CHECKS = {  # a sentence opening of the paper, and the heading printed above it
    "s12276-023-01094-x.pdf": [("Inflammation is a biological defense mechanism", "RESOLUTION OF INFLAMMATION"),
                               ("The first noncanonical function of EPRS1",
                                "RESOLUTION OF INFLAMMATION › GAIT complex-mediated silencing of inflammatory genes")],
    "s12915-024-01918-w.pdf": [("High frequency of the random indels", "Results › Assessment of error‑prone NHEJ of EXO editor")],
}


@pytest.mark.parametrize("name", sorted(SECTION_SPOT_CHECKS))
def test_litqa2_sections_match_the_printed_headings(name: str) -> None:
    chunks = chunk_document(_load(LITQA2_PDFS / name))
    for opening, section in SECTION_SPOT_CHECKS[name]:
        assert [c.section for c in chunks if c.text.startswith(opening)] == [section]
