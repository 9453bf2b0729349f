"""Which document a question names: "the multiscale review", "the news article", "the resistance-training review".

A researcher often asks about one document of the library by how it reads to them: a word of
its title and its kind. The passages of that document then speak for the answer; passages of
other documents only when that one says nothing on the question.
"""

from __future__ import annotations

import re

from reviewer.models import Passage
from reviewer.text import content_stems

#: "the multiscale neuroplasticity review", "the news article": up to three words before a document's kind.
_NAMED = re.compile(r"\bthe\s+((?:[\w-]+\s+){0,3}?)(review|article|paper|report|study|piece|story|preprint)\b", re.I)
#: Words for the kind of a document, as its `doc_type` is recorded.
_KINDS = {"review": "review", "article": "article", "paper": "article", "report": "news", "story": "news",
          "piece": "news", "preprint": "preprint"}


def named_documents(question: str, passages: list[Passage]) -> set[str]:
    """The doc_ids of the passages' documents the question names by title words or kind, or an empty set when it
    names none, or names all of them alike ("the review" with two reviews retrieved names neither)."""
    return naming(question, passages)[0]


def naming(question: str, passages: list[Passage]) -> tuple[set[str], set[str]]:
    """The documents the question names (as `named_documents`), and the stems of the words naming them ("news",
    "articl"): they say where to look, not what the answer says."""
    docs = {p.doc_id: p for p in passages}
    chosen: set[str] = set()
    words_used: set[str] = set()
    for match in _NAMED.finditer(question):  # each phrase on its own: "the muscle study in the news article"
        words = set(content_stems(match.group(1).replace("-", " ")))
        kind = _KINDS.get(match.group(2).lower())
        hits = {}
        for doc_id, p in docs.items():
            own = set(content_stems(f"{p.title or ''} {p.doc_type.value}".replace("-", " ")))
            if words & own or kind == p.doc_type.value:
                hits[doc_id] = len(words & own) + (kind == p.doc_type.value)
        top = max(hits.values(), default=0)
        named = {d for d, n in hits.items() if n == top}
        if named:
            words_used |= words | set(content_stems(match.group(2)))
        if named and len(named) < len(docs):
            chosen |= named
    return chosen, words_used
