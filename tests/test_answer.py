"""Cited answers: the offline extractive answerer, citation checks, the LLM path with a fake model, prompts.

Passages are built by hand from the real corpus paragraphs (about 900 characters, within a
section, like the chunker's) and ranked with BM25, standing in for the store's retrieval.
"""

from __future__ import annotations

import time

import re
from pathlib import Path

import pytest

from reviewer.answering import NO_ANSWER, answer, extractive_answer, format_passages, is_followup, rewrite_followup
from reviewer.answering.citations import (check_answer, find_citations, number_by_appearance, parse_marker, quote_matches,
                                          split_answer_sentences)
from reviewer.llm import LLMError, make_chat_model
from reviewer.llm.fake import FakeChatModel
from reviewer.llm.providers import parse_spec
from reviewer.models import DocType, Passage
from reviewer.llm.prompts import PromptError, load_prompt
from reviewer.settings import Settings

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SIZE = 900


def _corpus_passages() -> list[Passage]:
    """Every corpus document cut into section-bounded passages of up to ~900 characters."""
    from reviewer.ingest.chunking import split_sentences

    out: list[Passage] = []
    for path in sorted(CORPUS.glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---", 2)
        title = re.search(r"^title:\s*'?(.*?)'?\s*$", front, re.M).group(1)
        doc_type = DocType(re.search(r"^doc_type:\s*(\w+)", front, re.M).group(1))
        section, buffer = None, ""

        def flush() -> None:
            nonlocal buffer
            if buffer.strip():
                out.append(Passage(chunk_id=f"{path.stem}:{len(out)}", doc_id=path.stem, title=title, source=str(path),
                                   section=section, text=buffer.strip(), doc_type=doc_type))
            buffer = ""

        for para in (p.strip() for p in re.split(r"\n\s*\n", body)):
            if not para:
                continue
            if para.startswith("#"):
                flush()
                section = para.lstrip("#").strip()
                continue
            pieces = [para] if len(para) <= SIZE else [para[s:e] for s, e in split_sentences(para)]
            for piece in pieces:
                if buffer and len(buffer) + len(piece) + 2 > SIZE:
                    flush()
                buffer = f"{buffer}\n\n{piece}" if buffer else piece
        flush()
    return out


@pytest.fixture(scope="module")
def corpus_passages() -> list[Passage]:
    return _corpus_passages()


@pytest.fixture(scope="module")
def retrieve(corpus_passages):
    """top-k BM25 passages for a question (scores filled in, best first)."""
    import bm25s

    index = bm25s.BM25()
    index.index(bm25s.tokenize([p.text for p in corpus_passages], stopwords="en", show_progress=False),
                show_progress=False)

    def top(question: str, k: int = 8) -> list[Passage]:
        docs, scores = index.retrieve(bm25s.tokenize([question], stopwords="en", show_progress=False), k=k,
                                      show_progress=False)
        return [corpus_passages[int(i)].model_copy(update={"score": float(s)}) for i, s in zip(docs[0], scores[0])]

    return top


def _quoted(answer_text: str) -> list[tuple[str, list[int]]]:
    """(sentence, cited numbers) for each sentence of an answer, without the label of a listed item ("IL-6: ...")."""
    return [(re.sub(r"^[^:]{1,80}?: (?=[A-Z])", "", s) if find_citations(s) else s, find_citations(s))
            for s in split_answer_sentences(answer_text)]


ANSWERABLE = [
    ("Which myokines may resistance training release?", "irisin"),
    ("How many sessions per week do resistance training interventions typically involve?", "2–3 sessions per week"),
    ("What did the study find about innervated muscle tissue?", "innervated tissue sent more signals"),
    ("How do acute and chronic exercise differ in their effects on the brain?", "chronic"),
    ("Does resistance training improve executive function in older adults?", "executive function"),
]


@pytest.mark.parametrize("question, expected", ANSWERABLE, ids=[q for q, _ in ANSWERABLE])
def test_answerable_question_quotes_cited_sentences_verbatim(retrieve, question, expected):
    passages = retrieve(question)
    out = extractive_answer(question, passages)

    assert not out.insufficient_evidence
    assert expected.lower() in out.answer.lower()
    assert out.passages == passages and out.llm is None
    sentences = _quoted(out.answer)
    # A yes/no question gets one uncited first line: the direction of the quoted findings.
    lead = [s for s, ns in sentences if not ns]
    assert len(lead) <= 1 and all(re.match(r"(Yes|No|Mixed): ", s) for s in lead)
    sentences = [(s, ns) for s, ns in sentences if ns]
    assert 1 <= len(sentences) <= 3
    cited = {c.n: c for c in out.citations}
    for sentence, numbers in sentences:
        assert len(numbers) == 1, sentence
        (n,) = numbers
        assert n in cited and cited[n].chunk_id == passages[n - 1].chunk_id
        assert quote_matches(sentence, passages[n - 1].text), (sentence, n)
    assert sorted(cited) == sorted({n for _, ns in sentences for n in ns})


UNANSWERABLE = [
    ("What is the effect of creatine supplementation on sleep quality in adolescents?", "creatine"),
    ("What dose of aspirin prevents migraine?", "aspirin"),
    ("Does resistance training improve sleep quality in older adults?", "sleep"),
]


@pytest.mark.parametrize("question, missing", UNANSWERABLE, ids=[q for q, _ in UNANSWERABLE])
def test_unanswerable_question_says_so_without_citations(retrieve, question, missing):
    passages = retrieve(question)
    assert len(passages) == 8  # retrieval always returns something; the answerer must not pad with it
    out = extractive_answer(question, passages)
    assert out.insufficient_evidence
    assert out.citations == []
    assert out.answer.startswith(NO_ANSWER)
    assert missing in out.answer  # says what the passages lack


def test_same_input_same_answer(retrieve):
    question = "What role does BDNF play in the effects of exercise on the brain?"
    first = extractive_answer(question, retrieve(question))
    second = extractive_answer(question, [p.model_copy() for p in retrieve(question)])
    assert first.model_dump() == second.model_dump()


def test_repeated_sentence_from_overlapping_passages_is_quoted_once(retrieve):
    question = "Which myokines may resistance training release?"
    passages = retrieve(question, k=3)
    # Chunks overlap: the next chunk starts with the previous one's last sentences.
    overlap = passages[0].model_copy(update={"chunk_id": "overlap", "text": passages[0].text})
    out = extractive_answer(question, [passages[0], overlap, *passages[1:]])
    quotes = [s for s, _ in _quoted(out.answer)]
    assert len(quotes) == len(set(quotes))
    assert 2 not in [c.n for c in out.citations]  # the better-ranked copy is the one cited


def test_paper_reference_numbers_are_not_mistaken_for_citations(corpus_passages):
    passage = next(p for p in corpus_passages if "vascular dementia, over time [3,4]" in p.text)
    out = extractive_answer("Can mild cognitive impairment progress to vascular dementia over time?", [passage])
    assert not out.insufficient_evidence
    assert "[3,4]" not in out.answer and find_citations(out.answer) == [1]
    sentence, _ = _quoted(out.answer)[0]
    assert quote_matches(sentence, passage.text)


def test_acronyms_match_the_words_they_stand_for(corpus_passages):
    news = [p for p in corpus_passages if p.doc_id.startswith("news-")]
    # The question says PNAS; the news article spells out "Proceedings of the National Academy of Sciences".
    out = extractive_answer("What does the PNAS study show about nerves and muscles?", news[:4])
    assert not out.insufficient_evidence
    assert "Proceedings of the National Academy of Sciences" in out.answer
    # The question spells out "resistance training"; the review mostly writes "RT".
    review = [p for p in corpus_passages if "RT can improve executive function" in p.text]
    out = extractive_answer("Can resistance training improve executive function?", review)
    assert "RT can improve executive function" in out.answer


def _passages(*texts: str) -> list[Passage]:
    return [Passage(chunk_id=f"p{i}", doc_id=f"d{i}", text=t) for i, t in enumerate(texts)]


_TRIAL = _passages(
    "Older adults completed a twelve-week balance programme with supervised sessions twice a week in the clinic.",
    "In the Okafor trial, twelve weeks of balance training shortened gait initiation time by 18% in older adults.",
    "Balance training is also used after stroke, where it is combined with walking practice and stretching.",
)


def test_a_paraphrased_question_word_does_not_make_the_answer_refuse():
    # "drop" and "colleagues" occur in no passage (the text says "shortened"); the rest of the question is there.
    out = extractive_answer("By how much did gait initiation time drop after Okafor and colleagues' balance training?",
                            _TRIAL)
    assert not out.insufficient_evidence
    assert "18%" in out.answer and find_citations(out.answer) == [2]


def test_a_question_whose_subject_is_absent_is_still_refused():
    out = extractive_answer("Does creatine supplementation improve sleep quality after balance training?", _TRIAL)
    assert out.insufficient_evidence and "creatine" in out.answer


def test_a_quantity_question_is_answered_by_the_sentence_with_the_number():
    passages = _passages(
        "Grip strength was associated with working memory performance among the older adults of the Lindqvist cohort.",
        "In the Lindqvist cohort, grip strength correlated with working memory accuracy at r = 0.42 after adjustment.",
    )
    out = extractive_answer("How strongly did grip strength correlate with working memory in the Lindqvist cohort?",
                            passages)
    first, n = _quoted(out.answer)[0]
    assert "0.42" in first and n == [2] and quote_matches(first, passages[1].text)


def test_no_passages_is_insufficient():
    out = answer("Does exercise help memory?", [], Settings())
    assert out.insufficient_evidence and out.citations == [] and out.answer.startswith(NO_ANSWER)


def test_answer_without_llm_is_extractive_and_timed(retrieve):
    question = "Which myokines may resistance training release?"
    passages = retrieve(question)
    started = time.perf_counter()
    out = answer(question, passages, Settings(llm=None))
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert out.llm is None and out.citations
    assert 0 < out.timings_ms["answer"] <= elapsed_ms + 0.1  # milliseconds of this call, not seconds or a stamp


# ---------------------------------------------------------------- citation parsing and checks


def test_markers_are_parsed_in_all_written_forms():
    assert parse_marker("2") == [2]
    assert parse_marker("2, 3") == [2, 3]
    assert parse_marker("2–4") == [2, 3, 4]
    assert parse_marker("1-2, 5") == [1, 2, 5]
    assert find_citations("A [1]. B [2; 3]. C [Passage 4]. D [3–5]. E [1].") == [1, 2, 3, 4, 5]


def test_check_answer_drops_unknown_and_flags_uncited_and_unbacked_numbers(retrieve):
    passages = retrieve("Which myokines may resistance training release?", k=3)
    claim = "Resistance training may release myokines like irisin and IL-6"
    assert claim in passages[0].text
    text = (f"{claim} [1, 9]. Resistance training may release myokines that support neuronal health. "
            "Irisin triples after 90 days of yoga [1].")
    check = check_answer(text, passages)
    assert check.dropped == [9]
    assert check.cited == [1]
    assert "[9]" not in check.text and "[1]" in check.text
    problems = {f.problem: f.sentence for f in check.flagged}
    assert problems["uncited"].startswith("Resistance training may release myokines that support")
    assert problems["number"].startswith("Irisin triples")  # 90 is not in passage 1
    assert "90" in next(f.reason for f in check.flagged if f.problem == "number")
    assert len(check.supported) == 1


# ---------------------------------------------------------------- the LLM path, with a fake model


@pytest.fixture
def myokine_passages(retrieve):
    return retrieve("Which myokines may resistance training release?", k=3)


def test_llm_gets_numbered_passages_and_question(myokine_passages):
    fake = FakeChatModel(replies=["Resistance training may release myokines like irisin and IL-6 [1]."])
    out = answer("Which myokines may resistance training release?", myokine_passages, Settings(), llm=fake)
    (messages,) = fake.received
    system, user = messages[0].content, messages[1].content
    assert "[1]" in system or "square brackets" in system
    for n, p in enumerate(myokine_passages, 1):
        assert f"[{n}] {p.title}" in user
    assert "Which myokines may resistance training release?" in user
    assert out.llm == "fake:fake"
    assert out.answer == "Resistance training may release myokines like irisin and IL-6 [1]."
    assert [c.n for c in out.citations] == [1] and out.flagged == []


def test_llm_answer_with_no_citation_falls_back_with_note(myokine_passages):
    fake = FakeChatModel(replies=["Resistance training releases irisin and IL-6, which support the brain."])
    out = answer("Which myokines may resistance training release?", myokine_passages, Settings(), llm=fake)
    assert out.llm is None
    assert out.notes[0].startswith("the answer of fake:fake was not used because it cited no passage")
    assert out.citations and not out.insufficient_evidence
    offline = number_by_appearance(extractive_answer("Which myokines may resistance training release?", myokine_passages))
    assert out.answer == offline.answer


def test_llm_answer_citing_passages_that_do_not_back_it_falls_back(myokine_passages):
    fake = FakeChatModel(replies=["Creatine doubles sleep quality in 40 adolescents [2]."])
    out = answer("Which myokines may resistance training release?", myokine_passages, Settings(), llm=fake)
    assert out.llm is None
    assert "none of its cited sentences is backed" in out.notes[0]


def test_llm_saying_insufficient_evidence_is_kept(myokine_passages):
    fake = FakeChatModel(replies=["INSUFFICIENT EVIDENCE: no passage reports sleep outcomes."])
    out = answer("Does creatine improve sleep?", myokine_passages, Settings(), llm=fake)
    assert out.insufficient_evidence and out.citations == []
    assert out.answer == f"{NO_ANSWER}: no passage reports sleep outcomes."


def test_llm_errors_propagate_as_llm_error(myokine_passages):
    fake = FakeChatModel(replies=[ConnectionError("Connection refused")])
    with pytest.raises(LLMError, match="cannot reach the LLM server"):
        answer("Which myokines?", myokine_passages, Settings(), llm=fake)


def test_format_passages_strips_paper_reference_numbers(corpus_passages):
    passage = next(p for p in corpus_passages if "[3,4]" in p.text)
    shown = format_passages([passage])
    assert shown.startswith(f"[1] {passage.title}")
    assert "[3,4]" not in shown


def test_format_passages_labels_a_suspect_passage_for_the_model(corpus_passages):
    clean = corpus_passages[0]
    suspect = clean.model_copy(update={"suspect": True, "chunk_id": "x"})
    shown = format_passages([clean, suspect]).split("\n\n[2] ")
    assert "[suspect" not in shown[0] and "[suspect: its text addresses an AI model]" in shown[1].splitlines()[0]
    assert "[suspect]" in load_prompt("answer").render(question="q", passages="p")[0]


# ---------------------------------------------------------------- specs, prompts, follow-ups


def test_llm_specs_are_parsed():
    assert parse_spec("openai:gpt-4o-mini") == ("openai", "gpt-4o-mini")
    assert parse_spec("ollama:llama3.1:8b") == ("ollama", "llama3.1:8b")
    assert parse_spec("local:/models/smol.gguf") == ("local", "/models/smol.gguf")
    assert parse_spec("llama3.1:8b") == (None, "llama3.1:8b")


def test_local_spec_with_missing_path_fails_early(tmp_path):
    with pytest.raises(LLMError, match="does not exist"):
        make_chat_model(f"local:{tmp_path / 'nope.gguf'}", Settings())
    with pytest.raises(LLMError, match="neither config.json nor a .gguf"):
        make_chat_model(f"local:{tmp_path}", Settings())


def test_shipped_prompts_load_with_their_variables():
    assert load_prompt("answer").variables == {"question", "passages"}
    assert load_prompt("rewrite").variables == {"history", "question"}


@pytest.mark.parametrize("body, problem", [
    ("## system\nAnswer {question} from {passages} for {audience}.\n## user\nGo.", "unknown variable {audience}"),
    ("## system\nAnswer.\n## user\n{question}", "variable {passages} is never used"),
    ("Answer {question} from {passages}.", "no '## system' section"),
])
def test_prompt_variables_are_checked_on_load(tmp_path, body, problem):
    (tmp_path / "answer.md").write_text(body)
    with pytest.raises(PromptError) as caught:
        load_prompt("answer", directory=tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "answer.md"))
    assert problem in str(caught.value)


def test_offline_followup_rewrite_adds_previous_topic():
    history = [("Does resistance training improve memory in older adults?", "Mixed results [1].")]
    out = rewrite_followup("What about executive function?", history, Settings())
    assert out.startswith("What about executive function?")
    assert "resistance training" in out and "older adults" in out
    assert rewrite_followup("Does it help people with dementia?", history, Settings()) != "Does it help people with dementia?"


def test_offline_rewrite_leaves_standalone_questions_alone():
    history = [("Does resistance training improve memory in older adults?", "Mixed results [1].")]
    question = "Which myokines are released during muscle contraction?"
    assert not is_followup(question)
    assert rewrite_followup(question, history, Settings()) == question
    assert rewrite_followup("What about executive function?", [], Settings()) == "What about executive function?"


_TWO_TRIALS = _passages(
    "In the Okafor trial, twelve weeks of balance training shortened gait initiation time by 18% in older adults.",
    "In the Lindqvist trial, twelve weeks of balance training shortened gait initiation time by 2% in older adults.",
)


def test_with_an_llm_the_llm_judges_whether_cited_passages_disagree():
    reply = ("Twelve weeks of balance training shortened gait initiation time in older adults by 18% [1] "
             "and by 2% [2].")
    judged = FakeChatModel(replies=[reply, '{"mixed": true, "reason": "effect sizes differ ninefold"}'])
    out = answer("Does balance training shorten gait initiation time?", _TWO_TRIALS, Settings(), llm=judged)
    assert [c.n for c in out.citations] == [1, 2]
    assert len(judged.received) == 2 and "[2]" in judged.received[1][-1].content
    assert out.mixed is True
    # the lexical cues alone see two benefits and no disagreement
    offline = FakeChatModel(replies=[reply, "not JSON at all"])
    assert answer("Does balance training shorten gait initiation time?", _TWO_TRIALS, Settings(), llm=offline).mixed is False
