"""Reference managers in and out: a Better BibTeX library, a Zotero data directory, RIS and CSL-JSON;
exports that ingest back to the same metadata; reference lists in every output."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from library_fixtures import full_names, records, write_bib, write_zotero

runner = CliRunner()
ENV = {"REVIEWER_EMBEDDING__MODEL": "hash-256"}
METADATA = ("title", "authors", "year", "doi", "url", "journal", "volume", "issue", "pages", "doc_type", "citation_key")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """library.bib with its PDFs, a Zotero data directory of the same records, and a store of the .bib."""
    root = tmp_path_factory.mktemp("library")
    bib = write_bib(root / "bbt")
    zotero = write_zotero(root / "Zotero", bib.parent / "files")
    store = root / "store"
    result = runner.invoke(app, ["ingest", str(bib), "--store", str(store), "--json"], env=ENV)
    return {"bib": bib, "zotero": zotero, "store": store, "ingest": result}


def docs_of(store) -> dict[str, dict]:
    result = runner.invoke(app, ["docs", "--store", str(store), "--json"], env=ENV)
    assert result.exit_code == 0, result.output
    return {d["doc_id"]: d for d in json.loads(result.stdout)}


def metadata(doc: dict) -> dict:
    return {k: doc[k] for k in METADATA}


def test_better_bibtex_library_ingests_in_one_run(library):
    result = library["ingest"]
    assert result.exit_code == 1  # five records failed, the other fifteen were stored
    report = json.loads(result.stdout)
    assert report["documents_added"] == 15
    missing = [r for r in records() if r["kind"] == "missing"]
    assert [f["path"] for f in report["failures"]] == [f"{library['bib']}#{r['key']}" for r in missing]
    for failure, r in zip(report["failures"], missing):
        assert failure["reason"] == f"attached file not found: {library['bib'].parent / 'files' / (r['key'] + '.pdf')}"
        assert "\n" not in failure["reason"]


def test_record_metadata_is_exact_and_wins_over_the_pdf(library):
    docs = docs_of(library["store"])
    expected = {r["key"]: r for r in records() if r["kind"] != "missing"}
    assert set(docs) == set(expected)
    for key, r in expected.items():
        d = docs[key]
        # The PDFs' /Author names only the first author: the record's full list wins.
        assert d["authors"] == full_names(r) and len(d["authors"]) >= 2
        assert (d["title"], d["year"], d["doi"], d["url"]) == (r["title"], r["year"], r["doi"], r["url"])
        assert (d["journal"], d["volume"], d["issue"], d["pages"]) == (r["journal"], r["volume"], r["issue"], r["pages"])
        if r["kind"] == "pdf":
            assert d["file"] == str(library["bib"].parent / "files" / f"{key}.pdf") and d["doc_type"] == "article"
        else:
            assert d["file"] is None and d["doc_type"] == "abstract" and d["abstract"] == r["abstract"]
    assert docs["garcia2010grip"]["authors"][0] == "José García"  # LaTeX accents decoded


def test_a_folder_with_a_library_and_its_pdfs_stores_each_paper_once(tmp_path):
    bib = write_bib(tmp_path / "lib")
    store = tmp_path / "store"
    alone = runner.invoke(app, ["ingest", str(bib.parent / "files"), "--store", str(store), "--json"], env=ENV)
    assert json.loads(alone.stdout)["documents_added"] == 10  # the PDFs on their own, before the library
    result = runner.invoke(app, ["ingest", str(bib.parent), "--store", str(store), "--json"], env=ENV)
    report = json.loads(result.stdout)
    # each PDF is read once, as its record, which takes the place of the PDF stored on its own
    assert (report["documents_added"], report["documents_updated"]) == (5, 10)
    docs = docs_of(store)
    assert set(docs) == {r["key"] for r in records() if r["kind"] != "missing"}
    assert all(d["source"].startswith(f"{bib}#") for d in docs.values())
    again = json.loads(runner.invoke(app, ["ingest", str(bib.parent), "--store", str(store), "--json"], env=ENV).stdout)
    assert (again["documents_added"], again["documents_updated"], again["documents_unchanged"]) == (0, 0, 15)


def test_zotero_library_gives_the_same_documents(library, tmp_path):
    zotero = library["zotero"]
    before = hashlib.sha256((zotero / "zotero.sqlite").read_bytes()).hexdigest()
    result = runner.invoke(app, ["ingest", str(zotero), "--store", str(tmp_path / "z"), "--json"], env=ENV)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["documents_added"] == 15 and len(report["failures"]) == 5
    assert all(f["reason"].startswith("attached file not found: ") for f in report["failures"])
    from_zotero, from_bib = docs_of(tmp_path / "z"), docs_of(library["store"])
    assert {k: metadata(d) for k, d in from_zotero.items()} == {k: metadata(d) for k, d in from_bib.items()}
    for key, d in from_zotero.items():  # the same PDFs, found in Zotero's storage/
        assert (d["file"] is None) == (from_bib[key]["file"] is None)
        if d["file"]:
            assert "/storage/" in d["file"] and d["content_hash"] == from_bib[key]["content_hash"]
    assert "trashed2000item" not in from_zotero  # items in Zotero's trash are not read
    assert hashlib.sha256((zotero / "zotero.sqlite").read_bytes()).hexdigest() == before


def test_zotero_collection_limits_the_items(library, tmp_path):
    result = runner.invoke(app, ["ingest", str(library["zotero"]), "--collection", "trials", "--store",
                                 str(tmp_path / "c"), "--json"], env=ENV)
    report = json.loads(result.stdout)
    in_collection = [r for i, r in enumerate(records()) if i % 2]
    assert report["documents_added"] == sum(r["kind"] != "missing" for r in in_collection)
    assert set(docs_of(tmp_path / "c")) == {r["key"] for r in in_collection if r["kind"] != "missing"}

    unknown = runner.invoke(app, ["ingest", str(library["zotero"]), "--collection", "Nope", "--store",
                                  str(tmp_path / "c")], env=ENV)
    assert unknown.exit_code == 1
    assert "no collection named 'Nope' (collections: Trials)" in unknown.output
    assert "Traceback" not in unknown.output


@pytest.mark.parametrize("fmt,suffix", [("bib", ".bib"), ("ris", ".ris"), ("csljson", ".json")])
def test_exported_library_ingests_back_to_the_same_metadata(library, tmp_path, fmt, suffix):
    out = tmp_path / f"export{suffix}"
    result = runner.invoke(app, ["docs", "--store", str(library["store"]), "--format", fmt, "-o", str(out)], env=ENV)
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["ingest", str(out), "--store", str(tmp_path / "again"), "--json"], env=ENV)
    assert again.exit_code == 0, again.output  # the export names only files that exist
    original, round_trip = docs_of(library["store"]), docs_of(tmp_path / "again")
    assert {k: metadata(d) for k, d in round_trip.items()} == {k: metadata(d) for k, d in original.items()}
    assert {k: (d["file"], d["abstract"]) for k, d in round_trip.items()} == \
        {k: (d["file"], d["abstract"]) for k, d in original.items()}


def test_ris_with_attachments_and_a_txt_export_recognized_by_content(tmp_path):
    from library_fixtures import make_pdf

    r = records()[0]
    make_pdf(tmp_path / "paper.pdf", r)
    ris = (f"TY  - JOUR\nID  - {r['key']}\nAU  - García, José\nAU  - Schmidt, Anna\nTI  - {r['title']}\n"
           f"T2  - {r['journal']}\nPY  - 2010///\nDO  - {r['doi']}\nL1  - file://{tmp_path}/paper.pdf\nER  - \n\n"
           "TY  - JOUR\nID  - gone\nTI  - Gone\nL1  - missing.pdf\nER  - \n\n"
           "TY  - JOUR\nID  - abs\nTI  - Only an abstract\nAB  - Walking lowered blood pressure in 80 adults.\nER  - \n")
    (tmp_path / "export.txt").write_text(ris, encoding="utf-8")
    from reviewer.loading import load

    docs, failures = load(tmp_path / "export.txt")
    assert [d.doc_id for d in docs] == [r["key"], "abs"]
    assert docs[0].authors == ["José García", "Anna Schmidt"] and docs[0].file == str(tmp_path / "paper.pdf")
    assert docs[1].doc_type.value == "abstract" and "80 adults" in docs[1].blocks[0].text
    assert [(f.path, f.reason) for f in failures] == [
        (f"{tmp_path / 'export.txt'}#gone", f"attached file not found: {tmp_path / 'missing.pdf'}")]


def test_bad_bibtex_entry_is_one_line_and_the_rest_go_on(tmp_path):
    (tmp_path / "x.bib").write_text("@article{good, title={Walking and mood}, author={Li, Wei}, year={2020},\n"
                                    " abstract={Walking improved mood in 40 adults.}}\n\n@article{broken, title={Unclosed\n",
                                    encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"not": "csl"}', encoding="utf-8")
    from reviewer.loading import load

    docs, failures = load(tmp_path / "x.bib")
    assert [d.doc_id for d in docs] == ["good"] and docs[0].authors == ["Wei Li"]
    assert len(failures) == 1 and failures[0].reason.startswith("entry at line 4: syntax error")
    docs, failures = load(tmp_path / "bad.json")
    assert not docs and failures[0].reason.startswith("not a CSL-JSON bibliography")


def _traceable(line: str, ref: dict) -> bool:
    family = ref["authors"][0].split()[-1]
    return family in line and str(ref["year"]) in line and (ref["doi"] in line or (ref["file"] or "@") in line)


def test_every_output_ends_with_traceable_references(library, tmp_path):
    from reviewer.api import Reviewer
    from reviewer.cli.render import answer_markdown
    from reviewer.settings import Settings
    from reviewer.summary.export import render

    r = Reviewer(settings=Settings.load(store=library["store"], **{"embedding.model": "hash-256"}))
    answer = r.ask("Does training improve memory or sleep in older adults?", k=6)
    assert answer.citations and all(c.reference is not None for c in answer.citations)
    md = answer_markdown(answer)
    references = md.split("### References", 1)[1]
    for c in answer.citations:  # each [n] is listed with its document's author, year and DOI or file
        line = next(ln for ln in references.splitlines() if re.search(rf"\[(?:\d+, )*{c.n}(?:, \d+)*\]", ln))
        assert _traceable(line, c.reference.model_dump())

    summary = r.summarize("exercise in older adults", k=8)
    assert summary.citations and all(c.reference for c in summary.citations)
    for fmt in ("md", "html"):
        text = render(summary, fmt)
        for c in summary.citations:
            assert c.reference.doi in text and str(c.reference.year) in text
    rows = list(csv.DictReader(io.StringIO(render(summary, "csv"))))
    by_n = {c.n: c for c in summary.citations}
    for row in rows:
        ref = by_n[int(row["citation"])].reference
        assert (row["doc_id"], row["first_author"], row["year"], row["doi"]) == (ref.doc_id, ref.authors[0], str(ref.year), ref.doi)
    dumped = json.loads(render(summary, "json"))
    assert all(c["reference"]["authors"] and c["reference"]["doi"] for c in dumped["citations"])


def test_ask_writes_the_cited_documents_and_csl_styles(library, tmp_path):
    out = tmp_path / "cited.ris"
    result = runner.invoke(app, ["ask", "What did the study of walking and blood pressure find?", "--store", str(library["store"]),
                                 "--bib", str(out), "--style", "vancouver", "-k", "4"], env=ENV)
    assert result.exit_code == 0, result.output
    import rispy

    cited = rispy.loads(out.read_text(encoding="utf-8"))
    assert cited and all(e["doi"].startswith("10.5555/") and e["authors"] for e in cited), result.output
    assert "References" in result.output
    bad = runner.invoke(app, ["ask", "x?", "--store", str(library["store"]), "--style", "no-such-style"], env=ENV)
    assert bad.exit_code == 2 and "unknown citation style 'no-such-style'" in bad.output


def test_reference_styles():
    from reviewer.bibliography.references import format_reference, label
    from reviewer.models import Reference

    ref = Reference(doc_id="x", title="Grip strength and memory", authors=["José García", "Anna Schmidt", "Wei Zhang"],
                    year=2010, journal="BMC Geriatrics", volume="10", issue="1", pages="100–110", doi="10.5555/x")
    assert label(ref) == "García et al. 2010"
    assert format_reference(ref) == ("García, J., Schmidt, A., & Zhang, W. (2010). Grip strength and memory. "
                                     "BMC Geriatrics, 10(1), 100–110. https://doi.org/10.5555/x")
    assert format_reference(ref, "apa").startswith("García, J., Schmidt, A., & Zhang, W. (2010). Grip strength and memory.")
    vancouver = format_reference(ref, "vancouver")
    assert vancouver.startswith("García J, Schmidt A, Zhang W. Grip strength and memory. BMC Geriatrics.")
    assert "2010" in vancouver and "10.5555/x" in vancouver


def test_first_page_names_every_author_and_the_journal():
    from reviewer.loading.pdf_metadata import first_page_metadata

    page = ("Shi et al. BMC Biology          (2024) 22:119\nhttps://doi.org/10.1186/s12915-024-01918-w\nRESEARCH ARTICLE\n"
            "Exonuclease editor promotes precision\nof gene editing in mammalian cells\n"
            "Hui Shi1,2,3†, Lei Li1,4†, Shuangshuang Mu1,4, Shixue Gou1,2,3, Xiaoyi Liu1,4, Fangbing Chen1,2,3,5,\n"
            "Menglong Chen6,7, Qin Jin1,2,3*, Liangxue Lai1,2,3,5* and Kepin Wang1,2,3,5*\nAbstract\n"
            "1 Department of Biology, Some University\n")
    meta = first_page_metadata(page, ["Hui Shi"])
    assert meta["authors"] == ["Hui Shi", "Lei Li", "Shuangshuang Mu", "Shixue Gou", "Xiaoyi Liu", "Fangbing Chen",
                               "Menglong Chen", "Qin Jin", "Liangxue Lai", "Kepin Wang"]
    assert meta["journal"] == "BMC Biology"
    # The corresponding author may be last, on the second line of the list.
    wrapped = ("Title of a paper\nVarandt Khodaverdian1,2,#, Tokio Sano1,#, Lara Maggs1, Ana Dias1, Connor\n"
               "Clairmont1,4, Mai Tran1, and Mitch McVey1,*\n# These authors contributed equally\n")
    assert first_page_metadata(wrapped, ["Mitch McVey"])["authors"][-3:] == ["Connor Clairmont", "Mai Tran", "Mitch McVey"]
    # No line naming the /Author surname: what the PDF says is kept.
    assert first_page_metadata("A line, Of names, Here\n", ["Ann Other"])["authors"] == ["Ann Other"]


@pytest.mark.slow
def test_litqa2_pdfs_keep_every_author_printed_on_the_first_page():
    from conftest import LITQA2_PDFS
    from reviewer.loading import load

    counts = {}
    for name in ("s12915-024-01918-w.pdf", "s13059-023-02935-8.pdf", "biorxiv-2024.02.13.580051.pdf"):
        docs, failures = load(LITQA2_PDFS / name)
        assert not failures
        counts[name] = (len(docs[0].authors), docs[0].journal)
    assert counts == {"s12915-024-01918-w.pdf": (10, "BMC Biology"), "s13059-023-02935-8.pdf": (15, "Genome Biology"),
                      "biorxiv-2024.02.13.580051.pdf": (8, None)}


def test_study_rows_are_named_by_authors_and_year_not_another_papers_number():
    from reviewer.bibliography.references import study_label
    from reviewer.models import Passage
    from reviewer.summary.build import study_rows

    assert study_label("Barha et al. [29]") == "Barha et al."
    assert study_label("Li et al.’s [40]") == "Li et al."
    assert study_label("Barha et al. [29]", "Barha et al. (2017) [29] randomized 86 women") == "Barha et al. (2017)"
    assert study_label("the SMART trial") == "the SMART trial"
    text = ("Barha et al. [29] randomized 86 older women to resistance training for six months and found better "
            "memory (d = 0.45). Lamb et al. [24] followed a cohort of 494 adults and found no effect on cognition.")
    rows = [row.study for row, _ in study_rows([Passage(chunk_id="c", doc_id="d", text=text)])]
    assert sorted(rows) == ["Barha et al.", "Lamb et al."]
    from reviewer.bibliography.references import name_studies
    from reviewer.models import SummaryRow

    twins = [(SummaryRow(study=name, citation=0), "") for name in ("Liu et al. [23]", "Liu et al. [42]", "[27]")]
    assert [row.study for row, _ in name_studies(twins)] == ["Liu et al. (ref. 23)", "Liu et al. (ref. 42)", "ref. 27"]


def test_chat_prints_and_saves_references_in_the_chosen_style(library, tmp_path):
    from rich.console import Console

    from reviewer.api import Reviewer
    from reviewer.bibliography.references import format_reference
    from reviewer.cli.chat import ChatSession
    from reviewer.settings import Settings

    reviewer = Reviewer(settings=Settings.load(store=library["store"], **{"embedding.model": "hash-256"}))
    saved = {}
    for style in ("author-year", "vancouver"):
        out = io.StringIO()
        session = ChatSession(reviewer, k=4, console=Console(file=out, width=300, highlight=False),
                              err_console=Console(file=io.StringIO()), style=style)
        path = tmp_path / f"{style}.md"
        assert session.run_lines(["What did the study of walking and blood pressure find?", f"/save {path}"]) == 0
        cited = session.turns[0].citations[0].reference
        entry = format_reference(cited, style)
        saved[style] = path.read_text(encoding="utf-8")
        assert entry.split(". ")[0] in saved[style] and entry.split(". ")[0] in " ".join(out.getvalue().split())
    assert saved["author-year"].split("### References")[1] != saved["vancouver"].split("### References")[1]
