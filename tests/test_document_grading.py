"""Document-level evidence tags: the design of a whole paper, passages that inherit it, filters by evidence."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from reviewer.grading import grade, grade_document
from reviewer.grading.document import NO_TEXT, design_of_abstract
from reviewer.grading.model import MODEL_PATH, load_model
from reviewer.models import Block, Document, EvidenceBasis, EvidenceTag, Strength, StudyDesign

D = StudyDesign


def doc(title: str, *paragraphs: str, section: str | None = None, doc_id: str = "d1") -> Document:
    return Document(doc_id=doc_id, source=f"{doc_id}.jsonl", content_hash=doc_id, title=title,
                    blocks=[Block(text=p, section=section) for p in paragraphs])


def words_of(phrase: str, text: str) -> bool:
    return phrase.lower() in text.lower()


# ---------------------------------------------------------------- the known misreadings, on sentences of our own

MISSES = [
    ("Drug X in episodic migraine", "In this multicentre, randomized (1:1), double-blind, placebo-controlled study, 240 "
     "adults with episodic migraine received drug X or placebo for 12 weeks. Monthly migraine days were counted.", D.rct),
    ("Drug X for episodic migraine: a randomized controlled trial", "Adults with migraine received drug X or placebo "
     "every month. Migraine days fell by two per month more with drug X than with placebo.", D.rct),
    ("Early walking after hip surgery", "In this non-randomised study, 120 patients were mobilised on the first day "
     "after surgery and compared with 118 patients mobilised later. Function was scored at three months.",
     {D.controlled_trial, D.cohort}),
    ("Macrophage cholesterol efflux in coronary disease", "Reverse cholesterol transport (RCT) removes cholesterol from "
     "peripheral tissues. We measured RCT capacity in macrophages of 40 patients with coronary disease and 40 controls.",
     None),
    ("Exercise for late-life depression", "We conducted a systematic review following the Preferred Reporting Items "
     "for Systematic Reviews and Meta-Analyses guidelines. MEDLINE and Embase were searched to 2023. Twenty studies "
     "were included and described narratively.", D.systematic_review),
    ("Screen use and sleep in adolescents", "This cross sectional study surveyed 2,400 adolescents about sleep duration "
     "and screen use in the evening. Shorter sleep went with more screen time.", D.cross_sectional),
    ("Dietary patterns and memory", "We systematically reviewed the literature on dietary patterns and cognitive "
     "decline in older adults and identified 32 eligible studies of memory outcomes.", D.systematic_review),
    ("Isolated psychosis in encephalitis", "We report a patient with anti-NMDA receptor encephalitis who presented "
     "with isolated psychosis. MRI was normal and antibodies were found in the CSF.", D.case_report),
    ("Seizures and confusion after a viral illness", "A 58-year-old woman presented with confusion and seizures. "
     "Antibodies against LGI1 were found in serum and she recovered after immunotherapy.", D.case_report),
    ("Microglia and amyloid", "Microglia are the resident immune cells of the brain. Here we discuss current knowledge "
     "of how microglial activation contributes to amyloid pathology and summarise emerging therapeutic strategies "
     "that target neuroinflammation.", D.review),
    ("Glutamate toxicity in cortical neurons", "Primary cortical neurons were cultured from embryonic rat brains. "
     "Cultures were exposed to glutamate and cell viability was measured after 24 hours with and without compound Y.",
     D.in_vitro),
]


@pytest.mark.parametrize("title, abstract, expected", MISSES, ids=[m[0][:30] for m in MISSES])
def test_known_misreadings_are_read_right_at_document_level(title, abstract, expected):
    tag = grade_document(doc(title, abstract))
    if expected is None:  # "RCT" for reverse cholesterol transport is no trial
        assert tag.design is not D.rct
    elif isinstance(expected, set):
        assert tag.design in expected
    else:
        assert tag.design is expected, tag
    assert tag.basis is EvidenceBasis.document
    assert tag.reasons and all(words_of(r, f"{title}\n{abstract}") for r in tag.reasons), tag.reasons


PASSAGES = [
    ("In this multicentre, randomized (1:1), double-blind, placebo-controlled study, 240 adults received drug X.", D.rct),
    ("In this non-randomised study, 120 patients were mobilised on the first day.", D.controlled_trial),
    ("Reverse cholesterol transport (RCT) was lower in 40 patients with coronary disease.", D.unknown),
    ("The review followed the Preferred Reporting Items for Systematic Reviews and Meta-Analyses statement.",
     D.systematic_review),
    ("This cross sectional study surveyed 2,400 adolescents.", D.cross_sectional),
    ("We systematically reviewed the literature on diet and cognition.", D.systematic_review),
    ("We report a patient with encephalitis who presented with psychosis.", D.case_report),
    ("A 58-year-old woman presented with confusion and seizures.", D.case_report),
    ("Hippocampal neurons from neonatal rats were cultured for 14 days before exposure to glutamate.", D.in_vitro),
    ("Transgenic mice and oligomer-treated neuronal cultures both showed better plasticity.", D.animal),
]


@pytest.mark.parametrize("text, expected", PASSAGES, ids=[p[0][:30] for p in PASSAGES])
def test_known_misreadings_are_read_right_in_passages(text, expected):
    assert grade(text).design is expected


def test_a_design_stated_only_in_the_title_decides():
    tag = grade_document(doc("Mindfulness for insomnia: a randomised controlled trial",
                             "Adults with chronic insomnia took part in eight weekly sessions or a waiting list. "
                             "Sleep efficiency improved by nine points."))
    assert tag.design is D.rct and "randomised controlled trial" in tag.reasons[0]


def test_a_systematic_review_that_pools_results_is_a_meta_analysis():
    tag = grade_document(doc("Statins and dementia", "We searched PubMed and Embase for cohort studies of statin use. "
                             "A random-effects meta-analysis of 14 studies pooled 1.2 million participants; the pooled "
                             "hazard ratio of dementia was 0.83."))
    assert tag.design is D.meta_analysis and tag.strength is Strength.high


def test_a_document_without_abstract_or_methods_is_unknown_and_says_why():
    for empty in (doc("Untitled"), doc("Notes", "  "), doc("", "Figure 1.")):
        tag = grade_document(empty)
        assert (tag.design, tag.strength) == (D.unknown, Strength.not_graded)
        assert tag.reasons == [NO_TEXT]


def test_reasons_of_the_model_are_words_of_the_abstract_not_stopwords():
    title, text = MISSES[9][0], MISSES[9][1]
    tag = design_of_abstract(title, text, load_model())
    assert tag.reasons and all(words_of(r, f"{title}\n{text}") for r in tag.reasons)
    assert not any(r.lower() in ("and", "the", "were", "are") for r in tag.reasons)


def test_the_model_file_is_small_plain_arrays_and_deterministic():
    import numpy as np

    assert MODEL_PATH.stat().st_size <= 10 * 1024 * 1024
    with np.load(MODEL_PATH, allow_pickle=False) as data:  # no pickles: plain arrays only
        assert data["weights"].shape[0] == len(data["classes"].tobytes().decode().split("\n"))
    title, text = MISSES[0][0], MISSES[0][1]
    first = load_model().predict(title, text)
    assert load_model().predict(title, text) == first


# ---------------------------------------------------------------- passages use the document's design

RCT = EvidenceTag(design=D.rct, strength=Strength.high, reasons=["randomised controlled trial"],
                  basis=EvidenceBasis.document)


def test_a_results_passage_of_a_trial_carries_the_trials_design_and_its_abstract_reasons():
    text = "Sleep efficiency rose from 71% to 83% in the mindfulness group and did not change on the waiting list."
    assert grade(text, "Results").design is D.unknown
    tag = grade(text, "Results", document=RCT)
    assert (tag.design, tag.strength, tag.basis) == (D.rct, Strength.high, EvidenceBasis.document)
    assert tag.reasons == ["randomised controlled trial"]


def test_a_passage_citing_other_work_keeps_the_design_it_reports():
    text = "A cohort of 5,000 older adults followed for seven years found that poor sleep predicted dementia [12]."
    tag = grade(text, "Introduction", document=RCT)
    assert tag.design is D.cohort and tag.basis is EvidenceBasis.passage
    background = grade("Insomnia is common in older adults and often goes untreated.", "Introduction", document=RCT)
    assert background.strength is Strength.not_graded and background.label == "not graded"


# ---------------------------------------------------------------- ingest, the API, the CLI and filters


@pytest.fixture()
def abstracts(tmp_path, hash_embedder):
    from reviewer.api import Reviewer
    from reviewer.settings import Settings

    records = [
        {"id": "trial", "title": "Mindfulness for insomnia: a randomised controlled trial",
         "abstract": "Adults with chronic insomnia were randomly assigned to eight weekly mindfulness sessions or a "
                     "waiting list. Sleep efficiency improved by nine points with mindfulness."},
        {"id": "cohort", "title": "Sleep duration and dementia: a prospective cohort study",
         "abstract": "We followed 8,000 adults for 25 years. Short sleep in midlife was associated with a higher risk "
                     "of dementia; insomnia symptoms were recorded every five years."},
        {"id": "case", "title": "Fatal familial insomnia in a young man",
         "abstract": "A 34-year-old man presented with progressive insomnia, dysautonomia and ataxia. Genetic testing "
                     "confirmed the PRNP mutation."},
        {"id": "empty", "title": "Erratum", "abstract": "Erratum."},
    ]
    path = tmp_path / "abstracts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    r = Reviewer(settings=Settings.load(store=tmp_path / "store"), embedder=hash_embedder)
    report = r.ingest([path])
    assert report.documents_added == 4, report
    return r, tmp_path / "store"


def test_every_ingested_document_has_its_own_evidence_tag(abstracts):
    r, _ = abstracts
    found = {d.doc_id: d.evidence for d in r.documents()}
    designs = {d.title: d.evidence.design for d in r.documents()}
    assert designs["Mindfulness for insomnia: a randomised controlled trial"] is D.rct
    assert designs["Sleep duration and dementia: a prospective cohort study"] is D.cohort
    assert designs["Fatal familial insomnia in a young man"] is D.case_report
    assert designs["Erratum"] is D.unknown
    assert all(tag is not None and tag.reasons for tag in found.values())


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_design_and_strength_filters_apply_inside_retrieval(abstracts, mode):
    r, _ = abstracts
    titles = {d.doc_id: d.title for d in r.documents()}
    passages = r.retrieve("insomnia sleep", k=5, mode=mode, designs=["rct", "cohort"])
    assert passages and {titles[p.doc_id] for p in passages} <= {
        "Mindfulness for insomnia: a randomised controlled trial",
        "Sleep duration and dementia: a prospective cohort study"}
    strong = r.retrieve("insomnia sleep", k=5, mode=mode, min_strength="moderate")
    assert strong and {titles[p.doc_id] for p in strong} == {"Mindfulness for insomnia: a randomised controlled trial"}
    assert all(p.evidence.design is D.rct and p.evidence.basis is EvidenceBasis.document for p in strong)


def test_docs_shows_a_design_column_and_json_carries_the_tag(abstracts):
    from reviewer.cli import app

    _, store = abstracts
    runner = CliRunner()
    out = runner.invoke(app, ["docs", "--store", str(store), "--json"], env={"REVIEWER_EMBEDDING__MODEL": "hash-256"})
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert {row["evidence"]["design"] for row in rows} >= {"rct", "cohort", "case_report", "unknown"}
    table = runner.invoke(app, ["docs", "--store", str(store)], env={"REVIEWER_EMBEDDING__MODEL": "hash-256",
                                                                     "COLUMNS": "200"})
    assert "design" in table.stdout and "rct · high" in table.stdout and "not graded" in table.stdout


def test_a_bad_design_filter_is_one_line_and_exit_2(tmp_path):
    from reviewer.cli import app

    out = CliRunner().invoke(app, ["ask", "anything", "--store", str(tmp_path), "--design", "rct,anecdote"])
    assert out.exit_code == 2 and "anecdote" in out.output and "Traceback" not in out.output
    out = CliRunner().invoke(app, ["summarize", "anything", "--store", str(tmp_path), "--min-strength", "strong"])
    assert out.exit_code == 2 and "strong" in out.output


def test_not_graded_reads_as_such_in_every_summary_format():
    from reviewer.models import Citation, EvidenceSummary
    from reviewer.summary.export import render

    tag = EvidenceTag(design=D.unknown, strength=Strength.not_graded)
    summary = EvidenceSummary(question="q", answer="a [1]", citations=[
        Citation(n=1, chunk_id="c", doc_id="d", title="Assay methods", text="Cells were lysed.", evidence=tag)])
    for fmt in ("md", "html"):
        assert "not graded" in render(summary, fmt)
        assert not re.search(r"unknown\W+very.low", render(summary, fmt))
    assert '"not_graded"' in render(summary, "json")


def test_the_api_refuses_an_unknown_design_or_strength_with_a_clear_error():
    from reviewer.errors import ReviewerError
    from reviewer.retrieval.search import Filters

    with pytest.raises(ReviewerError, match="anecdote"):
        Filters(designs=["rct", "anecdote"])
    with pytest.raises(ReviewerError, match="strong"):
        Filters(min_strength="strong")
    assert Filters(min_strength="moderate").strengths() == ["high", "moderate"]


def test_the_study_table_of_summarize_shows_each_primary_studys_own_design(abstracts):
    r, _ = abstracts
    summary = r.summarize("insomnia and sleep", k=6)
    designs = {row.study: row.design for row in summary.rows}
    assert designs.get("Mindfulness for insomnia: a randomised controlled trial") is D.rct
    assert designs.get("Sleep duration and dementia: a prospective cohort study") is D.cohort
    only_trials = r.summarize("insomnia and sleep", k=6, designs=["rct"])
    assert {row.design for row in only_trials.rows} == {D.rct}
