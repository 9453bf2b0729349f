"""Words: an English word list, rejoining words hyphenated across line breaks, and spotting glued words.

The word list is pyspellchecker's English frequency dictionary (160,000 words, shipped inside
the package, so it works offline); a document's own vocabulary adds the technical words it
lacks ("phosphorylation" is not in it, but a paper that breaks it across a line usually
writes it whole elsewhere).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Iterable

_WORD = re.compile(r"[A-Za-z]+")
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "al", "ally", "ity", "ation", "ions", "ion")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lowercase English words (loaded once)."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


class Vocabulary:
    """The English word list plus the words of one document."""

    def __init__(self, text: str = "") -> None:
        self.english = english_words()
        self.own = Counter(w.lower() for w in _WORD.findall(text) if len(w) > 1)
        self.hyphenated = {w.lower() for w in re.findall(r"\b[A-Za-z]+-[A-Za-z]+\b", text)}

    def is_word(self, word: str, own: int = 1) -> bool:
        """Whether a word is English (allowing a few regular suffixes) or written `own` times in the document."""
        word = word.lower()
        if word in self.english or (own and self.own[word] >= own):
            return True
        return any(word.endswith(s) and word[: -len(s)] in self.english for s in _SUFFIXES if len(word) > len(s) + 3)


def join_lines(lines: list[str], vocabulary: Vocabulary) -> str:
    """Join wrapped lines into one paragraph, undoing hyphenation at line breaks only.

    "mole-" + "cular" is rejoined because "molecular" is a word; "codon-" + "optimized" keeps
    its hyphen because both halves are words and the joined one is not; a hyphenated word the
    text also writes unbroken elsewhere ("long-term") keeps its hyphen; "EF-" + "1A" keeps it too.
    """
    out = ""
    for line in lines:
        if not out:
            out = line
            continue
        if out.endswith("\u00ad"):  # soft hyphen: always a break inside a word
            out = out[:-1] + line
            continue
        broken = re.search(r"(\w+)-$|(\w{3,}) -$", out)  # some PDFs set the hyphen apart: "conforma -"
        head = broken and (broken.group(1) or broken.group(2))
        if head and head[-1].isalpha() and line[:1].isalnum():
            tail = re.match(r"\w*", line).group(0)
            stem = out[: broken.start()] + head
            out = stem + ("" if _rejoin(head, tail, vocabulary) else "-") + line
        else:
            out += " " + line
    return out.replace("\u00ad", "")


def _rejoin(head: str, tail: str, vocabulary: Vocabulary) -> bool:
    """Whether "head-" at a line end and "tail" on the next line are one word broken in two."""
    if not (head[-1].islower() and tail[:1].islower() and tail.isalpha()):
        return False
    if f"{head}-{tail}".lower() in vocabulary.hyphenated:
        return False
    if vocabulary.is_word(head + tail):
        return True
    first = re.search(r"[^\W\d_]*$", head).group(0)
    return not (vocabulary.is_word(first, own=0) and vocabulary.is_word(tail, own=0))  # two words: a compound


def glued_words(text: str, vocabulary: Vocabulary, min_part: int = 3) -> list[str]:
    """Tokens that are no word but split into two words ("Thelocation", "Ourresults"): lost spaces."""
    found = []
    for token in _WORD.findall(text):
        if len(token) < 2 * min_part or vocabulary.is_word(token, own=3) or not token[1:].islower():
            continue
        lower = token.lower()
        if any(lower[:i] in vocabulary.english and lower[i:] in vocabulary.english
               for i in range(min_part, len(lower) - min_part + 1)):
            found.append(token)
    return found


def words(texts: Iterable[str]) -> int:
    """How many words the texts hold (for rates per 10,000 words)."""
    return sum(len(_WORD.findall(t)) for t in texts)
