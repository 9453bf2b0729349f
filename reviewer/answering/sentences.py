"""Sentence selection: the candidate sentences of retrieved passages, scored against a question.

A sentence's score blends what it shares with the question word for word (IDF-weighted
coverage of the question's content stems, adjacent word pairs, numbers and acronyms) with
what it means: the cosine similarity of its embedding to the question's, from the same
embedding model that retrieves (`reviewer.answering.semantic`). The lexical side keeps exact
names and numbers decisive; the semantic side finds the sentence that answers in other words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from reviewer.answering.questions import ASKS_QUANTITY, contains, entities, text_stems
from reviewer.models import Passage
from reviewer.text import (BULLET, COUNT, NOT_PROSE_LINE, STOPWORDS, content_stems, is_methods_section, looks_like_instruction,
                           normalize_space, numbers, spell_out, split_sentences, stem, strip_markers)

#: Score factor of a sentence stating a number right after the question's most specific word (quantity questions).
ATTACHED_BONUS = 1.3
#: Stems weighing at least this share of the question's heaviest count as its most specific.
RARE_SHARE = 0.75
#: Score factor of a sentence stating the comparative or superlative the question asks ("greatest increase").
SUPERLATIVE_BONUS = 1.25
_GENERIC_NAMES = frozenset({"optim", "temperatur", "degre", "celsius", "dose", "durat", "number", "percent"})
_WORD = re.compile(r"[A-Za-z][\w-]*")
_VALUE_NEXT = re.compile(r"[\s(:=,~≈]{0,3}(?:[A-Za-z-]+[\s(:=,]{1,3}){0,2}[-−~≈<>]?\d")
_DEGREES = {"largest": "larger|largest", "biggest": "bigger|biggest", "highest": "higher|highest",
            "greatest": "greater|greatest", "strongest": "stronger|strongest", "smallest": "smaller|smallest",
            "lowest": "lower|lowest", "longest": "longer|longest", "shortest": "shorter|shortest",
            "fastest": "faster|fastest", "most": "more|most", "least": "less|least|fewer|fewest",
            "best": "better|best"}
_SUPERLATIVE_NOUN = re.compile(rf"\b({'|'.join(_DEGREES)})\s+([A-Za-z][\w-]+)", re.I)
#: A question about what one study did, and a sentence saying what that study did.
_ASKS_OF_STUDY = re.compile(r"\b(?:the|this|that)\b(?:\s+[\w–'’-]+){0,4}?\s+(?:study|experiment)\b", re.I)
_STUDY_ITSELF = re.compile(r"\b(?:in|for) (?:this|the present|the current) (?:study|experiment)\b", re.I)

#: Sentences shorter than this (in words) are headings or fragments, not answers.
MIN_SENTENCE_WORDS = 6
#: Weight of the semantic similarity in a sentence's score (the rest is lexical).
SEMANTIC_WEIGHT = 0.45
#: Cosine similarity of MiniLM embeddings below which a sentence is unrelated to the question.
SEMANTIC_FLOOR = 0.15
#: A sentence holding this share of the question's words answers it when its meaning is close enough:
#: normalised similarity at least `SEMANTIC_ANSWER` (cosine about 0.62 for MiniLM).
RELAXED_COVERAGE = 0.3
SEMANTIC_ANSWER = 0.55
#: ... and one holding less of them when its meaning is closer still (the question in other words).
LOOSE_COVERAGE = 0.2
SEMANTIC_CLOSE = 0.65
#: Sentences per question scored by embedding (the best by lexical score); the others keep their lexical score.
SEMANTIC_POOL = 48
_COUNT = re.compile(rf"\b{COUNT}\b", re.I)
#: A sentence going on about the study the one before it named ("They found that 10 weeks of ...").
GOES_ON = re.compile(r"^(?:They|The authors|These authors|The researchers|The investigators)\b")
#: A sentence continuing the one before it ("this association", "the RT group", "Specifically, ..."): what it
#: reports is about its predecessor's subject, so it is read, and quoted, together with it.
_CONTINUES = re.compile(r"^(?:Specifically|In particular|Within (?:the|this|each) \w+)\b|^(?:\S+ ){0,3}(?:this|these|those|such) "
                        r"[\w-]+|\b(?:this|these|such) (?:[\w-]+ )?"
                        r"(?:associations?|relationships?|links?|effects?|interventions?|programs?|programmes?|cohorts?|"
                        r"groups?|participants|patients|trials?|studies|study|findings|results|data|observations|"
                        r"benefits|gains|improvements|changes)\b|\bthe (?:[\w-]+ )?group\b|" + GOES_ON.pattern, re.I)
#: A sentence concluding from the one before it.
_INFERS = re.compile(r"^(?:This|These|Such|Those)(?: [\w-]+)? (?:suggests?|indicates?|implies|imply|shows?|demonstrates?|"
                     r"highlights?|means)\b")
#: What a question asks (why; whether evidence is consistent) and the wording of a sentence that says it (a reason,
#: "likely due to ..."; how consistent, "more heterogeneous"), which then counts `REASON_BONUS` more.
_ASKED_AND_SAID = (
    (re.compile(r"(?:^|[.?!]\s+)\W*why\b|\bwhat explains\b|\bhow come\b", re.I),
     re.compile(r"\b(?:due to|because|owing to|attributed to|explained by|reflects?|reflecting|result(?:s|ing)? from|"
                r"driven by|mediated by|underl(?:ie|ies|ying))\b", re.I)),
    (re.compile(r"\bconsistent(?:ly)?\b|\buniform(?:ly)?\b|\breliabl[ey]\b|\balways\b", re.I),
     re.compile(r"\b(?:variable|heterogeneous|heterogeneity|inconsistent|mixed|conflicting|not uniformly|"
                r"consistent(?:ly)?|uniform(?:ly)?)\b", re.I)))
REASON_BONUS = 1.25
#: Score factor of a sentence read with its predecessor: a single sentence saying as much is the better quote.
CONTEXT_FACTOR = 0.95
_FRAMING = re.compile(r"\b(?:this|the present|our|the current) (?:review|article|paper|study|analysis|work)\b|^(?:the|this) (?:paper|review|article) \w+s\b(?! (?:found|showed|"
                      r"demonstrated|reported|revealed|observed))|\b(?:we|our analysis) (?:focus|aim|explore|review|examine|"
                      r"discuss|summari[sz]e|propose|proceed)\w*|\baims? to\b", re.I)


@dataclass
class Sentence:
    """One candidate sentence of a retrieved passage, with how well it answers the question."""

    index: int  # position of the passage in the retrieved list
    start: int  # character offset in the passage, for a stable order
    quote: str
    stems: frozenset[str]
    order: tuple[str, ...]
    methods: bool = False
    coverage: float = 0.0
    lexical: float = 0.0
    semantic: float = 0.0
    factor: float = 1.0  # penalties that hold whatever the scoring: methods text, keyword lists, no number, ...
    score: float = 0.0
    lead: str = ""  # the sentence before, when this one continues it ("this association ...")
    lead_index: int = -1  # the passage holding the lead (a neighbouring chunk when this sentence opens its own)
    opens: bool = False  # the passage's first sentence: its lead, if any, is in the chunk before
    context: frozenset[str] = frozenset()  # stems of this sentence and its lead
    attached: bool = False  # states a number right after the question's most specific word (quantity questions)
    counts: bool = False  # states a number, and the question asks for one
    implied: frozenset[str] = frozenset()  # question words its document stands for ("the news article": news, articl)
    spelled: str = ""  # the quote with the acronyms its passages define written out, for the embedding model

    @property
    def has_number(self) -> bool:
        """Whether the sentence states a quantity (digits or a number word)."""
        return bool(numbers(self.quote) or _COUNT.search(self.quote))


def passage_sentences(index: int, passage: Passage) -> list[Sentence]:
    """Candidate sentences of a passage (headings, tables, fragments and text addressing a model left out)."""
    methods = is_methods_section(passage.section)
    return [Sentence(index, start, quote, frozenset(order), order, methods, lead=lead, lead_index=index if lead else -1,
                     opens=opens) for start, quote, order, lead, opens in _split(passage.text)]


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[tuple[int, str, tuple[str, ...], str, bool], ...]:
    """(offset, quote, content stems, lead, whether it opens the text) of each candidate sentence of a text."""
    out = []
    offset = 0
    first = True
    for line in text.splitlines(keepends=True):
        line_start, offset = offset, offset + len(line)
        if NOT_PROSE_LINE.match(line) or not line.strip():
            continue
        bullet = BULLET.match(line)
        body_start = line_start + (bullet.end() if bullet else 0)
        body = text[body_start:offset]
        previous = previous_lead = ""
        for start, end in split_sentences(body):
            quote = normalize_space(strip_markers(body[start:end]))
            before, previous, opens, first = previous, quote, first, False
            if len(quote.split()) < MIN_SENTENCE_WORDS or quote.startswith("…") or looks_like_instruction(quote):
                previous_lead = ""
                continue
            order = tuple(content_stems(spell_out(quote)))
            lead = (before if before and len(before.split()) >= MIN_SENTENCE_WORDS and _CONTINUES.search(quote)
                    and not looks_like_instruction(before) else "")
            if lead and previous_lead and GOES_ON.match(before):  # "These benefits" after "They found": who they are
                lead = f"{previous_lead} {lead}"
            previous_lead = lead
            out.append((body_start + start, quote, order, lead, opens))
    return tuple(out)


@lru_cache(maxsize=4096)
def _prose(text: str) -> tuple[str, ...]:
    """Every sentence of a text in order, fragments included."""
    return tuple(normalize_space(strip_markers(line[a:b])) for line in text.splitlines()
                 if line.strip() and not NOT_PROSE_LINE.match(line) for a, b in split_sentences(line))


def _previous_chunk(chunk_id: str) -> Optional[str]:
    """The id of the chunk before this one in its document ("doc:hash:7" → "doc:hash:6"), when ids are numbered."""
    base, _, number = chunk_id.rpartition(":")
    return f"{base}:{int(number) - 1}" if base and number.isdigit() and int(number) > 0 else None


def _lead_elsewhere(s: Sentence, passages: list[Passage]) -> None:
    """A passage's continuing first sentence gets its lead from a retrieved chunk of the same document: one that
    holds both sentences (chunks overlap), or else the chunk just before, whose last sentence it continues."""
    head = s.quote[:40]
    doc = passages[s.index].doc_id
    before = _previous_chunk(passages[s.index].chunk_id)
    for j, other in enumerate(passages):
        if j == s.index or other.doc_id != doc:
            continue
        prose = _prose(other.text)
        for k in range(1, len(prose)):
            if prose[k].startswith(head) or (len(prose[k]) >= 20 and head.startswith(prose[k])):
                if len(prose[k - 1].split()) >= MIN_SENTENCE_WORDS and not looks_like_instruction(prose[k - 1]):
                    s.lead, s.lead_index = prose[k - 1], j
                return
        if (other.chunk_id == before and prose and len(prose[-1].split()) >= MIN_SENTENCE_WORDS
                and not looks_like_instruction(prose[-1])):
            s.lead, s.lead_index = prose[-1], j


def candidates(passages: list[Passage]) -> list[Sentence]:
    """Every candidate sentence of the passages, in passage order."""
    out = [s for i, p in enumerate(passages) for s in passage_sentences(i, p)]
    for s in out:
        if s.opens and not s.lead and _CONTINUES.search(s.quote):
            _lead_elsewhere(s, passages)
    return out


def _pairs(order: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(order, order[1:]))


def score_lexically(sentences: list[Sentence], question: str, weights: dict[str, float], n: int) -> None:
    """Fill each sentence's `coverage` (weighted share of the question's stems it holds) and `lexical` score."""
    total = sum(weights.values()) or 1.0
    question_pairs = _pairs(tuple(t for t in content_stems(spell_out(question)) if t in weights))
    named = {stem(t) for t in entities(question)} & weights.keys()
    asks_method = is_methods_section(question)
    asks_quantity = bool(ASKS_QUANTITY.search(question))
    of_study = bool(_ASKS_OF_STUDY.search(question))
    question_numbers = numbers(question)
    rare = _rarest(weights) if asks_quantity else frozenset()
    compared = _superlative_phrase(question)
    wanted = [said for asks, said in _ASKED_AND_SAID if asks.search(question)]
    for s in sentences:
        s.stems = text_stems(s.quote, question) | s.implied
        s.context = s.stems | text_stems(s.lead, question) if s.lead else s.stems
        own = sum(w for t, w in weights.items() if contains(t, s.stems)) / total
        both = sum(w for t, w in weights.items() if contains(t, s.context)) / total * CONTEXT_FACTOR
        # The sentence says it alone: quote it alone, unless it draws a conclusion from the figures before it
        # ("This suggests that women tend to benefit more": "g = 0.639 ... compared with 0.150").
        # ... nor when it speaks of "they" (the authors the sentence before names).
        if s.lead and both <= own and not (_INFERS.match(s.quote) and re.search(r"\d", s.lead)) and not GOES_ON.match(s.quote):
            s.lead, s.lead_index, s.context = "", -1, s.stems
        s.coverage = max(own, both)
        phrase = len(question_pairs & _pairs(s.order)) / len(question_pairs) if question_pairs else 0.0
        rank_prior = 1.0 - s.index / max(n, 1)
        # Long sentences cover more words by chance; a mild length penalty keeps quotes to the point.
        length = 1.0 if len(s.order) <= 30 else 30 / len(s.order)
        # Keyword lists ("search terms: “a”, “b”, ...") match every question and answer none.
        listing = 0.5 if s.quote.count("“") + s.quote.count('"') >= 4 else 1.0
        # Methods text repeats the topic's words without answering anything about it.
        method = 0.8 if s.methods and not asks_method else 1.0
        # A question naming BDNF or IL-6 is about it: a sentence that names none of them answers less.
        subject = 0.8 if named and not any(contains(t, s.context) for t in named) else 1.0
        # "How much ...?" is answered by the sentence stating a number, not by its neighbour.
        quantity = 0.7 if asks_quantity and not (numbers(s.quote) - question_numbers or _COUNT.search(s.quote)) else 1.0
        # "This review explores ...", "we focused on ...": the document describing itself, not a finding.
        # ... unless the question asks what a study did ("Did the study observe people?": "In this study, the
        # researchers did not observe people exercising").
        framing = 0.7 if _FRAMING.search(s.quote) and not (of_study and _STUDY_ITSELF.search(s.quote)) else 1.0
        # "the optimal temperature for X": the number written right after X ("X (63.2 °C") is X's own.
        s.attached = asks_quantity and _value_after(s.quote, rare)
        s.counts = asks_quantity and s.has_number
        attached = ATTACHED_BONUS if s.attached else 1.0
        # "the greatest increase": a sentence stating a greater or the greatest increase ranks those asked about.
        ranking = SUPERLATIVE_BONUS if compared is not None and compared.search(s.quote) else 1.0
        # "Why would unstable training sharpen thinking more?": a sentence giving a reason ("likely due to ...").
        reason = REASON_BONUS ** sum(1 for said in wanted if said.search(s.quote))
        s.factor = listing * subject * method * quantity * framing * attached * ranking * reason
        s.lexical = (s.coverage * (0.85 + 0.15 * rank_prior) * (0.9 + 0.1 * length) + 0.1 * phrase) * s.factor
        s.score = s.lexical


def _rarest(weights: dict[str, float]) -> frozenset[str]:
    """The question's most specific stems (the top IDF weights): what a quantity question asks the value of."""
    top = max(weights.values(), default=0.0)
    return frozenset(t for t, w in weights.items() if w >= RARE_SHARE * top and t not in _GENERIC_NAMES)


def _value_after(quote: str, rare: frozenset[str]) -> bool:
    """Whether a number follows one of the rare words within two words ("Wukongarchaeia (63.2 °C")."""
    return bool(rare) and any(stem(m.group(0).lower()) in rare and _VALUE_NEXT.match(quote, m.end())
                              for m in _WORD.finditer(quote))


def _superlative_phrase(question: str) -> Optional[re.Pattern]:
    """"greatest increase" → a pattern for "greater/greatest (...) increase", or None."""
    match = _SUPERLATIVE_NOUN.search(question)
    if not match or match.group(2).lower() in STOPWORDS:
        return None
    forms = _DEGREES[match.group(1).lower()]
    return re.compile(rf"\b(?:{forms})\s+(?:[\w-]+\s+)?{re.escape(stem(match.group(2).lower()))}", re.I)


def score(sentences: list[Sentence], question: str, weights: dict[str, float], n: int, embedder=None) -> None:
    """Score candidate sentences against a question, lexically and (with an embedder) by meaning.

    Args:
        sentences: the candidates (`candidates(passages)`); scores are filled in place.
        question: the question.
        weights: `reviewer.answering.questions.question_weights` of the question over the passages.
        n: how many passages were retrieved (for the small rank prior).
        embedder: the embedding model, or None for lexical scores only.
    """
    score_lexically(sentences, question, weights, n)
    if embedder is None or not sentences:
        return
    from reviewer.answering.semantic import similarities

    # Embedding is the slow part on a CPU: only the lexically likeliest sentences are read for meaning.
    pool = sorted(sentences, key=lambda s: (-s.lexical, s.index, s.start))[:SEMANTIC_POOL]
    sims = similarities(question, [s.spelled or s.quote for s in pool], embedder)
    for s, sim in zip(pool, sims):
        s.semantic = max(0.0, (sim - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR))
        s.score = (1 - SEMANTIC_WEIGHT) * s.lexical + SEMANTIC_WEIGHT * s.semantic * s.factor
    read = {id(s) for s in pool}
    for s in sentences:
        if id(s) not in read:
            s.score = (1 - SEMANTIC_WEIGHT) * s.lexical


def answers(s: Sentence, min_coverage: float) -> bool:
    """Whether a sentence can answer the question: it holds enough of its words, or fewer but means the same (the
    closer, the fewer; a number asked for and stated needs no more than `LOOSE_COVERAGE`)."""
    return s.coverage >= min_coverage or (
        s.coverage >= (LOOSE_COVERAGE if s.counts else RELAXED_COVERAGE) and s.semantic >= SEMANTIC_ANSWER) or (
        s.coverage >= LOOSE_COVERAGE and s.semantic >= SEMANTIC_CLOSE)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def next_sentence(s: Sentence, sentences: list[Sentence], passages: Optional[list[Passage]] = None) -> Optional[Sentence]:
    """The candidate sentence that follows `s` in its passage, or None.

    With `passages`, the last sentence of a passage is followed by the first of the passage that continues it in
    its document, when that one was retrieved too.
    """
    after = min((o for o in sentences if o.index == s.index and o.start > s.start), key=lambda o: o.start, default=None)
    if after is not None or passages is None:
        return after
    then = next((j for j, p in enumerate(passages) if continues(passages[s.index], p)), None)
    return min((o for o in sentences if o.index == then), key=lambda o: o.start, default=None) if then is not None else None


def continues(first: Passage, then: Passage) -> bool:
    """Whether `then` is the chunk right after `first` in its document (chunk ids end ":<position>")."""
    return _previous_chunk(then.chunk_id) == first.chunk_id


def best_by_passage(sentences: list[Sentence]) -> dict[int, float]:
    """The best sentence score of each passage, by passage index."""
    out: dict[int, float] = {}
    for s in sentences:
        out[s.index] = max(out.get(s.index, 0.0), s.score)
    return out


def quoted(s: Sentence) -> str:
    """The sentence cited [n], after the sentence it continues when it was read with it."""
    own = cite(s.quote, s.index + 1)
    return f"{cite(s.lead, s.lead_index + 1)} {own}" if s.lead else own


def cite(quote: str, n: int) -> str:
    """Put the marker before the sentence's closing punctuation: 'IL-6 [1].'"""
    match = re.search(r"[.!?…]+[\"'”’)]*$", quote)
    return f"{quote[:match.start()]} [{n}]{quote[match.start():]}" if match else f"{quote} [{n}]"


def pick(ranked: list[Sentence], most: int, floor: float, min_coverage: float,
         chosen: Optional[list[Sentence]] = None) -> list[Sentence]:
    """Up to `most` sentences (leads included) from a best-first list, above `floor`, none repeating another's."""
    chosen = list(chosen or [])
    for s in ranked:
        used = sum(1 + bool(c.lead) for c in chosen)
        if used >= most or s.score < floor:
            break
        if used + 1 + bool(s.lead) > most or not answers(s, min_coverage) or any(jaccard(s.stems, c.stems) >= 0.6 or s.quote == c.lead or s.lead == c.quote
                                               or (s.lead and s.lead == c.lead) for c in chosen):
            continue
        chosen.append(s)
    return chosen
