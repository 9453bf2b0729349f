"""The papers' terms for everyday words: what a researcher types ("weightlifting", "leg strength", "RCTs") as
papers write it ("resistance training", "lower limb strength", "randomized controlled trials"), for searching and
for matching question words to passage words. A fixed list of the field's own vocabulary, not answers.
"""

from __future__ import annotations

import re

#: The field's acronym for the design papers write out: "RCTs" are "randomized controlled trials".
_RCT = re.compile(r"\bRCT(s?)\b")
#: What muscle releases, in everyday words, as papers name it: "muscle-derived factors", "muscle-secreted molecules",
#: "muscle signalling messengers" are myokines ("muscle-derived proteins" stays: papers count them so).
_MYOKINES = re.compile(r"\bmuscle[- ](?:(?:derived|secreted|released|made|produced|signall?ing)[\s-]+){0,2}"
                       r"(?:factors|molecules|messengers|substances|chemicals)\b", re.IGNORECASE)
#: Asking what is not known ("what can't the research tell us yet", "knowledge gaps") asks for the limitations.
_UNKNOWN = re.compile(r"\b(?:can't|cannot|can not|doesn't|does not|don't|do not)\s+(?:[\w-]+\s+){0,3}?(?:tell us|tell)\b"
                      r"(?:\s+yet)?|\b(?:is|are) not (?:yet )?known\b|\bstill unknown\b|\bknowledge gaps?\b|"
                      r"\bgaps in (?:the )?(?:evidence|knowledge|research|literature)\b", re.IGNORECASE)
#: What about a person changes an effect ("individual-level characteristics", "person-level traits"): personal factors.
_PERSONAL = re.compile(r"\b(?:individual|person|personal|participant)(?:[- ]level)? (?:characteristics|traits|factors|"
                       r"variables|attributes)\b", re.IGNORECASE)
#: Everyday words for what papers name in their own terms ("leg strength" is "lower limb strength").
_PLAIN_WORDS = {
    # training
    "weightlifting": "resistance training", "weight lifting": "resistance training",
    "lifting weights": "resistance training", "lifting": "resistance training",
    "weight training": "resistance training", "endurance training": "aerobic exercise",
    "endurance exercise": "aerobic exercise", "head-to-head": "compared", "wobbly": "unstable",
    # single workout vs regular training
    "workout": "exercise", "workouts": "exercise", "single workout": "acute exercise",
    "one workout": "acute exercise", "one single workout": "acute exercise",
    "single exercise session": "acute exercise", "one single session": "acute exercise",
    "single session": "acute exercise", "single bout": "acute bout", "regular training": "chronic training",
    "months of regular training": "chronic exercise", "months of training": "chronic exercise",
    "months of regular exercise": "chronic exercise", "long-term training": "chronic exercise",
    "regular exercise": "chronic exercise", "staying active": "physical activity",
    "being active": "physical activity", "keeping active": "physical activity",
    "being physically active": "physical activity", "staying physically active": "physical activity",
    # body and brain
    "leg": "lower limb", "legs": "lower limbs", "handshake": "grip strength", "handgrip": "grip",
    "hand strength": "grip strength", "hands weaker": "grip strength weaker", "weaker hands": "weaker grip strength",
    "hand weakness": "grip weakness", "brain plasticity": "neuroplasticity", "neural plasticity": "neuroplasticity",
    "spinal fluid": "cerebrospinal fluid", "bloodstream": "blood", "other organs": "systemic",
    "made by muscle": "muscle-derived", "produced by muscle": "muscle-derived",
    "released by muscle": "muscle-derived", "secreted by muscle": "muscle-derived", "biomarker": "marker",
    "biomarkers": "markers", "time of day": "circadian", "time-of-day": "circadian",
    # cognition
    "thinking skills": "cognitive function", "thinking": "cognitive", "memory problems": "cognitive impairment",
    "thinking problems": "cognitive impairment", "slipping": "declining", "slips": "declines",
    "hold back": "inhibit", "holding back": "inhibiting",
    # people
    "volunteers": "participants", "volunteer": "participant", "male": "men", "males": "men", "female": "women",
    "females": "women", "seniors": "older adults", "senior citizens": "older adults",
    # evidence and time
    "weaknesses": "limitations", "shortcomings": "limitations", "routes": "pathways", "payoffs": "benefits",
    "payoff": "benefit", "pay-offs": "benefits", "usually": "typically", "go both ways": "bidirectional",
    "goes both ways": "bidirectional", "work both ways": "bidirectional", "run both ways": "bidirectional",
    "runs both ways": "bidirectional", "both directions": "bidirectional", "prescribing": "prescription",
    "prescribe": "prescription", "how long it takes": "duration needed", "how long it will take": "duration needed",
    "how long it took": "duration needed", "time frame": "period", "timeframe": "period", "time scale": "period",
    "timescale": "period"
}
_PLAIN = re.compile(r"\b(" + "|".join(sorted(_PLAIN_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def papers_terms(text: str) -> str:
    """A text with everyday words and the design acronym written as papers write them, for searching and matching
    ("weightlifting" → "resistance training", "leg" → "lower limb", "RCTs" → "randomized controlled trials")."""
    text = _MYOKINES.sub("myokines", _RCT.sub(r"randomized controlled trial\1", text))
    text = _PERSONAL.sub("personal factors", _UNKNOWN.sub("limitations", text))
    return _PLAIN.sub(lambda m: _PLAIN_WORDS[m.group(1).lower()], text)
