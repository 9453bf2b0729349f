"""Study rows: one row of the evidence table per study the passages report, every cell words of its passage."""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from reviewer.bibliography.references import name_studies
from reviewer.models import Direction, EvidenceBasis, Passage, StudyDesign, SummaryRow
from reviewer.text import normalize_space, split_sentences

#: Effect sizes quoted in one row's effect cell at most.
MAX_EFFECTS = 4

# Designs that describe a study's own data; a named segment with none of these, and no numbers,
# only mentions a study in passing ("the hypothesis proposed by X et al.").
_NOT_STUDIES = {StudyDesign.review, StudyDesign.unknown, StudyDesign.expert_opinion}


def study_key(name: str) -> str:
    """A study's identity for de-duplication: 'Li et al.’s [40]' and 'Li et al. [40]' are one study."""
    return normalize_space(re.sub(r"[’']s\b", "", name)).lower()


def segment_direction(text: str) -> Optional[Direction]:
    """The direction of effect a study's sentences report, by majority over its sentences.

    A study's result sentence often names its comparator ("... compared to stable RT, which
    showed minimal gains"); voting over sentences keeps that from reading as mixed results. A tie
    between "mixed" and one direction goes to the direction; any other tie is "mixed".
    """
    from reviewer.grading import direction

    votes = Counter(d for s, e in split_sentences(text) if (d := direction(text[s:e])))
    if not votes:
        return None
    top = max(votes.values())
    leaders = {d for d, n in votes.items() if n == top} - ({"mixed"} if len(votes) > 1 else set())
    # A sentence with both a benefit and its comparator's null result reads "mixed"; a clear sentence outweighs it.
    return Direction(leaders.pop()) if len(leaders) == 1 else Direction.mixed


def effect_cell(facts) -> Optional[str]:
    """The reported effect sizes as written ('d = 0.32; d = 0.73'), else the CI or p-value."""
    parts = [e.text for e in facts.effects[:MAX_EFFECTS]]
    if not parts:
        parts = [x for x in (facts.ci, facts.p_value) if x]
    parts = [normalize_space(p) for p in parts]
    return "; ".join(dict.fromkeys(parts)) or None


def study_row(name: str, segment: str, passage: Passage, index: int, lead: str = "") -> SummaryRow:
    """One table row from one study's sentences; `citation` holds the passage's index for now.

    When the study's own sentences name no design, the sentences that lead into it may
    ("Evidence from systematic reviews suggests ... For example, Huang et al. [8] reported").
    """
    from reviewer.grading import extract_facts, grade

    facts = extract_facts(segment)
    tag = grade(segment, passage.section, passage.doc_type)
    if lead and tag.design in _NOT_STUDIES:
        with_lead = grade(f"{lead} {segment}", passage.section, passage.doc_type)
        if with_lead.design not in _NOT_STUDIES:
            tag = with_lead
    return SummaryRow(
        study=normalize_space(name), design=tag.design, population=facts.population, n=facts.sample_size,
        intervention=facts.intervention, duration=facts.duration, outcome=facts.outcome, effect=effect_cell(facts),
        direction=segment_direction(segment), strength=tag.strength, citation=index,
    )


def _filled(row: SummaryRow) -> int:
    return sum(getattr(row, f) not in (None, "") for f in ("population", "n", "intervention", "duration", "outcome",
                                                           "effect", "direction"))


def own_study_row(passage: Passage, index: int) -> Optional[SummaryRow]:
    """The row of a primary study's own report (its tag is its document's): named by the document's title."""
    from reviewer.grading import extract_facts

    tag = passage.evidence
    if tag is None or tag.basis is not EvidenceBasis.document or tag.design in _NOT_STUDIES:
        return None
    facts = extract_facts(passage.text)
    return SummaryRow(
        study=normalize_space(passage.title or passage.doc_id), design=tag.design, population=facts.population,
        n=facts.sample_size, intervention=facts.intervention, duration=facts.duration, outcome=facts.outcome,
        effect=effect_cell(facts), direction=segment_direction(passage.text), strength=tag.strength, citation=index,
    )


def study_rows(passages: list[Passage]) -> list[tuple[SummaryRow, str]]:
    """One row per named study in the passages, with the sentences its cells come from.

    A study met in several passages (chunks overlap) keeps the row with the most cells filled.
    A name that comes with no study design and no numbers is a passing mention, not a row.
    """
    from reviewer.grading import split_studies

    best: dict[str, tuple[SummaryRow, str, int]] = {}
    for i, p in enumerate(passages):
        own = own_study_row(p, i)
        if own is not None:
            score = _filled(own) * 10_000 + len(p.text)
            if p.doc_id not in best or score > best[p.doc_id][2]:
                best[p.doc_id] = (own, p.text, score)
            continue
        lead = ""
        for name, segment in split_studies(p.text):
            if not name.strip():
                lead = segment
                continue
            row = study_row(name, segment, p, i, lead)
            lead = ""
            if row.design in _NOT_STUDIES and row.n is None and row.effect is None:
                continue
            key = study_key(name)
            score = _filled(row) * 10_000 + len(segment)
            if key not in best or score > best[key][2]:
                best[key] = (row, segment, score)
    return name_studies([(row, segment) for row, segment, _ in best.values()])


def sort_rows(rows: list[SummaryRow]) -> list[int]:
    """The order of rows in the table: strongest designs first (the grader's ranking), then retrieval order."""
    from reviewer.grading import RANKING

    rank = {d: i for i, d in enumerate(RANKING)}
    return sorted(range(len(rows)), key=lambda i: (rank.get(rows[i].design, len(rank)), rows[i].citation, i))
