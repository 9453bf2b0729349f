"""Strength: GRADE's starting point for a design, then one step down for imprecision or a flagged limitation.

Meta-analyses, systematic reviews and RCTs start high; controlled (non-randomised) trials and
Mendelian randomization moderate; cohort, case-control, cross-sectional studies and
narrative-review statements low; case reports, animal, in vitro and expert opinion very low.
A passage whose design cannot be placed (lab methods, computation, no study at all) is
`not_graded`: evidence levels are for clinical designs. Then, one step down each:
  - imprecision: a reported sample under 50, "pilot", "small trials", "preliminary";
  - flagged limitations of the passage's claims: "remains unclear", "remain to be
    established", "mixed results", "heterogeneity of included studies", "cautious
    interpretation", "cannot be ruled out", "largely inferential", "effects ... vary". For a
    quantified study report, a caveat about mechanisms only ("the causal role of inflammatory
    pathways ... remains to be clarified") does not lower confidence in the reported effect;
  - for study designs, a report with no result at all (no effect size, percentage, p-value,
    CI or sample size): an unquantified "RCTs suggest ..." is weaker than a reported effect.
Reported precision (a p-value or CI) keeps the level. Soft hedges ("may", "suggest") alone do
not move it, since reviews use them in nearly every sentence; there are no upgrades, as
GRADE's (large effect, dose-response) can seldom be read from a passage. Animal and in vitro
work stays very low whatever its numbers: it is not evidence in people.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.grading.facts import Cue, Scan, sentence_of
from reviewer.models import Strength, StudyDesign

D = StudyDesign
LEVELS = (Strength.very_low, Strength.low, Strength.moderate, Strength.high)
BASE = {
    D.meta_analysis: 3, D.systematic_review: 3, D.rct: 3, D.controlled_trial: 2, D.mendelian_randomization: 2,
    D.cohort: 1, D.case_control: 1, D.cross_sectional: 1, D.review: 1,
    D.case_report: 0, D.animal: 0, D.in_vitro: 0, D.expert_opinion: 0, D.unknown: 0,
}
STUDY_DESIGNS = {D.meta_analysis, D.systematic_review, D.rct, D.controlled_trial, D.mendelian_randomization,
                 D.cohort, D.case_control, D.cross_sectional}

IMPRECISION = Cue(r"\bpilot\b|\bfeasibility (?:study|trial)\b|\bpreliminary\b|\bunderpowered\b"
                  r"|\bsmall(?:er)? (?:[\w-]+ )?(?:trials?|stud(?:y|ies)|samples?|cohorts?)\b",
                  ("pilot", "feasibility", "preliminary", "underpowered", "small", "smaller"), back=2, fwd=30)
#: Flagged limitations of the passage's claims (see module docstring).
_LIMITATIONS: list[Cue] = [
    Cue(r"\bremains? (?:largely |still |poorly |incompletely )?(?:unclear|uncertain|unknown|limited|inconclusive"
        r"|understood|controversial|debated|speculative)\b|\bremains? to be (?:fully |firmly )?(?:established|clarified"
        r"|elucidated|determined|confirmed|proven)\b", ("remain",), back=2, fwd=40),
    Cue(r"\b(?:have|has) yet to be\b|\bnot yet (?:\w+ )?(?:definitive|established|confirmed)\b", ("yet",), 6, 30),
    Cue(r"\b(?:is|are) (?:still )?(?:inconclusive|limited|unclear|lacking|scarce|conflicting|preliminary)\b"
        r"|\blimited (?:evidence|data)\b", ("inconclusive", "limited", "unclear", "lacking", "scarce", "conflicting",
                                           "preliminary"), back=12, fwd=12),
    Cue(r"\bmixed (?:results|findings|evidence)\b|\b(?:substantial|high|considerable) heterogeneity\b|\bheterogeneity "
        r"(?:of|in|among|across) (?:the )?(?:included )?(?:studies|trials|findings|results|evidence|intervention|protocols)",
        ("mixed", "heterogeneity"), back=14, fwd=40),
    Cue(r"\b(?:effects?|results|findings|evidence|outcomes|benefits?)\b[^.;]{0,60}?\b(?:are|is|remain|remains|appears? "
        r"to be|were)\s+(?:more |highly |also |often )?(?:variable|heterogeneous|inconsistent|mixed|conflicting"
        r"|inconclusive)\b", ("variable", "heterogeneous", "inconsistent", "mixed", "conflicting", "inconclusive"),
        back=100, fwd=2),
    Cue(r"\b(?:effects|results|findings|benefits?|responses?)\s+(?:\w+\s+){0,3}?var(?:y|ies)\b",
        ("vary", "varies", "varied"), 50, 4),
    Cue(r"\bdiscrepanc(?:y|ies)\b|\binconsistent(?:ly)?\b|\bcautious\b|\bwith caution\b|\bcaution is\b|\bcannot be "
        r"(?:ruled out|excluded)\b|\bresidual confounding\b|\binferential\b|\bcorrelational\b|\bhypothes[ie]s\b"
        r"|\bhypothesi[sz]ed\b|\bhas been proposed\b",
        ("discrepanc", "inconsistent", "cautio", "cannot be", "confounding", "inferential", "correlational",
         "hypothes", "proposed"), back=14, fwd=20),
    Cue(r"\b(?:are|is) (?:still )?(?:required|needed|necessary) to (?:clarify|confirm|establish|determine|elucidate)\b",
        ("required", "needed", "necessary"), back=12, fwd=20),
]
_MECHANISM = re.compile(r"\bmechanis\w*|\bpathways?\b|\bmediat\w*|\bcausal role\b", re.I)
QUANTITY = Cue(r"\d\s*(?:%|points?\b|ng/ml|pg/ml|mm\b|ms\b|-?fold\b)|\b(?:two|three|four|five|ten)fold\b"
                r"|\bmean (?:increase|decrease|difference|change)s? of\b",
                ("%", "point", "points", "ng/ml", "pg/ml", "mm", "ms", "fold", "twofold", "threefold", "fourfold",
                 "fivefold", "tenfold", "mean "), back=12, fwd=24)


def passage_strength(design: StudyDesign, scan: Scan, spans, n: Optional[int], quantified: bool,
                     reasons: list[str]) -> Strength:
    """The strength of a passage reporting `design` (see module docstring); downgrading phrases go to `reasons`."""
    if design is D.unknown:
        return Strength.not_graded
    level = BASE[design]
    if level == 0:
        return Strength.very_low
    text = scan.text
    small = IMPRECISION.search(scan)
    if small or (n is not None and n < 50):
        level -= 1
        if small:
            reasons.append(text[small.start():small.end()])
    primary = design in STUDY_DESIGNS
    hits = sorted((m for cue in _LIMITATIONS for m in cue.finditer(scan)), key=lambda m: m.start())
    starts = [a for a, _ in spans]
    for m in hits:
        s, e = spans[sentence_of(starts, m.start())]
        if not (primary and quantified and _MECHANISM.search(text, s, e)):
            level -= 1
            reasons.append(text[m.start():m.end()])
            break
    if primary and not quantified:
        level -= 1
    return LEVELS[max(level, 0)]


_SAMPLE = re.compile(r"\b(?:n\s*=\s*|total of |enrolled |included |recruited |randomi[sz]ed )(\d[\d,]*)\b", re.I)


def document_strength(design: StudyDesign, text: str, reasons: list[str]) -> Strength:
    """A whole study's strength: the design's starting level, one step down for a sample under 50 or a pilot.

    The limitation cues of `passage_strength` are not used: an abstract's background sentences
    ("the role of X remains unclear") say why the study was done, not how weak it is.
    """
    if design is D.unknown:
        return Strength.not_graded
    level = BASE[design]
    if level == 0:
        return Strength.very_low
    small = IMPRECISION.search(Scan(text))
    sample = _SAMPLE.search(text)
    if small:
        reasons.append(text[small.start():small.end()])
        level -= 1
    elif sample and int(sample.group(1).replace(",", "")) < 50:
        reasons.append(sample.group(0))
        level -= 1
    return LEVELS[max(level, 0)]
