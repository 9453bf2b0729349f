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

Strength follows GRADE's starting points: meta-analyses, systematic reviews and RCTs start
high; controlled (non-randomised) trials and Mendelian randomization moderate; cohort,
case-control, cross-sectional studies and narrative-review statements low; case reports,
animal, in vitro, expert opinion and unknown very low. Then, one step down each:
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

`reasons` lists the exact phrases of the passage behind the tag (design words, sample size,
p-value, CI, downgrading cues). A design taken from the heading or the document type has no
phrase of its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

from reviewer.models import DocType, EvidenceTag, Strength, StudyDesign
from reviewer.grading.facts import Cue, Scan, extract_facts, facts_of, segment_spans, sentence_of, split_studies
from reviewer.text import COUNT, is_methods_section, split_sentences

__all__ = ["grade", "extract_facts", "split_studies", "direction", "answer_level", "answer_level_llm",
           "evaluate_labels", "RANKING"]

D = StudyDesign
#: Strongest first; `answer_level` and `grade` pick the highest-ranked design.
RANKING: tuple[StudyDesign, ...] = (
    D.meta_analysis, D.systematic_review, D.rct, D.controlled_trial, D.mendelian_randomization, D.cohort,
    D.case_control, D.cross_sectional, D.case_report, D.animal, D.in_vitro, D.review, D.expert_opinion, D.unknown,
)
_RANK = {d: i for i, d in enumerate(RANKING)}
_LEVELS = (Strength.very_low, Strength.low, Strength.moderate, Strength.high)
_BASE = {
    D.meta_analysis: 3, D.systematic_review: 3, D.rct: 3, D.controlled_trial: 2, D.mendelian_randomization: 2,
    D.cohort: 1, D.case_control: 1, D.cross_sectional: 1, D.review: 1,
    D.case_report: 0, D.animal: 0, D.in_vitro: 0, D.expert_opinion: 0, D.unknown: 0,
}
_STUDY_DESIGNS = {D.meta_analysis, D.systematic_review, D.rct, D.controlled_trial, D.mendelian_randomization,
                  D.cohort, D.case_control, D.cross_sectional}

_Q = COUNT
_ANIMAL_GATES = ("mice", "mouse", "murine", "rat", "rats", "rodent", "animal", "transgenic", "app/ps1", "zebrafish",
                 "primates", "monkey", "preclinical", "swine", "pig", "pigs", "porcine", "dog", "dogs", "canine",
                 "sheep", "ovine", "rabbit", "rabbits", "hamster", "hamsters", "drosophila", "elegans")
#: (design, pattern, keywords, chars before, chars after) of explicit design words, in lower case (see Cue).
_STRONG: list[tuple[StudyDesign, Cue]] = [(d, Cue(p, g, back, fwd)) for d, p, g, back, fwd in [
    (D.meta_analysis, r"(?:systematic reviews? and |network |umbrella )?meta-?analy(?:sis|ses|tic)"
     r"(?: of \d+ (?:[\w-]+ ){0,3}(?:trials|studies|rcts))?|umbrella review|meta-regression",
     ("meta-anal", "metaanal", "meta-regression", "umbrella review"), 30, 60),
    (D.systematic_review, r"systematic reviews?|cochrane review|scoping review",
     ("systematic review", "cochrane review", "scoping review"), 2, 20),
    (D.rct, r"(?:(?:single|double|triple)-(?:blind|masked|blinded) )?randomi[sz]ed(?:,? (?:controlled|clinical"
     r"|intervention|crossover|placebo-controlled|double-blind|single-blind|pilot|parallel-group))* (?:trials?"
     r"|stud(?:y|ies))|\brcts?\b|randomly (?:assigned|allocated|divided)|randomi[sz]ed (?:to|into)\b",
     ("randomi", "rct", "rcts", "randomly"), 20, 70),
    (D.controlled_trial, r"(?:non-?randomi[sz]ed|quasi-experimental|controlled|clinical|pragmatic|intervention"
     r"|exercise|pilot|open-label|single-arm|crossover|feasibility|small|large) (?:[\w-]+ )?trials?"
     r"|quasi-experimental", ("trial", "trials", "quasi-experimental"), 45, 20),
    (D.mendelian_randomization, r"mendelian randomi[sz]ation", ("mendelian",), 2, 25),
    (D.cohort, r"cohorts?|prospective (?:[\w-]+ ){0,2}(?:stud(?:y|ies)|analys[ie]s)|longitudinal (?:[\w-]+ ){0,2}"
     rf"(?:stud(?:y|ies)|data|analys[ie]s)|followed (?:up )?for {_Q} (?:years|months)",
     ("cohort", "prospective", "longitudinal", "followed"), 2, 50),
    (D.case_control, r"case-control|case control|compared with (?:age-matched )?healthy (?:individuals|controls"
     r"|subjects|people)|healthy controls", ("case-control", "case control", "healthy"), 40, 30),
    (D.cross_sectional, r"cross-sectional|(?:population-based |national |health )?\bsurveys?\b",
     ("cross-sectional", "survey"), 20, 20),
    (D.case_report, r"case reports?|case series|a \d+-year-old (?:man|woman|male|female|patient|boy|girl)",
     ("case report", "case series", "year-old"), 12, 25),
    (D.animal, r"transgenic (?:[\w/-]+ )?mice|\b(?:mouse|rat|rodent) models?\b|\banimal(?: and [\w-]+)? (?:models?"
     r"|stud(?:y|ies)|experiments?|data|research)\b|\bmice\b|\bmouse\b|\bmurine\b|\brats?\b|\brodents?\b"
     r"|\banimals?\b|\btransgenic\b|app/ps1|zebrafish|\bprimates\b|\bmonkeys?\b|\b(?:miniature )?swine\b|\bpigs?\b"
     r"|\bporcine\b|\bdogs?\b|\bcanine\b|\bsheep\b|\bovine\b|\brabbits?\b|\bhamsters?\b|\bdrosophila\b"
     r"|\bc\. elegans\b"
     r"|preclinical (?:[\w-]+ )?(?:models?|stud(?:y|ies)|evidence|research|data)", _ANIMAL_GATES, 30, 32),
    (D.in_vitro, r"in vitro|ex vivo|cultured (?:[\w-]+ )?(?:cells|neurons|myotubes|astrocytes)|(?:cell|neuronal"
     r"|primary|organotypic) cultures?|cell lines?|cellular models?|tissue models?|models? of (?:[\w-]+ )?tissue"
     r"|organoids?", ("vitro", "ex vivo", "cultur", "cell line", "cellular model", "tissue", "organoid"), 35, 30),
    (D.review, r"(?:this|the present|the current|our) (?:narrative |systematic |scoping )?review|narrative review"
     r"|literature review|\bwe review\b", ("review",), 26, 8),
    (D.expert_opinion, r"expert (?:opinion|consensus|panel)|consensus statements?|position (?:stand|statement)",
     ("expert", "consensus", "position"), 2, 25),
]] + [(D.controlled_trial, Cue(r"(?:\b[Tt]he )?\b[A-Z][A-Z0-9-]{2,} trial\b", ("trial",), 24, 6, exact=True))]
#: Weak cues: used only when no explicit design word and no section heading decides.
_WEAK: list[tuple[StudyDesign, Cue]] = [(d, Cue(p, g, back, fwd)) for d, p, g, back, fwd in [
    (D.controlled_trial, r"(?:intervention|interventional) stud(?:y|ies)", ("intervention",), 2, 22),
    (D.controlled_trial, rf"\b{_Q}[- ](?:weeks?|months?)(?: of)? (?:(?!stud|trial|follow|that\b|demonstrat|show)"
     r"[\w-]+ ){0,4}?(?:training|rt|prt|exercise|intervention|program)", ("week", "weeks", "month", "months"), 14, 70),
    (D.controlled_trial, r"\b(?:a|an|the) (?:[\w-]+ ){0,3}(?:training|exercise|rt) (?:intervention|program)",
     ("intervention", "program"), 50, 14),
    (D.controlled_trial, r"control groups?|(?:non-exercis\w+|usual[- ]care|wait-?list\w*|sham|placebo|non-exercise) "
     r"(?:controls?|groups?|conditions?)", ("control", "care", "wait", "waitli", "sham", "placebo", "non-exercis"),
     24, 14),
    (D.cohort, r"follow-up stud(?:y|ies)|observational (?:stud(?:y|ies)|evidence|data)",
     ("follow-up", "observational"), 2, 20),
    (D.cross_sectional, r"epidemiological stud(?:y|ies)", ("epidemiological",), 2, 10),
]]
_HEADING = [(re.compile(p, re.I), d) for p, d in [
    (r"meta-analy", D.meta_analysis), (r"randomi[sz]ed", D.rct), (r"cross-?sectional", D.cross_sectional),
    (r"longitudinal|prospective|cohort", D.cohort), (r"intervention|trials?\b", D.controlled_trial),
    (r"case-control", D.case_control), (r"animal|preclinical|rodent", D.animal), (r"in vitro|cell culture", D.in_vitro),
]]
_BACK_MATTER = re.compile(r"funding|acknowledg|conflicts? of interest|competing interests|author contributions"
                          r"|data availability|abbreviations|supplementary|references|bibliography", re.I)
_METHODS = Cue(r"\b(?:eligible|inclusion criteria|exclusion criteria|were (?:also )?(?:included|excluded)"
               r"|search strategy|literature search|we searched)\b",
               ("eligib", "criteria", "included", "excluded", "search"), back=20, fwd=20)
_FUTURE = Cue(r"\bfuture\b(?! (?:risk|cognitive|decline|dementia))|\b(?:are|is) (?:still )?(?:needed|required|warranted)"
              r"\b|\bwould be (?:necessary|needed|required)\b|\bshould (?:prioriti[sz]e|focus|include|use|employ|examine"
              r"|investigate|address|test)\b|\bwell-powered\b",
              ("future", "needed", "required", "warranted", "necessary", "should", "well-powered"), back=20, fwd=20)
_PROVENANCE = Cue(
    r"\b(?:derived|supported|relies|rely|relied|based|drawn|comes?|spans?)\s+(?:\w+\s+){0,3}?(?:preclinical|animal"
    r"|rodent|cellular|in vitro)\b|\b(?:preclinical|animal)\b[^.;]{0,50}?\b(?:primarily|largely|mainly|predominantly"
    r"|mostly)\s+(?:support|provide)|\b(?:primarily|largely|mainly|predominantly|mostly)\s+(?:provide|derived from|from"
    r"|on|by)\s+(?:\w+\s+){0,3}?(?:preclinical|animal)\b",
    ("preclinical", "animal", "rodent", "cellular", "in vitro"), back=70, fwd=70)

_IMPRECISION = Cue(r"\bpilot\b|\bfeasibility (?:study|trial)\b|\bpreliminary\b|\bunderpowered\b"
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
_QUANTITY = Cue(r"\d\s*(?:%|points?\b|ng/ml|pg/ml|mm\b|ms\b|-?fold\b)|\b(?:two|three|four|five|ten)fold\b"
                r"|\bmean (?:increase|decrease|difference|change)s? of\b",
                ("%", "point", "points", "ng/ml", "pg/ml", "mm", "ms", "fold", "twofold", "threefold", "fourfold",
                 "fivefold", "tenfold", "mean "), back=12, fwd=24)
_ATTRIBUTION = re.compile(r"[“”\"]|\b(?:said|says|explained|noted|suggested|pointed out|cautioned|added|according to"
                          r"|told|believes)\b", re.I)
_STUDY_MENTION = re.compile(r"\b(?:study|studies|researchers|published in|findings)\b", re.I)

DirectionLabel = Literal["benefit", "no_effect", "harm", "mixed"]
_NO_EFFECT = re.compile(
    r"\bno (?:significant |clear |meaningful |measurable |additional )?(?:differences?|effects?|improvements?|changes?"
    r"|benefits?|associations?)\b|\b(?:did|does|do|could) not (?:significantly )?(?:improve|differ|change|affect|alter"
    r"|reduce|increase|enhance|slow|prevent)\b|\bnot (?:significantly|statistically significant)\b|\bneutral effects?\b"
    r"|\bfailed to\b|\bnull (?:effects?|findings?|results?)\b|\bnot uniformly\b|\bwas not associated\b|\bminimal gains\b",
    re.I)
_HARM = re.compile(r"\bworsen\w*|\bdetrimental\b|\bharmful\b|\badverse effects?\b|\bdeteriorat\w* in\b", re.I)
_BENEFIT = re.compile(
    r"\bimprov(?:e|es|ed|ement|ements|ing)\b|\benhanc\w*|\bbenefi\w*|\bprotective\b|\bslow(?:s|ed|er|ing)?\b[^.]{0,30}"
    r"\bdecline\b|\battenuat\w*|\bgains?\b|\bpreserv\w*|\bsuperior\b|\boutperform\w*|\bsignificantly (?:increased|"
    r"elevated|higher|larger|better)\b|\bbetter\b|\bpositive effects?\b", re.I)
_MIXED = re.compile(r"\bmixed (?:results|findings|evidence)\b|\bconflicting (?:results|findings|evidence)\b", re.I)


def _doc_type(doc_type: Union[DocType, str, None]) -> DocType:
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
    for design, cue in _STRONG:
        for m in cue.finditer(scan):
            by_sentence.setdefault(sentence_of(starts, m.start()), []).append((design, m))
    weak_by: dict[int, list[tuple[StudyDesign, re.Match]]] = {}
    for design, cue in _WEAK:
        for m in cue.finditer(scan):
            weak_by.setdefault(sentence_of(starts, m.start()), []).append((design, m))
    if not (by_sentence or weak_by):
        return [], []
    skip = _sentences_hit(_METHODS, scan, starts) | _sentences_hit(_FUTURE, scan, starts)
    provenance = _sentences_hit(_PROVENANCE, scan, starts)
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
            found = [(D.animal if d in _STUDY_DESIGNS else d, p, at) for d, p, at in found]
        strong += found
        if not animal:
            weak += [(d, text[m.start():m.end()], m.start()) for d, m in weak_by.get(i, [])]
    return strong, weak


def _choose_design(scan: Scan, spans, section, doc_type) -> tuple[StudyDesign, list[tuple[StudyDesign, str, int]]]:
    if section and _BACK_MATTER.search(section):  # funding notes and the like report no study
        return (D.review if doc_type is DocType.review else D.unknown), []
    review_methods = doc_type is DocType.review and is_methods_section(section)
    strong, weak = _design_cues(scan, spans, review_methods)
    text = scan.text
    if strong:
        best = min(strong, key=lambda c: _RANK[c[0]])[0]
        return best, sorted(strong, key=lambda c: (_RANK[c[0]], c[2]))
    if doc_type is DocType.news:
        if _ATTRIBUTION.search(text):
            return D.expert_opinion, []
        return (D.unknown if _STUDY_MENTION.search(text) else D.expert_opinion), []
    heading = [d for p, d in _HEADING if section and p.search(section)]
    if heading:
        weak_designs = [d for d, _, _ in weak]
        chosen = next((d for d in heading if d in weak_designs), heading[0])
        return chosen, [c for c in weak if c[0] is chosen]
    if weak:
        best = min(weak, key=lambda c: _RANK[c[0]])[0]
        return best, sorted(weak, key=lambda c: (_RANK[c[0]], c[2]))
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


def _strength(design: StudyDesign, scan: Scan, spans, n: Optional[int], quantified: bool,
              reasons: list[str]) -> Strength:
    level = _BASE[design]
    if level == 0:
        return Strength.very_low
    text = scan.text
    small = _IMPRECISION.search(scan)
    if small or (n is not None and n < 50):
        level -= 1
        if small:
            reasons.append(text[small.start():small.end()])
    primary = design in _STUDY_DESIGNS
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
    return _LEVELS[max(level, 0)]


def grade(text: str, section: Optional[str] = None, doc_type: Union[DocType, str, None] = None) -> EvidenceTag:
    """Tag a passage with the study design it reports and a GRADE-like strength (see module docstring).

    Args:
        text: the passage (a chunk or a paragraph).
        section: the heading it sits under; a cue when the text names no design.
        doc_type: the document's type; a review's own statements are `review`, a news
            article's quotes `expert_opinion`.

    Returns:
        EvidenceTag with design, strength, the exact phrases behind them, and StudyFacts of the
        study the passage mainly reports.

    Example:
        >>> grade("A meta-analysis of 11 randomized controlled trials (95% CI 0.04–1.42).").strength.value
        'high'
    """
    kind = _doc_type(doc_type)
    scan = Scan(text)
    spans = split_sentences(text) or [(0, len(text))]
    design, cues = _choose_design(scan, spans, section, kind)
    name, focus = _focus(scan, spans, cues)
    facts, n_text = facts_of(focus)
    if facts.study is None and name:
        facts.study = name
    n = facts.sample_size
    quantified = bool(facts.effects or facts.p_value or facts.ci or n or _QUANTITY.search(focus))
    reasons = [p for _, p, _ in cues]
    reasons += [r for r in (n_text, facts.ci, facts.p_value) if r]
    reasons += [e.text for e in facts.effects[:2]]
    strength = _strength(design, scan, spans, n, quantified, reasons)
    unique: list[str] = []
    for r in reasons:
        r = r.strip()
        if r and r in text and not any(r in u for u in unique):
            unique = [u for u in unique if u not in r] + [r]
    return EvidenceTag(design=design, strength=strength, reasons=unique[:10], facts=facts)


def direction(text: str) -> Optional[DirectionLabel]:
    """The direction of effect a passage reports, from lexical cues.

    Returns:
        "benefit", "harm", "no_effect", "mixed" (benefit alongside harm or no effect, or "mixed
        results"), or None when the passage reports no direction.
    """
    if _MIXED.search(text):
        return "mixed"
    null = bool(_NO_EFFECT.search(text))
    harm = bool(_HARM.search(text))
    benefit = bool(_BENEFIT.search(_NO_EFFECT.sub(" ", text)))
    if benefit and (harm or null):
        return "mixed"
    if benefit:
        return "benefit"
    if harm:
        return "harm"
    return "no_effect" if null else None


def _tag(passage: Any) -> Optional[EvidenceTag]:
    tag = passage.get("evidence") if isinstance(passage, dict) else getattr(passage, "evidence", passage)
    if isinstance(tag, dict):
        tag = EvidenceTag.model_validate(tag)
    return tag if isinstance(tag, EvidenceTag) else None


def _text(passage: Any) -> str:
    return passage.get("text", "") if isinstance(passage, dict) else getattr(passage, "text", "") or ""


def answer_level(passages: list) -> tuple[Optional[StudyDesign], bool]:
    """The strongest design among passages' evidence tags, and whether they disagree on direction.

    Args:
        passages: Passage/Citation objects (or dicts) carrying `evidence` and `text`.

    Returns:
        (strongest design by `RANKING`, or None when no passage is graded; mixed), where mixed
        means one passage reports benefit while another reports harm or no effect, or a passage
        itself reports mixed results.
    """
    designs = [t.design for t in map(_tag, passages) if t is not None]
    best = min(designs, key=_RANK.__getitem__) if designs else None
    found = {direction(_text(p)) for p in passages} - {None}
    mixed = "mixed" in found or ("benefit" in found and bool(found & {"harm", "no_effect"}))
    return best, mixed


def answer_level_llm(passages: list, llm: Any) -> tuple[Optional[StudyDesign], bool]:
    """Like `answer_level`, but an LLM judges whether the passages disagree (prompts/evidence_mixed.md).

    The design still comes from the rules. A reply that is not the expected JSON falls back to
    the offline judgement.

    Raises:
        LLMError: the model could not be reached.
    """
    from reviewer.llm.providers import complete
    from reviewer.llm.prompts import load_prompt
    from reviewer.llm.replies import parse_json_reply

    design, offline_mixed = answer_level(passages)
    lines = []
    for n, p in enumerate(passages, 1):
        tag = _tag(p)
        label = f"{tag.design.value}, {tag.strength.value}" if tag else "ungraded"
        lines.append(f"[{n}] ({label}) {_text(p)}")
    prompt = load_prompt("evidence_mixed", variables={"passages"})
    reply = complete(llm, prompt.messages(passages="\n\n".join(lines)))
    verdict = parse_json_reply(reply)
    if verdict is not None and isinstance(verdict.get("mixed"), bool):
        return design, verdict["mixed"]
    return design, offline_mixed


def _front_matter_doc_type(path: Path) -> DocType:
    head = path.read_text(encoding="utf-8")[:4000]
    m = re.search(r"^doc_type:\s*['\"]?(\w+)", head, re.M)
    return _doc_type(m.group(1) if m else None)


def evaluate_labels(path: Union[str, Path], corpus_dir: Union[str, Path, None] = None) -> dict:
    """Grade every labelled passage and compare with its labels.

    Args:
        path: a JSONL file of {"id", "doc", "section", "text", "design", "strength", ...}.
        corpus_dir: where the `doc` files live (default: `corpus/` beside the labels' folder);
            their front matter gives the document type.

    Returns:
        {"n", "design_accuracy", "strength_accuracy", "misses": [...], "by_split": {split: {...}}}.
    """
    path = Path(path)
    corpus = Path(corpus_dir) if corpus_dir else path.resolve().parent.parent / "corpus"
    types: dict[str, DocType] = {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    misses, tally = [], {}
    for row in rows:
        doc = row["doc"]
        if doc not in types:
            types[doc] = _front_matter_doc_type(corpus / doc)
        tag = grade(row["text"], row.get("section"), types[doc])
        ok_design = tag.design.value == row["design"]
        ok_strength = tag.strength.value == row["strength"]
        for split in {"all", row.get("split") or "all"}:
            t = tally.setdefault(split, [0, 0, 0])
            t[0] += 1
            t[1] += ok_design
            t[2] += ok_strength
        if not (ok_design and ok_strength):
            misses.append({"id": row["id"], "split": row.get("split"), "design": row["design"],
                           "got_design": tag.design.value, "strength": row["strength"],
                           "got_strength": tag.strength.value, "reasons": tag.reasons, "text": row["text"][:160]})

    def summary(t: list[int]) -> dict:
        return {"n": t[0], "design_accuracy": t[1] / t[0] if t[0] else 0.0,
                "strength_accuracy": t[2] / t[0] if t[0] else 0.0}

    out = summary(tally.get("all", [0, 0, 0]))
    out["misses"] = misses
    out["by_split"] = {k: summary(v) for k, v in tally.items() if k != "all"}
    return out
