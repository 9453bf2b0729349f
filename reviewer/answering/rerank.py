"""Re-ranking within papers: after fusion, re-score the candidates by their best sentence.

Chunks of one paper share its vocabulary, so fused retrieval ranks them alike; the chunk that
holds the answer differs by one sentence. Each candidate is re-scored by its best sentence
(`reviewer.answering.sentences.score`: lexical coverage of the question plus embedding
similarity), with a small prior for its fused rank. When `answering.cross_encoder` names a
sentence-transformers `CrossEncoder`, it scores each (question, passage) pair instead.
"""

from __future__ import annotations

import math
import re
from typing import Optional

from reviewer.answering.kinds import asks_extreme_size, extreme_sample, states
from reviewer.answering.listing import heading_item, list_head, names_count, names_several
from reviewer.answering.questions import (ASKS_QUANTITY, comparison_sides, contains, question_type, question_weights,
                                          text_stems, unit_pattern)
from reviewer.answering.semantic import cross_encoder_scores
from reviewer.answering.sentences import (CONTEXT_FACTOR, best_by_passage, candidates, continues, score,
                                          score_lexically)
from reviewer.models import Passage, QuestionType
from reviewer.settings import AnsweringSettings
from reviewer.text import content_stems, spell_out, strip_markers

#: Weight of the fused rank in the re-ranked score (1.0 for the first candidate, 0 for the last).
RANK_PRIOR = 0.15
#: Places among the kept passages held for each side of a comparison.
SIDE_PLACES = 3
#: Places held for passages naming several of the things a list question asks for.
LIST_PLACES = 3
#: Places held for passages naming a study, for a "which studies" question.
STUDY_PLACES = 4
#: The best passages whose headings say where the studies a question asks for are reported (the first one).
SECTION_LEADS = 1
#: Fused ranks the prior spans (1.0 for the first candidate, 0 from this rank on).
PRIOR_DEPTH = 24


def rerank(question: str, passages: list[Passage], k: int, settings: Optional[AnsweringSettings] = None,
           embedder=None) -> list[Passage]:
    """The `k` best of the fused candidates, re-ranked at sentence level (or by a cross-encoder).

    Args:
        question: the question.
        passages: fused candidates, best first.
        k: how many to keep.
        settings: `Settings.answering` (`cross_encoder`, `semantic`); defaults when None.
        embedder: the embedding model for sentence similarity (None: lexical scores only).

    Raises:
        reviewer.answering.semantic.RerankError: the configured cross-encoder could not be loaded.
    """
    settings = settings or AnsweringSettings()
    if len(passages) <= 1:
        return list(passages[:k])
    n = len(passages)
    if settings.cross_encoder:
        raw = cross_encoder_scores(settings.cross_encoder, question, [strip_markers(p.text) for p in passages])
        relevance = {i: 1 / (1 + math.exp(-s)) for i, s in enumerate(raw)}  # logits to 0..1
    else:
        relevance = _sentence_relevance(question, passages, embedder if settings.semantic else None)
    # The prior spans the first PRIOR_DEPTH candidates: one further down wins only by a clearly better sentence.
    combined = {i: r + RANK_PRIOR * max(0.0, 1 - i / min(n, PRIOR_DEPTH)) for i, r in relevance.items()}
    order = sorted(combined, key=lambda i: (-combined[i], i))
    kind = question_type(question)
    if kind is QuestionType.listing:
        head = list_head(question)  # "what limitations": the passages under a heading naming them come first
        order = _headed_first(head, order, passages) if head else _items_first(order, passages, k)
        # A passage naming several of the things asked for in one sentence answers the question whole.
        several = {i: max((names_count(s.quote) for s in candidates([passages[i]]) if names_several(question, s.quote)),
                          default=-1) for i in order}
        # ... the more of them by name the better ("myokines—Irisin, BDNF, IL-6, IL-15, and IGF-1"), before one listing
        # in words.
        listing = sorted((i for i in order if several[i] >= 0), key=lambda i: (-min(several[i], 5), order.index(i)))
        order = listing[:LIST_PLACES] + [i for i in order if i not in listing[:LIST_PLACES]]
    elif kind is QuestionType.studies:
        order = _studies_first(question, order, passages, k)
    elif kind is QuestionType.comparison and not settings.cross_encoder:
        order = _sides_kept(question, passages, order, k, embedder if settings.semantic else None)
    return [passages[i] for i in order[:k]]


def _sides_kept(question: str, passages: list[Passage], order: list[int], k: int, embedder) -> list[int]:
    """For a comparison ("MCI or dementia?"): the passages that best answer the question about each side alone
    ("... for dementia?") keep up to SIDE_PLACES places each among the `k`, so each side can be answered."""
    sides = comparison_sides(question)
    if not sides:
        return order
    kept: list[int] = []
    for side, other in (sides, sides[::-1]):
        alone = re.sub(re.escape(other), " ", question, flags=re.I)
        relevance = _sentence_relevance(alone, passages, embedder, depth=len(passages))  # one side may rank low
        named = content_stems(spell_out(side))
        holding = [i for i in sorted(relevance, key=lambda i: (-relevance[i], i))
                   if all(contains(t, text_stems(passages[i].text, question)) for t in named)]
        kept += [i for i in holding[:SIDE_PLACES] if i not in kept]
    top = kept + [i for i in order if i not in kept][:max(0, k - len(kept))]
    place = {i: n for n, i in enumerate(order)}  # a side's passage may come from beyond the ranked depth
    top.sort(key=lambda i: place.get(i, len(place) + i))
    return top + [i for i in order if i not in top]


def _sentence_relevance(question: str, passages: list[Passage], embedder, depth: int = PRIOR_DEPTH) -> dict[int, float]:
    """Best-sentence score of each of the first `depth` candidates, and of any candidate further down that states
    the value of the thing a quantity question names ("Wukongarchaeia (63.2 °C") or the extreme sample a "largest
    trial" question asks for; the others are dropped."""
    head, tail = passages[:depth], passages[depth:]
    weights, _ = question_weights(question, head)
    sentences = candidates(head)
    score(sentences, question, weights, len(head), embedder)
    relevance = best_by_passage(sentences)
    relevance.update({i: 0.0 for i in range(len(head)) if i not in relevance})
    if tail and ASKS_QUANTITY.search(question):
        # Read among all candidates, so a sentence continuing the chunk before gets its lead from there.
        further = [s for s in candidates(passages) if s.index >= len(head)]
        score_lexically(further, question, weights, len(passages))
        valued = {s.index for s in further if s.attached}
        chosen = [s for s in further if s.index in valued]
        score(chosen, question, weights, len(passages), embedder)  # as the first candidates are, by their own rank
        relevance.update({i: max(s.score for s in chosen if s.index == i) for i in valued})
    if question_type(question) is QuestionType.quantity:
        _continued(question, passages, relevance)
    if asks_extreme_size(question):
        # "The largest trial": which one it is shows only by comparing every candidate's sample, near or far.
        extreme = extreme_sample(question, candidates(passages))
        if extreme is not None:
            relevance[extreme.index] = max(relevance.values(), default=0.0) + RANK_PRIOR
    return relevance


def _studies_first(question: str, order: list[int], passages: list[Passage], k: int) -> list[int]:
    """For a question asking which studies: up to STUDY_PLACES of the `k` places go to the passages naming a study
    ("Liu et al. [23] conducted ...", "the DAPA trial"), those under the best passage's heading first. A review
    reports a population's studies under one heading ("3.3. Older Adults with Dementia"); the heading's summary shares
    the question's words, the studies after it fewer."""
    from reviewer.grading import split_studies

    heads = {(passages[i].doc_id, passages[i].section) for i in order[:SECTION_LEADS] if passages[i].section}
    naming = [i for i in order[:PRIOR_DEPTH] if any(name.strip() for name, _ in split_studies(passages[i].text))]
    chosen = sorted(naming, key=lambda i: ((passages[i].doc_id, passages[i].section) not in heads,
                                           order.index(i)))[:STUDY_PLACES]
    top = chosen + [i for i in order if i not in chosen][:max(0, k - len(chosen))]
    top.sort(key=order.index)
    return top + [i for i in order if i not in top]


def _continued(question: str, passages: list[Passage], relevance: dict[int, float]) -> None:
    """A chunk that opens by stating the quantity asked about, continuing a chunk on the question ("The duration
    needed ... may vary", then "Studies typically show effects over a period of weeks to months"), ranks with it."""
    units = unit_pattern(question)
    for i, r in list(relevance.items()):
        then = next((j for j, p in enumerate(passages) if continues(passages[i], p)), None)
        opening = candidates([passages[then]])[:1] if then is not None else []
        if opening and states(opening[0], units):
            relevance[then] = max(relevance.get(then, 0.0), r * CONTEXT_FACTOR)


def _headed_first(head: frozenset[str], order: list[int], passages: list[Passage]) -> list[int]:
    """The passages whose section heading names what a list question asks for ("6.3. Limitations, ..." for "what
    limitations"), up to LIST_PLACES, ahead of the others."""
    headed = [i for i in order if passages[i].section
              and all(contains(t, frozenset(content_stems(spell_out(passages[i].section)))) for t in head)]
    return headed[:LIST_PLACES] + [i for i in order if i not in headed[:LIST_PLACES]]


def _items_first(order: list[int], passages: list[Passage], k: int) -> list[int]:
    """For a question asking for a list: up to half of the `k` places go to passages whose sections each name one
    distinct thing ("5.1. Irisin", "5.2. ... (BDNF)"), best first, so the answer can enumerate them."""
    items: dict[str, int] = {}
    for i in order:
        name = heading_item(passages[i].section)
        if name and name.lower() not in items and len(items) < k // 2:
            items[name.lower()] = i
    chosen = sorted(items.values(), key=order.index)
    return chosen + [i for i in order if i not in chosen]
