"""A document's own evidence tag: its study design from its title, abstract and methods, rules plus a model.

What is read: the title; the abstract (a section headed "Abstract" or "Summary"; otherwise the
first page of a PDF, or the opening of any other text; for a JSONL export, the record's abstract);
and the methods sections, if any.

How the design is decided:
  1. Explicit words in the title ("... : a randomized controlled trial", "A case of ...",
     "... in mice", "... : a systematic review") decide, being precise.
  2. Otherwise the learned model (`reviewer.grading.model`) names the kind of study: systematic
     review, narrative review, randomised trial, non-randomised human study, case report, animal
     or in vitro. When it is unsure (probability under `CONFIDENT`) a self-description of the
     abstract ("we report a patient", "were randomly assigned", "we systematically reviewed")
     decides instead.
  3. The kind is refined by explicit words: a systematic review that pools results is a
     meta-analysis (the PRISMA name alone is not); a non-randomised human study is Mendelian
     randomization, case-control, cross-sectional, cohort or a controlled trial by its own words
     (an intervention without such words is a controlled trial, an observation a cohort); a
     "non-randomised" study is not an RCT; culture work on animal cells is in vitro.

`reasons` are phrases of the title or abstract: the explicit words, or the phrases that weigh
most in the model. A document with no abstract or methods text is `unknown` and not graded, with a
reason that says so; so is a news article (it reports others' studies, which its passages name).
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.grading.strength import document_strength
from reviewer.models import BlockKind, DocType, Document, EvidenceBasis, EvidenceTag, Strength, StudyDesign
from reviewer.text import is_methods_section

D = StudyDesign
CONFIDENT = 0.55
NO_TEXT = "no abstract or methods text to grade"
NEWS = "a news article: it reports other people's studies, graded passage by passage"
_MIN_WORDS = 12
_ABSTRACT_CHARS = 4000
_METHODS_CHARS = 4000
_ABSTRACT_HEADING = re.compile(r"^\s*(?:abstract|summary)\b", re.I)

_NON_RANDOM = r"(?<![\w-])(?:non|quasi|not)[- ]?randomi[sz]ed"
_PRISMA = re.compile(r"preferred reporting items for systematic reviews? and meta-?analys[ie]s", re.I)
_RCT_WORD = re.compile(r"\bRCTs?\b")
_CHOLESTEROL = re.compile(r"reverse cholesterol transport", re.I)
#: Title words, most specific first: (design, pattern).
_TITLE = [(d, re.compile(p, re.I)) for d, p in [
    (D.meta_analysis, r"meta-?analy[sz]|pooled analysis of (?:\w+ )?(?:randomi|trials|studies)"),
    (D.systematic_review, r"systematic(?:ally)? review|scoping review|umbrella review|cochrane review"),
    (D.case_report, r"\bcase reports?\b|\ba case of\b|\bcase series\b|:\s*(?:a )?case\b|\breport of (?:a|an|two|three) "
                    r"(?:\w+ )?cases?\b|\bin a (?:\d+-year-old )?(?:patient|man|woman|boy|girl|child)\b"),
    (D.rct, r"(?<![\w-])randomi[sz]ed\b[^.:;]{0,60}\b(?:trial|study)\b|\bRCT\b"),
    (D.mendelian_randomization, r"mendelian randomi[sz]ation"),
    (D.case_control, r"case[- ]control"),
    (D.cross_sectional, r"cross[- ]sectional|\bsurvey\b"),
    (D.cohort, r"\bcohort\b|prospective (?:\w+ )?study|longitudinal (?:\w+ )?study|retrospective (?:\w+ )?(?:study|analysis)"
               r"|\bregistry\b|follow-up study"),
    (D.controlled_trial, r"nonrandomized|open-label|single-arm|\bpilot (?:study|trial)\b|\bclinical trial\b"),
    (D.in_vitro, r"\bin vitro\b|\bcultured\b|\bcell lines?\b|\b(?:primary|cell|neuronal|slice) cultures?\b"),
    (D.animal, r"\b(?:mice|mouse|murine|rats?|rodents?|zebrafish|primates?|monkeys?|macaques?|dogs?|pigs?|piglets?"
               r"|sheep|rabbits?|drosophila|animal models?)\b"),
    (D.review, r"\breview\b|\boverview\b|\bperspective\b|\bcommentary\b|\beditorial\b|\ban update\b"),
]]
#: Self-descriptions in the abstract, used when the model is unsure.
_ABSTRACT = [(d, re.compile(p, re.I)) for d, p in [
    (D.systematic_review, r"\bsystematic(?:ally)? (?:review|search)\w*|\bsystematically (?:reviewed|searched)"
                          r"|\bwe searched (?:the )?(?:pubmed|medline|embase|web of science|cochrane|\w+ databases)"),
    (D.case_report, r"\bwe (?:report|describe|present) (?:a|an|the case of|two|three)\b[^.]{0,40}"
                    r"|\ba \d+-year-old (?:\w+ )?(?:man|woman|male|female|patient|boy|girl|child) (?:presented|was|with"
                    r"|who|had|developed)\b"),
    (D.rct, r"(?<![\w-])randomi[sz]ed\W+(?:\(\d+:\d+\)\W+)?(?:[\w-]+,?\s+){0,4}?"
            r"(?:trial|study)\b|\brandomly (?:assigned|allocated)\b|\bwere randomi[sz]ed\b"),
]]
_META = re.compile(r"meta-?analy[sz]\w*|\bpooled (?:estimates?|effects?|analys[ie]s|odds|risk|mean|prevalence)\b"
                   r"|\brandom-effects? model", re.I)
_NO_META = re.compile(r"\b(?:no|without|not possible to perform a|precluded) (?:a |formal )?meta-?analy|meta-?analy\w* "
                      r"(?:was|were|could) not\b", re.I)
_SELF_SYSTEMATIC = re.compile(r"\b(?:we|authors) systematically (?:reviewed|searched)\b|\bsystematically reviewed\b"
                              r"|\b(?:this|our|the present|the current) systematic review\b|\bsystematic (?:literature )?search"
                              r"|\bwe searched (?:the )?(?:pubmed|medline|embase|web of science|cochrane)", re.I)
_REFINE_HUMAN = [(d, re.compile(p, re.I)) for d, p in [
    (D.mendelian_randomization, r"mendelian randomi[sz]ation"),
    (D.case_control, r"case[- ]control"),
    (D.cross_sectional, r"cross[- ]sectional|\bsurvey(?:ed|s)?\b|\bprevalence\b|\bquestionnaires?\b"),
    (D.cohort, r"\bcohorts?\b|prospective(?:ly)?|longitudinal|retrospective(?:ly)?|\bregistry\b|followed (?:up )?for"
               r"|follow-up|\bobservational\b|medical records|\bcharts?\b"),
    (D.case_report, r"\bcase series\b|\bwe (?:report|describe|present) (?:a|an|two|three)\b"),
]]
_INTERVENTION = re.compile(r"\b(?:treated|treatment with|received|receiving|administered|intervention|therapy|trial"
                           r"|open-label|single-arm|pilot|before and after|pre-? and post|sessions|program(?:me)?)\b",
                           re.I)
_CULTURE = re.compile(r"\bin vitro\b|\bcultured\b|\b(?:primary|cell|neuronal|slice|organotypic) cultures?\b"
                      r"|\bcell lines?\b", re.I)
_IN_VIVO = re.compile(r"\bin vivo\b|\b(?:mice|rats|animals) (?:were|received|treated)\b|\bbehavio\w+|\binjected\b"
                      r"|\badministration\b|\bknockout mice\b", re.I)
_HUMAN_CLASSES = {D.controlled_trial}


def document_text(doc: Document) -> tuple[str, str]:
    """(abstract, methods) of a document, as described in the module docstring."""
    blocks = [b for b in doc.blocks if b.text.strip() and b.kind is not BlockKind.caption]
    marked = [b.text for b in blocks if b.section and _ABSTRACT_HEADING.match(b.section)]
    if marked:
        abstract = "\n".join(marked)
    elif any(b.page for b in blocks):
        abstract = "\n".join(b.text for b in blocks if b.page == min(x.page for x in blocks if x.page))
    else:
        abstract = ""
        for b in blocks:
            if len(abstract) >= _ABSTRACT_CHARS:
                break
            abstract += ("\n" if abstract else "") + b.text
    methods = "\n".join(b.text for b in blocks if b.section and is_methods_section(b.section))
    return abstract[:_ABSTRACT_CHARS], methods[:_METHODS_CHARS]


def grade_document(doc: Document, model=None) -> EvidenceTag:
    """The study design and strength of a whole document, with the phrases that decided them.

    Args:
        doc: a loaded document.
        model: a `DesignModel` (default: the shipped one; the rules decide alone without it).

    Returns:
        An EvidenceTag with `basis` "document"; `unknown` and not graded when the document has no
        abstract or methods text.

    Example:
        >>> from reviewer.models import Block
        >>> doc = Document(doc_id="d", source="x.jsonl", content_hash="h", title="Aspirin after stroke:"
        ...     " a randomized controlled trial", blocks=[Block(text="We enrolled 400 adults ... placebo.")])
        >>> grade_document(doc).design.value
        'rct'
    """
    from reviewer.grading.model import load_model

    if doc.doc_type is DocType.news:  # reports others' studies; its passages are graded one by one
        return EvidenceTag(design=D.unknown, strength=Strength.not_graded, reasons=[NEWS],
                           basis=EvidenceBasis.document)
    abstract, methods = document_text(doc)
    body = f"{abstract}\n{methods}".strip()
    return design_of_abstract(doc.title or "", body, model if model is not None else load_model())


def design_of_abstract(title: str, text: str, model=None, use_rules: bool = True) -> EvidenceTag:
    """The design of a study from its title and abstract (and methods): rules first, then the model."""
    if len(re.findall(r"\w+", f"{title} {text}")) < _MIN_WORDS or len(re.findall(r"\w+", text)) < 3:
        return EvidenceTag(design=D.unknown, strength=Strength.not_graded, reasons=[NO_TEXT],
                           basis=EvidenceBasis.document)
    design, reasons = None, []
    if use_rules:
        design, reasons = _explicit(title, _TITLE)
    if design is None and model is not None:
        pred = model.predict(title, text)
        if pred.probability >= CONFIDENT or not use_rules:
            design, reasons = D(pred.label), pred.phrases
        elif use_rules:
            design, reasons = _explicit(text, _ABSTRACT)
        if design is None:
            design, reasons = D(pred.label), pred.phrases
    elif design is None:
        design, reasons = _explicit(text, _ABSTRACT)
    if design is None:
        return EvidenceTag(design=D.unknown, strength=Strength.not_graded, basis=EvidenceBasis.document,
                           reasons=["no words of the title or abstract name a study design"])
    if use_rules:
        design, reasons = _refine(design, reasons, title, text)
    strength = document_strength(design, f"{title}\n{text}", reasons)
    return EvidenceTag(design=design, strength=strength, reasons=reasons[:6], basis=EvidenceBasis.document)


def _explicit(text: str, rules) -> tuple[Optional[StudyDesign], list[str]]:
    """The first design whose words occur in the text, with those words."""
    clean = re.sub(_NON_RANDOM, "nonrandomized", _PRISMA.sub(" ", text), flags=re.I)
    for design, rx in rules:
        m = rx.search(clean)
        if m is None:
            continue
        if design is D.rct and m.group(0).upper().startswith("RCT") and _CHOLESTEROL.search(text):
            continue
        phrase = m.group(0).strip()
        return design, [_as_written(phrase, text)]
    return None, []


def _as_written(phrase: str, text: str) -> str:
    """A matched phrase as the original text writes it (before non-randomised wording was folded)."""
    if phrase in text:
        return phrase
    m = re.search(_NON_RANDOM, text, re.I)
    return m.group(0) if m else phrase


def _refine(design: StudyDesign, reasons: list[str], title: str, text: str) -> tuple[StudyDesign, list[str]]:
    """Split the model's broad kinds by explicit words (see module docstring)."""
    both = _PRISMA.sub(" ", f"{title}\n{text}")
    if design is D.review:
        m = _SELF_SYSTEMATIC.search(both)
        if m:
            design, reasons = D.systematic_review, [m.group(0)] + reasons
    if design is D.systematic_review:
        m = _META.search(both)
        if m and not _NO_META.search(both):
            return D.meta_analysis, [m.group(0)] + reasons
    if design is D.rct and re.search(_NON_RANDOM, both, re.I):
        positive = re.sub(_NON_RANDOM, " ", both, flags=re.I)
        if not re.search(r"randomi[sz]ed|randomly (?:assigned|allocated)", positive, re.I) and not (
                _RCT_WORD.search(positive) and not _CHOLESTEROL.search(both)):
            return D.controlled_trial, [re.search(_NON_RANDOM, both, re.I).group(0)] + reasons
    if design is D.rct and _RCT_WORD.search(both) and _CHOLESTEROL.search(both) and not re.search(
            r"randomi[sz]|randomly", both, re.I):
        return D.controlled_trial, reasons
    if design is D.animal:
        m = _CULTURE.search(both)
        if m and not _IN_VIVO.search(both):
            return D.in_vitro, [m.group(0)] + reasons
    if design in _HUMAN_CLASSES:
        randomised, words = _explicit(text, _ABSTRACT[2:])
        if randomised is D.rct:
            return D.rct, words + reasons
        return _refine_human(reasons, both)
    return design, reasons


def _refine_human(reasons: list[str], text: str) -> tuple[StudyDesign, list[str]]:
    """A non-randomised human study: which kind, by its own words."""
    for design, rx in _REFINE_HUMAN:
        m = rx.search(text)
        if m:
            return design, [m.group(0)] + reasons
    m = _INTERVENTION.search(text)
    if m:
        return D.controlled_trial, [m.group(0)] + reasons
    return D.cohort, reasons
