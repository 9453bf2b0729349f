"""Which study designs a question asks for ("which cohort studies", "any RCTs", "observational studies"), and
whether a study is of one of them: a "which studies" answer lists only those.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.answering.sentences import Sentence, cite
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


#: "Is the multiscale paper a systematic review with a meta-analysis?": a question on a named document's own design
#: (group "asked": the design it asks about).
_OWN_DESIGN = re.compile(r"^\W*(?:is|was)\s+(?:the|that|this)\s+(?:[\w-]+\s+){0,4}?(?:review|paper|article|study|piece|"
                         r"report|trial)\s+(?:\w+\s+)?(?:a|an)\s+(?P<asked>[^?]+)", re.I)
_DESIGN_WORD = re.compile(r"\b(?:review|meta-analy\w+|trial|RCT|cohort|cross-sectional|case|experiment|observational|"
                          r"randomi[sz]ed|longitudinal)\b", re.I)
#: A sentence in which a document names its own kind ("This narrative review describes ...").
_SELF_KIND = re.compile(r"\b(?:this|the present|our|the current)\s+((?:[\w-]+\s+){0,2}?(?:review|meta-analysis|trial|"
                        r"study|analysis))\b", re.I)


def own_design(asking: str, sentences: list[Sentence], in_named) -> Optional[list[str]]:
    """For a question on the design of the document it names (`asking`: its asking sentence), the lines answering it:
    whether the document calls itself what is asked, and its sentence saying so ("This narrative review ..."); else
    None. `sentences` are the candidates best first; `in_named(s)` tells whether one is of the named document."""
    match = _OWN_DESIGN.search(asking)
    if not match or not _DESIGN_WORD.search(match.group("asked")):
        return None
    said = [(s, _SELF_KIND.search(s.quote).group(1).lower()) for s in sentences
            if in_named(s) and _SELF_KIND.search(s.quote)]
    # "this narrative review" says more than "this review"
    s, kind = max(said, key=lambda pair: len(pair[1].split()) > 1, default=(None, ""))
    if s is None:
        return None
    asked = match.group("asked").lower()
    verdict = "T" if len(kind.split()) == 1 else ("Yes: t" if kind in asked else "No: t")  # "this review": either
    article = "an" if kind[0] in "aeiou" else "a"
    return [f"{verdict}he document calls itself {article} {kind}.", cite(s.quote, s.index + 1)]
