"""Answers to comparisons ("Is it stronger in MCI or dementia?"): one statement per side, or that no passage
concerns a side; a sentence weighing one side against the other comes first.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.answering.kinds import share_held
from reviewer.answering.questions import comparison_sides, contains, generic_stems, same_population, text_stems
from reviewer.answering.sentences import Sentence, cite, quoted
from reviewer.models import Passage
from reviewer.text import content_stems, spell_out

#: Score factor, for one side of a comparison, of a sentence naming both sides: one about that side alone speaks for it.
BOTH_SIDES = 0.5
#: Share of a side's statement score that depends on how much of the comparison's subject it speaks of.
SUBJECT_WEIGHT = 0.5
#: With one side uncovered, a sentence naming a study of the other is quoted too when it scores this share of
#: that side's best statement.
STUDY_SHARE = 0.5
#: A sentence comparing the two sides directly is quoted first when it scores at least this share of the best sentence.
DIRECT_SHARE = 0.6
_CONTRAST = re.compile(r"\b(?:than|whereas|superior|inferior|in contrast|compared (?:with|to)|relative to|versus|"
                       r"vs\.?|unlike|rather than|more|less|greater|better|worse|stronger|weaker|while(?! \w+ing\b))\b",
                       re.I)


def side_sentences_absent(side: str, question: str, passages: list[Passage]) -> bool:
    """Whether no passage mentions every content word of one side of a comparison."""
    stems = content_stems(spell_out(side))
    return bool(stems) and not any(side_held(stems, text_stems(p.text, question)) for p in passages)


def side_held(stems: list[str], held: frozenset[str]) -> bool:
    """Whether a text holds every word of a side."""
    return all(contains(t, held) for t in stems)


def comparison(question: str, passages: list[Passage], ranked: list[Sentence]) -> Optional[list[str]]:
    """One statement per side of the comparison, or that no passage concerns a side."""
    from reviewer.grading import split_studies

    sides = comparison_sides(question)
    if not sides:
        return None
    side_stems = [content_stems(spell_out(side)) for side in sides]
    # What the comparison is about ("strength training", "cognition"): a side's statement should speak of it.
    subject = [t for t in dict.fromkeys(content_stems(spell_out(question)))
               if t not in generic_stems() and not any(t in stems for stems in side_stems)]
    lines: list[str] = []
    seen: set[tuple[int, int]] = set()
    direct = _direct(ranked, side_stems, subject)
    if direct is not None:  # a sentence weighing one side against the other answers the comparison itself
        seen.add((direct.index, direct.start))
        lines.append(f"- {sides[0]} and {sides[1]} compared: {quoted(direct)}")
    for k, side in enumerate(sides):
        other = side_stems[1 - k]
        alias = same_population(side)  # "seniors": the "older adults" of a review
        hits = [s for s in ranked if side_held(side_stems[k], s.stems)
                or any(contains(t, s.stems) for t in alias)]
        if not hits:
            lines.append(f"None of the passages concern {side}.")
            continue
        # A sentence about this side alone speaks for it better than one naming both.
        best = max(hits, key=lambda s: (s.score * (BOTH_SIDES if side_held(other, s.stems) else 1.0)
                                        * (1 - SUBJECT_WEIGHT + SUBJECT_WEIGHT * share_held(subject, s.context)),
                                        -s.index, -s.start))
        if (best.index, best.start) in seen:
            continue
        seen.add((best.index, best.start))
        lines.append(f"- {side}: {cite(best.quote, best.index + 1)}")
        alone = not any(side_held(other, s.stems) for s in ranked)  # the other side is not covered
        study = next((s for s in hits if alone and (s.index, s.start) not in seen
                      and s.score >= STUDY_SHARE * best.score and any(name.strip() for name, _ in split_studies(s.quote))),
                     None)
        if study is not None:  # ... so the side covered is shown by a study too ("Silva-Batista and colleagues ...")
            seen.add((study.index, study.start))
            lines.append(f"- {side}: {cite(study.quote, study.index + 1)}")
    return lines if any(line.startswith("- ") for line in lines) else None


def _direct(ranked: list[Sentence], side_stems: list[list[str]], subject: list[str]) -> Optional[Sentence]:
    """The best sentence naming both sides in words that weigh one against the other ("whereas", "superior"), if any
    holds at least `DIRECT_SHARE` of the best sentence's score and speaks of the comparison's subject."""
    if not ranked:
        return None
    floor = DIRECT_SHARE * ranked[0].score
    both = [s for s in ranked if s.score >= floor and _CONTRAST.search(s.quote) and share_held(subject, s.context) >= 0.5
            and all(side_held(stems, s.context) for stems in side_stems)]
    return max(both, key=lambda s: (s.score * share_held(subject, s.context), -s.index, -s.start)) if both else None
