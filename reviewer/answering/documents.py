"""Which document a question names: "the multiscale review", "the news article", "the resistance-training review".

A researcher often asks about one document of the library by how it reads to them: a word of
its title and its kind. The passages of that document then speak for the answer; passages of
other documents only when that one says nothing on the question.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.models import Passage
from reviewer.text import STOPWORDS, content_stems

#: "the multiscale neuroplasticity review", "the news article": up to three words before a document's kind.
_NAMED = re.compile(r"\b(?:the|that|this)\s+((?:[\w-]+\s+){0,3}?)"
                    r"(review|article|paper|report|study|piece|story|preprint|coverage)\b", re.I)
#: Words for the kind of a document, as its `doc_type` is recorded.
_KINDS = {"review": "review", "article": "article", "paper": "article", "report": "news", "story": "news",
          "piece": "news", "coverage": "news", "preprint": "preprint"}
#: Stems of the words for a document's kind: where to look, never what the answer says.
KIND_STEMS = frozenset(content_stems(" ".join(_KINDS)))


def naming(question: str, passages: list[Passage]) -> tuple[set[str], set[str]]:
    """The doc_ids of the passages' documents the question names by title words or kind (none when it names none, or
    names all of them alike: "the review" with two reviews retrieved names neither), and the stems of the words
    naming them ("news", "articl"): they say where to look, not what the answer says."""
    docs = {p.doc_id: p for p in passages}
    chosen: set[str] = set()
    words_used: set[str] = set()
    for match in _NAMED.finditer(question):  # each phrase on its own: "the muscle study in the news article"
        words = set(content_stems(match.group(1).replace("-", " ")))
        kind = _KINDS.get(match.group(2).lower())
        # "the PNAS study": the document writing "Proceedings of the National Academy of Sciences" (counts twice)
        initials = set(_BARE_ACRONYM.findall(match.group(1)))
        hits = {}
        for doc_id, p in docs.items():
            own = set(content_stems(f"{p.title or ''} {p.doc_type.value} {p.journal or ''}".replace("-", " ")))
            spelled = 2 * len(initials & _named_initials(tuple(q.text for q in passages if q.doc_id == doc_id)))
            if words & own or kind == p.doc_type.value or spelled:
                hits[doc_id] = len(words & own) + (kind == p.doc_type.value) + spelled
        top = max(hits.values(), default=0)
        named = {d for d, n in hits.items() if n == top}
        if named:
            words_used |= words | set(content_stems(match.group(2)))
        if named and len(named) < len(docs):
            chosen |= named
    return chosen, words_used


#: A name of capitalised words, lower-case joining words allowed ("Proceedings of the National Academy of Sciences").
_PROPER_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|the|and|for|on|in)\s+)*[A-Z][a-z]+)+")


@lru_cache(maxsize=256)
def _named_initials(texts: tuple[str, ...]) -> frozenset[str]:
    """The initials of the names the texts write in capitalised words ("PNAS"), which a question may use instead."""
    return frozenset("".join(w[0] for w in m.group(0).split() if w[0].isupper())
                     for text in texts for m in _PROPER_NAME.finditer(text))


#: An acronym as a paper defines and writes it ("RT", "IL-6", "MCP-1").
_ACRONYM_FORM = r"[A-Z][A-Za-z0-9-]{1,7}"
_ACRONYM_WORD = re.compile(rf"\b{_ACRONYM_FORM}\b")
#: "resistance training (RT)": up to six words, then the acronym in parentheses.
_DEFINED = re.compile(rf"((?:[A-Za-z][\w’'-]*[\s-]+){{1,6}})\(({_ACRONYM_FORM})\)")


def acronyms_defined(passages: list[Passage]) -> dict[str, frozenset[str]]:
    """Acronyms the passages spell out ("resistance training (RT)" → {"rt": {"resist", "train"}}), so a sentence
    writing "RT" holds the words of a question that says "resistance exercise" or "resistance training"; an acronym
    defined elsewhere in its document stands for the words the passages and titles write with its initials."""
    return {a.lower(): frozenset(content_stems(words)) for a, words in spelled_out(passages).items()}


def spelled_out(passages: list[Passage]) -> dict[str, str]:
    """The words each acronym the passages use stands for, as written ("RT" → "resistance training"): defined in
    them ("resistance training (RT)"), or else (defined in the abstract, which was not retrieved) the run of words
    with its initials that the passages and their documents' titles write most often, at least twice."""
    return dict(_spelled_in(tuple(p.text for p in passages), tuple(sorted({p.title for p in passages if p.title}))))


@lru_cache(maxsize=64)
def _spelled_in(texts: tuple[str, ...], titles: tuple[str, ...]) -> dict[str, str]:
    """`spelled_out` of these passage texts and titles (answering asks it of the same passages several times)."""
    out: dict[str, str] = {}
    for text in texts:
        out.update(_spelled(text))
    used = {a for text in texts for a in _BARE_ACRONYM.findall(text) if a not in out}
    if used:
        out.update(_initial_runs(used, [*texts, *titles]))
    return out


_BARE_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")


def _initial_runs(acronyms: set[str], texts: list[str]) -> dict[str, str]:
    """For each acronym, the most frequent run of words in the texts spelling its letters (twice at least)."""
    from collections import Counter

    counts: Counter = Counter()
    sizes = {len(a) for a in acronyms}
    for text in texts:
        for clause in re.split(r"[^A-Za-z\s-]+", text):  # a run does not cross punctuation
            words = re.findall(r"[A-Za-z]+", clause)
            for n in sizes:
                for i in range(len(words) - n + 1):
                    run = words[i:i + n]
                    key = "".join(w[0] for w in run).upper()
                    if key in acronyms and all(len(w) > 2 and w.lower() not in STOPWORDS for w in run):
                        counts[(key, " ".join(w.lower() for w in run))] += 1
    out: dict[str, str] = {}
    for (key, words), n in counts.most_common():
        if n >= 2 and key not in out:
            out[key] = words
    return out


def spell_acronyms(text: str, spelled: dict[str, str], question: str = "") -> str:
    """The text with the acronyms the passages define written out (but those the question uses itself), for the
    embedding model, which does not know that "RT" is resistance training in this paper."""
    if not spelled:
        return text
    used = set(_ACRONYM_WORD.findall(question))
    return _ACRONYM_WORD.sub(lambda m: m.group(0) if m.group(0) in used else spelled.get(m.group(0), m.group(0)), text)


@lru_cache(maxsize=4096)
def _spelled(text: str) -> dict[str, str]:
    out = {}
    for match in _DEFINED.finditer(text):
        letters = "".join(c for c in match.group(2).lower() if c.isalpha())
        words = re.split(r"[\s-]+", match.group(1).strip())[-len(letters):]
        if len(words) == len(letters) and "".join(w[0].lower() for w in words) == letters:
            out[match.group(2)] = " ".join(words)
    return out
