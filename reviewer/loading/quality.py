"""Text-quality checks for loaded documents: the defects a PDF text layer leaves when it goes wrong.

Used by the loader tests and the PDF benchmark to count, in a document's blocks or chunks:
words glued to citation numbers ("transfer16,17"), words glued together ("Thelocation", found
by a dictionary check), sentences run together ("sapiens.The"), hyphens left at a former line
break ("codon- optimized"), and captions inside body text.
"""

from __future__ import annotations

import re
from typing import Iterable

from pydantic import BaseModel, Field

from reviewer.loading.words import Vocabulary, glued_words, words

_GLUED_CITATION = re.compile(r"\b[a-z]{3,}[a-z)\]]\d{1,3}(?:[,–-]\d{1,3})+\b(?!@)|\b[a-z]{4,}\d{2,3}\b(?![@.\w])")
_RUN_TOGETHER = re.compile(r"\b[a-z]{3,}[.;][A-Z][a-z]{2,}\b")
_HYPHEN_RESIDUE = re.compile(r"\b[a-z]{2,}- (?!and\b|or\b|to\b|nor\b)[a-z]{2,}\b")


class TextDefects(BaseModel):
    """Defects found in a set of texts, with examples of each."""

    words: int = 0
    glued_citations: list[str] = Field(default_factory=list)
    glued_words: list[str] = Field(default_factory=list)
    run_together: list[str] = Field(default_factory=list)
    hyphen_residues: list[str] = Field(default_factory=list)
    captions_in_body: list[str] = Field(default_factory=list)

    @property
    def glued_per_10k(self) -> float:
        """Glued words (dictionary check) and run-together sentences per 10,000 words."""
        return 10_000 * (len(self.glued_words) + len(self.run_together)) / max(self.words, 1)


def text_defects(body: Iterable[str], captions: Iterable[str], vocabulary: Vocabulary) -> TextDefects:
    """Count the defects in body texts, given the document's caption texts.

    A caption counts as inside the body when a body text holds its first 60 characters.
    """
    body = list(body)
    found = TextDefects(words=words(body))
    for text in body:
        found.glued_citations += _GLUED_CITATION.findall(text)
        found.glued_words += glued_words(text, vocabulary)
        found.run_together += [m for m in _RUN_TOGETHER.findall(text) if not _abbreviation(m)]
        found.hyphen_residues += _HYPHEN_RESIDUE.findall(text)
    for caption in captions:
        head = " ".join(caption.split())[:60]
        if len(head) >= 30 and any(head in text for text in body):
            found.captions_in_body.append(head)
    return found


def _abbreviation(match: str) -> bool:
    """Species and abbreviations written without a space on purpose ("spp.The" is rare, "e.g.The" is not a defect)."""
    return bool(re.match(r"(?:etc|spp|approx|vs)[.]", match))
