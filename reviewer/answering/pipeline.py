"""The answering entry point: a cited answer from retrieved passages, by an LLM or offline.

Without an LLM, `reviewer.answering.extractive` quotes the passages by question type; with
one, `reviewer.answering.generated` asks it and checks its citations. Either way the answer's
citations are then numbered in order of first appearance, each mapping to its passage in
`Answer.citations`, and the strongest design and any disagreement among them are recorded.
"""

from __future__ import annotations

import time

from reviewer.answering.citations import number_by_appearance
from reviewer.answering.extractive import extractive_answer
from reviewer.answering.generated import llm_answer
from reviewer.llm.providers import resolve_llm
from reviewer.models import Answer, Citation
from reviewer.settings import Settings


def answer(question: str, passages: list, settings: Settings, llm=None, embedder=None, library=None) -> Answer:
    """Answer a question from retrieved passages, citing them as [n].

    Args:
        question: the (standalone) question.
        passages: the retrieved passages, best first.
        settings: LLM and answering settings (`llm`, `llm_base_url`, timeouts, `answering.semantic`, ...).
        llm: a spec "provider:model", a LangChain chat model, or None for `settings.llm`
            (and, when that is None too, the offline extractive answerer).
        embedder: the embedding model, so the offline answerer chooses sentences by meaning
            as well as by shared words (None: by words only).
        library: `words -> {word: chunks holding it}` over the whole library (the lexical index's `counts`), so
            a question word the passages lack but the library uses is read as phrasing, not as a missing subject.

    Returns:
        The answer with its citations (numbered [1], [2], ... in order of first appearance,
        each with the passage it names), every retrieved passage, the flagged sentences of a
        generated answer, and notes on fallbacks.

    Raises:
        reviewer.llm.providers.LLMError: the LLM could not be set up or did not answer.
    """
    started = time.perf_counter()
    model, label = resolve_llm(llm, settings)
    embedder = embedder if settings.answering.semantic else None
    if model is None or not passages:
        out = extractive_answer(question, passages, embedder=embedder, library=library)
        if model is not None:
            out.notes.append(f"no passages were retrieved, so {label} was not asked")
    else:
        out = llm_answer(question, passages, model, label, settings, embedder=embedder)
    out = number_by_appearance(out)
    out.strongest_design, out.mixed = _evidence_level(out.citations, model if out.llm else None)
    out.timings_ms["answer"] = round((time.perf_counter() - started) * 1000, 1)
    return out


def _evidence_level(citations: list[Citation], model=None):
    """(strongest study design, whether the cited passages disagree).

    Lexical cues decide offline; when an LLM wrote the answer, it also judges the disagreement
    (prompts/evidence_mixed.md), falling back to the cues on a reply it cannot read.
    """
    from reviewer.errors import ReviewerError
    from reviewer.grading import answer_level, answer_level_llm

    if not citations:
        return None, False
    if model is not None and len(citations) > 1:
        try:
            design, mixed = answer_level_llm(citations, model)
        except ReviewerError:  # the answer stands; the cues judge the disagreement instead
            design, mixed = answer_level(citations)
    else:
        design, mixed = answer_level(citations)
    return design, bool(mixed)
