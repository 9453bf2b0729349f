"""Loading files into Documents: good files load with their structure, bad ones fail with one clear reason."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
import yaml

from reviewer.loading import SUPPORTED_SUFFIXES, discover, file_hash, load
from reviewer.loading.words import Vocabulary, join_lines
from reviewer.models import DocType, Document

from conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
CORPUS_REVIEW = ROOT / "corpus" / "resistance-training-cognition-muscle-brain-axis-review.md"
BENCHMARKS = SHARED / "benchmarks"
LITQA_PDFS = BENCHMARKS / "litqa2" / "pdfs"
SCIFACT = BENCHMARKS / "scifact" / "corpus.jsonl"

UNSUPPORTED_DOCX = "unsupported file type '.docx' (supported: .pdf, .md, .markdown, .txt, .jsonl, .bib, .ris, .json (CSL-JSON), a Zotero data directory)"
GOOD_FILES = ["grip_strength.pdf", "rt_memory.md", "exercise_notes.txt", "abstracts.jsonl"]
BAD_FILES = {
    "empty.txt": "empty file",
    "binary.txt": "binary file, not text",
    "latin1.txt": "not valid UTF-8 text (byte 0xe9 at offset 3); re-save it as UTF-8",
    "encrypted.pdf": "encrypted PDF: cannot read without a password",
    "image_only.pdf": "no extractable text (scanned or image-only PDF? run OCR first)",
    "notes.docx": UNSUPPORTED_DOCX,
}


def _text(doc: Document) -> str:
    return "\n\n".join(block.text for block in doc.blocks)


def _assert_offsets(doc: Document) -> None:
    text = _text(doc)
    for block in doc.blocks:
        assert text[block.start:block.start + len(block.text)] == block.text


def _load_one(path: Path) -> Document:
    docs, failures = load(path)
    assert failures == [], failures
    assert len(docs) == 1
    _assert_offsets(docs[0])
    return docs[0]


@pytest.fixture()
def fixture_dir(tmp_path: Path) -> Path:
    """A folder of the checked-in fixtures, good and bad, as a user would point ingest at it."""
    for name in GOOD_FILES + list(BAD_FILES) + ["corrupt.pdf"]:
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


# --------------------------------------------------------------------------- bad inputs


def test_each_bad_input_fails_once_with_its_reason_while_the_others_load(fixture_dir: Path) -> None:
    files, failures = discover([fixture_dir])
    docs = []
    for path in files:
        loaded, failed = load(path)
        docs += loaded
        failures += failed
    by_file: dict[str, list[str]] = {}
    for failure in failures:
        by_file.setdefault(Path(failure.path).name, []).append(failure.reason)

    for name, reason in BAD_FILES.items():
        assert by_file.pop(name) == [reason]
    [corrupt] = by_file.pop("corrupt.pdf")
    assert corrupt.startswith("corrupt or unreadable PDF (")
    [bad_line] = by_file.pop("abstracts.jsonl")
    assert bad_line.startswith("line 2: invalid JSON (")
    assert by_file == {}

    sources = {Path(d.source.split("#")[0]).name for d in docs}
    assert sources == set(GOOD_FILES)
    assert sorted(d.doc_id for d in docs if d.source.startswith(str(fixture_dir / "abstracts.jsonl"))) == [
        "101", "3456789"]


def test_a_missing_path_and_an_unsupported_file_given_directly(tmp_path: Path) -> None:
    files, failures = discover([tmp_path / "missing.pdf", FIXTURES / "notes.docx"])
    assert files == []
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        ("missing.pdf", "no such file or directory"), ("notes.docx", UNSUPPORTED_DOCX)]
    assert load(FIXTURES / "notes.docx") == ([], failures[1:])
    assert load(tmp_path / "missing.md")[1][0].reason == "no such file or directory"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("blank.md", b"  \n\n\t\n", "empty file (only whitespace)"),
        ("page.pdf", b"<html><body>Not found</body></html>",
         "not a PDF file (no %PDF- header; is it another format renamed to .pdf?)"),
        ("empty.pdf", b"", "empty file"),
        ("empty.jsonl", b"", "empty file"),
        ("headings.md", b"---\ntitle: T\n---\n\n# T\n\n## Only headings\n",
         "no body text (only front matter or headings)"),
        ("nul.md", b"# Title\n\nText\x00more", "binary file, not text"),
    ],
)
def test_more_bad_inputs_name_the_problem(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    docs, failures = load(path)
    assert docs == []
    assert [(f.path, f.reason) for f in failures] == [(str(path), reason)]


def test_broken_front_matter_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\n\nBody text.\n")
    docs, [failure] = load(path)
    assert docs == []
    assert failure.reason.startswith("invalid YAML front matter")


def test_truncated_pdf_fails_cleanly(tmp_path: Path) -> None:
    data = (FIXTURES / "grip_strength.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    docs, [failure] = load(path)
    assert docs == []
    assert failure.reason.startswith("corrupt or unreadable PDF (")


def test_a_sloppy_but_readable_pdf_loads_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    data = (FIXTURES / "grip_strength.pdf").read_bytes()
    sloppy = re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n" + str(int(m.group(1)) + 7).encode(), data)
    path = tmp_path / "sloppy.pdf"
    path.write_bytes(sloppy)  # a wrong xref offset: pypdf recovers, and logs warnings unless silenced
    with caplog.at_level(logging.DEBUG):
        doc = _load_one(path)
    assert doc.title == "Grip Strength and Memory in Older Adults" and len(doc.blocks) == 7
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []
    assert capfd.readouterr().err == ""


# --------------------------------------------------------------------------- discovery and hashing


def test_discover_walks_folders_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".reviewer").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ["b/two.md", "a/one.txt", "a/z.jsonl", "top.pdf", ".reviewer/x.md", ".git/y.txt", ".hidden.md"]:
        (tmp_path / rel).write_text("x")
    (tmp_path / "a" / "figure.png").write_bytes(b"\x89PNG")
    files, failures = discover([tmp_path, tmp_path / "a" / "one.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["top.pdf", "a/one.txt", "a/z.jsonl", "b/two.md"]
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        ("figure.png", "unsupported file type '.png' (supported: .pdf, .md, .markdown, .txt, .jsonl, .bib, .ris, .json (CSL-JSON), a Zotero data directory)")]
    assert SUPPORTED_SUFFIXES == {".pdf", ".md", ".markdown", ".txt", ".jsonl", ".bib", ".bibtex", ".ris", ".json", ".sqlite"}


def test_file_hash_is_the_sha256_of_the_bytes_and_the_content_hash() -> None:
    path = FIXTURES / "rt_memory.md"
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_hash(path) == expected
    assert _load_one(path).content_hash == expected


# --------------------------------------------------------------------------- markdown and text


def test_markdown_front_matter_and_sections() -> None:
    doc = _load_one(FIXTURES / "rt_memory.md")
    assert doc.doc_id == "rt-memory"
    assert doc.title == "Resistance Training and Memory: A Tiny Fixture"
    assert doc.authors == ["Ann Author", "Ben Author"]
    assert doc.doi == "10.5555/fixture.md.42"
    assert (doc.date, doc.year, doc.url) == ("2023-05-04", 2023, "https://example.org/fixture")
    assert doc.doc_type is DocType.review
    sections = [(b.section, b.text.split("\n")[0][:30]) for b in doc.blocks]
    assert sections == [
        (None, "A lead paragraph before any se"),
        ("1. Background", "Older adults lose muscle mass,"),
        ("1.1. Myokines", "Irisin and BDNF are candidate "),
        ("1.1. Myokines", "- irisin"),
        ("2. Evidence", "```"),
        ("2. Evidence", "A randomized controlled trial "),
    ]
    assert doc.blocks[0].text == "A lead paragraph before any section, written across two lines of the source file."
    assert doc.blocks[3].text == "- irisin\n- BDNF\n- IL-6"
    assert "Tiny Fixture" not in _text(doc)  # the H1 title is not body text


def test_markdown_title_falls_back_to_h1_then_stem(tmp_path: Path) -> None:
    with_h1 = tmp_path / "My Notes (v2).md"
    with_h1.write_text("# The Real Title\n\nSome text.\n\n# Second Part\n\nMore text.\n")
    doc = _load_one(with_h1)
    assert (doc.title, doc.doc_id, doc.doc_type) == ("The Real Title", "my-notes-v2", DocType.unknown)
    assert [(b.section, b.text) for b in doc.blocks] == [(None, "Some text."), ("Second Part", "More text.")]
    bare = tmp_path / "bare.markdown"
    bare.write_text("---\nyear: '2019'\ndoc_type: blog post\nauthors: [A. One, B. Two]\n---\nJust text.\n")
    doc = _load_one(bare)
    assert (doc.title, doc.year, doc.doc_type, doc.authors) == ("bare", 2019, DocType.unknown, ["A. One", "B. Two"])


def test_real_corpus_markdown_sections_and_metadata() -> None:
    doc = _load_one(CORPUS_REVIEW)
    front = yaml.safe_load(CORPUS_REVIEW.read_text(encoding="utf-8").split("---")[1])
    assert doc.title == front["title"]
    assert doc.authors == front["authors"]
    assert doc.doi == front["doi"]
    assert doc.date == str(front["date"]) and doc.year == int(str(front["date"])[:4])
    assert doc.doc_type is DocType(front["doc_type"])
    assert doc.journal == front["journal"] == "Biology"
    [eckardt] = [b for b in doc.blocks if "Eckardt et al." in b.text]
    assert eckardt.section == "3.1. Naturally Aging Older Adult Population"
    sections = {b.section for b in doc.blocks}
    assert {"1. Introduction", "4.1. Cross-Sectional Evidence", "6.2. Practical Recommendations, Safety, and "
            "Population-Specific Considerations", "References"} <= sections
    assert not any(b.text.startswith("#") for b in doc.blocks)
    assert all(front["title"] not in b.text for b in doc.blocks)


def test_plain_text_title_and_paragraphs(tmp_path: Path) -> None:
    doc = _load_one(FIXTURES / "exercise_notes.txt")
    assert doc.title == "Notes on Exercise and Cognition"
    assert [b.text for b in doc.blocks] == [
        "Notes on Exercise and Cognition",
        "Aerobic exercise raised BDNF in two small trials. Effects on memory were mixed.",
        "Strength training may help executive function.",
    ]
    long_first = tmp_path / "long.txt"
    long_first.write_text("This opening line is a whole sentence of prose that runs on and on, " * 4 + "\n\nNext.\n")
    assert _load_one(long_first).title == "long"


def test_text_with_byte_order_marks_loads(tmp_path: Path) -> None:
    utf8_bom = tmp_path / "bom.txt"
    utf8_bom.write_bytes("\ufeffCafé notes\n".encode("utf-8"))
    utf16 = tmp_path / "utf16.md"
    utf16.write_bytes("Crème brûlée notes\n".encode("utf-16"))
    assert _load_one(utf8_bom).blocks[0].text == "Café notes"
    assert _load_one(utf16).blocks[0].text == "Crème brûlée notes"


# --------------------------------------------------------------------------- JSONL


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [
        b'{"id": 1, "title": "One", "abstract": ["First sentence.", "Second sentence."], "year": "2020"}',
        b'{"id": 2, "text": "caf\xe9"}',
        b"[1, 2]",
        b'{"title": "no id", "text": "t"}',
        b'{"_id": "x9"}',
        b'{"doc_id": 1, "text": "same id again"}',
        b"",
        b'{"pmid": 77, "text": "Body.", "doc_type": "review", "doi": "doi:10.1000/abc.", "authors": ["A", "B"]}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    docs, failures = load(path)
    assert [(d.doc_id, d.source, d.title, d.year, d.doc_type) for d in docs] == [
        ("1", f"{path}#1", "One", 2020, DocType.abstract), ("77", f"{path}#77", "", None, DocType.review)]
    assert docs[0].blocks[0].text == "First sentence. Second sentence."
    assert (docs[1].doi, docs[1].authors) == ("10.1000/abc", ["A", "B"])
    assert {f.path for f in failures} == {str(path)}
    assert [f.reason for f in failures] == [
        "line 2: not valid UTF-8 text (byte 0xe9 at column 23)",
        "line 3: expected a JSON object, got list",
        "line 4: no id (expected one of: id, doc_id, _id, pmid)",
        "line 5: record 'x9' has no text (expected 'abstract' or 'text')",
        "line 6: duplicate id '1' (first seen on line 1)",
    ]


def test_jsonl_content_hash_ignores_key_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": "r1", "title": "T", "text": "Body"}) + "\n")
    b.write_text(json.dumps({"text": "Body", "title": "T", "id": "r1"}) + "\n")
    assert load(a)[0][0].content_hash == load(b)[0][0].content_hash
    b.write_text(json.dumps({"text": "Body changed", "title": "T", "id": "r1"}) + "\n")
    assert load(a)[0][0].content_hash != load(b)[0][0].content_hash


@pytest.mark.skipif(not SCIFACT.exists(), reason="SciFact benchmark not available")
def test_scifact_corpus_loads_with_sentences_joined() -> None:
    docs, failures = load(SCIFACT)
    raw = [json.loads(line) for line in SCIFACT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert failures == []
    assert len(docs) == len(raw)
    for doc, record in zip(docs[:5], raw[:5]):
        assert doc.doc_id == str(record["doc_id"])
        assert doc.title == record["title"]
        assert doc.doc_type is DocType.abstract
        assert _text(doc) == " ".join(s.strip() for s in record["abstract"])
        assert doc.source == f"{SCIFACT}#{record['doc_id']}"


# --------------------------------------------------------------------------- PDF


def test_fixture_pdf_pages_sections_and_metadata() -> None:
    doc = _load_one(FIXTURES / "grip_strength.pdf")
    assert doc.title == "Grip Strength and Memory in Older Adults"
    assert doc.authors == ["Ann Author", "Ben Author"]
    assert (doc.doi, doc.year) == ("10.1234/fixture.2024.001", 2024)
    assert [(b.page, b.section) for b in doc.blocks] == [(1, "Front matter"), (1, "Front matter"), (1, "1. Introduction"),
                                                         (1, "1. Introduction"), (1, "2. Methods"), (2, "Results"), (2, "Discussion")]
    text = _text(doc)
    assert "study of the molecular signals" in text  # "mole-" + "cular" rejoined
    assert "word-list recall" in text and "muscle-brain link" in text
    assert "\n" not in doc.blocks[2].text


def _smallest_litqa_pdf() -> tuple[Path, str]:
    with open(LITQA_PDFS / "SOURCES.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    row = min(rows, key=lambda r: int(r["pages"]))
    return LITQA_PDFS / row["file"], row["doi"]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def real_pdf() -> tuple[Path, str, tuple, list[logging.LogRecord]]:
    """The smallest LitQA2 paper, loaded once, with the log records emitted while loading it."""
    if not LITQA_PDFS.exists():
        pytest.skip("LitQA2 PDFs not available")
    path, doi = _smallest_litqa_pdf()
    root, handler = logging.getLogger(), _Records()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        result = load(path)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    return path, doi, result, handler.records


def test_real_pdf_has_pages_text_and_doi(real_pdf: tuple) -> None:
    path, doi, (docs, failures), _ = real_pdf
    assert failures == []
    [doc] = docs
    _assert_offsets(doc)
    pages = [b.page for b in doc.blocks]
    assert all(p is not None for p in pages) and pages == sorted(pages)
    assert pages[0] == 1 and pages[-1] >= 5
    assert len(_text(doc)) > 20_000
    assert doc.doi == doi
    assert doc.year is not None and 2000 < doc.year < 2100
    assert len(doc.title.split()) >= 5
    assert {"Results", "Methods"} <= {(b.section or "").split(" › ")[0] for b in doc.blocks}
    assert not any("\ufb01" in b.text for b in doc.blocks)  # ligatures unfolded


def test_real_pdf_loads_without_pypdf_warnings(real_pdf: tuple) -> None:
    *_, records = real_pdf  # its fonts make pypdf log dozens of warnings when not silenced
    assert [r for r in records if r.name.startswith("pypdf")] == []


def test_running_headers_and_page_numbers_are_dropped(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "headers.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    topics = ["grip strength", "walking speed", "leg power", "muscle mass"]
    for page, topic in enumerate(topics, start=1):
        c.setFont("Helvetica", 8)
        c.drawString(60, 810, f"Journal of Loader Tests | (2024) 7:{100 + page}")
        c.setFont("Helvetica", 10)
        for i, outcome in enumerate(["recall", "attention", "planning", "speed"]):
            c.drawString(60, 760 - 32 * i, f"In this cohort {topic} was linked to better {outcome} in older")
            c.drawString(60, 744 - 32 * i, f"adults who trained ({topic}).")
        c.setFont("Helvetica", 8)
        c.drawString(300, 30, str(page))
        c.showPage()
    c.save()
    doc = _load_one(path)
    text = _text(doc)
    assert "Journal of Loader Tests" not in text
    assert {b.page for b in doc.blocks} == {1, 2, 3, 4}
    assert all(b.text.startswith("In this cohort") and "in older adults who trained" in b.text for b in doc.blocks)
    assert len(doc.blocks) == 16


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["the mole-", "cular basis"], "the molecular basis"),
        (["a long-", "term study of long-term effects"], "a long-term study of long-term effects"),
        (["elongation factor EF-", "1A binds GDP"], "elongation factor EF-1A binds GDP"),
        (["DNA-", "binding protein"], "DNA-binding protein"),
        (["super-open conforma -", "tion"], "super-open conformation"),
        (["susceptibil\u00ad", "ity"], "susceptibility"),
        (["first line", "second line"], "first line second line"),
    ],
)
def test_wrapped_lines_are_rejoined(lines: list[str], joined: str) -> None:
    assert join_lines(lines, Vocabulary(" ".join(lines))) == joined
