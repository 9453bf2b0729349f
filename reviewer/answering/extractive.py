"""Answering: a cited answer from retrieved passages, by an LLM or offline by extraction.

Every statement of an answer points at a passage as [n], n being the passage's 1-based
position in the retrieved list. When the passages do not hold the answer, the answer says
so instead of padding (`insufficient_evidence`).

- Offline (no LLM configured): `extractive_answer` quotes the passage sentences that best
  cover the question's content words (stemmed, IDF-weighted over the passages, numbers
  and acronyms weighted up, with a small bonus for the passage's retrieval rank).
- With an LLM: the prompt `prompts/answer.md` gets the numbered passages; the reply is
  checked by `reviewer.answering.citations.check_answer`. If no sentence of it cites a given passage
  that backs it, the extractive answer is returned instead, with a note saying why.
"""

from __future__ import annotations

import math
from collections import Counter
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from reviewer.answering.citations import check_answer
from reviewer.llm.providers import resolve_llm
from reviewer.models import Answer, Citation, Passage
from reviewer.settings import Settings
from reviewer.text import (BULLET, NOT_PROSE_LINE, STOPWORDS, content_stems, is_methods_section, normalize_space, numbers,
                           split_sentences, stem, strip_markers, tokens)

#: Share of the question's (weighted) content words a sentence must contain to count as answering it.
MIN_COVERAGE = 0.5
#: Share of the question's (weighted) specific words that may be absent from every passage; above it,
#: the passages are about something else ("creatine" asked, never mentioned). One absent word is often a
#: paraphrase ("drop" for "shortened"); the coverage test already charges for it, so this only catches
#: questions whose subject is mostly absent.
MAX_MISSING = 0.4
#: Document frequency assumed for a question word no passage contains: absence from a handful of retrieved
#: passages says no more about a word's specificity than occurring in one of them does, so an absent
#: paraphrase ("pooled", "share") does not outweigh the rare words the passages do share with the question.
ABSENT_DF = 1
#: A sentence joins the answer if its score is at least this share of the best sentence's.
RELATIVE_SCORE = 0.75
#: Sentences quoted in an extractive answer.
MAX_SENTENCES = 3
#: Two candidate sentences sharing this share of content words are the same statement.
DUPLICATE_JACCARD = 0.6
#: Sentences shorter than this (in words) are headings or fragments, not answers.
MIN_SENTENCE_WORDS = 6

NO_ANSWER = "The documents do not contain the answer to this question"
_INSUFFICIENT = re.compile(r"^\W*insufficient[\s_-]+evidence\W*", re.IGNORECASE)
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z]?[A-Z0-9]{1,6}\b")
#: Questions asking for a quantity; their answer is a sentence that states a number.
_ASKS_QUANTITY = re.compile(r"\b(how (much|many|large|big|strong(ly)?|long|often|far|wide|high|great|fast)|by what|"
                            r"what (share|proportion|percentage|fraction|number|size|amount|magnitude)|to what extent)\b",
                            re.I)
_FOLLOWUP_START = re.compile(r"^\s*(and|but|also|or|then|so|what about|how about|what if|same for|why)\b", re.I)
_PRONOUNS = frozenset("it its they them their theirs this that these those he she his her such there".split())
#: Words that say little about what a question is about; they count half.
_GENERIC = ("effect effects affect affects impact role associated association relationship relation study studies "
            "evidence result results level levels increase decrease improve improves change changes influence "
            "outcome outcomes benefit benefits use type kind factor factors find found report reported show shown "
            "mean means important difference different beneficial help helps people person persons individuals "
            "patients participants subjects humans happen happened happens occur occurs work works play plays playing "
            "played").split()


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in _GENERIC)


# ---------------------------------------------------------------- entry points


def answer(question: str, passages: list[Passage], settings: Settings, llm=None) -> Answer:
    """Answer a question from retrieved passages, citing them as [n].

    Args:
        question: the (standalone) question.
        passages: the retrieved passages, best first; [n] cites `passages[n - 1]`.
        settings: LLM settings (`llm`, `llm_base_url`, timeouts, ...).
        llm: a spec "provider:model", a LangChain chat model, or None for `settings.llm`
            (and, when that is None too, the offline extractive answerer).

    Returns:
        The answer with its citations (the passages it cites, each with n), every retrieved
        passage, the flagged sentences of a generated answer, and notes on fallbacks.

    Raises:
        reviewer.llm.providers.LLMError: the LLM could not be set up or did not answer.
    """
    started = time.perf_counter()
    model, label = resolve_llm(llm, settings)
    if model is None or not passages:
        out = extractive_answer(question, passages)
        if model is not None:
            out.notes.append(f"no passages were retrieved, so {label} was not asked")
    else:
        out = _llm_answer(question, passages, model, label, settings)
    out.strongest_design, out.mixed = _evidence_level(out.citations, model if out.llm else None)
    out.timings_ms["answer"] = round((time.perf_counter() - started) * 1000, 1)
    return out


def rewrite_followup(question: str, history: list[tuple[str, str]], settings: Settings, llm=None) -> str:
    """Rewrite a follow-up question into a standalone one using the conversation so far.

    With an LLM (argument or `settings.llm`), `prompts/rewrite.md` does the rewriting.
    Offline, a follow-up (one that starts with "and", "what about", ..., uses a pronoun, or
    has at most two content words) gets the key phrases of the previous question appended;
    any other question is returned unchanged.

    Args:
        question: the new question.
        history: earlier (question, answer) turns, oldest first.
        settings: LLM settings.
        llm: as for `answer`.

    Raises:
        reviewer.llm.providers.LLMError: the LLM could not be set up or did not answer.
    """
    if not history:
        return question
    model, _ = resolve_llm(llm, settings)
    if model is None:
        return _rewrite_offline(question, history)
    from reviewer.llm.providers import complete
    from reviewer.llm.prompts import load_prompt

    turns = "\n".join(f"User: {q}\nAssistant: {normalize_space(strip_markers(a))[:400]}" for q, a in history[-4:])
    reply = complete(model, load_prompt("rewrite").messages(history=turns, question=question), settings)
    lines = [ln.strip() for ln in reply.splitlines() if ln.strip()]
    rewritten = re.sub(r"^(standalone question|question)\s*:\s*", "", lines[0], flags=re.I).strip(" \"'“”") if lines else ""
    return rewritten or _rewrite_offline(question, history)


# ---------------------------------------------------------------- offline extractive answerer


@dataclass
class _Sentence:
    index: int  # position of the passage in the retrieved list
    start: int  # character offset in the passage, for a stable order
    quote: str
    stems: frozenset[str]
    order: tuple[str, ...]
    methods: bool = False
    coverage: float = 0.0
    score: float = 0.0


def _question_weights(question: str, passages: list[Passage]) -> tuple[dict[str, float], dict[str, str]]:
    """IDF weight of each content stem of the question (over the passages), and its surface form."""
    n = max(len(passages), 1)
    passage_stems = [_text_stems(p.text, question) for p in passages]
    entities = _entities(question)
    weights: dict[str, float] = {}
    surface: dict[str, str] = {}
    for token in tokens(question):
        word = stem(token)
        if token in STOPWORDS or word in weights or (len(token) < 2 and not token.isdigit()):
            continue
        df = sum(_contains(word, s) for s in passage_stems)
        # Smoothed so that a word in every retrieved passage still counts: retrieval picked them for it.
        idf = math.log(1 + (n + 1) / (max(df, ABSENT_DF) + 0.5))
        boost = 1.5 if token in entities else 0.5 if word in _generic_stems() else 1.0
        weights[word], surface[word] = idf * boost, token
    return weights, surface


def _initials(text: str) -> set[str]:
    """Initials of every run of 2–6 content words: 'Proceedings of the National Academy of Sciences' → 'pnas'."""
    words = [t for t in tokens(text) if t not in STOPWORDS and t.isalpha() and len(t) > 1]
    return {"".join(w[0] for w in words[i:i + size]) for size in range(2, 7) for i in range(len(words) - size + 1)}


def _text_stems(text: str, question: str) -> frozenset[str]:
    """Content stems of a text, read with the question's abbreviations in mind.

    A text writing "RT" where the question says "resistance training" gets those words' stems;
    a text spelling out "Proceedings of the National Academy of Sciences" where the question
    says "PNAS" gets that acronym's stem.
    """
    stems = set(content_stems(text))
    expansions = _initialisms(question)
    for acronym in {a.lower() for a in _ACRONYM.findall(text)} & expansions.keys():
        stems |= expansions[acronym]
    acronyms = {stem(t) for t in _entities(question) if t.isalpha()} - stems
    if acronyms:
        stems |= acronyms & {stem(i) for i in _initials(text)}
    return frozenset(stems)


def _entities(question: str) -> set[str]:
    """Numbers and acronyms of a question ('BDNF', 'IL-6', '12'), lower-cased as `tokens` gives them."""
    acronyms = {t.lower() for t in re.findall(r"\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9-]*\b", question)}
    return {t for t in tokens(question) if t.isdigit() or t in acronyms}


def _passage_sentences(index: int, passage: Passage) -> list[_Sentence]:
    """Candidate sentences of a passage (headings, tables and fragments left out)."""
    out: list[_Sentence] = []
    offset = 0
    for line in passage.text.splitlines(keepends=True):
        line_start, offset = offset, offset + len(line)
        if NOT_PROSE_LINE.match(line) or not line.strip():
            continue
        bullet = BULLET.match(line)
        body_start = line_start + (bullet.end() if bullet else 0)
        body = passage.text[body_start:offset]
        for start, end in split_sentences(body):
            quote = normalize_space(strip_markers(body[start:end]))
            if len(quote.split()) < MIN_SENTENCE_WORDS or quote.startswith("…"):
                continue
            order = tuple(content_stems(quote))
            methods = is_methods_section(passage.section)
            out.append(_Sentence(index, body_start + start, quote, frozenset(order), order, methods))
    return out


_PREFIXES = ("", "neuro", "anti", "pro", "pre", "post", "non", "sub", "hyper", "hypo", "intra", "inter", "micro",
             "macro", "multi", "poly", "over", "under", "re", "co", "de", "dys", "mis", "un", "in", "im")


def _contains(term: str, stems: frozenset[str]) -> bool:
    """Whether a stem occurs among others, also as the start of a longer or prefixed word
    ('inflamm' in 'inflammatori' and 'neuroinflamm'), never in the middle of an unrelated one."""
    if term in stems:
        return True
    if len(term) < 5:
        return False
    return any(other.startswith(term, len(prefix)) and other.startswith(prefix)
               for other in stems if len(other) > len(term) for prefix in _PREFIXES)


def _adjacent_pairs(order: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(order, order[1:]))


@lru_cache(maxsize=64)
def _initialisms(question: str) -> dict[str, frozenset[str]]:
    """Acronyms a run of the question's content words could be written as: 'resistance training' → 'rt'."""
    words = [t for t in tokens(question) if t not in STOPWORDS and t.isalpha() and len(t) > 1]
    out: dict[str, frozenset[str]] = {}
    for size in range(2, 6):
        for i in range(len(words) - size + 1):
            gram = words[i:i + size]
            out["".join(w[0] for w in gram)] = frozenset(stem(w) for w in gram)
    return out


def _score(sentences: list[_Sentence], question: str, weights: dict[str, float], n: int) -> None:
    total = sum(weights.values()) or 1.0
    question_order = tuple(t for t in content_stems(question) if t in weights)
    question_pairs = _adjacent_pairs(question_order)
    entities = {stem(t) for t in _entities(question)} & weights.keys()
    asks_method = is_methods_section(question)
    asks_quantity = bool(_ASKS_QUANTITY.search(question))
    question_numbers = numbers(question)
    for s in sentences:
        s.stems = _text_stems(s.quote, question)
        s.coverage = sum(w for t, w in weights.items() if _contains(t, s.stems)) / total
        phrase = len(question_pairs & _adjacent_pairs(s.order)) / len(question_pairs) if question_pairs else 0.0
        rank_prior = 1.0 - s.index / max(n, 1)
        # Long sentences cover more words by chance; a mild length penalty keeps quotes to the point.
        length = 1.0 if len(s.order) <= 30 else 30 / len(s.order)
        # Keyword lists ("search terms: “a”, “b”, ...") match every question and answer none.
        listing = 0.5 if s.quote.count("“") + s.quote.count('"') >= 4 else 1.0
        # Methods text ("a literature search was conducted on resistance training and cognition in older
        # adults") repeats the topic's words without answering anything about it.
        method = 0.8 if s.methods and not asks_method else 1.0
        # A question naming BDNF or IL-6 is about it: a sentence that names none of them answers less.
        subject = 0.8 if entities and not any(_contains(t, s.stems) for t in entities) else 1.0
        # "How much ...?" is answered by a sentence that states a number the question does not.
        quantity = 0.8 if asks_quantity and not numbers(s.quote) - question_numbers else 1.0
        s.score = ((s.coverage * (0.85 + 0.15 * rank_prior) * (0.9 + 0.1 * length) + 0.1 * phrase)
                   * listing * subject * method * quantity)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def extractive_answer(question: str, passages: list[Passage], max_sentences: int = MAX_SENTENCES,
                      min_coverage: float = MIN_COVERAGE) -> Answer:
    """Answer by quoting the passage sentences that best answer the question, each cited [n].

    Quotes are word for word, except that a paper's own bracketed reference numbers are left
    out (they would read as citations of this answer); `reviewer.answering.citations.quote_matches`
    checks a quote against its passage. The same input always gives the same answer.

    Args:
        question: the question.
        passages: retrieved passages, best first.
        max_sentences: most sentences to quote.
        min_coverage: share of the question's IDF-weighted content words the best sentence
            must contain; below it the answer is `insufficient_evidence`.
    """
    weights, surface = _question_weights(question, passages)
    if not passages:
        return _insufficient(question, passages, "no passages were retrieved")
    if not weights:
        return _insufficient(question, passages, "the question has no content words to look for")
    candidates = [s for i, p in enumerate(passages) for s in _passage_sentences(i, p)]
    _score(candidates, question, weights, len(passages))
    candidates.sort(key=lambda s: (-s.score, s.index, s.start))
    best = candidates[0] if candidates else None
    missing = _missing(question, weights, passages)
    distinctive = _distinctive(question, passages, missing)
    if best is None or max(s.coverage for s in candidates) < min_coverage or missing and (
            sum(weights[t] for t in missing) / sum(weights.values()) > MAX_MISSING):
        return _insufficient(question, passages, _why_not(question, weights, surface, passages))
    # Words every passage shares with the question are why retrieval picked them; a sentence holding
    # only those ("resistance training improves older adults' ...") answers nothing the question singles out.
    candidates = [s for s in candidates if not distinctive or any(_contains(t, s.stems) for t in distinctive)]
    if not candidates or candidates[0].coverage < min_coverage:
        return _insufficient(question, passages, _why_not(question, weights, surface, passages))
    best = candidates[0]
    chosen: list[_Sentence] = []
    for s in candidates:
        if len(chosen) == max_sentences or s.score < RELATIVE_SCORE * best.score:
            break
        if s.coverage < min_coverage or any(_jaccard(s.stems, c.stems) >= DUPLICATE_JACCARD for c in chosen):
            continue
        chosen.append(s)
    text = " ".join(_cite(s.quote, s.index + 1) for s in chosen)
    cited = sorted({s.index for s in chosen})
    citations = [Citation(**passages[i].model_dump(), n=i + 1) for i in cited]
    return Answer(question=question, answer=text, citations=citations, passages=list(passages))


def _missing(question: str, weights: dict[str, float], passages: list[Passage]) -> list[str]:
    """Specific (non-generic) question stems that no passage contains."""
    present = frozenset().union(*(_text_stems(p.text, question) for p in passages))
    return [t for t in weights if t not in _generic_stems() and not _contains(t, present)]


def _distinctive(question: str, passages: list[Passage], missing: list[str]) -> set[str]:
    """Question stems that some passage holds but most do not: what the question singles out."""
    passage_stems = [_text_stems(p.text, question) for p in passages]
    out = set()
    for token in tokens(question):
        word = stem(token)
        if token in STOPWORDS or word in missing or word in _generic_stems() or (len(token) < 2 and not token.isdigit()):
            continue
        if 0 < sum(_contains(word, s) for s in passage_stems) <= len(passages) / 2:
            out.add(word)
    return out


def _cite(quote: str, n: int) -> str:
    """Put the marker before the sentence's closing punctuation: 'IL-6 [1].'"""
    match = re.search(r"[.!?…]+[\"'”’)]*$", quote)
    return f"{quote[:match.start()]} [{n}]{quote[match.start():]}" if match else f"{quote} [{n}]"


def _why_not(question: str, weights: dict[str, float], surface: dict[str, str], passages: list[Passage]) -> str:
    absent = _missing(question, weights, passages)
    missing = [surface[t] for t in absent]
    found = [surface[t] for t in weights if t not in absent and t not in _generic_stems()]
    count = f"{len(passages)} retrieved passage{'s' if len(passages) != 1 else ''}"
    if missing:
        return f"none of the {count} mentions {_join(missing, 'or')}"
    if found:
        return f"the {count} mention {_join(found, 'and')}, but no sentence addresses the question as a whole"
    return f"no sentence of the {count} addresses the question"


def _join(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _insufficient(question: str, passages: list[Passage], why: str) -> Answer:
    return Answer(question=question, answer=f"{NO_ANSWER}: {why}.", insufficient_evidence=True,
                  passages=list(passages))


# ---------------------------------------------------------------- LLM answerer




def format_passages(passages: list[Passage]) -> str:
    """The passages as the answer prompt shows them: [n] title — section, page, then the text.

    A paper's own bracketed reference numbers are removed from the text, so the model does
    not mistake them for passage numbers.
    """
    blocks = []
    for n, p in enumerate(passages, 1):
        where = [x for x in (p.section, f"p. {p.page}" if p.page else None) if x]
        kind = [x for x in (p.doc_type.value if p.doc_type.value != "unknown" else None, str(p.year) if p.year else None) if x]
        head = f"[{n}] {p.title or p.doc_id}" + (f" — {', '.join(where)}" if where else "")
        head += f" ({', '.join(kind)})" if kind else ""
        if p.evidence is not None and p.evidence.design.value != "unknown":
            head += f" [evidence: {p.evidence.design.label}, {p.evidence.strength.label}]"
        blocks.append(f"{head}\n{strip_markers(p.text)}")
    return "\n\n".join(blocks)


def _llm_answer(question: str, passages: list[Passage], model, label: str, settings: Settings) -> Answer:
    from reviewer.llm.providers import complete
    from reviewer.llm.prompts import load_prompt

    messages = load_prompt("answer").messages(question=question, passages=format_passages(passages))
    started = time.perf_counter()
    reply = complete(model, messages, settings)
    llm_ms = round((time.perf_counter() - started) * 1000, 1)
    if _INSUFFICIENT.match(reply):
        reason = _INSUFFICIENT.sub("", reply.strip().splitlines()[0]).strip()
        text = f"{NO_ANSWER}" + (f": {reason[0].lower()}{reason[1:].rstrip('.')}." if reason else ".")
        return Answer(question=question, answer=text, insufficient_evidence=True, passages=list(passages), llm=label,
                      timings_ms={"llm": llm_ms})
    check = check_answer(reply, passages)
    notes = []
    if check.dropped:
        notes.append(f"dropped citations to passages that were not given: {', '.join(f'[{n}]' for n in check.dropped)} "
                     f"(the answer had passages [1]–[{len(passages)}])")
    if not check.supported:
        if not reply.strip():
            why = "its reply was empty"
        elif not check.cited:
            why = "it cited no passage that was given" if check.dropped else "it cited no passage"
        else:
            why = "none of its cited sentences is backed by the passages it cites"
        fallback = extractive_answer(question, passages)
        fallback.notes = [f"the answer of {label} was not used because {why}; this is the extractive answer instead",
                          *notes]
        fallback.timings_ms["llm"] = llm_ms
        fallback.flagged = check.flagged  # shown to the user, not silently dropped
        return fallback
    citations = [Citation(**passages[n - 1].model_dump(), n=n) for n in check.cited]
    if check.flagged:
        counts = Counter(f.problem.label for f in check.flagged)
        notes.append("; ".join(f"{c} {p} sentence{'s' if c != 1 else ''}" for p, c in counts.items()) + " flagged")
    return Answer(question=question, answer=check.text, citations=citations, passages=list(passages), llm=label,
                  flagged=check.flagged, notes=notes, timings_ms={"llm": llm_ms})


# ---------------------------------------------------------------- follow-ups and evidence


def _key_phrases(question: str) -> list[str]:
    """Runs of consecutive content words of a question ('resistance training', 'older adults')."""
    phrases, current = [], []
    for token in re.findall(r"[^\W_]+(?:[-–'][^\W_]+)*", question):
        word = token.lower()
        if word in STOPWORDS or stem(word) in _generic_stems() or word in _PRONOUNS:
            if current:
                phrases.append(" ".join(current))
            current = []
        else:
            current.append(token)
    if current:
        phrases.append(" ".join(current))
    return phrases


def is_followup(question: str) -> bool:
    """Whether a question leans on the conversation before it (offline rule)."""
    return bool(_FOLLOWUP_START.match(question) or _PRONOUNS & set(tokens(question)) or len(content_stems(question)) <= 2)


def _rewrite_offline(question: str, history: list[tuple[str, str]]) -> str:
    if not is_followup(question):
        return question
    have = set(content_stems(question))
    for previous, _ in reversed(history):
        phrases = [p for p in _key_phrases(previous) if not set(content_stems(p)) <= have]
        if phrases:
            return f"{question.strip()} ({', '.join(phrases)})"
    return question


def _evidence_level(citations: list[Citation], model=None):
    """(strongest study design, whether the cited passages disagree).

    Lexical cues decide offline; when an LLM wrote the answer, it also judges the disagreement
    (prompts/evidence_mixed.md), falling back to the cues on a reply it cannot read.
    """
    from reviewer.grading.design import answer_level, answer_level_llm

    if not citations:
        return None, False
    from reviewer.errors import ReviewerError

    if model is not None and len(citations) > 1:
        try:
            design, mixed = answer_level_llm(citations, model)
        except ReviewerError:  # the answer stands; the cues judge the disagreement instead
            design, mixed = answer_level(citations)
    else:
        design, mixed = answer_level(citations)
    return design, bool(mixed)
