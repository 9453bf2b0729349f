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
_PROSE_WORD = re.compile(r"(?<![\w./@-])[A-Za-z]+(?![\w/@-]|\.[A-Za-z])")  # not part of a URL or address
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "al", "ally", "ity", "ation", "ions", "ion")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lowercase English words (loaded once)."""
    from reviewer.text import word_frequency

    return frozenset(word_frequency().dictionary)


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


_INLINE_HYPHEN = re.compile(r"\b([^\W_]+)- ([^\W\d_]+)\b")
_FUNCTION_WORDS = frozenset("a an the of for in on at by to and or nor with from as is was are were be that this than".split())


def repair_inline_hyphens(text: str, vocabulary: Vocabulary) -> str:
    """Mend hyphens a typesetter left inside a line ("optimum- for", "codon- optimized", "4- year").

    "pre- and post-treatment" keeps its hyphen and space (a suspended compound).
    """
    def fix(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        if right.lower() in ("and", "or", "nor", "to", "vs"):
            return match.group(0)
        if right.lower() in _FUNCTION_WORDS:
            return f"{left} {right}"
        if left.isalpha() and left[-1].islower() and right[0].islower() and vocabulary.is_word(left + right):
            return left + right
        return f"{left}-{right}"

    return _INLINE_HYPHEN.sub(fix, text)


_RUN_TOGETHER = re.compile(r"(?<![\w./@])([a-z]{3,}[.;:])([A-Z][a-z]{2,})\b")


def space_sentences(text: str, vocabulary: Vocabulary) -> str:
    """Put back the space a PDF lost between sentences ("correctly.Error" -> "correctly. Error")."""
    return _RUN_TOGETHER.sub(lambda m: f"{m.group(1)} {m.group(2)}" if m.group(2).lower() in vocabulary.english
                             else m.group(0), text)


def glued_words(text: str, vocabulary: Vocabulary) -> list[str]:
    """Tokens that are no word but two words run together ("Thelocation", "ofthe", "Ourresults"): lost spaces.

    A dictionary check: the token is neither English nor written twice in the document, and it
    splits into a function word and a word, or into two English words of four letters or more
    that do not form a usual compound ("over"+"expression" is one word, not two).
    """
    found = []
    for token in _PROSE_WORD.findall(text):
        if len(token) < 5 or not token[1:].islower() or vocabulary.is_word(token, own=2):
            continue
        lower, name = token.lower(), token[0].isupper()  # a capitalised token may be a name: "Connor"
        if any(_two_words(lower[:i], lower[i:], vocabulary.english, name) for i in range(1, len(lower))):
            found.append(token)
    return found


_PREFIXES = ("amino", "wild", "anti", "auto", "bio", "chemo", "counter", "cross", "data", "down", "hetero", "homo", "hyper", "hypo",
             "inter", "intra", "macro", "meta", "micro", "mono", "multi", "non", "over", "poly", "post", "pre",
             "pseudo", "semi", "sub", "super", "trans", "under", "up", "work", "time", "read", "break", "heat")


def _two_words(left: str, right: str, english: frozenset[str], name: bool) -> bool:
    """Whether a split of a token is two words that were meant to stand apart."""
    if left in _FUNCTION_WORDS and len(left) >= 2 and (right in _FUNCTION_WORDS or len(right) >= 4 and right in english):
        return True
    if name:
        return False
    if right in _FUNCTION_WORDS and len(right) >= 3 and len(left) >= 3 and left in english:
        return True
    return (len(left) >= 4 and len(right) >= 4 and left in english and right in english
            and not left.startswith(_PREFIXES))


def words(texts: Iterable[str]) -> int:
    """How many words the texts hold (for rates per 10,000 words)."""
    return sum(len(_WORD.findall(t)) for t in texts)
