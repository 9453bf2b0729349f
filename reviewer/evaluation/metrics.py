"""Scoring functions of the evals: text matching, ranking metrics and citation support.

Pure functions over strings, ranks and pydantic models, shared by the seed suite
(`reviewer.evaluation.suite`) and the external benchmarks (`reviewer.evaluation.benchmarks`).

Matching rules, chosen so that harmless differences of typography never count as misses:
text is compared after `normalize`: NFKC, lower case, one kind of dash and quote, Greek
letters spelled out ("TNF-α" = "TNF-alpha"), "percent" as "%", uniform spaces around
operators ("d=0.32" = "d = 0.32"), a PDF's "hyphen- break" joined, whitespace collapsed.
A key fact must match on word boundaries ("8%" is not found in "18%"). A passage holds a
quote when it contains it, or at least `QUOTE_COVERAGE` (80%) of it as one contiguous run,
because a quote may straddle a chunk boundary and the chunk overlap repeats most of it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from difflib import SequenceMatcher
from typing import Optional, Sequence

from reviewer.models import Answer, Passage

QUOTE_COVERAGE = 0.8


# ----------------------------------------------------------------------------- matching

_TRANSLATE: dict[int, str] = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"}
_TRANSLATE.update({ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'})
# Greek letters as papers spell them out ("TNF-alpha", "rev1delta"); the increment sign is a PDF's delta.
_TRANSLATE.update({ord(g): name for g, name in zip("αβγδεκλμστωΔ∆", ["alpha", "beta", "gamma", "delta", "epsilon",
                   "kappa", "lambda", "mu", "sigma", "tau", "omega", "delta", "delta"])})


def normalize(text: str) -> str:
    """Text as the evals compare it (the rules are in the module docstring)."""
    t = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).lower()
    t = re.sub(r"\s*\bper ?cent\b", "%", t)
    t = re.sub(r"\s+%", "%", t)
    t = re.sub(r"\s*([=<>±≤≥])\s*", r" \1 ", t)  # "d=0.32" and "d = 0.32" read alike
    t = re.sub(r"(?<=[a-z0-9])- (?=[a-z0-9])", "-", t)  # a PDF line break after a hyphen: "rev1- ubm"
    return re.sub(r"\s+", " ", t).strip()


def fact_present(fact: str, text: str) -> bool:
    """Whether a key fact occurs in text, normalised, not as part of a longer word or number."""
    f = normalize(fact)
    if not f:
        return False
    pattern = re.escape(f)
    if f[0].isalnum():
        pattern = r"(?<!\w)" + (r"(?<!\d\.)" if f[0].isdigit() else "") + pattern
    if f[-1].isalnum():
        pattern += r"(?!\w)" + (r"(?!\.\d)" if f[-1].isdigit() else "")
    return re.search(pattern, normalize(text)) is not None


def missing_fact_groups(groups: Sequence[Sequence[str]], text: str) -> list[list[str]]:
    """The key-fact groups none of whose alternatives occur in text."""
    return [list(g) for g in groups if not any(fact_present(alt, text) for alt in g)]


def longest_run(quote: str, text: str) -> tuple[int, int]:
    """(length of the longest run of the quote that text holds verbatim, length of the quote), normalised."""
    q, t = normalize(quote), normalize(text)
    if not q or q in t:
        return len(q), len(q)
    match = SequenceMatcher(None, t, q, autojunk=False).find_longest_match(0, len(t), 0, len(q))
    return match.size, len(q)


def quote_coverage(quote: str, text: str) -> float:
    """Share of the quote that text holds as one contiguous run (1.0: the whole quote)."""
    run, size = longest_run(quote, text)
    return run / size if size else 0.0


def gold_rank(quote: str, passages: Sequence[Passage], min_coverage: float = QUOTE_COVERAGE) -> Optional[int]:
    """1-based rank of the first passage holding the quote (or `min_coverage` of it); None if none does."""
    for rank, p in enumerate(passages, start=1):
        if quote_coverage(quote, p.text) >= min_coverage:
            return rank
    return None


# ----------------------------------------------------------------------------- ranking metrics

def recall_at_k(ranks: Sequence[Optional[int]], k: int) -> float:
    """Share of queries whose (single) relevant item is ranked within the top k."""
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mean_reciprocal_rank(ranks: Sequence[Optional[int]]) -> float:
    """Mean of 1/rank of the relevant item, 0 where it was not retrieved."""
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-relevance nDCG@k of a ranked list of ids."""
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def recall_of(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant ids found in the top k."""
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation."""
    if not values:
        return 0.0
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


# ----------------------------------------------------------------------------- citations

def citation_support(answer: Answer) -> tuple[int, int]:
    """(supported, checked) over every (sentence, cited passage) pair of an answer.

    A citation counts as supported when the one passage it names backs the citing sentence by the
    same test the answerer uses (`reviewer.answering.citations.support`: enough of the sentence's content
    words, and every number it states, occur in the passage).
    """
    from reviewer.answering.citations import MIN_SUPPORT, find_citations, split_answer_sentences, support

    by_n = {c.n: c for c in answer.citations}
    checked = supported = 0
    for sentence in split_answer_sentences(answer.answer):
        for n in find_citations(sentence):
            passage = by_n.get(n) or (answer.passages[n - 1] if 0 < n <= len(answer.passages) else None)
            checked += 1
            supported += passage is not None and support(sentence, [passage]) >= MIN_SUPPORT
    return supported, checked
