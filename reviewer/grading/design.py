"""Evidence grading: which study design a passage reports, how strong that evidence is, and why.

Rule-based, offline and deterministic; `grade` runs on every chunk at ingest.

Design. A passage is tagged by the study it *reports*, read from explicit words, sentence by
sentence: "meta-analysis", "systematic review", "randomized controlled trial", "controlled
trial" / "the SMART trial", "Mendelian randomization", "cohort" / "prospective study" /
"followed for seven years", "case-control" / "compared with healthy individuals",
"cross-sectional", "case report", "mice" / "rats" / "animal models", "in vitro" / "neuronal
cultures" / "models of muscle tissue". When several designs are named the strongest one wins
(`RANKING`). Mentions that report nothing are ignored: designs named in a review's methods
("Eligible studies included ..."), in future-research sentences ("Future research should
prioritize ... trials"), in back matter (funding, acknowledgements), and animal words in
provenance remarks ("evidence derived from preclinical models"). A trial word in a sentence
about animals ("a six-week RT intervention in a rat model") is an animal study. If no
explicit word is found, then in order: the section
heading ("4.1. Cross-Sectional Evidence"), weak cues (an unlabelled human intervention such
as "10 weeks of unstable free-weight training" or "compared with non-exercising controls"
reads as a non-randomised controlled trial; "epidemiological studies" as cross-sectional),
then the document: a review's own statements are `review`; in a news article, attributed
views and quotes are `expert_opinion`, and an unattributed "a new study has found" is
`unknown`; other documents give `unknown`. In news, only explicit words override.

Strength: see `reviewer.grading.strength`.

`reasons` lists the exact phrases of the passage behind the tag (design words, sample size,
p-value, CI, downgrading cues). A design taken from the heading or the document type has no
phrase of its own.
"""
from __future__ import annotations

import re
from typing import Optional, Union

from reviewer.grading.cues import (ATTRIBUTION, BACK_MATTER, FUTURE, HEADING, IN_VIVO, METHODS, NOT_TRIAL_RCT, PRISMA,
                                   PROVENANCE, RANK, RANKING, STRONG, STUDY_MENTION, WEAK, D)
from reviewer.grading.facts import Cue, Scan, extract_facts, facts_of, segment_spans, sentence_of, split_studies
from reviewer.grading.strength import QUANTITY, STUDY_DESIGNS, passage_strength
from reviewer.models import DocType, EvidenceBasis, EvidenceTag, StudyDesign
from reviewer.text import MARKER, is_methods_section, split_sentences

__all__ = ["grade", "inherit", "extract_facts", "split_studies", "doc_type_of", "RANKING"]

_SECONDARY = {D.meta_analysis, D.systematic_review, D.review, D.expert_opinion}
_ET_AL = re.compile(r"\bet al\b")
#: Sections where a primary paper writes about other work.
_FRAMING = re.compile(r"introduction|background|discussion|related work|literature|rationale", re.I)


def doc_type_of(doc_type: Union[DocType, str, None]) -> DocType:
    if isinstance(doc_type, DocType):
        return doc_type
    try:
        return DocType(str(doc_type).lower()) if doc_type else DocType.unknown
    except ValueError:
        return DocType.unknown


def _sentences_hit(cue: Cue, scan: Scan, starts: list[int]) -> set[int]:
    return {sentence_of(starts, m.start()) for m in cue.finditer(scan)}


def _design_cues(scan: Scan, spans: list[tuple[int, int]], review_methods: bool):
    """Explicit and weak design cues that report a study, as (design, phrase, start) lists."""
    text, starts = scan.text, [a for a, _ in spans]
    by_sentence: dict[int, list[tuple[StudyDesign, re.Match]]] = {}
    for design, cue in STRONG:
        for m in cue.finditer(scan):
            by_sentence.setdefault(sentence_of(starts, m.start()), []).append((design, m))
    _drop_misreadings(scan, by_sentence, starts)
    weak_by: dict[int, list[tuple[StudyDesign, re.Match]]] = {}
    for design, cue in WEAK:
        for m in cue.finditer(scan):
            weak_by.setdefault(sentence_of(starts, m.start()), []).append((design, m))
    if not (by_sentence or weak_by):
        return [], []
    skip = _sentences_hit(METHODS, scan, starts) | _sentences_hit(FUTURE, scan, starts)
    provenance = _sentences_hit(PROVENANCE, scan, starts)
    strong: list[tuple[StudyDesign, str, int]] = []
    weak: list[tuple[StudyDesign, str, int]] = []
    for i in sorted(set(by_sentence) | set(weak_by)):
        if review_methods or i in skip:
            continue
        found = [(d, text[m.start():m.end()], m.start()) for d, m in by_sentence.get(i, [])]
        animal = any(d is D.animal for d, _, _ in found)
        if i in provenance:
            found = [f for f in found if f[0] not in (D.animal, D.in_vitro)]
            animal = False
        if animal:  # a trial or cohort of animals is an animal study
            found = [(D.animal if d in STUDY_DESIGNS else d, p, at) for d, p, at in found]
        strong += found
        if not animal:
            weak += [(d, text[m.start():m.end()], m.start()) for d, m in weak_by.get(i, [])]
    return strong, weak


def _drop_misreadings(scan: Scan, by_sentence: dict[int, list[tuple[StudyDesign, re.Match]]], starts) -> None:
    """Drop design words that name no study of that design, in place.

    The PRISMA guideline's name is a systematic review's, not a meta-analysis; "RCT" written for
    reverse cholesterol transport is no trial; cells cultured from animals are in vitro work.
    """
    prisma = [m.span() for m in PRISMA.finditer(scan)]
    cholesterol = bool(NOT_TRIAL_RCT.search(scan))
    in_vivo = _sentences_hit(IN_VIVO, scan, starts)
    for i, found in by_sentence.items():
        kept = []
        for d, m in found:
            if d is D.meta_analysis and any(a <= m.start() < b for a, b in prisma):
                continue
            if d is D.rct and cholesterol and m.group(0).lower().startswith("rct"):
                continue
            kept.append((d, m))
        cultures = [m for d, m in kept if d is D.in_vitro]
        if i not in in_vivo and cultures:  # "neurons were cultured from rat brains", not "mice and cultures"
            kept = [(d, m) for d, m in kept if d is not D.animal or not _cell_source(scan.text, m)]
        found[:] = kept


_SOURCE_BEFORE = re.compile(r"\b(?:from|of)\s+(?:[\w-]+\s+){0,3}$", re.I)
_CELLS_AFTER = re.compile(r"^\s+(?:[\w-]+\s+){0,2}(?:neurons|cells|astrocytes|microglia|slices|myotubes|fibroblasts"
                          r"|hepatocytes|cardiomyocytes|tissue)\b", re.I)


def _cell_source(text: str, m: re.Match) -> bool:
    """Whether an animal word names where cultured cells came from ("from embryonic rat brains", "rat neurons")."""
    return bool(_SOURCE_BEFORE.search(text[max(0, m.start() - 40):m.start()]) or _CELLS_AFTER.match(text[m.end():m.end() + 40]))


def _choose_design(scan: Scan, spans, section, doc_type) -> tuple[StudyDesign, list[tuple[StudyDesign, str, int]]]:
    if section and BACK_MATTER.search(section):  # funding notes and the like report no study
        return (D.review if doc_type is DocType.review else D.unknown), []
    review_methods = doc_type is DocType.review and is_methods_section(section)
    strong, weak = _design_cues(scan, spans, review_methods)
    text = scan.text
    if strong:
        best = min(strong, key=lambda c: RANK[c[0]])[0]
        return best, sorted(strong, key=lambda c: (RANK[c[0]], c[2]))
    if doc_type is DocType.news:
        if ATTRIBUTION.search(text):
            return D.expert_opinion, []
        return (D.unknown if STUDY_MENTION.search(text) else D.expert_opinion), []
    heading = [d for p, d in HEADING if section and p.search(section)]
    if heading:
        weak_designs = [d for d, _, _ in weak]
        chosen = next((d for d in heading if d in weak_designs), heading[0])
        return chosen, [c for c in weak if c[0] is chosen]
    if weak:
        best = min(weak, key=lambda c: RANK[c[0]])[0]
        return best, sorted(weak, key=lambda c: (RANK[c[0]], c[2]))
    return (D.review if doc_type is DocType.review else D.unknown), []


def _focus(scan: Scan, spans, cues) -> tuple[str, Scan]:
    """(name, sentences) of the study the chosen design cue belongs to; the whole text if it is unnamed."""
    if not cues or len(spans) < 2:
        return "", scan
    at = cues[0][2]
    for name, s, e in segment_spans(scan, spans):
        if s <= at < e:
            return (name, Scan(scan.text[s:e])) if name else ("", scan)
    return "", scan


def grade(text: str, section: Optional[str] = None, doc_type: Union[DocType, str, None] = None,
          document: Optional[EvidenceTag] = None) -> EvidenceTag:
    """Tag a passage with the study design it reports and a GRADE-like strength (see module docstring).

    Args:
        text: the passage (a chunk or a paragraph).
        section: the heading it sits under; a cue when the text names no design.
        doc_type: the document's type; a review's own statements are `review`, a news
            article's quotes `expert_opinion`.
        document: the document's own tag (`grade_document`); a primary study's passages that
            report its own methods or results take its design (see `inherit`).

    Returns:
        EvidenceTag with design, strength, the exact phrases behind them, and StudyFacts of the
        study the passage mainly reports.

    Example:
        >>> grade("A meta-analysis of 11 randomized controlled trials (95% CI 0.04–1.42).").strength.value
        'high'
    """
    kind = doc_type_of(doc_type)
    scan = Scan(text)
    spans = split_sentences(text) or [(0, len(text))]
    design, cues = _choose_design(scan, spans, section, kind)
    name, focus = _focus(scan, spans, cues)
    facts, n_text = facts_of(focus)
    if facts.study is None and name:
        facts.study = name
    n = facts.sample_size
    quantified = bool(facts.effects or facts.p_value or facts.ci or n or QUANTITY.search(focus))
    reasons = [p for _, p, _ in cues]
    reasons += [r for r in (n_text, facts.ci, facts.p_value) if r]
    reasons += [e.text for e in facts.effects[:2]]
    strength = passage_strength(design, scan, spans, n, quantified, reasons)
    unique: list[str] = []
    for r in reasons:
        r = r.strip()
        if r and r in text and not any(r in u for u in unique):
            unique = [u for u in unique if u not in r] + [r]
    own = EvidenceTag(design=design, strength=strength, reasons=unique[:10], facts=facts)
    return inherit(own, text, section, document) if document is not None else own


def inherit(own: EvidenceTag, text: str, section: Optional[str], document: EvidenceTag) -> EvidenceTag:
    """A passage's tag given its document's: the document's design for a primary study's own report.

    A passage of a primary study (trial, cohort, case report, animal or lab study...) that cites no
    other work and does not sit in an introduction or discussion naming another design reports the
    study itself: it takes the document's design, strength and reasons (`basis` "document"). A
    passage citing "[12]" or "et al.", or of a review, keeps the design of the study it reports;
    one with no design of its own in a review takes the review's design.
    """
    doc_design = document.design
    if doc_design is D.unknown:
        return own
    if doc_design in _SECONDARY:
        if own.design is D.unknown:
            return own.model_copy(update={"design": doc_design, "strength": document.strength,
                                          "reasons": document.reasons, "basis": EvidenceBasis.document})
        return own
    cites = bool(MARKER.search(text)) or _ET_AL.search(text) is not None
    framing = bool(section) and _FRAMING.search(section) is not None
    if cites or framing:
        return own
    return own.model_copy(update={"design": doc_design, "strength": document.strength, "reasons": document.reasons,
                                  "basis": EvidenceBasis.document})
