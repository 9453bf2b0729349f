"""Evidence grading: design and strength tags, study facts, answer-level disagreement, the labelled set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reviewer.grading import cues as design_cues, facts as study_facts, strength as strength_rules
from reviewer.grading import RANKING
from reviewer.grading import answer_level, answer_level_llm, direction, evaluate_labels, grade
from reviewer.models import DocType, EvidenceTag, Passage, Strength, StudyDesign
from reviewer.grading.facts import Cue, Scan, extract_facts, split_studies

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
LABELS = ROOT / "evals" / "evidence_labels.jsonl"
REVIEW = CORPUS / "resistance-training-cognition-muscle-brain-axis-review.md"
NEWS = CORPUS / "news-exercise-muscle-signals-brain.md"
ORDER = [Strength.very_low, Strength.low, Strength.moderate, Strength.high]


def paragraph(path: Path, start: str) -> str:
    """The corpus paragraph that begins with `start` (tests read real text rather than paraphrases)."""
    for para in path.read_text(encoding="utf-8").split("\n\n"):
        if para.startswith(start):
            return para
    raise AssertionError(f"no paragraph of {path.name} starts with {start!r}")


def excerpt(path: Path, start: str, end: str) -> str:
    """The corpus text from `start` through the next `end`."""
    body = path.read_text(encoding="utf-8")
    a = body.index(start)
    return body[a:body.index(end, a) + len(end)]


def labels() -> list[dict]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------- grade(): designs and strength


def test_meta_analysis_of_trials_is_high_with_its_words_as_reasons():
    text = paragraph(REVIEW, "BDNF is a neurotrophic factor")
    tag = grade(text, "5.2. Brain-Derived Neurotrophic Factor (BDNF)", DocType.review)
    assert (tag.design, tag.strength) == (StudyDesign.meta_analysis, Strength.high)
    assert "systematic review and meta-analysis of 11 randomized controlled trials" in tag.reasons
    assert "95% CI [0.04, 1.42]" in tag.reasons


def test_mouse_study_is_animal_and_very_low_whatever_its_numbers():
    tag = grade("In mice, three weeks of voluntary wheel running increased plasma Irisin levels by 65% (p < 0.001).")
    assert (tag.design, tag.strength) == (StudyDesign.animal, Strength.very_low)
    assert "mice" in tag.reasons


def test_a_trial_in_rats_is_an_animal_study():
    tag = grade("In a lipopolysaccharide-induced MCI rat model, a six-week resistance training intervention "
                "attenuated inflammatory responses in the dentate gyrus.", None, "review")
    assert tag.design is StudyDesign.animal


def test_small_hedged_pilot_trial_is_downgraded_and_says_why():
    plain = grade("In a randomized controlled trial of 120 older adults, 12 weeks of resistance training improved "
                  "memory (d = 0.41, p = 0.01).")
    pilot = grade("In a pilot randomized controlled trial of 24 older adults, 12 weeks of resistance training may "
                  "improve memory, although whether the effect persists remains unclear (p = 0.04).")
    assert plain.strength is Strength.high
    assert pilot.design is StudyDesign.rct
    assert ORDER.index(pilot.strength) <= ORDER.index(Strength.low)
    assert "pilot" in pilot.reasons and "remains unclear" in pilot.reasons
    assert pilot.facts.sample_size == 24


def test_a_sample_under_50_alone_lowers_a_trial_one_step():
    tag = grade("A randomized controlled trial enrolled 30 participants; training raised BDNF (p = 0.02).")
    assert (tag.design, tag.strength) == (StudyDesign.rct, Strength.moderate)


def test_unquantified_mention_of_trials_is_weaker_than_a_reported_result():
    vague = grade("Accumulating evidence from randomized controlled trials suggests that RT improves cognition.")
    assert (vague.design, vague.strength) == (StudyDesign.rct, Strength.moderate)


def test_section_heading_decides_when_the_text_names_no_design():
    text = paragraph(REVIEW, "Further research indicates that muscle strength").split(". Additionally")[1]
    assert "cross-sectional" not in text.lower()
    under_heading = grade(text, "4.1. Cross-Sectional Evidence", DocType.review)
    elsewhere = grade(text, "5. Mechanisms", DocType.review)
    assert under_heading.design is StudyDesign.cross_sectional
    assert under_heading.strength is Strength.low
    assert elsewhere.design is StudyDesign.review


def test_explicit_words_beat_the_heading():
    text = paragraph(REVIEW, "A cohort study involving 1978 older Chinese adults")
    tag = grade(text, "4.1. Cross-Sectional Evidence", DocType.review)
    assert tag.design is StudyDesign.cohort
    assert "1978 older Chinese adults" in tag.reasons


def test_strongest_explicit_design_wins_when_several_are_named():
    text = excerpt(REVIEW, "Notably, a study combining cross-sectional", "interpreted with caution.")
    assert grade(text, "4.1. Cross-Sectional Evidence", "review").design is StudyDesign.mendelian_randomization
    irisin = paragraph(REVIEW, "Similarly, Lourenço et al. [55]")
    tag = grade(irisin, "5.1. Irisin", "review")
    assert tag.design is StudyDesign.animal
    assert "neuronal cultures" in tag.reasons  # the weaker design's words are kept


def test_designs_named_as_future_work_or_inclusion_criteria_are_not_reports():
    future = "Future research should prioritize well-powered randomized controlled trials with standardized reporting."
    assert grade(future, "6.3. Limitations", DocType.review).design is StudyDesign.review
    methods = paragraph(REVIEW, "The selection criteria were designed")
    assert grade(methods, "2. Methods", DocType.review).design is StudyDesign.review


def test_where_evidence_comes_from_is_not_an_animal_study():
    text = "Notably, the consensus is that preclinical data primarily support these mechanisms."
    assert grade(text, "6.1. Synthesis", DocType.review).design is StudyDesign.review
    assert grade("Most mechanistic insights are derived from preclinical animal models.", None,
                 "review").design is StudyDesign.review


def test_news_quotes_are_expert_opinion_and_tissue_models_are_in_vitro():
    quote = paragraph(NEWS, "He explained that:")
    tissue = paragraph(NEWS, "In this study, the researchers did not observe people")
    unnamed = paragraph(NEWS, "Exercise plays a major role in brain health")
    assert grade(quote, None, DocType.news).design is StudyDesign.expert_opinion
    assert grade(tissue, None, DocType.news).design is StudyDesign.in_vitro
    assert grade(unnamed, None, DocType.news).design is StudyDesign.unknown
    assert all(grade(t, None, "news").strength is Strength.very_low for t in (quote, tissue))
    assert grade(unnamed, None, "news").strength is Strength.not_graded  # no design: outside the hierarchy


def test_review_statements_take_the_document_type():
    tag = grade("Exercise activates BDNF signaling and mitochondrial adaptation, enhancing brain function.",
                "Key findings", "review")
    assert (tag.design, tag.strength) == (StudyDesign.review, Strength.low)
    assert grade("Exercise activates BDNF signaling.", None, None).design is StudyDesign.unknown


def test_a_caveat_about_mechanism_does_not_lower_a_reported_trial_effect():
    text = paragraph(REVIEW, "At the individual trial level, Liu et al. [23]")
    tag = grade(text, "3.3. Older Adults with Dementia", DocType.review)
    assert (tag.design, tag.strength) == (StudyDesign.rct, Strength.high)


def test_reasons_are_exact_phrases_of_every_labelled_passage():
    for row in labels():
        tag = grade(row["text"], row["section"], "review")
        assert all(reason in row["text"] for reason in tag.reasons), row["id"]


def test_keyword_windows_find_what_the_full_expressions_find():
    """The speed-up (patterns run near their keywords only) must not lose a match."""
    modules = (design_cues, study_facts, strength_rules)
    cues = [v for mod in modules for v in vars(mod).values() if isinstance(v, Cue)]
    cues += [c for d, c in design_cues.STRONG + design_cues.WEAK] + strength_rules._LIMITATIONS
    texts = [row["text"] for row in labels()]
    texts += [p for f in CORPUS.glob("*.md") for p in f.read_text(encoding="utf-8").split("\n\n")]
    for text in texts:
        scan = Scan(text)
        for cue in cues:
            full = {m.span() for m in (cue.rx.finditer(text) if cue.exact else cue.rx.finditer(scan.low))}
            assert full <= {m.span() for m in cue.finditer(scan)}, (cue.rx.pattern[:60], text[:80])


# ---------------------------------------------------------------- facts and studies


def test_extract_facts_from_the_dapa_trial_paragraph():
    text = paragraph(REVIEW, "In contrast, findings from large pragmatic trials")
    facts = extract_facts(text)
    assert facts.study == "Lamb et al. [24]"
    assert facts.sample_size == 494
    assert facts.duration == "four-month"
    assert facts.ci == "95% CI: −2.6 to −0.2"
    assert facts.p_value == "p = 0.03"
    assert "dementia" in facts.population
    assert [(e.metric, e.value) for e in facts.effects] == [("MD", -1.4)]


def test_extract_facts_from_the_eckardt_paragraph():
    facts = extract_facts(paragraph(REVIEW, "Eckardt et al. [19]"))
    assert facts.study == "Eckardt et al. [19]"
    assert facts.population == "older adults aged 65–79 years"
    assert facts.duration == "10 weeks"
    assert facts.intervention == "unstable free-weight training"
    assert [(e.metric, e.value) for e in facts.effects if e.metric == "d"] == [("d", 0.32), ("d", 0.73), ("d", 0.55)]
    assert ("%", 11.0) in [(e.metric, e.value) for e in facts.effects]


def test_extract_facts_reads_sample_sizes_as_written():
    jiang = extract_facts("Jiang et al. [36] analyzed data from over 40,000 participants in the UK Biobank "
                          "(OR = 1.27, FDR-corrected p = 3.75 × 10^−23^).")
    assert (jiang.sample_size, jiang.effects[0].metric, jiang.effects[0].value) == (40000, "OR", 1.27)
    assert extract_facts("Patients (n = 120) were followed for 12 months.").sample_size == 120
    assert extract_facts("Over 57 million people worldwide are living with dementia.").sample_size is None


def test_every_extracted_string_occurs_in_its_passage():
    for row in labels():
        facts = extract_facts(row["text"])
        strings = [facts.study, facts.population, facts.intervention, facts.duration, facts.outcome,
                   facts.p_value, facts.ci] + [e.text for e in facts.effects]
        for s in filter(None, strings):
            assert s in row["text"], (row["id"], s)


def test_split_studies_gives_one_segment_per_study():
    text = paragraph(REVIEW, "Interventions that increase cognitive demands during RT")
    segments = split_studies(text)
    assert [name for name, _ in segments] == ["", "Baek et al. [21]", "Vints et al. [22]"]
    assert all(part in text for _, part in segments)
    assert "12-week RT program" in segments[2][1] and "Baek" not in segments[2][1]

    wang = paragraph(REVIEW, "Multiple epidemiological studies")
    names = [name for name, _ in split_studies(wang)]
    assert names[1:5] == ["Wang et al. [35]", "Jiang et al. [36]", "Liao et al.’s [37]", "[38]"]


def test_each_study_segment_can_be_graded_on_its_own():
    text = paragraph(REVIEW, "In contrast, evidence from interventional studies has primarily")
    designs = {name: grade(part, "4.2. Longitudinal and Interventional Evidence", "review").design
               for name, part in split_studies(text)}
    assert designs["Zhao et al. [43]"] is StudyDesign.rct


# ---------------------------------------------------------------- answer level


def graded(text: str, section: str | None = None) -> Passage:
    return Passage(chunk_id=str(hash(text)), doc_id="d", text=text, evidence=grade(text, section, "review"))


def test_direction_cues():
    assert direction("Four weeks of RT significantly improved MMSE scores (p = 0.014).") == "benefit"
    assert direction("Training was associated with a modest worsening in cognitive performance.") == "harm"
    assert direction("The intervention did not improve memory.") == "no_effect"
    assert direction("Clinical studies show mixed results.") == "mixed"
    assert direction("IL-6 is a pleiotropic cytokine.") is None


def test_answer_level_flags_trials_that_disagree():
    liu = graded(paragraph(REVIEW, "At the individual trial level, Liu et al. [23]"))
    dapa = graded(paragraph(REVIEW, "In contrast, findings from large pragmatic trials"))
    mice = graded(paragraph(REVIEW, "BDNF has also been shown in rodent models"))
    assert answer_level([liu, dapa, mice]) == (StudyDesign.rct, True)
    assert answer_level([liu, mice]) == (StudyDesign.rct, False)


def test_answer_level_ranks_designs_and_handles_ungraded_passages():
    meta = graded(paragraph(REVIEW, "BDNF is a neurotrophic factor"))
    cohort = graded(paragraph(REVIEW, "A cohort study involving 1978"))
    assert answer_level([cohort, meta])[0] is StudyDesign.meta_analysis
    assert answer_level([Passage(chunk_id="x", doc_id="d", text="No tag.")]) == (None, False)
    assert RANKING[0] is StudyDesign.meta_analysis and RANKING[-1] is StudyDesign.unknown


def test_answer_level_llm_uses_the_prompt_and_falls_back_on_a_bad_reply():
    from reviewer.llm.fake import FakeChatModel

    liu = graded(paragraph(REVIEW, "At the individual trial level, Liu et al. [23]"))
    cohort = graded(paragraph(REVIEW, "A cohort study involving 1978"))
    fake = FakeChatModel(replies=['{"mixed": true, "reason": "[1] improves, [2] declines"}', "I cannot tell."])
    assert answer_level_llm([liu, cohort], fake) == (StudyDesign.rct, True)
    sent = "\n".join(m.content for m in fake.received[0])
    assert "[1] (rct, high)" in sent and "[2] (cohort, low)" in sent
    assert answer_level_llm([liu, cohort], fake) == answer_level([liu, cohort])


def test_evidence_mixed_prompt_declares_its_variable():
    from reviewer.llm.prompts import load_prompt

    prompt = load_prompt("evidence_mixed", variables={"passages"})
    system, user = prompt.render(passages="[1] text")
    assert "JSON" in system and "[1] text" in user


# ---------------------------------------------------------------- the labelled set


def test_labels_are_verbatim_corpus_passages_with_valid_tags():
    rows = labels()
    assert len(rows) >= 60
    assert {r["doc"] for r in rows} == {f.name for f in CORPUS.glob("*.md")}
    designs = {d.value for d in StudyDesign}
    for row in rows:
        body = (CORPUS / row["doc"]).read_text(encoding="utf-8")
        assert row["text"] in body, row["id"]
        assert row["design"] in designs and row["strength"] in {s.value for s in Strength}, row["id"]
        headings = re.findall(r"^#{1,6}\s+(.+)$", body[: body.index(row["text"])], re.M)
        assert headings and headings[-1].strip() == row["section"], row["id"]
    assert len({r["id"] for r in rows}) == len(rows)


def test_labelled_set_meets_the_accuracy_targets():
    result = evaluate_labels(LABELS)
    assert result["n"] == len(labels())
    assert result["design_accuracy"] >= 0.9, result["misses"]
    assert result["strength_accuracy"] >= 0.8, result["misses"]
    assert set(result["by_split"]) == {"dev", "holdout"}


def test_evaluate_labels_reports_misses(tmp_path):
    row = {"id": "x1", "doc": REVIEW.name, "section": "5.1. Irisin", "split": "dev",
           "text": "In mice, three weeks of voluntary wheel running increased plasma Irisin levels by approximately 65%.",
           "design": "rct", "strength": "high"}
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = evaluate_labels(path, corpus_dir=CORPUS)
    assert result["design_accuracy"] == 0.0
    assert result["misses"][0]["got_design"] == "animal"


def test_evidence_tag_round_trips_as_json():
    tag = grade(paragraph(REVIEW, "In contrast, findings from large pragmatic trials"), None, "review")
    assert EvidenceTag.model_validate_json(tag.model_dump_json()) == tag


@pytest.mark.parametrize("doc_type", [None, "review", "news", "article", DocType.abstract, "bogus"])
def test_grade_accepts_any_doc_type_spelling(doc_type):
    tag = grade("A prospective cohort study of 1,000 older adults followed for 5 years.", None, doc_type)
    assert tag.design is StudyDesign.cohort and tag.reasons


@pytest.mark.parametrize("text", [
    "Collectively, current evidence indicates that the cognitive effects of RT in individuals with dementia are variable.",
    "In contrast, evidence in individuals with established dementia is more heterogeneous.",
    "Trials so far report inconsistent findings on memory."])
def test_evidence_called_variable_or_heterogeneous_is_mixed(text):
    from reviewer.grading import direction

    assert direction(text) == "mixed"


def test_a_variable_word_elsewhere_is_no_direction():
    from reviewer.grading import direction

    assert direction("Training volume was a variable in the model, and heterogeneous samples were pooled.") is None
