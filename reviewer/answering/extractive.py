"""The offline answerer: quote the passage sentences that answer the question, by question type.

Every quote is word for word (a paper's own bracketed reference numbers left out, since they
would read as citations of this answer) and ends with the [n] of its passage, n being the
passage's 1-based position in the retrieved list; `reviewer.answering.citations` renumbers
them in order of first appearance afterwards. The same input always gives the same answer.

- quantity ("how many", "what dose"): the sentence that states the number; "largest" picks
  the largest sample among the relevant ones;
- studies ("which studies found ..."): one line per named study, with design, n and direction,
  only those in the direction asked about;
- comparison ("MCI or dementia?"): one statement per side, or that no passage concerns a side;
- listing ("what mechanisms ..."): one line per thing the passages name;
- yes/no: a first line with the direction of the quoted findings and the strongest design;
- general: the best sentences.

When the question names a population no passage mentions ("children"), the answer says so
first; when the passages do not hold the answer, it says that instead of padding
(`insufficient_evidence`).
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.answering import comparison, kinds
from reviewer.answering.documents import KIND_STEMS, acronyms_defined, naming, spell_acronyms, spelled_out
from reviewer.answering.listing import ENUMERATES, INSTANCES, listing
from reviewer.answering.questions import (ACRONYM, ASKS_WHO, NAMES_WHO, absent_populations, comparison_sides, contains, distinctive, focus_missing,
                                          generic_stems, missing, populations_in, question_type, question_weights,
                                          text_stems)
from reviewer.answering.sentences import (SEMANTIC_CLOSE, Sentence, answers, candidates, cite, next_sentence, pick,
                                          quoted, score)
from reviewer.answering.designs import own_design
from reviewer.answering.wording import compound_held, interrogative, is_phrasing
from reviewer.models import Answer, Citation, Passage, QuestionType
from reviewer.text import find_citations, spell_out, stem

#: Share of the question's (weighted) content words a sentence must contain to count as answering it.
MIN_COVERAGE = 0.5
#: Share of the question's (weighted) specific words that may be absent from every passage; above it,
#: the passages are about something else ("creatine" asked, never mentioned).
MAX_MISSING = 0.4
#: Weight, in the share of missing words, of a question word that reads as phrasing ("tracked", "roughly").
PHRASING_WEIGHT = 0.3
_PHRASING = re.compile(r"^(?:[a-z]{3,}(?:ed|ly)|thought|think|seen|shown|known|given|chos(?:e|en)|choose|say|said|"
                       r"characteri[sz]es?|describes?|considers?|regards?|views?|"
                       r"(?:start|begin|began|begun|tend|seem|appear|continu|keep|kept)\w*|"  # "starts to show": a verb of a verb
                       r"(?:some|any|every)(?:one|body)|ones?|like|unlike|"  # "how long does someone need to ...", "which ones"
                       r"[a-z]{4,}[ai]ble)$")  # "measurable", "detectable"
#: Above this share of missing question words, and with an embedder, the answering sentence must also be close
#: in meaning (normalised similarity `GAP_SEMANTIC`): unanswerable questions on the corpus peak near 0.54.
GAP_SHARE = 0.2
GAP_SEMANTIC = 0.58
#: Content words of a question beyond which the coverage asked of a sentence shrinks in proportion.
LONG_QUESTION = 10
#: Share of `MIN_COVERAGE` a sentence needs to answer a list question, and no closeness in meaning is asked of it
#: when words are missing: the kind of thing listed ("databases", "factors") is its subject, the rest is often
#: phrasing ("walk through", "time window").
LIST_COVERAGE = 0.7
#: A sentence joins the answer if its score is at least this share of the best sentence's.
RELATIVE_SCORE = 0.75
#: Sentences quoted in a general extractive answer.
MAX_SENTENCES = 3

#: A question asking, in any of its clauses, for things to be listed ("..., what routes does he list?").
_LIST_ASKED = re.compile(r"\b(?:what|which) (?:\w+ )?(?:routes|pathways|mechanisms|ways|factors)\b|\blist\b", re.I)
#: Score factor of a concluding sentence ("Collectively, ...") for yes/no and comparison questions.
CONCLUSION_BONUS = 1.15
_CONCLUSION = re.compile(r"^(?:Collectively|Overall|Taken together|Together|In summary|In conclusion|In sum|Thus|"
                         r"These (?:findings|results|data) (?:suggest|indicate|show))\b")

#: Score factor of a caveat ("Our study did not prove ...") for a question doubting a claim.
CAVEAT_BONUS = 1.5
#: A sentence giving the details of the one before it (its figures, an example, what was done instead).
_DETAILS = re.compile(r"^(?:Specifically|In particular|For (?:example|instance)|Notably|Instead),")
#: A sentence quoted after the best one must be at least this close in meaning to the question, as a share of the
#: best one's closeness.
NEAR_MEANING = 0.7
#: Score factor of a sentence from another document than the one the question names ("the news article").
OTHER_DOCUMENT = 0.5
#: Score factor of a sentence naming a person or an institution, for a question asking who.
WHO_BONUS = 1.5
#: Someone quoted as an outside voice ("who was not involved in the study") did not do the work.
_OUTSIDE = re.compile(r"\bnot (?:involved|affiliated)\b|\bindependent\b", re.I)

NO_ANSWER = "The documents do not contain the answer to this question"


def extractive_answer(question: str, passages: list[Passage], max_sentences: int = MAX_SENTENCES,
                      min_coverage: float = MIN_COVERAGE, embedder=None, library=None) -> Answer:
    """Answer by quoting the passage sentences that answer the question, each cited [n].

    Args:
        question: the question.
        passages: retrieved passages, best first; [n] cites `passages[n - 1]`.
        max_sentences: most sentences to quote in a general answer.
        min_coverage: share of the question's IDF-weighted content words the best sentence
            must contain; below it the answer is `insufficient_evidence`.
        embedder: the embedding model, to choose sentences by meaning too (None: words only).
        library: `words -> {word: chunks of the library holding it}`, or None. A question word the passages lack
            but the library holds elsewhere is phrasing the retriever passed over ("conclude", "analysis"); a
            word the whole library lacks ("yoga") is a subject it does not cover.
    """
    if not passages:
        return _insufficient(question, passages, "no passages were retrieved")
    weights, surface = question_weights(question, passages)
    if not weights:
        return _insufficient(question, passages, "the question has no content words to look for")
    kind = question_type(question)
    uncovered = _uncovered(question, kind, passages)
    named, where = naming(question, passages)
    scoring = _scoring(question, weights, surface, uncovered, passages, library, where)
    ranked = _ranked(question, kind, passages, scoring, embedder, named, where)
    own = _own_design(question, passages, ranked, named, where)
    if own:  # "is the multiscale paper a systematic review?": what it calls itself
        return own
    absent = missing(question, scoring, passages)
    sides = comparison_sides(question) if kind is QuestionType.comparison else None
    side_words = {w.lower() for side in sides or () for w in side.split()}
    # One side is absent ("older adults or children"): the other is answered. With both sides present, the question
    # is refused as any other when the passages lack its subject ("attention or memory in ADHD").
    covered_side = bool(sides) and bool(side_words & {u.lower() for u in uncovered})
    min_coverage = coverage_asked(min_coverage, kind, len(weights))
    # A question pointing at a document ("in the news story, what does the coach list?") is answered from it, in
    # whatever words it uses, unless it names something the library lacks.
    # ... and so is a "which trials" question whose studies the passages name, however it is worded.
    subject_missing = any(scoring[t] >= weights.get(t, 0.0) for t in absent)
    listed = kinds.studies(question, passages, ranked) if kind is QuestionType.studies else None
    pointed = (bool(named) or bool(listed)) and not subject_missing
    # "tai chi or yoga": neither side is in the passages (but in the document the question points at, in its words)
    if sides and side_words <= {u.lower() for u in uncovered} and not pointed:
        return _insufficient(question, passages, _neither(question, sides, absent, scoring, surface, passages))
    refusal = None if covered_side or pointed else _refusal(question, scoring, surface, passages, ranked, absent,
                                                            min_coverage, gap=kind is not QuestionType.listing)
    if refusal:
        return _insufficient(question, passages, refusal)
    single = distinctive(question, passages, absent)
    # A sentence holding only the words every passage shares with the question answers nothing it singles out.
    # ... unless it says the same in other words, and the question names nothing the library lacks ("sleep").
    close = SEMANTIC_CLOSE if not subject_missing else 2.0
    focused = [s for s in ranked if not single or any(contains(t, s.context) for t in single) or s.semantic >= close
               or (kind is QuestionType.listing and INSTANCES.search(s.quote))]  # 'factors like ...' answers
    if not any(answers(s, min_coverage) for s in focused) and not covered_side and not pointed:
        return _insufficient(question, passages, _why_not(question, scoring, surface, passages))
    population = [w for w in uncovered if w.lower() not in side_words]  # a side absent is said in the side's line
    lines = _compose(kind, question, passages, ranked, focused, min_coverage, max_sentences, population, listed)
    # flagged when the question's population is not in the documents
    return _answered(question, "\n".join(lines), passages, flagged=bool(population))


def _own_design(question: str, passages: list[Passage], ranked: list[Sentence], named: set[str],
                where: set[str]) -> Optional[Answer]:
    """The answer to a question on the design of the document it names (the one retrieved, when it names one that
    all the passages come from), or None."""
    docs = named or ({p.doc_id for p in passages} if where and len({p.doc_id for p in passages}) == 1 else set())
    lines = own_design(interrogative(question), ranked, lambda s: passages[s.index].doc_id in docs)
    return _answered(question, "\n".join(lines), passages, flagged=False) if lines else None


def _answered(question: str, text: str, passages: list[Passage], flagged: bool) -> Answer:
    """The answer with the citations its text makes."""
    cited = sorted(n for n in find_citations(text) if 1 <= n <= len(passages))
    return Answer(question=question, answer=text, passages=list(passages), insufficient_evidence=flagged,
                  citations=[Citation(**passages[n - 1].model_dump(), n=n) for n in cited])


def coverage_asked(min_coverage: float, kind: QuestionType, words: int) -> float:
    """The share of a question's words a sentence must hold to answer it.

    For "which databases ...", the kind of thing listed is the subject and the rest often phrasing; and no sentence
    holds half of a long question's words (context, asides): a share of its first `LONG_QUESTION` words is asked.

    Example:
        >>> coverage_asked(0.5, QuestionType.general, 20), coverage_asked(0.5, QuestionType.general, 8)
        (0.25, 0.5)
    """
    if kind is QuestionType.listing:
        min_coverage *= LIST_COVERAGE
    return min_coverage * min(1.0, LONG_QUESTION / max(words, 1))


def _scoring(question: str, weights: dict[str, float], surface: dict[str, str], uncovered: list[str],
             passages: list[Passage], library, where: set[str]) -> dict[str, float]:
    """The question's weights for scoring: without what no passage concerns ("children"), nor the words naming a
    document that no passage's text holds ("the news article" says where to look); a word no passage holds that
    reads as phrasing ("thought", "tracked"), or that the library holds elsewhere, weighs little."""
    # ... the word for its kind ("review") always; a word of its title ("multiscale") when no passage writes it
    where = {t for t in where if t in KIND_STEMS or not any(contains(t, text_stems(p.text, question)) for p in passages)}
    scoring = {t: w for t, w in weights.items() if t not in {stem(u) for u in uncovered} | where} or weights
    lacking = missing(question, scoring, passages)
    used = library([surface[t] for t in lacking]) if library is not None and lacking else {}
    held = set().union(*(text_stems(p.text, question) for p in passages)) if lacking else set()
    return {t: w * PHRASING_WEIGHT if t in lacking and (_PHRASING.search(surface[t]) or used.get(surface[t], 0) > 0
                                                     or is_phrasing(surface[t]) or compound_held(surface[t], held)
                                                     or _after_studies(surface[t], question)
                                                     or _hyphened_to_held(surface[t], question, held))
            else w for t, w in scoring.items()}


def _hyphened_to_held(word: str, question: str, held: set[str]) -> bool:
    """Whether the question joins the word by a hyphen to one a passage holds ("female-heavy samples"): the
    compound says the held word's kind ("female"), which the passages write in their own way."""
    pattern = rf"\b([\w]+)-{re.escape(word)}\b|\b{re.escape(word)}-([\w]+)\b"
    return any(stem(spell_out(part).lower()) in held for m in re.finditer(pattern, question, re.I)
               for part in m.groups() if part)


def _after_studies(word: str, question: str) -> bool:
    """Whether the question uses a word as a verb: of studies ("which studies tie grip to ...", "trials link"), or
    after "have to" ("how long does a program have to run"); or as the state something comes into ("before gains
    become visible"), which says when, not what."""
    return re.search(rf"\b(?:studies|trials|papers|reviews|authors|researchers|data|findings|results|analyses|"
                     rf"experiments|(?:have|has|had|need|needs) to|become|becomes|became|get|gets|got)\s+"
                     rf"{re.escape(word)}\b", question, re.I) is not None


def _ranked(question: str, kind: QuestionType, passages: list[Passage], scoring: dict[str, float], embedder,
            named: set[str], where: set[str]) -> list[Sentence]:
    """The passages' candidate sentences scored for the question, best first."""
    sentences = candidates(passages)
    defined, spelled = acronyms_defined(passages), spelled_out(passages)
    for s in sentences:
        s.spelled = spell_acronyms(s.quote, spelled, question)  # for the embedding model, which does not know "RT"
        # a sentence of "the multiscale review" says what that review says, without naming it;
        s.implied = frozenset(where) if passages[s.index].doc_id in named else frozenset()
        for acronym in {a.lower() for a in ACRONYM.findall(s.quote)} & defined.keys():  # "RT" says "resistance training"
            s.implied |= defined[acronym]
    score(sentences, question, scoring, len(passages), embedder)
    _by_kind(sentences, question, kind)
    for s in sentences:  # "the multiscale review", "the news article": that document speaks for the answer
        s.score *= OTHER_DOCUMENT if named and passages[s.index].doc_id not in named else 1.0
    return sorted(sentences, key=lambda s: (-s.score, s.index, s.start))


def _by_kind(sentences: list[Sentence], question: str, kind: QuestionType) -> None:
    """Score factors by what the question asks: who did it (a named person), the state of the evidence (conclusions)."""
    if ASKS_WHO.search(question):  # "which researcher ...": the sentence naming one answers
        for s in sentences:
            s.score *= WHO_BONUS if NAMES_WHO.search(s.quote) and not _OUTSIDE.search(s.quote) else 1.0
    if kind in (QuestionType.yes_no, QuestionType.comparison):
        for s in sentences:  # a question about the state of the evidence is answered by the passages' conclusions
            s.score *= CONCLUSION_BONUS if _CONCLUSION.match(s.quote) else 1.0
    if kind is QuestionType.yes_no and kinds.DOUBTS.search(question):
        for s in sentences:
            s.score *= CAVEAT_BONUS if kinds.CAVEAT.search(s.quote) else 1.0


def off_topic(question: str, passages: list[Passage]) -> Optional[str]:
    """Why the passages are not about the question's subject (most of its specific words absent), or None.

    Example:
        >>> off_topic("beetroot juice and cerebral blood flow", passages)
        'none of the 41 retrieved passages mentions beetroot or juice'
    """
    if not passages:
        return "no passages were retrieved"
    weights, surface = question_weights(question, passages)
    absent = missing(question, weights, passages)
    if weights and absent and sum(weights[t] for t in absent) / sum(weights.values()) > MAX_MISSING:
        return _why_not(question, weights, surface, passages)
    return None


def _uncovered(question: str, kind: QuestionType, passages: list[Passage]) -> list[str]:
    """Words of what the question asks about that no passage mentions: a population, or a side of a comparison."""
    words = absent_populations(question, passages)
    if kind is QuestionType.comparison:
        for side in comparison_sides(question) or ():
            if comparison.side_sentences_absent(side, question, passages):
                words += [w for w in side.split() if w.lower() not in words]
    return words


def _refusal(question: str, weights: dict[str, float], surface: dict[str, str], passages: list[Passage],
             ranked: list[Sentence], absent: list[str], min_coverage: float, gap: bool = True) -> Optional[str]:
    """Why the passages cannot answer (the best sentence covers too little, or the subject is absent), or None."""
    if not any(answers(s, min_coverage) for s in ranked):
        return _why_not(question, weights, surface, passages)
    # A missing participle or adverb ("tracked", "roughly") is phrasing; a missing noun is the subject.
    share = _share(absent, weights)  # phrasing words already weigh PHRASING_WEIGHT
    if absent and share > MAX_MISSING:
        return _why_not(question, weights, surface, passages)
    focus = focus_missing(question, weights, passages)
    if focus:  # "what is the cost-effectiveness of X": X alone is another question
        return f"none of the {len(passages)} retrieved passages mentions {focus}"
    # Part of the subject missing ("cost" of "cost-effectiveness"): only a sentence close in meaning answers.
    read = [s for s in ranked if s.semantic > 0]
    if gap and share > GAP_SHARE and read and not any(answers(s, min_coverage) and s.semantic >= GAP_SEMANTIC for s in read):
        return _why_not(question, weights, surface, passages)
    return None


def _share(stems: list[str], weights: dict[str, float]) -> float:
    """The share of the question's weight these stems carry."""
    return sum(weights[t] for t in stems) / (sum(weights.values()) or 1.0)


def _compose(kind: QuestionType, question: str, passages: list[Passage], every: list[Sentence], ranked: list[Sentence],
             min_coverage: float, max_sentences: int, population: list[str],
             listed: Optional[list[str]] = None) -> list[str]:
    """The answer's lines for the question's type (falling back to the best of the `ranked` sentences).

    `every` holds all candidate sentences best first; `ranked` only those holding a word the question singles out;
    `population`: what the question asks about that no passage concerns ("children"), said first; `listed`: the
    lines of a which-studies question (`kinds.studies` of `every`), already worked out.
    """
    lead = _uncovered_lead(population, ranked, passages) if population else []
    lines: Optional[list[str]] = None
    if kind is QuestionType.studies:
        lines = listed
    elif kind is QuestionType.comparison:
        lines = comparison.comparison(question, passages, every)
    elif kind is QuestionType.quantity:
        lines = kinds.quantity(question, ranked, every, min_coverage, passages)
    elif kind is QuestionType.listing:
        lines = listing(question, passages, every, min_coverage)
    if not lines:
        best = next((s for s in ranked if answers(s, min_coverage)), ranked[0])
        # ... those after the best also close to it in meaning: a sentence sharing words on another subject is not
        near = [s for s in ranked if s is best or s.semantic >= NEAR_MEANING * best.semantic]
        chosen = pick(near, max_sentences, RELATIVE_SCORE * best.score, min_coverage) or [best]
        chosen += [s for s in [kinds.extreme_study(question, every)] if s and not any(s is c for c in chosen)]
        listing_asked = kind is QuestionType.listing or bool(_LIST_ASKED.search(question))
        lines = [" ".join(_with_details(chosen, every, listing_asked))]
        if kind is QuestionType.yes_no and not lead:  # findings about another population answer no yes/no
            lines = kinds.direction_lead(chosen, passages, question) + lines
        if ASKS_WHO.search(question) and not any(NAMES_WHO.search(s.quote) for s in chosen):
            # "Which researcher ...": the passages' best sentence naming a person or an institution says who.
            named = next((s for s in every if NAMES_WHO.search(s.quote) and not _OUTSIDE.search(s.quote)
                          and s.score > 0), None)
            lines += [quoted(named)] if named else []
    return lead + lines


def _with_details(chosen: list[Sentence], every: list[Sentence], listing_asked: bool = False) -> list[str]:
    """The chosen sentences cited, each followed by the next sentence of its passage when that one gives its details
    ("Specifically, when the proportion of female participants was higher than 71%, ... g = 0.639")."""
    out: list[str] = []
    for s in chosen:
        out.append(quoted(s))
        following = next_sentence(s, every)
        details = following is not None and (_DETAILS.match(following.quote) or (  # ... or, for a list, names them
            listing_asked and ENUMERATES.search(following.quote)))
        if (details and not any(following is c for c in chosen)
                and following.quote not in " ".join(out)):
            out.append(cite(following.quote, following.index + 1))
    return out


def _uncovered_lead(uncovered: list[str], ranked: list[Sentence], passages: list[Passage]) -> list[str]:
    """"None of the passages concern children; the evidence below concerns older adults." """
    seen = populations_in(" ".join(passages[s.index].text for s in ranked[:MAX_SENTENCES]))
    elsewhere = [p for p in seen if p not in uncovered]
    tail = f"; the evidence below concerns {_join(elsewhere[:3], 'and')}" if elsewhere else ""
    return [f"None of the passages concern {_join(uncovered, 'or')}{tail}."]


def _neither(question: str, sides: tuple[str, str], absent: list[str], weights: dict[str, float],
             surface: dict[str, str], passages: list[Passage]) -> str:
    """Why a comparison neither side of which the passages mention is refused: the words the library lacks, when the
    sides are not all of them ("creatine ... or training alone"), else the sides."""
    if absent:
        return _why_not(question, weights, surface, passages)
    return f"none of the {len(passages)} retrieved passages mentions {_join(list(sides), 'or')}"


def _why_not(question: str, weights: dict[str, float], surface: dict[str, str], passages: list[Passage]) -> str:
    absent = missing(question, weights, passages)
    missed = [surface[t] for t in absent]
    found = [surface[t] for t in weights if t not in absent and t not in generic_stems()]
    count = f"{len(passages)} retrieved passage{'s' if len(passages) != 1 else ''}"
    if missed:
        return f"none of the {count} mentions {_join(missed, 'or')}"
    if found:
        return f"the {count} mention {_join(found, 'and')}, but no sentence addresses the question as a whole"
    return f"no sentence of the {count} addresses the question"


def _join(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _insufficient(question: str, passages: list[Passage], why: str) -> Answer:
    return Answer(question=question, answer=f"{NO_ANSWER}: {why}.", insufficient_evidence=True,
                  passages=list(passages))

