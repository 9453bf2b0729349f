"""The words that name a study design, as `Cue`s: explicit words, weak cues, section headings, and
the sentences whose design words report no study (methods of a review, future research, provenance).

`RANKING` orders designs strongest first; `grade` picks the highest-ranked design a passage names.
"""

from __future__ import annotations

import re

from reviewer.grading.facts import Cue
from reviewer.models import StudyDesign
from reviewer.text import COUNT

D = StudyDesign
#: Strongest first; `answer_level` and `grade` pick the highest-ranked design.
RANKING: tuple[StudyDesign, ...] = (
    D.meta_analysis, D.systematic_review, D.rct, D.controlled_trial, D.mendelian_randomization, D.cohort,
    D.case_control, D.cross_sectional, D.case_report, D.animal, D.in_vitro, D.review, D.expert_opinion, D.unknown,
)
RANK = {d: i for i, d in enumerate(RANKING)}
_Q = COUNT
ANIMAL_GATES = ("mice", "mouse", "murine", "rat", "rats", "rodent", "animal", "transgenic", "app/ps1", "zebrafish",
                 "primates", "monkey", "preclinical", "swine", "pig", "pigs", "porcine", "dog", "dogs", "canine",
                 "sheep", "ovine", "rabbit", "rabbits", "hamster", "hamsters", "drosophila", "elegans")
#: (design, pattern, keywords, chars before, chars after) of explicit design words, in lower case (see Cue).
STRONG: list[tuple[StudyDesign, Cue]] = [(d, Cue(p, g, back, fwd)) for d, p, g, back, fwd in [
    (D.meta_analysis, r"(?:systematic reviews? and |network |umbrella )?meta-?analy(?:sis|ses|tic)"
     r"(?: of \d+ (?:[\w-]+ ){0,3}(?:trials|studies|rcts))?|umbrella review|meta-regression",
     ("meta-anal", "metaanal", "meta-regression", "umbrella review"), 30, 60),
    (D.systematic_review, r"systematic reviews?|cochrane review|scoping review|systematically (?:reviewed|searched)",
     ("systematic review", "cochrane review", "scoping review", "systematically"), 2, 20),
    (D.rct, r"(?:(?:single|double|triple)-(?:blind|masked|blinded) )?(?<!non-)(?<!non)(?<!quasi-)(?<!not )"
     r"randomi[sz]ed(?: \(\d+\s*:\s*\d+\))?(?:,? (?:controlled|clinical"
     r"|intervention|crossover|placebo-controlled|double-blind|single-blind|pilot|parallel-group))* (?:trials?"
     r"|stud(?:y|ies))|\brcts?\b|randomly (?:assigned|allocated|divided)|randomi[sz]ed (?:to|into)\b",
     ("randomi", "rct", "rcts", "randomly"), 20, 70),
    (D.controlled_trial, r"(?:non-?randomi[sz]ed|quasi-experimental|controlled|clinical|pragmatic|intervention"
     r"|exercise|pilot|open-label|single-arm|crossover|feasibility|small|large) (?:[\w-]+ )?trials?"
     r"|quasi-experimental|(?:non-?|quasi-)randomi[sz]ed (?:[\w-]+ )?(?:trials?|stud(?:y|ies)|design)",
     ("trial", "trials", "quasi-experimental", "non-randomi", "nonrandomi", "quasi-randomi"), 45, 40),
    (D.mendelian_randomization, r"mendelian randomi[sz]ation", ("mendelian",), 2, 25),
    (D.cohort, r"cohorts?|prospective (?:[\w-]+ ){0,2}(?:stud(?:y|ies)|analys[ie]s)|longitudinal (?:[\w-]+ ){0,2}"
     rf"(?:stud(?:y|ies)|data|analys[ie]s)|followed (?:up )?for {_Q} (?:years|months)",
     ("cohort", "prospective", "longitudinal", "followed"), 2, 50),
    (D.case_control, r"case-control|case control|compared with (?:age-matched )?healthy (?:individuals|controls"
     r"|subjects|people)|healthy controls", ("case-control", "case control", "healthy"), 40, 30),
    (D.cross_sectional, r"cross[- ]sectional|(?:population-based |national |health )?\bsurveys?\b",
     ("cross-sectional", "cross sectional", "survey"), 20, 20),
    (D.case_report, r"case reports?|case series|a \d+-year-old (?:man|woman|male|female|patient|boy|girl)"
     r"|\bwe (?:report|describe|present) (?:a|an|the case of an?|two|three) (?:[\w-]+ ){0,2}?(?:patients?|man|woman"
     r"|boy|girl|child|infant|cases?)\b", ("case report", "case series", "year-old", "report", "describe", "present"),
     12, 60),
    (D.animal, r"transgenic (?:[\w/-]+ )?mice|\b(?:mouse|rat|rodent) models?\b|\banimal(?: and [\w-]+)? (?:models?"
     r"|stud(?:y|ies)|experiments?|data|research)\b|\bmice\b|\bmouse\b|\bmurine\b|\brats?\b|\brodents?\b"
     r"|\banimals?\b|\btransgenic\b|app/ps1|zebrafish|\bprimates\b|\bmonkeys?\b|\b(?:miniature )?swine\b|\bpigs?\b"
     r"|\bporcine\b|\bdogs?\b|\bcanine\b|\bsheep\b|\bovine\b|\brabbits?\b|\bhamsters?\b|\bdrosophila\b"
     r"|\bc\. elegans\b"
     r"|preclinical (?:[\w-]+ )?(?:models?|stud(?:y|ies)|evidence|research|data)", ANIMAL_GATES, 30, 32),
    (D.in_vitro, r"in vitro|ex vivo|cultured (?:[\w-]+ )?(?:cells|neurons|myotubes|astrocytes)|(?:were|was) cultured"
     r"|cultured from|(?:cell|neuronal"
     r"|primary|organotypic) cultures?|cell lines?|cellular models?|tissue models?|models? of (?:[\w-]+ )?tissue"
     r"|organoids?", ("vitro", "ex vivo", "cultur", "cell line", "cellular model", "tissue", "organoid"), 35, 30),
    (D.review, r"(?:this|the present|the current|our) (?:narrative |systematic |scoping )?review|narrative review"
     r"|literature review|\bwe review\b", ("review",), 26, 8),
    (D.expert_opinion, r"expert (?:opinion|consensus|panel)|consensus statements?|position (?:stand|statement)",
     ("expert", "consensus", "position"), 2, 25),
]] + [(D.controlled_trial, Cue(r"(?:\b[Tt]he )?\b[A-Z][A-Z0-9-]{2,} trial\b", ("trial",), 24, 6, exact=True))]
#: The PRISMA guideline's name, which names meta-analyses without reporting one.
PRISMA = Cue(r"preferred reporting items for systematic reviews? and meta-?analys[ie]s", ("preferred reporting",), 2, 80)
#: "RCT" as an abbreviation of something else.
NOT_TRIAL_RCT = Cue(r"reverse cholesterol transport", ("cholesterol",), 10, 20)
IN_VIVO = Cue(r"\bin vivo\b", ("vivo",), 4, 4)

#: Weak cues: used only when no explicit design word and no section heading decides.
WEAK: list[tuple[StudyDesign, Cue]] = [(d, Cue(p, g, back, fwd)) for d, p, g, back, fwd in [
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
HEADING = [(re.compile(p, re.I), d) for p, d in [
    (r"meta-analy", D.meta_analysis), (r"randomi[sz]ed", D.rct), (r"cross-?sectional", D.cross_sectional),
    (r"longitudinal|prospective|cohort", D.cohort), (r"intervention|trials?\b", D.controlled_trial),
    (r"case-control", D.case_control), (r"animal|preclinical|rodent", D.animal), (r"in vitro|cell culture", D.in_vitro),
]]
BACK_MATTER = re.compile(r"funding|acknowledg|conflicts? of interest|competing interests|author contributions"
                          r"|data availability|abbreviations|supplementary|references|bibliography", re.I)
METHODS = Cue(r"\b(?:eligible|inclusion criteria|exclusion criteria|were (?:also )?(?:included|excluded)"
               r"|search strategy|literature search|we searched)\b",
               ("eligib", "criteria", "included", "excluded", "search"), back=20, fwd=20)
FUTURE = Cue(r"\bfuture\b(?! (?:risk|cognitive|decline|dementia))|\b(?:are|is) (?:still )?(?:needed|required|warranted)"
              r"\b|\bwould be (?:necessary|needed|required)\b|\bshould (?:prioriti[sz]e|focus|include|use|employ|examine"
              r"|investigate|address|test)\b|\bwell-powered\b",
              ("future", "needed", "required", "warranted", "necessary", "should", "well-powered"), back=20, fwd=20)
PROVENANCE = Cue(
    r"\b(?:derived|supported|relies|rely|relied|based|drawn|comes?|spans?)\s+(?:\w+\s+){0,3}?(?:preclinical|animal"
    r"|rodent|cellular|in vitro)\b|\b(?:preclinical|animal)\b[^.;]{0,50}?\b(?:primarily|largely|mainly|predominantly"
    r"|mostly)\s+(?:support|provide)|\b(?:primarily|largely|mainly|predominantly|mostly)\s+(?:provide|derived from|from"
    r"|on|by)\s+(?:\w+\s+){0,3}?(?:preclinical|animal)\b",
    ("preclinical", "animal", "rodent", "cellular", "in vitro"), back=70, fwd=70)
ATTRIBUTION = re.compile(r"[“”\"]|\b(?:said|says|explained|noted|suggested|pointed out|cautioned|added|according to"
                          r"|told|believes)\b", re.I)
STUDY_MENTION = re.compile(r"\b(?:study|studies|researchers|published in|findings)\b", re.I)
