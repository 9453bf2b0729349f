"""Answers shaped by the question: quantities, studies, comparisons, lists, yes/no, missing populations.

Passages are written by hand (short, like chunks of one review) so each test shows one
behaviour a user would notice; the offline answerer runs on words only here (no embedder),
and with the real embedding model in the corpus tests at the end.
"""

from __future__ import annotations

import re

import pytest

from reviewer.answering import answer, extractive_answer, rerank
from reviewer.answering.citations import quote_matches, split_answer_sentences
from reviewer.answering.documents import naming
from reviewer.answering.questions import comparison_sides, question_type
from reviewer.answering.semantic import RerankError
from reviewer.llm.fake import FakeChatModel
from reviewer.models import Passage, QuestionType
from reviewer.settings import AnsweringSettings, Settings
from reviewer.text import find_citations


def _passages(*texts: str, sections: tuple = ()) -> list[Passage]:
    return [Passage(chunk_id=f"p{i}", doc_id="review", text=t, section=sections[i] if sections else None)
            for i, t in enumerate(texts)]


def _cited_lines(text: str) -> list[tuple[str, list[int]]]:
    return [(s, find_citations(s)) for s in split_answer_sentences(text) if find_citations(s)]


@pytest.mark.parametrize("question, kind", [
    ("How many participants were in the largest trial?", QuestionType.quantity),
    ("What dose of balance training is recommended?", QuestionType.quantity),
    ("Which studies found no effect or a worsening?", QuestionType.studies),
    ("Is the effect stronger for MCI or dementia?", QuestionType.comparison),
    ("What mechanisms link muscle to brain?", QuestionType.listing),
    ("Does balance training shorten gait initiation time?", QuestionType.yes_no),
    ("Why do older adults fall?", QuestionType.general),
    # A "which" after a preposition; "which factors" is a list even with "how much" in it.
    ("Through which signaling pathways does irisin improve synaptic plasticity?", QuestionType.listing),
    ("Which factors shape how much older adults' cognition benefits from training?", QuestionType.listing),
    ("In which studies did balance training shorten gait initiation?", QuestionType.studies),
    ("How much did serum IGF-1 rise after training?", QuestionType.quantity),
    ("Which cross-sectional studies linked muscle mass or strength to cognition?", QuestionType.studies),
    # "The link between A and B" is an association, not two things compared; a time frame is a quantity.
    ("How much of the link between activity and cognition is explained by leg strength?", QuestionType.quantity),
    ("Over what time frame do studies show cognitive effects?", QuestionType.quantity),
    ("What training dose was linked to cognitive gains?", QuestionType.quantity),
    # Alternatives inside a what-question are no choice to make; a yes/no or comparative "or" is.
    ("By what routes might activity help people with memory problems or Alzheimer's?", QuestionType.listing),
    ("Does balance training help older adults or children?", QuestionType.comparison),
    ("Which helps gait more, balance training or walking?", QuestionType.comparison),
    ("Are there large trials where balance training failed to help, or even hurt, gait?", QuestionType.studies),
    ("By what molecular routes is irisin thought to protect synapses?", QuestionType.listing),
])
def test_question_types(question, kind):
    assert question_type(question) is kind


def test_comparison_sides_are_the_parallel_phrases():
    assert comparison_sides("Does the evidence concern older adults or children?") == ("older adults", "children")
    assert comparison_sides("Do the benefits differ between men and women?") == ("men", "women")
    assert comparison_sides("Does balance training help older adults?") is None


def test_a_temperature_written_with_a_symbol_answers_a_question_in_degrees():
    passages = _passages(
        "The enzyme from the thermophile was purified and its activity was assayed across a range of conditions.",
        "The purified enzyme from the thermophile showed its highest activity at 71.5 °C in the binding assay.",
    )
    out = extractive_answer("What is the optimal temperature of the thermophile enzyme in degrees Celsius?", passages)
    assert not out.insufficient_evidence
    first, cited = _cited_lines(out.answer)[0]
    assert "71.5 °C" in first and cited == [2]


def test_a_range_in_words_matches_a_range_in_digits():
    passages = _passages(
        "Balance programmes for older adults vary widely in their content and in how they are supervised.",
        "Most effective balance programmes for older adults involved two to three sessions per week over months.",
    )
    out = extractive_answer("Do balance programmes for older adults with 2–3 sessions per week work?", passages)
    assert "two to three sessions per week" in out.answer


_TRIALS = _passages(
    "Okafor et al. [4] conducted a randomized controlled trial in 212 older adults and found that twelve weeks of "
    "balance training significantly improved gait speed.",
    "The BALANCE trial by Lindqvist et al. [7], which enrolled 640 older adults, found no significant difference in "
    "falls between balance training and usual care.",
    "In contrast, Mensah et al. [9] reported that balance training was associated with a modest worsening of "
    "fear of falling in 38 frail adults.",
)


def test_which_studies_lists_each_study_in_the_direction_asked_with_design_and_size():
    out = extractive_answer("Which studies found no effect or a worsening with balance training?", _TRIALS)
    lines = out.answer.splitlines()
    assert len(lines) == 2 and all(line.startswith("- ") for line in lines)
    text = out.answer
    assert "Lindqvist" in text and "n = 640" in text and "no effect" in text
    assert "Mensah" in text and "worsening" in text
    assert "Okafor" not in text  # a benefit is not what was asked
    for line, cited in _cited_lines(text):
        quote = line.split(": ", 1)[1]
        assert quote_matches(re.sub(r" \[\d+\]", "", quote), _TRIALS[cited[0] - 1].text)


def test_which_studies_lists_only_studies_on_the_subject_asked_about():
    passages = _TRIALS + _passages("Adeyemi et al. [12] found that balance training improved gait speed in 64 people "
                                   "with Parkinson's disease over ten weeks.")
    out = extractive_answer("Which trials found benefits of balance training in Parkinson's disease?", passages)
    assert "Adeyemi" in out.answer and "Okafor" not in out.answer


def test_a_size_question_with_a_superlative_picks_the_largest_trial():
    out = extractive_answer("How many participants were in the largest balance training trial?", _TRIALS)
    first, cited = _cited_lines(out.answer)[0]
    assert "640" in first and cited == [2]


_GROUPS = _passages(
    "Collectively, balance training consistently improved gait in community-dwelling older adults across trials.",
    "In people with Parkinson's disease, the effects of balance training on gait were variable across trials.",
    "Balance training programmes usually combine static stances with dynamic walking tasks.",
)


def test_a_comparison_gets_one_statement_per_side():
    out = extractive_answer("Is the effect of balance training on gait stronger in older adults or Parkinson's disease?",
                            _GROUPS)
    lines = out.answer.splitlines()
    assert any(line.startswith("- older adults: ") and "[1]" in line for line in lines)
    assert any(line.startswith("- Parkinson's disease: ") and "[2]" in line for line in lines)


def test_a_sentence_weighing_one_side_against_the_other_comes_first():
    passages = _GROUPS + _passages("Balance training improved gait more in older adults than in Parkinson's disease.")
    passages[-1].chunk_id = "p3"
    out = extractive_answer("Is the effect of balance training on gait stronger in older adults or Parkinson's disease?",
                            passages)
    lines = out.answer.splitlines()
    assert lines[0] == "- older adults and Parkinson's disease compared: Balance training improved gait more in older adults than in Parkinson's disease [4]."
    assert [line.split(":")[0] for line in lines[1:]] == ["- older adults", "- Parkinson's disease"]
    assert {c.n: c.chunk_id for c in out.citations}[4] == "p3"


def test_a_side_no_passage_concerns_is_named_and_the_other_side_answered():
    out = extractive_answer("Does balance training help gait in older adults or children?", _GROUPS)
    assert "None of the passages concern children." in out.answer
    assert "- older adults: " in out.answer and not out.insufficient_evidence


def test_a_comparison_neither_side_of_which_any_passage_mentions_is_refused():
    out = extractive_answer("Is tai chi or yoga better than balance training for gait in older adults?", _GROUPS)
    assert out.insufficient_evidence and "tai chi or yoga" in out.answer and not out.citations


def test_a_comparison_in_a_population_no_passage_mentions_says_so_first():
    out = extractive_answer("Does balance training help gait or static stances in children?", _GROUPS)
    assert out.answer.startswith("None of the passages concern children")
    assert out.insufficient_evidence


def test_a_question_word_the_library_holds_elsewhere_is_phrasing_one_it_lacks_is_the_subject():
    question = "What do trials say about the direction and magnitude of gait effects?"
    assert extractive_answer(question, _GROUPS).insufficient_evidence  # "direction", "magnitude": in no passage
    elsewhere = extractive_answer(question, _GROUPS, library=lambda words: {w: 3 for w in words})
    assert not elsewhere.insufficient_evidence and "[1]" in elsewhere.answer
    nowhere = extractive_answer(question, _GROUPS, library=lambda words: {w: 0 for w in words})
    assert nowhere.insufficient_evidence


def test_a_quantity_is_read_in_the_next_sentence_when_the_best_one_states_none():
    passages = _passages("The time needed to see gait effects of balance training varies with age and dose. "
                         "Trials typically show effects over a period of weeks to months.",
                         "Balance training programmes for older adults ran in 2019 and 2021 in 14 clinics.")
    out = extractive_answer("How long does balance training take to change gait?", passages)
    assert "weeks to months [1]" in out.answer and "2019" not in out.answer


def test_how_much_of_a_link_is_explained_is_answered_by_a_share():
    passages = _passages("Specifically, physical activity correlated with leg strength and gait speed in older adults "
                         "(r = 0.56, p < 0.001).",
                         "This link is robust. Leg strength accounted for 20.1% of this association in older adults.")
    out = extractive_answer("How much of the link between physical activity and gait in older people can be explained "
                            "by leg strength?", passages)
    assert out.answer.startswith("Leg strength accounted for 20.1% of this association")


def test_how_often_is_answered_by_a_number_of_sessions_before_a_more_topical_number():
    passages = _passages("Balance training improved gait in older adults after 16 weeks, by 27%.",
                         "Balance training programmes that improve gait usually involve two to three sessions per week.")
    out = extractive_answer("How often should older adults do balance training to improve gait?", passages)
    assert out.answer.startswith("Balance training programmes that improve gait usually involve two to three sessions "
                                 "per week [2].")


def test_a_population_no_passage_mentions_is_named_and_the_answer_flagged():
    out = extractive_answer("Does balance training improve gait in children?", _GROUPS)
    assert out.answer.startswith("None of the passages concern children; the evidence below concerns older adults")
    assert out.insufficient_evidence and out.citations  # says so, and still shows what the documents hold


def test_which_factors_is_answered_by_the_sentence_listing_them_rather_than_by_named_molecules():
    passages = _passages(
        "Interleukin-6 (IL-6) released by working muscle acts on gait circuits in the brain.",
        "Brain-derived neurotrophic factor (BDNF) from muscle supports gait learning.",
        "How long balance training takes to change gait depends on the type, intensity, and frequency of training, "
        "as well as age and baseline gait speed.",
    )
    out = extractive_answer("Which factors affect how long balance training takes to change gait?", passages)
    assert out.answer.startswith("- How long balance training takes to change gait depends on the type, intensity")
    mechanisms = extractive_answer("What mechanisms link muscle to gait?", passages)
    assert {line.split(":")[0] for line in mechanisms.answer.splitlines()} == {"- IL-6", "- BDNF"}


def test_which_studies_keeps_a_study_that_holds_most_of_the_topic_in_other_words():
    passages = _passages(
        "A cross-sectional study by Ng et al. [3] found that leg strength explained 20% of walking speed in older adults.",
        "Moreno et al. [4] surveyed 5,000 older adults and showed that greater lower-limb strength was linked to faster "
        "gait speed.",
        "Older adults often become faster after balance training programmes.",
        "Okafor et al. [5] ran a randomized controlled trial of balance training in 212 older adults.",
        "Supervised training makes older adults faster and steadier.",
        sections=("4.1. Cross-Sectional Evidence", "4.1. Cross-Sectional Evidence", "Introduction", "4.2. Trials",
                  "Discussion"))
    out = extractive_answer("Which cross-sectional studies show that older adults with stronger legs walk faster?",
                            passages)
    # Moreno et al. write neither "legs" nor "walk", but hold the rest of the question's topic.
    assert [line.split(" (")[0] for line in out.answer.splitlines()] == ["- Ng et al.", "- Moreno et al."]


def test_a_sentence_naming_instances_answers_a_list_question_in_other_words():
    passages = _passages("Personal factors like genetics and environment influence how balance training changes gait.",
                         "Personal motivation of older adults predicts adherence to balance training.",
                         "Gait responds to balance training within weeks in older adults.",
                         "Personal goals shape balance training programmes for gait.")
    out = extractive_answer("Which personal factors shape how gait responds to balance training?", passages)
    assert out.answer.startswith("- Personal factors like genetics and environment influence how balance training")


def test_a_document_the_question_names_speaks_for_the_answer():
    passages = [Passage(chunk_id="r1", doc_id="review", title="Balance training in ageing", doc_type="review",
                        text="Balance training improved gait speed in older adults across eleven trials."),
                Passage(chunk_id="n1", doc_id="news", title="Trainers on steadier walking", doc_type="news",
                        text="Balance training improved gait speed in older adults, a coach told reporters.")]
    assert naming("What did the news article say about balance training and gait?", passages)[0] == {"news"}
    assert naming("What does the review say about balance training?", passages)[0] == {"review"}
    assert naming("What do the papers say about balance training?", passages)[0] == set()
    out = extractive_answer("What did the news article say about balance training and gait speed?", passages)
    assert out.answer.startswith("Balance training improved gait speed in older adults, a coach told reporters [2].")
    # "news" is in no passage's text: it says where to look, and no sentence is asked to hold it.
    yes_no = extractive_answer("Was the balance study in the news article done in older adults?", passages[1:])
    assert not yes_no.insufficient_evidence and "[1]" in yes_no.answer


def test_a_sentence_of_the_document_the_question_names_holds_the_words_naming_it():
    from reviewer.answering.questions import question_weights
    from reviewer.answering.sentences import candidates, score

    passages = [Passage(chunk_id="r1", doc_id="multi", title="Multiscale mechanisms of gait", doc_type="review",
                        text="The authors stress combining imaging with computational models of gait."),
                Passage(chunk_id="n1", doc_id="news", title="Trainers on steadier walking", doc_type="news",
                        text="Balance training improved gait speed in older adults, a coach told reporters.")]
    question = "Does the multiscale review stress imaging with computational models?"
    named, where = naming(question, passages)
    assert named == {"multi"} and where >= {"multiscal", "review"}
    weights, _ = question_weights(question, passages)
    plain, implied = candidates(passages)[0], candidates(passages)[0]
    implied.implied = frozenset(where)
    score([plain], question, weights, 2)
    score([implied], question, weights, 2)
    assert implied.coverage == pytest.approx(1.0) and plain.coverage < 0.75


#: Two passages under sections naming one myokine each.
_MYOKINES = ("Irisin, released from contracting muscle, crosses into the brain and raises hippocampal plasticity.",
             "Brain-derived neurotrophic factor (BDNF) from muscle supports synaptic plasticity in the brain.")
_MYOKINE_SECTIONS = ("5.1. Irisin", "5.2. Brain-Derived Neurotrophic Factor (BDNF)")


def test_a_list_question_enumerates_what_the_passages_name():
    passages = _passages(
        *_MYOKINES, "Interleukin-6 (IL-6) released by working muscle acts on the brain as an anti-inflammatory signal.",
        sections=(*_MYOKINE_SECTIONS, "5.3. Interleukin-6 (IL-6)"),
    )
    out = extractive_answer("Which signals link muscle to brain?", passages)
    lines = out.answer.splitlines()
    assert {line.split(":")[0] for line in lines} == {"- Irisin", "- BDNF", "- IL-6"}
    assert {find_citations(line)[0] for line in lines} == {1, 2, 3}


def test_a_yes_no_question_leads_with_the_direction_of_the_findings():
    out = extractive_answer("Does balance training improve gait speed in older adults?", _TRIALS[:1] + _GROUPS[:1])
    first = out.answer.splitlines()[0]
    assert first.startswith("Yes: ") and "benefit" in first and not find_citations(first)



def test_an_acronym_the_passages_define_holds_the_words_it_stands_for():
    from reviewer.answering.documents import acronyms_defined

    passages = _passages("Balance training (BT) is widely prescribed to older adults with gait problems.",
                         "A meta-analysis by Ruiz et al. found that BT has a notably greater effect on gait speed in women "
                         "compared to men.")
    assert acronyms_defined(passages) == {"bt": frozenset({"balanc", "train"})}
    out = extractive_answer("Do women get a bigger gait speed boost from balance training than men do?", passages)
    assert not out.insufficient_evidence and "Ruiz et al." in out.answer


def test_a_quoted_sentence_brings_the_next_one_giving_its_details():
    passages = _passages("A meta-analysis by Ruiz et al. found that balance training has a greater effect on gait in "
                         "women than in men. Specifically, when women were over 70% of participants, the effect size was "
                         "larger (g = 0.64). Trials were mostly short.")
    out = extractive_answer("Does balance training help gait more in women than in men?", passages)
    assert "g = 0.64" in out.answer and "mostly short" not in out.answer


def test_a_yes_no_question_the_findings_call_open_is_not_answered_yes():
    passages = _passages("Balance training may slow gait decline, but more research is needed to reverse "
                         "established gait deficits in older adults.")
    out = extractive_answer("Can balance training reverse established gait deficits in older adults?", passages)
    first = out.answer.splitlines()[0]
    assert first.startswith("Not established: ") and "still open" in first


# ---------------------------------------------------------------- citations in order of first appearance


def test_citations_are_numbered_in_order_of_first_appearance_and_map_to_their_passages():
    passages = _passages(
        "Balance training programmes usually combine static stances with dynamic walking tasks in the clinic.",
        "Stretching is often added to balance programmes although its own effect on gait is unclear in trials.",
        "Twelve weeks of balance training shortened gait initiation time by 18% in older adults in one trial.",
    )
    out = answer("By how much did balance training shorten gait initiation time?", passages, Settings())
    assert find_citations(out.answer)[0] == 1
    (citation,) = out.citations
    assert citation.n == 1 and citation.chunk_id == "p2"  # retrieval rank 3, first cited: [1]
    assert "18%" in out.answer


def test_a_generated_answer_is_renumbered_too_and_keeps_its_checks():
    reply = ("Twelve weeks of balance training shortened gait initiation time by 18% [3]. "
             "Balance programmes combine static stances with dynamic walking tasks [1].")
    passages = _passages(
        "Balance training programmes usually combine static stances with dynamic walking tasks in the clinic.",
        "Stretching is often added to balance programmes although its own effect on gait is unclear in trials.",
        "Twelve weeks of balance training shortened gait initiation time by 18% in older adults in one trial.",
    )
    out = answer("What did balance training do to gait?", passages, Settings(), llm=FakeChatModel(replies=[reply]))
    assert out.llm == "fake:fake"
    assert find_citations(out.answer) == [1, 2]
    assert [(c.n, c.chunk_id) for c in out.citations] == [(1, "p2"), (2, "p0")]


# ---------------------------------------------------------------- re-ranking within a paper


def test_rerank_puts_the_passage_holding_the_answer_first_among_neighbours_of_one_paper():
    passages = _passages(
        "Drought tolerance experiments with Sorghum lines were run in greenhouse trials over many seasons.",
        "Sorghum lines were grown with water withheld at increasing intervals in greenhouse trials.",
        "Only the S. bicolor line kept its grain yield under drought, while the other lines lost half of it.",
    )
    ranked = rerank("Which sorghum line kept its grain yield under drought?", passages, 2, AnsweringSettings())
    assert ranked[0].chunk_id == "p2" and len(ranked) == 2


def test_a_cross_encoder_that_cannot_be_loaded_is_one_clear_error(tmp_path):
    settings = AnsweringSettings(cross_encoder=str(tmp_path / "no-such-model"))
    with pytest.raises(RerankError, match="answering.cross_encoder"):
        rerank("Which antibiotic?", _TRIALS, 2, settings)


# ---------------------------------------------------------------- direction words in yes/no questions

_WALKING = _passages(
    "In a trial of 120 adults, twelve weeks of brisk walking reduced anxiety scores by 20% compared with usual care.",
    "Walking programmes are popular with older adults because they need no equipment and little supervision.",
    "Anxiety is common in older adults and often goes untreated in primary care settings.",
)


def test_a_direction_word_absent_from_the_passages_is_not_required():
    out = extractive_answer("Does brisk walking lower anxiety?", _WALKING)
    assert not out.insufficient_evidence
    first, second = out.answer.splitlines()[:2]
    assert first.startswith("Yes: ") and "decrease" in first and not find_citations(first)
    assert "reduced anxiety scores by 20%" in second and find_citations(second) == [1]


def test_a_question_asking_for_the_opposite_change_is_answered_no():
    out = extractive_answer("Does brisk walking raise anxiety?", _WALKING)
    assert not out.insufficient_evidence
    assert out.answer.splitlines()[0].startswith("No: the finding below shows a decrease")


def test_a_subject_absent_from_the_passages_is_still_refused():
    out = extractive_answer("Does swimming lower anxiety?", _WALKING)
    assert out.insufficient_evidence and "swimming" in out.answer


def test_what_is_the_x_of_y_is_refused_when_no_passage_mentions_x():
    passages = _passages(
        "Supervised balance training programmes for people with dementia were delivered twice weekly in care homes.",
        "Balance training in dementia care reduced falls by 30% over six months in a cluster randomised trial.",
    )
    out = extractive_answer("What is the cost-effectiveness of supervised balance training in dementia care?", passages)
    assert out.insufficient_evidence and "cost" in out.answer
    kept = extractive_answer("What is the effect of supervised balance training on falls in dementia care?", passages)
    assert not kept.insufficient_evidence and "30%" in kept.answer


# ---------------------------------------------------------------- sentences that continue the one before


def test_a_sentence_continuing_its_predecessor_is_quoted_with_it():
    passages = _passages(
        "Balance training is widely used in falls clinics. Smith et al. ran a 10-week balance training trial in "
        "120 older adults with diabetes. Within the training group, gains in ankle strength were associated with "
        "shorter gait initiation time.",
        "Balance training programmes usually combine static stances with dynamic walking tasks in the clinic.",
    )
    out = extractive_answer("In the 10-week trial by Smith et al., which strength gain tracked shorter gait initiation?",
                            passages)
    assert "Smith et al. ran a 10-week" in out.answer and "gains in ankle strength" in out.answer
    for sentence, cited in _cited_lines(out.answer):
        assert cited == [1] and quote_matches(sentence, passages[0].text)


def test_a_continuing_sentence_opening_a_chunk_takes_its_lead_from_the_chunk_before():
    passages = [
        Passage(chunk_id="review:abc:4", doc_id="review", text="Within the training group, gains in ankle strength "
                "were associated with shorter gait initiation time, suggesting a neuromuscular contribution."),
        Passage(chunk_id="review:abc:3", doc_id="review", text="Balance training is widely used in falls clinics. "
                "Smith et al. ran a 10-week balance training trial in 120 older adults with diabetes."),
    ]
    out = extractive_answer("In the 10-week trial by Smith et al., which strength gain tracked shorter gait initiation?",
                            passages)
    lines = _cited_lines(out.answer)
    assert [cited for _, cited in lines] == [[2], [1]]
    assert lines[0][0].startswith("Smith et al. ran") and "ankle strength" in lines[1][0]


def test_a_compound_name_picks_the_sentence_that_names_it_as_written():
    passages = _passages(
        "Several forms of KRT9 have been described in skin cells. An alternative start codon produces a KRT9 "
        "variant with a shortened head domain called KRT9(S2).",
        "After its discovery, KRT9 expression and form in skin cells were found to matter for wound healing.",
    )
    out = extractive_answer("What is the mechanism for expression of the KRT9(S2) form of KRT9 in skin?", passages)
    assert out.answer.startswith("An alternative start codon produces")


@pytest.mark.parametrize("question, sides", [
    ("Is balance training better supported for healthy older adults or for people with dementia?",
     ("older adults", "dementia")),
    ("Are IL-15 levels higher or lower in people with Alzheimer's disease?", ("higher", "lower")),
])
def test_comparison_sides_several_words_apart_or_naming_a_change(question, sides):
    assert comparison_sides(question) == sides and question_type(question) is QuestionType.comparison


def test_decline_as_an_outcome_does_not_ask_for_null_studies():
    from reviewer.answering.questions import asked_direction

    assert asked_direction("Which cohort studies linked grip strength to later cognitive decline?") is None
    assert asked_direction("Which studies found no effect or a worsening?") == "against"


def test_an_abbreviated_genus_matches_the_species_the_question_names():
    from reviewer.answering.questions import text_stems

    question = "Has Sorghum bicolor been bred for drought tolerance?"
    assert "sorghum" in text_stems("S. bicolor kept its yield under drought.", question)
    assert "sorghum" not in text_stems("The bicolor line kept its yield under drought.", question)


_COHORTS = _passages(
    "A cohort study involving 1978 older adults [41], followed for seven years, linked low muscle mass to a faster "
    "decline in cognitive scores. Similarly, in a prospective study of middle-aged adults, Liu et al. [42] tracked 9333 "
    "participants over four years and found that higher grip strength went with a slower cognitive decline.",
    "Wang et al. [35] examined the body composition of 2540 older adults at one time point and found lower cognitive "
    "scores with low muscle mass.",
    "Liu et al. [23] conducted a randomized controlled trial in 60 older adults with dementia and found that four weeks "
    "of training improved cognitive scores.",
)


def test_which_cohort_studies_lists_every_cohort_on_either_alternative_and_no_other_design():
    out = extractive_answer("Which cohort studies linked muscle mass or grip strength to later cognitive decline?",
                            _COHORTS)
    lines = out.answer.splitlines()
    assert any("1978" in line and line.startswith("- A cohort study involving 1978 older adults") for line in lines)
    assert any(line.startswith("- Liu et al.") and "9333" in line for line in lines)  # grip strength: the other side
    assert "Wang" not in out.answer and "dementia" not in out.answer  # cross-sectional; a trial by another Liu


def test_which_trials_keeps_two_studies_by_authors_of_one_name_apart():
    passages = _passages(
        "Liu et al. [23] conducted a randomized controlled trial in 60 older adults with dementia and found that four "
        "weeks of resistance training improved MMSE scores.",
        "In a separate randomized trial, Liu et al. [31] found that twelve weeks of resistance training improved MMSE "
        "scores in 88 older adults with mild cognitive impairment.",
    )
    out = extractive_answer("Which trials found that resistance training improved MMSE scores?", passages)
    assert "n = 60" in out.answer and "n = 88" in out.answer


def test_what_adverse_events_quotes_the_sentences_naming_them_and_the_list_that_follows():
    passages = _passages(
        "Supervised resistance training improved executive function and processing speed in older adults.",
        "Supervised resistance training is generally safe for older adults, with a low incidence of serious adverse "
        "events such as falls or musculoskeletal injuries. Reported challenges predominantly involve transient fatigue, "
        "muscle soreness, or adherence difficulties. Future trials should report feasibility.",
        sections=("3.1. Irisin", "6.2. Safety"),
    )
    out = extractive_answer("What adverse events are reported with supervised resistance training in older adults?",
                            passages)
    assert "falls or musculoskeletal injuries [2]" in out.answer and "muscle soreness" in out.answer
    assert "processing speed" not in out.answer and "Future trials" not in out.answer


def test_a_quantity_question_takes_the_number_written_after_the_thing_it_names():
    passages = _passages(
        "The optimal binding temperature of the elongation factor was measured for every archaeal class in the assay "
        "to estimate the growth temperature of each class.",
        "Our results suggest optimal binding temperatures for Baldrarchaeia (64 °C), Odinarchaeia (57.2 °C), "
        "Wukongarchaeia (63.2 °C) and Borrarchaeia (49.5 °C).",
        "The optimal binding temperature of the elongation factor from the mesophile was about 20.5 °C in the assay.",
    )
    out = extractive_answer("What is the optimal binding temperature for the elongation factor from the class "
                            "Wukongarchaeia in degrees celsius?", passages)
    first, cited = _cited_lines(out.answer)[0]
    assert "63.2 °C" in first and cited == [2]


def test_a_superlative_asked_picks_the_sentence_stating_it():
    passages = _passages(
        "Flies lacking REV1 are hypersensitive to methyl methanesulfonate and show chromosome aberrations after exposure.",
        "Double mutants lacking the DTD domain of REV1 showed a greater increase in sensitivity to methyl "
        "methanesulfonate than the other double mutants.",
    )
    out = extractive_answer("Which domain of REV1, when knocked out, leads to the greatest increase in sensitivity "
                            "to methyl methanesulfonate?", passages)
    first, cited = _cited_lines(out.answer)[0]
    assert "DTD" in first and cited == [2]


def test_rerank_lets_a_far_candidate_in_only_when_it_states_the_value_a_quantity_question_names():
    filler = [f"The optimal binding temperature of the elongation factor was assayed in sample {i} of the archaeal "
              f"panel." for i in range(40)]
    filler[30] = "Our results suggest Baldrarchaeia (64 °C), Wukongarchaeia (63.2 °C) and Borrarchaeia (49.5 °C)."
    passages = _passages(*filler)
    asked = "What is the optimal binding temperature of the elongation factor from Wukongarchaeia in degrees celsius?"
    assert "p30" in [p.chunk_id for p in rerank(asked, passages, 8, AnsweringSettings(semantic=False))]
    other = "Which archaeal classes had their elongation factor assayed, such as Wukongarchaeia?"
    assert "p30" not in [p.chunk_id for p in rerank(other, passages, 8, AnsweringSettings(semantic=False))]


def test_which_trials_of_a_population_are_not_filtered_by_the_design_words_of_the_question():
    passages = _passages(
        "In a single-masked randomized controlled trial, Baek et al. [21] reported that older adults with cognitive "
        "impairment who completed dual-task training improved more. Similarly, Vints et al. [22] found that a 12-week "
        "program improved inhibitory control in older adults at high risk of MCI.",
        "Mild cognitive impairment (MCI) is a transitional stage. Randomized trials suggest training helps in MCI.",
        "Zhao et al. [43] conducted a randomized controlled trial involving 103 older adults with type 2 diabetes.",
    )
    out = extractive_answer("Which randomized trials tested training in older adults with mild cognitive impairment?",
                            passages)
    labels = [line.split(" (")[0] for line in out.answer.splitlines()]
    assert "- Vints et al." in labels and "- Baek et al." in labels
    assert labels.index("- Vints et al.") < labels.index("- Zhao et al.") if "- Zhao et al." in labels else True


def test_a_list_question_naming_a_sections_subject_quotes_that_section_and_what_it_goes_on_to_say():
    passages = _passages(
        "Irisin improves synaptic plasticity by activating the cAMP/PKA/CREB signaling pathway in mouse models. "
        "At the same time, it prevents phosphorylation of eIF2α, thereby reducing endoplasmic reticulum stress. "
        "Whether it crosses the blood-brain barrier in humans is unclear.",
        "BDNF modulates synaptic plasticity through the TrkB signaling pathway in rodents.",
        "IL-6 signaling involves the JAK/STAT and MAPK pathways in synaptic function.",
        sections=("5.1. Irisin", "5.2. Brain-Derived Neurotrophic Factor (BDNF)", "5.3. Interleukin-6 (IL-6)"),
    )
    out = extractive_answer("Through which signaling pathways does irisin improve synaptic plasticity?", passages)
    assert "cAMP/PKA/CREB" in out.answer and "eIF2α" in out.answer
    assert "TrkB" not in out.answer and "JAK/STAT" not in out.answer
    assert all(cited == [1] for _, cited in _cited_lines(out.answer))


def test_which_factors_quotes_the_sentence_naming_several_in_words_not_one_listing_statistics():
    passages = _passages(
        "Coetsee et al. observed that older adults improved reaction time by 27.35%, outperforming interval training "
        "(17.80%, ES = 0.79) and controls (24.83%, ES = 0.94).",
        "Overall, the cognitive effects of training in older adults are influenced by baseline cognitive status, "
        "disease condition, and training characteristics.",
        "Training was delivered in community centres by certified instructors to older adults.",
    )
    out = extractive_answer("Which factors shape how much older adults' cognition benefits from training?", passages)
    assert "baseline cognitive status" in out.answer
    assert "27.35%" not in out.answer


def test_the_largest_trial_is_found_among_all_candidates_and_its_size_answers():
    texts = [f"A randomized controlled trial (RCT) of balance training enrolled {20 + i} participants, the largest of "
             f"clinic {i}." for i in range(40)]
    texts[33] = "In contrast, the DAPA trial by Lamb et al. enrolled 494 individuals with mild to moderate dementia."
    passages = _passages(*texts)
    asked = "How many participants were in the largest RCT?"
    kept = rerank(asked, passages, 8, AnsweringSettings(semantic=False))
    assert "p33" in [p.chunk_id for p in kept]
    out = extractive_answer(asked, kept)
    assert "494" in _cited_lines(out.answer)[0][0]


def test_a_dose_question_is_answered_by_the_number_in_sessions_even_without_the_questions_other_words():
    passages = _passages(
        "It has become a pressing public health issue in the 21st century, emphasizing the urgent need for prevention.",
        "Current evidence from intervention studies, typically involving 2–3 sessions per week, suggests that "
        "resistance training may stimulate the release of myokines.",
        "Resistance training dose has rarely been compared head to head in older adults.",
    )
    out = extractive_answer("What dose of resistance training is needed?", passages)
    assert "2–3 sessions per week" in out.answer and "21st century" not in out.answer


def test_rerank_keeps_a_passage_for_each_side_of_a_comparison_even_one_ranked_far_down():
    filler = [f"Resistance training improved cognition in individuals with MCI in clinic {i}." for i in range(40)]
    filler[35] = "Collectively, the cognitive effects of resistance training in individuals with dementia are variable."
    passages = _passages(*filler)
    kept = rerank("Is resistance training more effective for MCI or dementia?", passages, 8,
                  AnsweringSettings(semantic=False))
    assert "p35" in [p.chunk_id for p in kept] and len(kept) == 8
    out = extractive_answer("Is resistance training more effective for MCI or dementia?", kept)
    assert "dementia are variable" in out.answer


def test_a_who_question_names_the_researcher_not_an_outside_commentator():
    passages = _passages(
        "A study published in the Proceedings of the National Academy of Sciences shows that activated muscle nerves "
        "send signals to the brain.",
        "Jane Roe, MD, director of a program at the Neuroscience Institute, who was not involved in the study, said "
        "it will take time to understand the effects.",
        "The findings highlight the importance of muscle health, said John Doe, PhD, a professor at the University of "
        "Illinois and a co-author of the study.",
    )
    out = extractive_answer("Which researcher was behind the study showing that muscle nerves send signals to the "
                            "brain?", passages)
    assert "John Doe" in out.answer and "Jane Roe" not in out.answer


def test_which_studies_reads_a_study_with_the_lead_in_that_says_what_it_measured():
    passages = _passages(
        "Further research indicates that muscle strength plays a mediating role in the relationship between "
        "physical activity and cognitive function. A cross-sectional study by Chen et al. [39] found that lower limb "
        "muscle strength accounted for 20.1% of this association.",
        "Zhao et al. [43] conducted a randomized controlled trial in 103 older adults with diabetes.",
    )
    out = extractive_answer("Which studies suggest that strength mediates the link between physical activity and "
                            "cognition?", passages)
    assert out.answer.startswith("- Chen et al.")


def test_rerank_keeps_the_passage_naming_several_of_the_things_a_list_question_asks_for():
    filler = [f"Resistance training changed myokine levels in older adults in cohort {i}." for i in range(30)]
    filler[20] = ("RT-induced myokines, including Irisin, BDNF, IL-6, IL-15, and IGF-1, are proposed to carry the "
                  "cognitive effects of training.")
    passages = _passages(*filler)
    asked = "Which myokines are proposed to carry the cognitive effects of resistance training?"
    kept = rerank(asked, passages, 8, AnsweringSettings(semantic=False))
    assert "p20" in [p.chunk_id for p in kept]
    assert "IL-15" in extractive_answer(asked, kept).answer


def test_rerank_puts_the_passage_naming_them_before_passages_listing_other_things_about_them():
    filler = [f"Resistance training changed myokine levels in older adults in cohort {i}." for i in range(30)]
    for i in (1, 2, 3):  # series of words about myokines, ranked first
        filler[i] = (f"Myokines in cohort {i} shaped mood, sleep, and appetite after resistance training in older adults "
                     "with cognitive effects.")
    filler[20] = "Five myokines, Irisin, BDNF, IL-6, IL-15, and IGF-1, were selected for discussion."
    asked = "Which myokines carry the cognitive effects of resistance training?"
    kept = [p.chunk_id for p in rerank(asked, _passages(*filler), 8, AnsweringSettings(semantic=False))]
    assert kept[0] == "p20" and {"p1", "p2", "p3"} <= set(kept)


def test_what_mechanisms_leads_with_the_sentence_naming_several_of_them():
    passages = _passages(
        *_MYOKINES, "Muscle signals to the brain through myokines, including Irisin, BDNF, IL-6, and IGF-1, which shape "
        "plasticity.", sections=(*_MYOKINE_SECTIONS, "5. Mechanisms"),
    )
    out = extractive_answer("What mechanisms link muscle to brain?", passages)
    lines = out.answer.splitlines()
    assert lines[0].startswith("- Irisin, BDNF, IL-6, IGF-1: Muscle signals to the brain through myokines")
    assert {line.split(":")[0] for line in lines[1:]} == {"- Irisin", "- BDNF"}


def test_a_sides_statement_speaks_of_the_comparisons_subject():
    passages = _passages(
        "For example, boxing has been used to help people with Parkinson's disease.",
        "Silva-Batista and colleagues showed that 12 weeks of unstable strength training improved global cognition in "
        "patients with Parkinson's disease.",
    )
    out = extractive_answer("Is strength training more useful for cognition in Parkinson's disease or in Huntington's "
                            "disease?", passages)
    assert "Silva-Batista" in out.answer and "boxing" not in out.answer
    assert "None of the passages concern Huntington's disease." in out.answer


def test_which_cross_sectional_studies_lists_only_that_design():
    passages = _passages(
        "Jiang et al. [35] analyzed cross-sectional data from 40,000 participants and linked grip strength to cognition.",
        "A cohort study by Liu et al. [42] followed 9333 adults for four years; grip strength predicted cognition.",
        "A cross-sectional study by Chen et al. [39] found that leg strength accounted for 20.1% of the association "
        "with cognition.",
    )
    out = extractive_answer("Which cross-sectional studies linked muscle mass or strength to cognition?", passages)
    labels = [line.split(" (")[0] for line in out.answer.splitlines()]
    assert "- Jiang et al." in labels and "- Chen et al." in labels and "- Liu et al." not in labels


def test_x_or_non_x_compares_the_same_thing_with_and_without_the_qualifier():
    assert comparison_sides("Is progressive or non-progressive resistance training better for cognition?") == (
        "progressive resistance training", "non-progressive resistance training")


def test_a_question_word_english_uses_only_as_a_verb_or_a_common_adjective_is_phrasing_not_a_missing_subject():
    from reviewer.answering.wording import is_phrasing

    assert is_phrasing("tied") and is_phrasing("undo") and is_phrasing("weak") and is_phrasing("later")
    # Nouns, rare adjectives and gerunds narrow the subject: a question about them is not answered by its neighbours.
    assert not any(is_phrasing(w) for w in ("creatine", "delirium", "yoga", "surgical", "aquatic", "dancing", "ADHD"))
    passages = _passages("A cohort study of 1978 older adults followed for seven years linked low muscle mass to a "
                         "decline in cognitive scores.",
                         "Liu et al. [42] tracked 9333 adults and found that lower grip strength was associated with "
                         "faster cognitive decline.")
    out = extractive_answer("Which long-term cohorts tied low muscle mass or weak grip to later cognitive decline?",
                            passages)
    assert not out.insufficient_evidence and "1978" in out.answer
    refused = extractive_answer("Which cohorts tied creatine intake to cognitive decline?", passages)
    assert refused.insufficient_evidence


def test_a_versus_comparison_ends_its_second_side_before_the_population():
    question = "Resistance training vs tai chi for improving cognition in older adults with MCI - which works better?"
    assert comparison_sides(question) == ("Resistance training", "tai chi")
    passages = _passages("Randomized trials suggest that resistance training improves cognition in older adults "
                         "with MCI.", "Resistance training programs in MCI usually last twelve weeks.")
    out = extractive_answer(question, passages)
    assert "None of the passages concern tai chi" in out.answer and "improves cognition" in out.answer


def test_which_trials_asking_whether_cognition_improved_lists_trials_of_every_direction():
    from reviewer.answering.questions import asked_direction

    asked = "Which trials tested resistance training in people with dementia, and did cognition actually improve?"
    assert asked_direction(asked) is None
    assert asked_direction("Which trials found that resistance training improved cognition in dementia?") == "for"
    passages = _passages(
        "The DAPA trial by Lamb et al. [24], which enrolled 494 individuals with dementia, showed that combined "
        "aerobic and resistance training was associated with a modest worsening in cognitive performance.",
        "Liu et al. [23] conducted a randomized controlled trial in older adults with dementia and demonstrated that "
        "four weeks of RT significantly improved MMSE scores. Resistance training (RT) was supervised.")
    out = extractive_answer(asked, passages)
    assert "Lamb" in out.answer and "worsening" in out.answer and "Liu" in out.answer


def test_rerank_keeps_the_studies_under_the_heading_of_the_best_passage_for_a_which_studies_question():
    heading = "3.3. Older Adults with Dementia"
    summary = ("Collectively, the cognitive effects of resistance training in people with dementia are variable across "
               "trials of resistance training in dementia.")
    study = "At the individual trial level, Liu et al. [23] reported that four weeks of RT improved MMSE scores."
    filler = [f"Resistance training in older adults with dementia is discussed in paragraph {i} of the section."
              for i in range(12)]
    texts = [summary, *filler, study]
    sections = tuple([heading] + ["6. Limitations"] * 12 + [heading])
    passages = _passages(*texts, sections=sections)
    kept = rerank("Which trials tested resistance training in dementia?", passages, 4, AnsweringSettings(semantic=False))
    assert "p13" in [p.chunk_id for p in kept]
    # Other questions keep the order of the sentences' scores.
    plain = rerank("Is resistance training in dementia discussed?", passages, 4, AnsweringSettings(semantic=False))
    assert "p13" not in [p.chunk_id for p in plain]


def test_a_quantity_stated_at_the_start_of_the_next_chunk_is_read_after_the_chunk_on_the_question():
    first = Passage(chunk_id="news:abc:5", doc_id="news", text="The duration needed to observe the effects of exercise "
                    "on cognitive function may vary with age and baseline cognition, Glatt said.")
    then = Passage(chunk_id="news:abc:6", doc_id="news", text="Studies typically show effects over a period of weeks "
                   "to months. Future studies should take these variables into account.")
    other = Passage(chunk_id="review:def:9", doc_id="review", text="Resistance training sessions ran in 2019 in 14 "
                    "clinics.")
    out = extractive_answer("How long before exercise starts to show cognitive effects?", [first, other, then])
    assert "weeks to months [" in out.answer and "2019" not in out.answer


def test_a_sentence_concluding_from_the_figures_before_it_is_quoted_with_them():
    passages = _passages("Barha et al. [29] pooled trials of resistance training and executive function. Specifically, "
                         "when the share of female participants was above 71%, the effect size was larger (g = 0.639) "
                         "than in studies with fewer women, where it was 0.150. This suggests that women tend to benefit "
                         "more from resistance training in executive function than men.",
                         "Resistance training sessions were supervised in most trials.")
    out = extractive_answer("Do women benefit more than men from resistance training in executive function?", passages)
    assert "0.639" in out.answer and "women tend to benefit more" in out.answer
    alone = extractive_answer("Do women benefit more than men from resistance training in executive function?",
                              _passages("Resistance training was studied. This suggests that women tend to benefit "
                                        "more from resistance training in executive function than men."))
    assert "Resistance training was studied" not in alone.answer  # no figures before it: it is quoted alone


@pytest.mark.parametrize("question, sides", [
    ("Do weight training and aerobic exercise differ in the myokines they raise?", ("weight training", "aerobic exercise")),
    ("How do acute and chronic exercise differ in their effects on the brain?", ("acute", "chronic exercise")),
    ("How does resistance training compare with aerobic exercise?", ("resistance training", "aerobic exercise")),
])
def test_two_things_asked_to_differ_are_a_comparison(question, sides):
    assert comparison_sides(question) == sides and question_type(question) is QuestionType.comparison


def test_a_sentence_setting_one_side_against_the_other_with_while_answers_the_comparison():
    passages = _passages("Acute exercise modulates neurochemistry, while chronic exercise promotes structural brain "
                         "remodeling.", "Chronic exercise programmes in older adults last months.",
                         "Acute exercise raises heart rate within minutes.")
    out = extractive_answer("How do acute and chronic exercise differ in their effects on the brain?", passages)
    assert out.answer.splitlines()[0].startswith("- acute and chronic exercise compared: Acute exercise modulates")


def test_a_study_of_one_alternative_named_with_a_phrasing_adjective_is_listed():
    passages = _passages("A cohort study of 1978 older adults [41] followed for seven years linked low muscle mass to "
                         "a decline in cognitive scores. Similarly, in a prospective study, Liu et al. [42] tracked 9333 "
                         "adults and found that higher grip strength went with better cognitive performance.",
                         "Older adults with a weak grip lose muscle mass with age.",
                         "Grip strength and cognitive decline are measured in most cohorts.")
    out = extractive_answer("Which cohorts tied low muscle mass or weak grip to cognitive decline?", passages)
    assert "1978" in out.answer and "Liu et al." in out.answer and "9333" in out.answer


def test_a_yes_no_question_about_what_a_study_did_is_answered_no_by_the_sentence_denying_it():
    passages = _passages("Muscle signals reach the brain through many routes, reviews say. In this study, the researchers "
                         "did not observe people exercising. Instead, they studied models of muscle tissue.",
                         "Exercise plays a major role in brain health by triggering the release of molecules, and "
                         "people exercising regularly had better memory in earlier studies.")
    out = extractive_answer("Did the muscle–brain signalling study observe people exercising?", passages)
    lines = out.answer.splitlines()
    assert lines[0].startswith("No:")
    assert "did not observe people exercising [1]" in lines[1] and "Instead, they studied models of muscle tissue" in lines[1]


def test_seniors_and_the_elderly_are_the_older_adults_the_passages_write_of():
    passages = _passages("Additionally, programs with unstable surfaces or free weights appear to be more effective "
                         "than machine-based training in enhancing cognition in healthy older adults.",
                         "Machine-based training is common in gyms.")
    for who in ("seniors", "elderly people"):
        out = extractive_answer(f"In healthy {who}, does free-weight training do more for cognition than machines?",
                                passages)
        assert "None of the passages concern" not in out.answer and not out.insufficient_evidence
    assert extractive_answer("In healthy children, does free-weight training do more for cognition than machines?",
                             passages).answer.startswith("None of the passages concern children")


def test_which_factors_is_answered_first_by_the_sentence_naming_factors_and_the_topic_acronym_is_no_item():
    passages = _passages(
        "Collectively, evidence suggests that multiple myokines, including irisin, BDNF, IL-6, IL-15, and IGF-1, may "
        "contribute to exercise-related neuroplasticity through integrated signaling pathways.",
        "Personal factors like genetics and environment influence exercise-induced neuroplasticity outcomes.",
        "Exercise promotes neuroplasticity through molecular pathways and network reorganization.")
    out = extractive_answer("Which individual factors shape the neuroplasticity a person gets from exercise?", passages)
    assert out.answer.splitlines()[0].startswith("- Personal factors like genetics and environment")
    from reviewer.answering.listing import _topic_names

    defined = _passages("Resistance training (RT) raises irisin (a myokine) and brain-derived neurotrophic factor "
                        "(BDNF).", "RT also raises interleukin-6 (IL-6).")
    assert "rt" in _topic_names("Which molecules carry the brain benefits of resistance exercise?", defined)
    assert "bdnf" not in _topic_names("Which molecules carry the brain benefits of resistance exercise?", defined)


class _RecordingEmbedder:
    """Embeds every text as the same vector, and remembers what it was asked to embed."""

    name = "recording"

    def __init__(self):
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        return [[1.0, 0.0] for _ in texts]

    def embed_query(self, text):
        return [1.0, 0.0]


def test_the_embedding_model_reads_a_sentence_with_the_acronyms_its_passages_define_written_out():
    from reviewer.answering.documents import spell_acronyms, spelled_out

    passages = _passages("Exercise, particularly resistance training (RT), and brain-derived neurotrophic factor "
                         "(BDNF) are reviewed here.", "In these populations, RT appears most effective for executive "
                         "function, and BDNF rises after RT in most trials.")
    spelled = spelled_out(passages)
    assert spelled == {"RT": "resistance training", "BDNF": "brain derived neurotrophic factor"}
    # An acronym the question writes itself stays as it is.
    assert spell_acronyms("BDNF rises after RT.", spelled, "Does BDNF rise?") == "BDNF rises after resistance training."
    embedder = _RecordingEmbedder()
    extractive_answer("Which works better for executive function: resistance training or tai chi?", passages,
                      embedder=embedder)
    assert any(t.startswith("In these populations, resistance training appears most effective") for t in embedder.texts)
    assert not any("RT appears" in t for t in embedder.texts)


def test_an_acronym_defined_outside_the_passages_stands_for_the_words_they_write_with_its_initials():
    from reviewer.answering.documents import acronyms_defined, spelled_out

    passages = _passages("In people with dementia, RT improved MMSE scores, rather than global function.",
                         "Resistance training raised grip strength; resistance training is safe, rather than risky.",
                         "Trials of RT in dementia are few.")
    assert spelled_out(passages) == {"RT": "resistance training"}  # not "rather than": a run of content words
    assert acronyms_defined(passages)["rt"] == frozenset({"resist", "train"})
    assert spelled_out(passages[:1] + passages[2:]) == {}  # the words must be written twice at least


def test_which_trials_lists_only_studies_of_the_population_the_best_passage_is_headed_by():
    heading, other = "3.3. Older Adults with Dementia", "4.2. Interventional Evidence"
    passages = _passages(
        "The DAPA trial by Lamb et al. [24], which enrolled 494 individuals with dementia, showed that combined "
        "aerobic and strength training led to a modest worsening in cognitive performance.",
        "At the individual trial level, Liu et al. [23] reported that four weeks of strength training improved MMSE "
        "scores in older adults with dementia.",
        "Evidence from systematic reviews suggests that strength training may confer cognitive benefits in dementia. "
        "For example, Huang et al. [8] reported in a meta-analysis that strength training slowed cognitive decline in "
        "dementia.",
        "Mavros et al. [45] reported in the SMART trial that progressive strength training enhanced global cognition "
        "in patients with MCI. Zhao et al. [43] ran a randomized controlled trial of strength training in 103 older "
        "adults with type 2 diabetes.",
        sections=(heading, heading, heading, other))
    out = extractive_answer("Which trials or reviews have looked at strength training for cognition in people with "
                            "dementia, and did they agree?", passages)
    assert "Lamb" in out.answer and "Liu" in out.answer and "Huang" in out.answer  # reviews too: two designs asked
    assert "Mavros" not in out.answer and "Zhao" not in out.answer  # MCI, diabetes: other populations


def test_rerank_and_a_list_answer_prefer_the_passage_naming_more_of_the_things_asked_for():
    filler = [f"Resistance training changed myokine levels in older adults in cohort {i}." for i in range(30)]
    for i in (1, 2, 3, 4):  # three of them by name, ranked first
        filler[i] = f"Myokines such as BDNF, IL-6 and IGF-{i} carry cognitive effects of resistance training."
    filler[20] = "Five myokines, Irisin, BDNF, IL-6, IL-15, and IGF-1, carry cognitive effects of resistance training."
    asked = "Which myokines carry the cognitive effects of resistance training?"
    kept = rerank(asked, _passages(*filler), 4, AnsweringSettings(semantic=False))
    assert "p20" in [p.chunk_id for p in kept]
    first = extractive_answer(asked, kept).answer.splitlines()[0]
    assert "Irisin, BDNF, IL-6, IL-15, and IGF-1" in first


def test_which_trials_in_a_named_condition_lists_only_studies_under_it_even_by_their_heading():
    passages = _passages(
        "Mavros et al. [45] reported in the SMART trial that progressive resistance training enhanced global cognition "
        "in patients with MCI.",
        "In a controlled trial, David et al. [25] compared progressive and non-progressive training over 24 months and "
        "reported superior improvements in working memory with progressive training.",
        "Parkinson's disease (PD) is a progressive neurodegenerative disorder; resistance training is safe in PD.",
        sections=("4.2. Interventional Evidence", "3.4. Older Adults with Parkinson's Disease",
                  "3.4. Older Adults with Parkinson's Disease"))
    out = extractive_answer("Which trials of progressive training for cognition in people with Parkinson's?", passages)
    assert "David et al." in out.answer and "Mavros" not in out.answer


def test_a_comparison_side_after_or_may_run_to_six_words():
    question = ("Does strength training help cognition more in older people with type 2 diabetes or in those with "
                "chronic kidney disease?")
    assert comparison_sides(question)[1] == "chronic kidney disease"
    passages = _passages("Zhao et al. [43] ran a trial in 103 older adults with type 2 diabetes: strength training "
                         "improved executive function.", "Strength training improves cognition in older people.")
    assert "None of the passages concern chronic kidney disease." in extractive_answer(question, passages).answer


def test_someone_and_keep_doing_phrase_a_question():
    from reviewer.answering.extractive import _PHRASING

    assert all(_PHRASING.search(w) for w in ("someone", "anybody", "keep", "starts", "tends", "like", "ones",
                                              "measurable", "detectable"))
    assert not any(_PHRASING.search(w) for w in ("yoga", "creatine", "sleep", "someday", "table", "cable"))


def test_a_word_after_have_to_or_the_studies_is_a_verb():
    from reviewer.answering.extractive import _after_studies

    assert _after_studies("run", "How long does a program have to run before effects show?")
    assert _after_studies("tie", "Which studies tie grip strength to memory?")
    assert not _after_studies("sleep", "Is strength training linked to sleep?")


@pytest.mark.parametrize("question", [
    "any RCTs of strength / RT programs in people who already have dementia? which ones",
    "Are there any randomized trials of balance training in stroke?",
])
def test_any_rcts_asks_for_the_studies(question):
    assert question_type(question) is QuestionType.studies


def test_rcts_read_as_the_randomized_controlled_trials_passages_write_of():
    from reviewer.text import spell_out

    assert spell_out("any RCTs of RT?") == "any randomized controlled trials of RT?"
    passages = _passages(
        "The DAPA trial by Lamb et al. [24], which enrolled 494 individuals with dementia, showed that combined "
        "aerobic and strength training led to a modest worsening in cognitive performance.",
        "At the individual trial level, Liu et al. [23] conducted a single-blind randomized controlled trial in older "
        "adults with dementia and reported that four weeks of strength training improved MMSE scores.",
        sections=("3.3. Older Adults with Dementia",) * 2)
    out = extractive_answer("any RCTs of strength training in people who already have dementia? which ones and did "
                            "cognition go up or down", passages)
    assert not out.insufficient_evidence
    assert "Liu et al. (RCT, benefit)" in out.answer and "Lamb et al." in out.answer


def test_that_news_piece_and_the_pnas_study_name_their_documents():
    news = Passage(chunk_id="n0", doc_id="news", doc_type="news", title="Exercise stimulates brain function",
                   text="A study published in the journal Proceedings of the National Academy of Sciences shows that "
                        "nerves that stimulate muscles also send signals to the brain.")
    review = Passage(chunk_id="r0", doc_id="review", doc_type="review", title="Exercise and the brain",
                     text="Exercise improves cognition in older adults.")
    assert naming("in that news piece, what does the coach say?", [news, review])[0] == {"news"}
    assert naming("did the PNAS study show it in humans?", [news, review])[0] == {"news"}
    assert naming("did the NIH study show it in humans?", [news, review])[0] == set()


def test_a_yes_no_question_doubting_a_claim_leads_with_the_caveat():
    passages = _passages("Several studies have already shown that regular exercise can improve cognitive function in "
                         "adults. Our study did not prove how exercise can directly improve cognitive function, Kong "
                         "cautioned.", "Muscle contractions release factors that improve brain function in mice.")
    out = extractive_answer("Did the muscle study actually show that exercise improves cognitive function?", passages)
    lines = out.answer.splitlines()
    assert lines[0].startswith("Not shown:") and lines[1].startswith("Our study did not prove")
    plain = extractive_answer("Did the muscle study show that exercise improves cognitive function?", passages)
    assert not plain.answer.startswith("Not shown")


def test_a_compound_of_a_passage_word_and_the_verb_of_studies_are_phrasing_not_a_missing_subject():
    from reviewer.answering.wording import compound_held

    assert compound_held("handgrip", {"grip"}) and compound_held("bodyweight", {"weight"})
    assert not compound_held("creatine", {"tine", "atine"}) and not compound_held("handgrip", {"strength"})
    passages = _passages(
        "In a cross-sectional study, Jiang et al. [36] analyzed data from over 40,000 participants in the UK Biobank "
        "and showed that greater grip strength was linked to better cognition in older adults.",
        "Liao et al.'s [37] cross-sectional study of 245 elderly individuals showed that grip strength is associated "
        "with working memory and cognition in older adults.")
    out = extractive_answer("what cross-sectional studies tie handgrip strength to cognition in older adults?", passages)
    assert not out.insufficient_evidence and "Jiang et al." in out.answer and "Liao et al." in out.answer
    assert not extractive_answer("is handgrip linked to cognition?", passages).insufficient_evidence
    assert extractive_answer("is creatine linked to cognition?", passages).insufficient_evidence


def test_observational_studies_are_cohorts_and_cross_sectional_studies_not_trials():
    passages = _passages(
        "A cross-sectional study by Chen et al. [39] found that grip strength accounted for 20.1% of the link between "
        "activity and cognition.",
        "In a prospective cohort study, Liu et al. [42] tracked 9333 participants and found that grip strength "
        "predicted slower cognitive decline.",
        "Zhao et al. [43] conducted a randomized controlled trial of grip strength training in 103 older adults and "
        "found improved cognition.")
    out = extractive_answer("Which observational studies link grip strength to cognition? give the cohorts", passages)
    assert "Chen et al." in out.answer and "Liu et al." in out.answer and "Zhao" not in out.answer


def test_which_molecules_leads_with_the_sentence_naming_several_even_in_other_words():
    passages = _passages(
        "Exercise triggers the release of molecules from muscles, a new study has found. The paper proposes the "
        "muscle–brain axis as a pathway linking strength training to cognitive benefits.",
        "Five myokines—Irisin, BDNF, IL-6, IL-15, and IGF-1—are proposed to carry the benefits of strength training "
        "to the brain through muscle–brain signaling.",
        "Ryan Glatt, CPT, NBC-HWC, a senior brain health coach, said the effects of exercise on the brain will take "
        "time to understand.")
    out = extractive_answer("Which muscle-derived molecules are proposed to carry the benefits of strength training "
                            "to the brain?", passages)
    assert out.answer.splitlines()[0].startswith("- Irisin, BDNF, IL-6, IL-15, IGF-1:")
    assert "CPT" not in out.answer.split(":")[0]


def test_everyday_words_read_as_the_papers_terms():
    from reviewer.text import spell_out

    assert spell_out("Does weightlifting help leg strength and thinking skills?") == (
        "Does resistance training help low limb strength and cognitive function?")  # "lower" reads as "low"
    assert spell_out("a legend of thinkers") == "a legend of thinkers"


def test_the_askers_introduction_and_instructions_are_no_words_to_find():
    from reviewer.answering.wording import interrogative, request_free

    question = ("As a rehab physician I see both stroke survivors and Alzheimer's patients. Is the evidence for "
                "strength training stronger after stroke or in dementia? I need author names.")
    assert request_free(question) == "Is the evidence for strength training stronger after stroke or in dementia?"
    assert interrogative("In the news story, the coach explains why. What routes does he list?") == (
        "What routes does he list?")
    assert question_type("In the news story, the coach explains why. Which mechanisms does he list?") is (
        QuestionType.listing)
    passages = _passages("Silva-Batista and colleagues [26] showed that 12 weeks of unstable resistance training "
                         "improved global cognition in patients with Parkinson's disease.",
                         "Resistance training is safe in older adults.")
    out = extractive_answer("Which trials tested resistance training for cognition in Parkinson's? I need author "
                            "names, how long the programs ran and the outcomes.", passages)
    assert not out.insufficient_evidence and "Silva-Batista" in out.answer


def test_what_limitations_reads_the_section_naming_them_and_its_numbered_list():
    limits = ("Despite encouraging findings, several limitations constrain current understanding of training-induced "
              "cognitive benefits. First, most mechanistic evidence relies on animal models. Second, substantial "
              "heterogeneity in protocols precludes clear conclusions. Third, adverse events are inconsistently "
              "reported. Key uncertainties remain.")
    filler = [f"Irisin signalling in cohort {i} was limited to animal work on training and cognition." for i in range(8)]
    passages = [Passage(chunk_id=f"p{i}", doc_id="review", text=t, section=f"5.{i}. Irisin")
                for i, t in enumerate(filler)]
    passages.append(Passage(chunk_id="lim", doc_id="review", text=limits,
                            section="6.3. Limitations, Uncertainties, and Future Research Priorities"))
    asked = "What are the main weaknesses in the current evidence on training and cognition?"
    kept = rerank(asked, passages, 4, AnsweringSettings(semantic=False))
    assert kept[0].chunk_id == "lim"
    out = extractive_answer(asked, kept).answer
    assert "First, most mechanistic evidence" in out and "Second, substantial heterogeneity" in out
    assert "Third, adverse events" in out and "Key uncertainties" not in out


def test_a_question_pointing_at_a_document_is_answered_from_it_with_the_list_that_follows():
    news = Passage(chunk_id="n0", doc_id="news", doc_type="news", title="Exercise stimulates brain function",
                   text='"Exercise is increasingly recognized as a supportive intervention for people with impaired '
                        "cognitive function, including those with Alzheimer's disease. Physical activity can improve "
                        'blood flow to the brain, reduce inflammation and stimulate the release of growth factors," '
                        "Glatt said.")
    review = Passage(chunk_id="r0", doc_id="review", doc_type="review", title="Resistance training and the brain",
                     text="Resistance training improves executive function in older adults with cognitive impairment.")
    library = lambda words: {w: 0 if w == "creatine" else 3 for w in words}  # noqa: E731 - the library's word counts
    out = extractive_answer("In the news story, the brain health coach explains why working out can help people with "
                            "memory problems like Alzheimer's. What physiological routes does he list?",
                            [news, review], library=library)
    assert "improve blood flow to the brain, reduce inflammation" in out.answer and "[1]" in out.answer
    assert extractive_answer("In the news story, what does the coach say about creatine?", [news, review],
                             library=library).insufficient_evidence  # what the library lacks is still refused


def test_a_single_workout_and_regular_training_read_as_acute_and_chronic_exercise():
    from reviewer.text import spell_out

    assert spell_out("a single workout or regular training") == "a acute exercise or chronic training"


def test_a_comparison_with_one_side_uncovered_shows_the_other_by_a_study_too():
    passages = _passages(
        "Collectively, resistance training protocols with unstable surfaces are more likely to improve cognition in "
        "Parkinson's disease.",
        "Silva-Batista and colleagues showed that 12 weeks of unstable resistance training improved global cognition "
        "in patients with Parkinson's disease.",
        "Resistance training is safe for older adults.")
    out = extractive_answer("For Parkinson's, is tai chi or unstable resistance training better for cognition?",
                            passages).answer
    assert "None of the passages concern tai chi." in out
    assert "Collectively, resistance training protocols" in out and "Silva-Batista and colleagues showed" in out
    both = extractive_answer("For Parkinson's, is walking or unstable resistance training better for cognition?",
                             _passages(*(p.text for p in passages[:2]),
                                       "Walking improved cognition in Parkinson's disease.")).answer
    assert "Silva-Batista" not in both or "Collectively" not in both  # both sides covered: one statement a side


def test_an_introduction_before_the_question_is_dropped():
    from reviewer.answering.wording import interrogative, request_free

    assert request_free("Neuroscientist here, skimming the review. Which pathways does it name?") == (
        "Which pathways does it name?")
    assert request_free("Before I cite it in my thesis: is the paper a meta-analysis?") == "is the paper a meta-analysis?"
    assert request_free("I'm a physiotherapist and my patients differ. Which factors matter?") == "Which factors matter?"
    assert question_type("Before I cite it in my thesis: is the paper a meta-analysis?") is QuestionType.yes_no
    assert interrogative("Writing a feature on lifting. Do the payoffs differ?") == "Do the payoffs differ?"


def test_a_quantity_of_a_study_named_in_one_sentence_is_read_in_what_they_found_next():
    passages = _passages("Eckardt et al. compared unstable versus stable training in older adults aged 65–79 years. "
                         "They found that 10 weeks of unstable free-weight training improved processing speed by 19% "
                         "(d = 0.73).", "Training improves cognition in older adults.")
    out = extractive_answer("In the study of unstable free weights in adults aged 65 to 79, how long was the program "
                            "and by how much did processing speed improve?", passages).answer
    assert "Eckardt et al. compared" in out and "They found that 10 weeks" in out


def test_a_long_question_asks_a_sentence_for_a_share_of_its_first_words_only():
    from reviewer.answering.extractive import LONG_QUESTION, coverage_asked

    assert coverage_asked(0.5, QuestionType.general, LONG_QUESTION) == 0.5
    assert coverage_asked(0.5, QuestionType.general, 2 * LONG_QUESTION) == 0.25
    assert coverage_asked(0.5, QuestionType.listing, 4) == pytest.approx(0.35)


def test_a_statement_the_question_refers_back_to_keeps_what_it_is_about():
    from reviewer.answering.wording import request_free

    question = ("I'm writing a grant on strength training for people with dementia. Which trials are cited for that "
                "population? I need author names.")
    assert request_free(question) == ("strength training for people with dementia. Which trials are cited for that "
                                      "population?")


def test_a_which_trials_question_in_many_words_lists_the_trials_the_passages_name():
    passages = _passages(
        "The DAPA trial by Lamb et al. [24], which enrolled 494 individuals with mild to moderate dementia, showed a "
        "modest worsening in cognitive performance.",
        "Currently, over 57 million people worldwide are living with dementia.")
    library = lambda words: {w: 3 for w in words}  # noqa: E731 - the library writes the question's other words
    out = extractive_answer("I'm writing a grant on strength training for people already diagnosed with dementia. "
                            "Which individual trials are cited in the docs for that population, roughly how big were "
                            "they, and did they come out positive or negative?", passages, library=library)
    assert out.answer.startswith("- Lamb et al.") and "n = 494" in out.answer


def test_everyday_names_of_what_muscle_releases_read_as_myokines():
    from reviewer.text import papers_terms, spell_out

    assert papers_terms("Which muscle-derived factors link lifting to the brain?") == (
        "Which myokines link resistance training to the brain?")
    assert papers_terms("Do they release different muscle signalling molecules?") == (
        "Do they release different myokines?")
    assert papers_terms("muscle strength and muscle signals") == "muscle strength and muscle signals"
    assert spell_out("Endurance training raised irisin") == "aerobic exercise raised irisin"


def test_one_as_a_pronoun_is_no_number():
    from reviewer.text import spell_out

    assert spell_out("which one goes with which, one of the trials") == "which one goes with which, one of the trials"
    assert spell_out("one session a week") == "1 session a week"


def test_two_things_said_to_do_different_things_are_compared():
    assert comparison_sides("Do weight training and endurance training release different myokines?") == (
        "weight training", "endurance training")
    assert comparison_sides("Which mediators between strength training and cognition are singled out?") is None


def test_what_things_affect_how_long_asks_for_the_things_and_reads_the_sentence_naming_them():
    passages = _passages(
        "The duration needed to observe the effects of exercise on cognitive function may vary depending on the type, "
        "intensity, and frequency of exercise, as well as individual differences in age and health status.",
        "These cognitive gains were accompanied by attenuated structural decline in the posterior cingulate cortex.",
        "Reductions in circulating IL-6 after exercise have been associated with improvements in cognition.")
    question = ("need to justify my intervention length. what things affect how long it takes before cognitive gains "
                "from exercise become visible?")
    assert question_type(question) is QuestionType.listing
    out = extractive_answer(question, passages).answer
    assert out.startswith("- The duration needed to observe") and "intensity, and frequency" in out


def test_which_ones_asks_for_the_studies_the_statement_before_it_names():
    from reviewer.answering.wording import interrogative

    question = ("I'm collecting RCTs of strength training in older adults with MCI where the outcome was a screening "
                "score. Which ones are in the library?")
    assert interrogative(question).startswith("RCTs of strength training")
    assert question_type(question) is QuestionType.studies
    passages = _passages(
        "In a single-masked randomized controlled trial, Baek et al. reported that older adults with cognitive "
        "impairment (MCI) who completed six weeks of dual-task strength training improved Mini-Mental State "
        "Examination scores.",
        "Exercise is good for the brain in many ways.")
    library = lambda words: {w: 3 for w in words}  # noqa: E731 - the library writes the question's other words
    out = extractive_answer(question, passages, library=library).answer
    assert out.startswith("- Baek et al. (RCT")


def test_they_found_is_quoted_after_the_sentence_saying_who_they_are_even_two_sentences_on():
    passages = _passages(
        "Eckardt et al. compared unstable versus stable training in older adults aged 65–79 years. They found that "
        "10 weeks of unstable free-weight training improved working memory. These cognitive benefits are likely due "
        "to enhanced prefrontal-cerebellar connectivity stimulated by balance demands.",
        "Exercise is good for the brain.")
    out = extractive_answer("Why would balance-demanding free weights benefit cognition through prefrontal-cerebellar "
                            "connectivity?", passages).answer
    assert "Eckardt et al. compared" in out and out.index("Eckardt") < out.index("These cognitive benefits")


def test_irregular_plurals_and_everyday_words_match_the_papers():
    from reviewer.text import papers_terms, stem

    assert stem("mice") == stem("mouse") and stem("women") == stem("woman")
    assert papers_terms("did volunteers see payoffs by time of day while staying active?") == (
        "did participants see benefits by circadian while physical activity?")
    assert papers_terms("IL-15 in spinal fluid, and in cerebrospinal fluid") == (
        "IL-15 in cerebrospinal fluid, and in cerebrospinal fluid")


def test_a_given_clause_is_the_askers_reason_not_what_is_asked():
    from reviewer.answering.wording import interrogative, request_free

    question = "Given the push for individualised dosing, which person-level characteristics shape the gain?"
    assert request_free(question) == "which person-level characteristics shape the gain?"
    assert question_type(question) is QuestionType.listing
    # a population before the question stays a word to find, though the question's kind is read after it
    assert request_free("For patients with Alzheimer's, what routes are proposed?").startswith("For patients")
    assert interrogative("For patients with Alzheimer's, what routes are proposed?") == "what routes are proposed?"


def test_different_for_one_population_than_another_compares_them_and_finds_seniors_as_older_adults():
    question = "Do the cognitive payoffs of strength training look different for teenagers than for seniors?"
    assert comparison_sides(question) == ("teenagers", "seniors")
    passages = _passages(
        "These findings suggest that resistance training-induced cognitive benefits may be particularly relevant for "
        "older adults with metabolic disorders.",
        "Ryan Glatt, a senior brain health coach, said it will take time to understand the effects of exercise.")
    out = extractive_answer(question, passages).answer
    assert "None of the passages concern teenagers." in out and "- seniors: These findings" in out
    assert "senior brain health coach" not in out


def test_a_question_on_a_named_documents_own_design_reads_what_it_calls_itself():
    passages = [Passage(chunk_id="m1", doc_id="multiscale", title="Multiscale Mechanisms of Exercise-Induced "
                        "Neuroplasticity", doc_type="review",
                        text="This narrative review describes in depth the multiscale processes of neuroplasticity "
                             "to exercise. Exercise raises BDNF in the hippocampus."),
                Passage(chunk_id="r1", doc_id="rt", title="The Muscle-Brain Axis in Aging", doc_type="review",
                        text="A systematic review and meta-analysis by Barha et al. found larger effects in women.")]
    out = extractive_answer("Before I cite it: is the multiscale neuroplasticity paper a systematic review with a "
                            "pooled meta-analysis?", passages).answer
    assert out.startswith("No: the document calls itself a narrative review.\nThis narrative review describes")
    out = extractive_answer("Is the multiscale review a narrative review?", passages).answer
    assert out.startswith("Yes: the document calls itself a narrative review.")
    assert "calls itself" not in extractive_answer("Is the multiscale review a good read?", passages).answer


def test_which_study_lists_the_one_study_on_the_question_not_every_study():
    passages = _passages(
        "A systematic review and meta-analysis by Barha et al. emphasized that RT has a notably greater effect on "
        "improving executive functions in women compared to men.",
        "Zhao et al. conducted a randomized controlled trial involving 103 older adults with type 2 diabetes and "
        "found that power training improved cognition.")
    question = "Which study looked at whether weight training helps executive function more in women than in men?"
    assert question_type(question) is QuestionType.studies
    lines = extractive_answer(question, passages).answer.splitlines()
    assert lines[0].startswith("- Barha et al. (meta-analysis") and not any("Zhao" in line for line in lines)
    assert question_type("Which study design is strongest?") is not QuestionType.studies


def test_hedging_adverbs_and_time_frames_read_as_the_papers_words():
    from reviewer.answering.questions import distinctive
    from reviewer.text import spell_out

    assert spell_out("how does one single workout differ") == "how does acute exercise differ"
    assert spell_out("over what time frame do studies usually show it") == (
        "over what period do studies typically show it")
    passages = _passages("Studies typically show effects over a period of weeks to months.", "Exercise helps.",
                         "Exercise helps memory.")
    assert "typic" not in distinctive("How long does a program typically take?", passages, [])


def test_a_number_asked_for_and_stated_answers_with_fewer_of_the_questions_words_when_close_in_meaning():
    from reviewer.answering.sentences import LOOSE_COVERAGE, SEMANTIC_ANSWER, Sentence, answers

    s = Sentence(0, 0, "More than 600 muscle-derived proteins act on other organs.", frozenset(), ())
    s.coverage, s.semantic = LOOSE_COVERAGE, SEMANTIC_ANSWER
    assert not answers(s, 0.5)
    s.counts = True
    assert answers(s, 0.5)


def test_lay_words_for_grip_direction_and_time_read_as_the_papers_terms():
    from reviewer.text import papers_terms

    assert papers_terms("does a weak handshake predict thinking problems, does it go both ways?") == (
        "does a weak grip strength predict cognitive impairment, does it bidirectional?")
    assert papers_terms("seniors tested head-to-head") == "older adults tested compared"
    assert papers_terms("single exercise session vs months of regular training") == (
        "acute exercise vs chronic exercise")


def test_a_side_of_a_comparison_runs_on_through_of():
    assert comparison_sides("single exercise session vs months of regular training - how do they differ?") == (
        "single exercise session", "months of regular training")
    assert comparison_sides("Is it stronger in MCI or dementia of the Alzheimer type?") == ("MCI", "dementia")


def test_a_greeting_and_the_askers_lead_in_are_no_words_to_find():
    from reviewer.answering.wording import request_free

    assert request_free("Hi! I'd love to know whether anyone has tested free weights against machines?").split() == (
        "whether anyone has tested free weights against machines?".split())


def test_the_news_coverage_names_the_news_article():
    passages = [Passage(chunk_id="n1", doc_id="news", title="Exercise sends signals", doc_type="news",
                        text="Physical activity can improve blood flow to the brain, reduce inflammation and stimulate "
                             "the release of growth factors, Glatt said."),
                Passage(chunk_id="r1", doc_id="rt", title="The Muscle-Brain Axis", doc_type="review",
                        text="Irisin crosses the blood-brain barrier.")]
    assert naming("According to the coach in the news coverage, how does activity help?", passages)[0] == {"news"}


def test_a_document_named_by_its_journal_is_the_one_asked_about():
    passages = [Passage(chunk_id="m1", doc_id="multiscale", title="Multiscale Mechanisms of Neuroplasticity",
                        doc_type="review", journal="Brain Sciences", text="Acute exercise modulates neurochemistry."),
                Passage(chunk_id="r1", doc_id="rt", title="The Muscle-Brain Axis in Aging", doc_type="review",
                        journal="Biology", text="Irisin crosses the blood-brain barrier.")]
    assert naming("In the Brain Sciences review, what does a single workout do?", passages)[0] == {"multiscale"}


def test_where_to_read_before_the_question_does_not_hide_its_kind():
    question = "According to the multiscale review, which person-level characteristics modify how strongly it adapts?"
    assert question_type(question) is QuestionType.listing
    assert question_type("What decides whether this cytokine ends up helping or harming the brain?") is (
        QuestionType.listing)


def test_sides_said_as_clauses_are_their_subjects():
    assert comparison_sides("what is the difference between what a single workout does to the brain and what months "
                            "of regular training do?") == ("single workout", "months of regular training")


def test_a_comparison_in_the_document_the_question_points_at_is_answered_in_its_words():
    passages = [Passage(chunk_id="n1", doc_id="news", title="Muscle signals the brain", doc_type="news",
                        text="The researchers used models of muscle tissue, one innervated and one uninnervated, and "
                             "found that the innervated tissue sent more signals to the brain."),
                Passage(chunk_id="r1", doc_id="rt", title="The Muscle-Brain Axis", doc_type="review",
                        text="Resistance training raises irisin in older adults.")]
    out = extractive_answer("In that news piece: how did muscle tissue with its nerve supply intact compare with "
                            "tissue lacking nerves?", passages)
    assert "one innervated and one uninnervated" in out.answer


def test_asking_what_is_not_known_asks_for_the_limitations_whatever_the_examples():
    from reviewer.text import papers_terms

    question = "What can't the research tell us yet about prescribing it, for example how much or how often?"
    assert papers_terms(question).startswith("What limitations about prescription it")
    assert question_type(question) is QuestionType.listing
    assert papers_terms("knowledge gaps on dosing") == "limitations on dosing"


def test_what_decides_leads_with_the_sentence_saying_what_it_depends_on():
    passages = _passages(
        "Interleukin-6 (IL-6) is a pleiotropic cytokine involved in immune regulation (IL-1, TNF, CRP).",
        "These findings highlight that the effects of IL-6 on the brain depend on source, timing, and inflammatory "
        "context.",
        "IL-6 rises acutely with exercise and may harm the brain when chronically elevated.")
    library = lambda words: {w: 3 for w in words}  # noqa: E731 - the library writes the question's other words
    out = extractive_answer("Relatives worry when exercise raises IL-6. What decides whether this cytokine ends up "
                            "helping or harming the brain?", passages, library=library).answer
    assert out.startswith("- These findings highlight that the effects of IL-6 on the brain depend on source")


def test_yes_or_no_and_the_biggest_one_are_no_words_to_find_and_the_biggest_study_is_quoted():
    from reviewer.answering.wording import request_free
    from reviewer.text import spell_out

    assert request_free("Do large trials show a benefit? Yes or no, and what did the biggest one find?") == (
        "Do large trials show a benefit? what did the biggest one find?")
    assert spell_out("what did the biggest one find") == "what did the big one find"
    passages = _passages(
        "Larger pragmatic trials in dementia often show neutral effects on cognition.",
        "The DAPA trial by Lamb et al., which enrolled 494 individuals with mild to moderate dementia, showed a modest "
        "worsening in cognitive performance.",
        "A small trial of 20 people with dementia reported better mood.")
    out = extractive_answer("Do the large pragmatic trials in dementia show a cognitive benefit? Yes or no, and what "
                            "did the biggest one find?", passages).answer
    assert "Larger pragmatic trials in dementia often show neutral effects" in out and "494 individuals" in out


def test_person_level_characteristics_are_the_personal_factors_papers_name():
    from reviewer.text import papers_terms

    assert papers_terms("which individual-level characteristics modify it?") == "which personal factors modify it?"
    passages = _passages(
        "Collectively, multiple myokines, including irisin, BDNF, IL-6, and IGF-1, may contribute to benefits.",
        "Personal factors like genetics and environment influence exercise-induced neuroplasticity outcomes.",
        "Exercise is widely known for its positive effects on brain function.")
    out = extractive_answer("what personal characteristics change how much the brain benefits from exercise?",
                            passages).answer
    assert "Personal factors like genetics and environment" in out


def test_wobbly_surfaces_and_ages_in_decades_read_as_the_papers_words():
    from reviewer.answering.wording import interrogative
    from reviewer.text import papers_terms

    assert papers_terms("free weights on wobbly surfaces") == "free weights on unstable surfaces"
    assert question_type("For people whose memory is slipping, through what routes could activity help?") is (
        QuestionType.listing)
    assert interrogative("For adults in their late sixties, which trial compared them?") == "which trial compared them?"


def test_a_why_question_prefers_the_sentence_giving_a_reason():
    passages = _passages(
        "In older adults, unstable free-weight training improved memory more than machine training did.",
        "In older adults, memory improved more with unstable free-weight training than machine training, likely "
        "due to enhanced prefrontal-cerebellar connectivity.")
    out = extractive_answer("Why does unstable free-weight training improve memory more than machine training in "
                            "older adults?", passages).answer
    assert out.startswith("In older adults, memory improved more with unstable free-weight training")


def test_roles_are_no_comparison_and_preliminary_evidence_is_not_established():
    assert comparison_sides("Is cathepsin B established in humans as a marker or mediator of cognitive gains?") is None
    assert comparison_sides("Is it stronger in MCI or dementia?") == ("MCI", "dementia")
    passages = _passages(
        "However, evidence supporting CTSB as a biomarker or mediator of exercise-related cognitive improvement in "
        "humans remains preliminary and indirect.",
        "Cathepsin B (CTSB) promotes BDNF expression in animal models.")
    out = extractive_answer("Is cathepsin B (CTSB) established in humans as a marker or mediator of exercise-related "
                            "cognitive improvement?", passages).answer
    assert out.startswith("Not established") and "remains preliminary and indirect" in out


def test_asking_whether_evidence_is_consistent_prefers_the_sentence_saying_how_consistent():
    passages = _passages(
        "Evidence from systematic reviews suggests that resistance training improves cognition in dementia.",
        "Current evidence indicates that the cognitive effects of resistance training in dementia are variable.")
    from reviewer.answering.questions import question_weights
    from reviewer.answering.sentences import REASON_BONUS, candidates, score

    question = "Is the evidence that resistance training improves cognition in dementia consistent?"
    sentences = candidates(passages)
    score(sentences, question, question_weights(question, passages)[0], len(passages))
    benefit, variable = sentences
    assert variable.factor == pytest.approx(benefit.factor * REASON_BONUS)
    out = extractive_answer(question, passages).answer
    assert out.startswith("Mixed") and "are variable" in out
