"""Which study designs a question asks for ("which cohort studies", "any RCTs", "observational studies"), and
whether a study is of one of them: a "which studies" answer lists only those.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.models import StudyDesign

#: Per design asked: how a question asks for it, and how a passage may word it.
_DESIGN_ASKED = ((re.compile(r"\bRCTs?\b|\brandomi[sz]ed\b|\btrials?\b", re.I), re.compile(r"\btrials?\b|\brandomi[sz]|\bRCTs?\b", re.I)),
                 (re.compile(r"\bcohorts?\b|\blongitudinal\b|\bprospective\b", re.I),
                  re.compile(r"\bcohorts?\b|\blongitudinal\b|\bprospective\b|\bfollowed\b", re.I)),
                 (re.compile(r"\bmeta-analys\w+", re.I), re.compile(r"\bmeta-analy\w+", re.I)),
                 (re.compile(r"\bcross-sectional\b", re.I), re.compile(r"\bcross-sectional\b", re.I)),
                 (re.compile(r"\bobservational\b|\bepidemiolog\w*", re.I),
                  re.compile(r"\bcohorts?\b|\bcross-sectional\b|\bobservational\b|\bepidemiolog\w*|\bfollowed\b", re.I)),
                 # "which trials or reviews" (not "the review", which names a document)
                 (re.compile(r"\breviews\b|\bsystematic reviews?\b", re.I), re.compile(r"\breview\w*|\bmeta-analy\w+", re.I)))
#: Per entry of `_DESIGN_ASKED`: the designs that count, and whether a study with no graded design counts.
_DESIGN_LABELS = ((frozenset({StudyDesign.rct, StudyDesign.controlled_trial}), True),
                  (frozenset({StudyDesign.cohort}), False),
                  (frozenset({StudyDesign.meta_analysis, StudyDesign.systematic_review}), False),
                  (frozenset({StudyDesign.cross_sectional}), False),
                  (frozenset({StudyDesign.cohort, StudyDesign.cross_sectional, StudyDesign.case_control,
                              StudyDesign.mendelian_randomization}), False),
                  (frozenset({StudyDesign.meta_analysis, StudyDesign.systematic_review, StudyDesign.review}), False))


def design_wording(question: str) -> Optional[re.Pattern]:
    """How passages word the first design the question names ("RCT" → trial, randomised), or None."""
    return next((said for asks, said in _DESIGN_ASKED if asks.search(question)), None)


def design_asked(question: str) -> Optional[tuple[re.Pattern, frozenset, bool]]:
    """The design a "which cohort studies / trials" question asks for: (its wording, its labels, whether a study
    of no graded design counts), or None (also when it asks for several: "which trials or reviews")."""
    asked = [(said, designs, lenient) for (asks, said), (designs, lenient) in zip(_DESIGN_ASKED, _DESIGN_LABELS)
             if asks.search(question)]
    # "observational studies ... cohorts": the widest design asked holds the others
    widest = next((a for a in asked if all(b[1] <= a[1] for b in asked)), None)
    return widest


def of_design(segment: str, design: StudyDesign, asked: tuple[re.Pattern, frozenset, bool]) -> bool:
    """Whether a study is of the design asked for: so graded, or, ungraded, so worded (a trial may go unworded)."""
    said, designs, lenient = asked
    if design is not StudyDesign.unknown:
        return design in designs
    return lenient or bool(said.search(segment))
