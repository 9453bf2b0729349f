"""PDF text quality: citations, captions, spaces, hyphens and sections, on real papers and on PDFs made here.

The two made PDFs (tests/fixtures/make_fixtures.py) hold each defect a PDF text layer can
cause: superscript citations, a caption set between the two halves of a sentence, words
hyphenated at line ends, two columns, bold subheadings and a drop cap. The six LitQA2 papers
are real ones; their chunks must be free of the same defects.
"""

from __future__ import annotations

import json
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
    assert all(c.section for c in body), [c.text[:60] for c in body if not c.section]
    assert body[0].section == "Front matter"
    first = next(c for c in body if c.section != "Front matter")
    assert first.section == "Abstract" and first.page <= 2  # printed with a heading or without one
    front = " ".join(" ".join(c.text.split()) for c in body if c.section == "Front matter")
    assert " ".join(paper.title.split()) in front  # the title stays citable text
    sections = {c.section.split(" › ")[0].lower() for c in body}
    assert len(sections) >= 6


UNHEADED_OPENINGS = {  # papers that print their abstract (and one its introduction) without a heading
    "s12276-023-01094-x.pdf": [("Ubiquitously expressed aminoacyl-tRNA synthetases", "Abstract"),
                               ("Experimental & Molecular Medicine (2023)", "Front matter"),
                               ("A healthy human body requires", "Introduction")],
    "s41467-024-44806-1.pdf": [("The archaeal ancestor of eukaryotes", "Abstract"),
                               ("Phylogenomic studies of Asgard archaea", "Introduction"),
                               ("The elongation factor 1A (EF-1A) in archaea", "Introduction"),
                               ("Received: 1 April 2023", "Front matter")],  # set beside the Results
}


@pytest.mark.parametrize("name", sorted(UNHEADED_OPENINGS))
def test_litqa2_an_abstract_printed_without_a_heading_is_the_abstract(name: str) -> None:
    body = _body_chunks(name)
    for opening, section in UNHEADED_OPENINGS[name]:
        assert [c.section for c in body if c.text.startswith(opening)] == [section], opening


@pytest.mark.parametrize("bold", [True, False], ids=["bold abstract", "abstract in the body font"])
def test_an_abstract_without_a_heading_is_told_from_the_front_matter(bold: bool, tmp_path: Path) -> None:
    path = tmp_path / "unheaded.pdf"
    path.write_bytes(make_fixtures.unheaded_abstract_pdf(bold_abstract=bold))
    blocks = [(b.section, b.text) for b in _load(path).blocks]
    assert blocks[:3] == [("Front matter", "Grip Strength Predicts Memory Decline in Older Adults"),
                          ("Front matter", "Ann Author [1], Ben Author [2]"),
                          ("Front matter", "1 Department of Physiology, Example University, Exampletown "
                                           "2 Institute of Ageing, Example Hospital, Exampletown")]
    abstract = [text for section, text in blocks if section == "Abstract"]
    assert [text.split()[:3] for text in abstract] == [["Older", "adults", "who"], ["Stronger", "adults", "recalled"]]
    assert abstract[1].endswith("a trial of strength training could test.")  # its bold lines are no headings
    introduction = [text for section, text in blocks if section == "Introduction"]
    assert len(introduction) == 6 and introduction[0].startswith("Muscle mass and strength decline")
    assert [section for section, text in blocks if text.startswith("Each additional kilogram")] == ["Results"]
    citation_line = [section for section, text in blocks if text.startswith("Journal of Examples")]
    assert citation_line == ([] if bold else ["Front matter"])


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
        # a subsection's first paragraph is opened by its heading
        led = f"{section.split(' › ')[1]}. {opening}" if " › " in section else opening
        assert [c.section for c in chunks if c.text.startswith(led)] == [section]


PRINTED_RESULTS_HEADINGS = {  # the Results subheadings each paper prints, in order, read off its pages
    "biorxiv-2024.02.13.580051.pdf": [  # double-spaced: two of them wrap onto a second line
        "Drosophila rev1 mutants are hypersensitive to damaging agents that stall replication forks",
        "Loss of REV1 induces double-strand breaks and chromosome aberrations in MMS-treated larval tissues",
        "Translesion polymerases eta and zeta promote damage tolerance partially independent of the REV1 "
        "C-terminal interaction domain",
        "The deoxycytidyl transferase activity of REV1 becomes important when TLS is compromised"],
    "msphere.00109-24.pdf": [  # its figures carry bold titles and large labels that are not headings
        "A. lwoffii is more susceptible to a broad range of antibiotics than A. baumannii",
        "A. lwoffii carries fewer ARGs than A. baumannii",
        "A. lwoffii and A. baumannii possess similar genomic signatures of horizontal gene transfer, "
        "but A. lwoffii contains more DNA defense systems",
        "A. baumannii readily evolved resistance to meropenem, ciprofloxacin, and gentamicin, "
        "but A. lwoffii only evolved resistance to ciprofloxacin",
        "A. lwoffii forms less biofilm, and the biofilm is more susceptible to antibiotics and biocides "
        "than those formed by A. baumannii",
        "A. lwoffii has a longer cell morphology than A. baumannii",
        "A. baumannii grows more readily in both LB and human serum than A. lwoffii",
        "A. baumannii is more virulent than A. lwoffii in vivo and in vitro"],
    "s41467-024-44806-1.pdf": [  # a figure's bold "Domain 2"/"Domain 3" labels are not headings
        "Phylogenetic analysis of Asgard EF-1A",
        "Reconstruction of ancestral EF-1A of the last Asgard ancestor of eukaryotes",
        "Analysis of the OGT evolution in Asgardarchaeota"],
}


def _body_chunks(name: str):
    return [c for c in chunk_document(_load(LITQA2_PDFS / name)) if not c.is_reference and c.kind is BlockKind.body]


def _in_order(sections) -> list:
    seen: list = []
    for section in sections:
        if section not in seen:
            seen.append(section)
    return seen


@pytest.mark.parametrize("name", sorted(PRINTED_RESULTS_HEADINGS))
def test_litqa2_results_subsections_are_the_printed_headings(name: str) -> None:
    sections = [c.section for c in _body_chunks(name) if (c.section or "").lower().startswith("results › ")]
    assert _in_order(s.split(" › ", 1)[1] for s in sections) == PRINTED_RESULTS_HEADINGS[name]


def test_an_introduction_printed_without_a_heading_follows_the_abstract() -> None:
    """mSphere sets ABSTRACT, IMPORTANCE and KEYWORDS as run-in labels and prints no Introduction heading."""
    body = _body_chunks("msphere.00109-24.pdf")
    tops = _in_order((c.section or "").split(" › ")[0] for c in body)
    assert tops[:7] == ["Front matter", "Abstract", "Importance", "Keywords", "Introduction", "Materials and methods",
                        "Results"]
    assert [c.section for c in body if c.text.startswith("Acinetobacter spp. are Gram-negative")] == ["Introduction"]
    assert not any("Downloaded from" in c.text or "journals.asm" in c.text for c in body)  # the margin's stamp
    # the editor, dates and licence printed in the first page's margin column are front matter, not introduction
    assert {c.section for c in body if "Received 10 February 2024" in c.text or "Editor Paul" in c.text} == {"Front matter"}
    assert [c.section for c in body if c.text.startswith("The two species")] == ["Abstract"]


def test_a_retrieved_caption_is_shown_as_a_caption(two_column: Document, real_embedder, tmp_path: Path) -> None:
    """A PDF's figure caption keeps its kind through a Chroma store on disk, in `Passage`, the table and the JSON."""
    from typer.testing import CliRunner

    from reviewer.api import Reviewer
    from reviewer.cli import app
    from reviewer.settings import Settings

    pdf = tmp_path / "two_column.pdf"
    pdf.write_bytes(make_fixtures.two_column_pdf())
    reviewer = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=real_embedder)
    assert not reviewer.ingest([pdf]).failures
    question = "What does each point in the grip strength and recall figure show?"
    passages = reviewer.retrieve(question, k=3)
    [caption] = [p for p in passages if p.text.startswith("Fig. 1")]
    assert caption.kind is BlockKind.caption and caption.location.startswith("Figure 1 caption, ")
    assert all(p.kind is BlockKind.body for p in passages if p is not caption)

    env = {"COLUMNS": "250", "REVIEWER_EMBEDDING__MODEL": "hash-256"}  # the CLI's own store, with the fast embedder
    store = str(tmp_path / "cli-store")
    assert runner_ok(CliRunner().invoke(app, ["ingest", str(pdf), "--store", store], env=env))
    shown = runner_ok(CliRunner().invoke(app, ["ask", question, "--store", store, "-k", "8"], env=env))
    assert "Figure 1 caption" in shown
    dumped = json.loads(runner_ok(CliRunner().invoke(app, ["ask", question, "--store", store, "-k", "8", "--json"], env=env)))
    kinds = {p["text"][:6]: p["kind"] for p in dumped["passages"]}
    assert kinds["Fig. 1"] == "caption" and set(kinds.values()) == {"body", "caption"}


def runner_ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def test_a_store_written_without_block_kinds_reads_as_body_text() -> None:
    from reviewer.retrieval.store import passage_from

    old = passage_from("d:1:0", "Fig. 1 Grip strength and recall.", {"doc_id": "d", "section": "Results", "page": 2})
    assert old.kind is BlockKind.body and old.location == "Results, p. 2"
