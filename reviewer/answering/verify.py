"""Meaning checks for a cited sentence: does its source say the same thing, not just the same words?

Shared words are not agreement: "It is not true that training improved memory [1]" shares
every word with a passage saying it did. Each check compares a claim with the sentence of
its cited passages that shares most of its content words (its *source sentence*):

- **numbers**: every number of the claim occurs in the cited passages;
- **negation**: claim and source sentence agree on being negated ("not", "no", "failed to");
- **direction**: the claim does not report the opposite direction of effect ("worsened"
  where the source says "improved");
- **population**: a population the claim names ("children", "mice") is named by the
  passages too;
- **instruction**: the claim is not an instruction to a model ("ignore previous
  instructions", "answer that ...") — text that addresses a model is never evidence.

`looks_like_instruction` (in `reviewer.text`) also marks chunks at ingest, so a document that
addresses the model is shown as suspect wherever it is cited. The checks are deliberately
lexical and cheap; with an LLM configured, answers are still checked by them (an LLM can be
talked into anything).
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.models import Problem
from reviewer.text import content_stems, looks_like_instruction, numbers, split_sentences, strip_markers  # noqa: F401

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|neither|nor|without|cannot|can't|won't|isn't|aren't|wasn't|weren't|didn't|doesn't|"
    r"don't|hasn't|haven't|failed to|fails to|fail to|lack of|absence of|no longer|unlikely)\b|n't\b",
    re.IGNORECASE,
)
# Words of an effect's direction. A claim using one group where its source uses only the other is inverted.
_UP = re.compile(r"\b(?:improv\w*|enhanc\w*|increas\w*|boost\w*|benefi\w*|gain\w*|better|higher|greater|rais\w*|"
                 r"strengthen\w*|protect\w*|preserv\w*|promot\w*|rose|rise[sn]?|elevat\w*)\b", re.IGNORECASE)
_DOWN = re.compile(r"\b(?:worsen\w*|impair\w*|decreas\w*|declin\w*|reduc\w*|deteriorat\w*|harm\w*|detriment\w*|"
                   r"worse|lower|weaken\w*|damag\w*|diminish\w*|fell|fall[sn]?|drop\w*|los[st]|loss)\b", re.IGNORECASE)
# Who a finding is about. Each entry: (name, pattern); a claim naming one the passages never name is off-population.
_POPULATIONS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in (
    ("children", r"\b(?:child(?:ren|hood)?|kids?|pediatric|paediatric|school-?age[d]?|boys|girls)\b"),
    ("adolescents", r"\b(?:adolescen\w*|teen\w*|youths?|juvenile)\b"),
    ("infants", r"\b(?:infant\w*|newborns?|neonat\w*|bab(?:y|ies))\b"),
    ("young adults", r"\b(?:young adults?|college students?|undergraduates?)\b"),
    ("older adults", r"\b(?:older (?:adults?|people|persons|individuals|women|men)|elderly|aged (?:adults|people)|"
                     r"seniors?|late life|aging adults)\b"),
    ("pregnant women", r"\bpregnan\w*\b"),
    ("athletes", r"\b(?:athletes?|elite|professional players?)\b"),
    ("mice", r"\b(?:mice|mouse|murine)\b"),
    ("rats", r"\b(?:rats?|rodents?)\b"),
)]


def source_sentence(claim: str, sources: list[str]) -> Optional[str]:
    """The sentence of the cited passages that shares most of the claim's content words."""
    words = set(content_stems(strip_markers(claim)))
    best, best_score = None, 0.0
    for text in sources:
        for start, end in split_sentences(text):
            sentence = text[start:end]
            shared = len(words & set(content_stems(sentence)))
            score = shared / (len(words) or 1)
            if score > best_score:
                best, best_score = sentence, score
    return best


def _negated(text: str) -> bool:
    return len(_NEGATION.findall(text)) % 2 == 1


def _direction(text: str) -> set[str]:
    return ({"up"} if _UP.search(text) else set()) | ({"down"} if _DOWN.search(text) else set())


def _populations(text: str) -> set[str]:
    return {name for name, pattern in _POPULATIONS if pattern.search(text)}


def disagreement(claim: str, sources: list[str]) -> Optional[tuple[Problem, str]]:
    """What makes a cited claim say something its passages do not, with a short reason; None when it agrees.

    Args:
        claim: one sentence of an answer, with or without its [n] markers.
        sources: the texts of the passages it cites.

    Example:
        >>> disagreement("Training did not improve memory [1].", ["Training improved memory in older adults."])[0]
        <Problem.negated: 'negated'>
    """
    text = strip_markers(claim)
    if looks_like_instruction(text):
        return Problem.instruction, "it reads as an instruction to a model, not a finding"
    joined = " ".join(sources)
    if numbers(text) - numbers(joined):
        missing = ", ".join(sorted(numbers(text) - numbers(joined)))
        return Problem.number, f"the cited passages do not state {missing}"
    extra = _populations(text) - _populations(joined)
    if extra and _populations(joined):
        return Problem.population, (f"it is about {', '.join(sorted(extra))}; the passages concern "
                                    f"{', '.join(sorted(_populations(joined)))}")
    source = source_sentence(text, sources)
    if source is None:
        return None
    if _negated(text) != _negated(source):
        return Problem.negated, f"its source says the opposite: “{source.strip()}”"
    claimed, found = _direction(text), _direction(source)
    if claimed and found and not claimed & found:
        return Problem.inverted, f"its source reports the other direction: “{source.strip()}”"
    return None
