"""Facts about the studies a passage reports, each taken verbatim from the passage.

`extract_facts` pulls the study's name ("Eckardt et al. [19]"), sample size ("494 individuals"),
population, intervention or exposure, duration, outcome, effect sizes, p-value and confidence
interval out of a passage; every string it returns occurs in the text as written.
`split_studies` cuts a paragraph that reports several studies into one segment per study, so an
evidence-summary table can have one row per study. Both are rule-based, offline and
deterministic, and feed `reviewer.grading.grade`.

Speed: grading runs on every chunk at ingest, and Python's `re` pays for every position it
tries, so patterns are not run over whole passages. A `Cue` names the keywords its pattern
cannot match without; `str.find` locates them and the pattern runs only in a window around each.
"""

from __future__ import annotations

import bisect
import re
from typing import Optional

from reviewer.models import Effect, StudyFacts
from reviewer.text import COUNT, MARKER, split_sentences


_WORD = re.compile(r"[a-z]+")


class Scan:
    """A passage prepared for `Cue`s: its lower-cased text, its words, and their 6-letter prefixes."""

    __slots__ = ("text", "low", "aligned", "words", "prefixes")

    def __init__(self, text: str):
        self.text = text
        self.low = text.lower()
        self.aligned = len(self.low) == len(text)  # lower() keeps offsets for nearly all text
        self.words = set(_WORD.findall(self.low))
        self.prefixes = {w[:6] for w in self.words}

    def has(self, key: str) -> bool:
        """Whether a gate key occurs: a word prefix (6 letters), a whole word (shorter keys) or a symbol."""
        if not key.isalpha():
            return key in self.low
        return key in self.prefixes if len(key) >= 6 else key in self.words


def _key_of(gate: str) -> str:
    """What `Scan.has` checks for a gate: its longest word (cut to 6 letters), else the gate itself."""
    tokens = _WORD.findall(gate)
    return max(tokens, key=len)[:6] if tokens else gate


class Cue:
    """A regular expression run only in windows around the keywords it needs.

    Args:
        pattern: the expression, written in lower case; it runs on the lower-cased text unless
            `exact` (then on the original text, case-sensitively).
        gates: lower-case keywords, at least one of which every match contains. A gate whose
            longest word has 6 letters or more matches any word starting with those 6 letters;
            a shorter one must be a whole word, so list its inflections ("trial", "trials").
        back, fwd: characters searched before and after each keyword.
    """

    __slots__ = ("rx", "_rx_i", "gates", "keys", "back", "fwd", "exact")

    def __init__(self, pattern: str, gates: tuple[str, ...], back: int = 80, fwd: int = 100, exact: bool = False):
        self.rx = re.compile(pattern)
        self._rx_i: Optional[re.Pattern] = self.rx if exact else None
        self.gates, self.back, self.fwd, self.exact = gates, back, fwd, exact
        self.keys = tuple(_key_of(g) for g in gates)

    @property
    def rx_i(self) -> re.Pattern:
        """The pattern ignoring case, compiled at first need (only texts whose lower case shifts offsets use it)."""
        if self._rx_i is None:
            self._rx_i = re.compile(self.rx.pattern, re.I)
        return self._rx_i

    def finditer(self, scan: Scan, start: int = 0, end: Optional[int] = None) -> list[re.Match]:
        """Matches within the scanned text[start:end], in order; positions index the original text."""
        present = [g for g, k in zip(self.gates, self.keys) if scan.has(k)]
        if not present:
            return []
        end = len(scan.text) if end is None else end
        if not scan.aligned:  # keyword offsets in the lower-cased text do not index the original: scan it all
            return list((self.rx if self.exact else self.rx_i).finditer(scan.text, start, end))
        src, rx = (scan.text, self.rx) if self.exact else (scan.low, self.rx)
        found: dict[int, re.Match] = {}
        for gate in present:
            i = scan.low.find(gate, start, end)
            while i >= 0:
                a, b = max(start, i - self.back), min(end, i + len(gate) + self.fwd)
                for m in rx.finditer(src, a, b):
                    if m.start() not in found or m.end() > found[m.start()].end():
                        found[m.start()] = m
                i = scan.low.find(gate, i + len(gate), end)
        return [found[k] for k in sorted(found)]

    def search(self, scan: Scan, start: int = 0, end: Optional[int] = None) -> Optional[re.Match]:
        """A match within the scanned text[start:end] (from the first keyword's window that has one), or None."""
        present = [g for g, k in zip(self.gates, self.keys) if scan.has(k)]
        if not present:
            return None
        end = len(scan.text) if end is None else end
        if not scan.aligned:
            return (self.rx if self.exact else self.rx_i).search(scan.text, start, end)
        src = scan.text if self.exact else scan.low
        places = []
        for gate in present:
            i = scan.low.find(gate, start, end)
            while i >= 0:
                places.append((i, len(gate)))
                i = scan.low.find(gate, i + len(gate), end)
        for i, size in sorted(places):
            m = self.rx.search(src, max(start, i - self.back), min(end, i + size + self.fwd))
            if m:
                return m
        return None


_NUMW = COUNT
_UNITS = ("week", "weeks", "month", "months", "year", "years", "day", "days")
_DURATION = Cue(rf"\b{_NUMW}[- ](?:weeks?|months?|years?|days?)\b", _UNITS, back=14, fwd=2)
_AGE_BEFORE = re.compile(r"(?:\baged?|[–-]\d*|\bover|\bolder than)\s*$", re.I)
_AGE_AFTER = re.compile(r"\s*(?:old\b|of age\b|and (?:older|above|over)\b|or older\b)", re.I)

_NOUNS = ("participants", "individuals", "patients", "subjects", "adults", "people", "persons", "men", "women",
          "volunteers", "children", "adolescents", "mice", "rats", "animals", "cases", "respondents", "residents",
          "veterans")
_SAMPLE = Cue(
    r"(?:(?:over|more than|approximately|about|nearly|a total of)\s+)?(?<![\d.,−–-])(\d{1,3}(?:,\d{3})+|\d+)"
    r"(?!\s*(?:million|billion|thousand|%|\.\d))\s+(?:[\w-]+\s+){0,3}?(?:" + "|".join(_NOUNS) + r")\b",
    _NOUNS, back=45, fwd=1,
)
_N_EQUALS = Cue(r"\bn\s*=\s*(\d[\d,]*)", ("n=", "n ="), back=2, fwd=12)
_STUDY = Cue(
    r"(?:[A-Z][\w’'-]+(?:\s+(?:and|&)\s+[A-Z][\w’'-]+)?\s+et al\.(?:’s|'s)?|[A-Z][\w’'-]+\s+and\s+colleagues"
    r"|(?:[A-Z][\w.]*\s+){0,2}[A-Z][\w-]+[’']s\s+research\s+(?:team|group))"
    r"(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\]|\s*\(\d{4}\))?",
    ("et al", "colleagues", "research team", "research group"), back=60, fwd=30, exact=True,
)
_TRIAL_NAME = Cue(r"\b[A-Z][A-Z0-9-]{2,}\s+(?:trial|study)\b", ("trial", "study"), back=24, fwd=6, exact=True)
_INTRODUCES = Cue(r"\b(?:a|an|another|one)\s+(?:[\w-]+\s+){0,4}?(?:study|trial|cohort|meta-analysis|intervention|analysis)\b",
                  ("study", "trial", "cohort", "meta-analysis", "intervention", "analysis"), back=60, fwd=14)
_CLOSER = re.compile(r"(?:Collectively|Taken together|Overall|Together|In summary|In conclusion|In sum)\b")

_QUALIFIERS = (r"(?:older|elderly|healthy|community-dwelling|frail|young|middle-aged|sedentary|postmenopausal|obese"
               r"|cognitively (?:healthy|normal|impaired))")
_HUMANS = ("adults", "individuals", "patients", "participants", "people", "women", "men", "subjects", "volunteers",
           "children", "adolescents")
_POP_HUMAN = Cue(
    rf"\b(?i:{_QUALIFIERS}\s+)*(?:(?!The\b|These\b|Those\b|In\b|All\b|Of\b|For\b|Among\b|Most\b|Many\b)[A-Z][a-z]+\s+)?"
    r"(?i:" + "|".join(_HUMANS) + r")\b(?i:\s+(?:aged|with|at|around|over|from)\s+[^,.;:()\[\]]{1,60})?",
    _HUMANS, back=45, fwd=75, exact=True,
)
_POP_ANIMAL = Cue(r"\b(?:(?:aged|transgenic|hypertensive|app/ps1|[\w-]+-induced(?:\s+[a-z]{2,})?)\s+)*"
                  r"(?:mice|mouse models?|rats?(?:\s+models?)?|rodents|rodent models)\b",
                  ("mice", "mouse", "rat", "rats", "rodent"), back=60, fwd=10)
_POP_TAIL = re.compile(r"\s(?:and|who|that|which|was|were|is|are|showed|show|demonstrated|completed|exhibited|reported"
                       r"|compared|than|in|over|after|during|for|by|as)\b.*$", re.S)
_NOT_WORD = r"(?!stud|trial|follow|that\b|demonstrat|show)"
_INTERVENTION = Cue(
    rf"\b{_NUMW}[- ](?:weeks?|months?|years?|days?)(?:\s+of)?\s+(?P<i>(?:{_NOT_WORD}[\w-]+\s+){{0,4}}?"
    r"(?:training|rt|prt|exercise|running|walking|intervention|programm?e?)(?:\s+(?:intervention|programm?e?|protocol))?)\b",
    _UNITS, back=14, fwd=80,
)
_MODIFIER = (r"(?:\w+-[\w-]+|high|low|moderate|vigorous|progressive|supervised|combined|structured|regular|unstable"
             r"|stable|multicomponent|multimodal|intensive|traditional|dynamic|eccentric|concentric|isometric)")
_INTERVENTION2 = Cue(
    rf"\b(?P<i>(?:{_MODIFIER}\s+){{0,3}}(?:resistance|strength|power|aerobic|endurance|exercise|dual-task|toe-grip"
    r"|balance)\s+(?:training|exercise|intervention|programm?e?)(?:\s+(?:intervention|programm?e?))?)\b",
    ("training", "exercise", "intervention", "program"), back=50, fwd=22,
)
_EXPOSURES = ("muscle mass", "muscle strength", "grip strength", "physical activity", "lean mass", "muscle function")
_EXPOSURE = Cue(r"\b(?:(?:low|high|higher|lower|greater|baseline|appendicular)\s+)?(?:lower limb\s+|upper limb\s+)?"
                r"(?:muscle mass|muscle strength|grip strength|physical activity(?: level)?|lean mass|muscle function)\b",
                _EXPOSURES, back=30, fwd=8)
_LEADING = re.compile(r"^(?:a|an|the|of|and|in|with)\s+", re.I)
_OUTCOME = Cue(
    r"\b(?:(?:improv\w*|increas\w*|reduc\w*|enhanc\w*|worsening|gains?|changes?)\s+(?:in|of)\s+"
    r"|(?:improved|increased|reduced|enhanced|elevated)\s+)"
    r"(?P<o>(?:[\w’'/-]+\s+){0,4}?(?:function|functions|memory|cognition|performance|speed|control|inhibition|scores?"
    r"|levels|volume|thickness|perception|attention|strength))\b",
    ("improv", "increas", "reduce", "reduct", "enhanc", "worsening", "gain", "gains", "change", "elevated"), back=2, fwd=64,
)
_EFFECT = Cue(r"(?<![\w’'])(?P<m>smd|wmd|md|or|rr|hr|es|hedges[’']\s?g|cohen[’']s\s?d|d|g|r|β|r\^?2\^?|r²)"
              r"\s*=\s*(?P<v>[−–-]?\s?\d*\.?\d+)", ("=",), back=12, fwd=10)
_EFFECT_WORDS = Cue(r"\b(?P<k>mean difference|between-group difference|effect size)\s*(?:of|was|=|:)?\s*"
                    r"(?P<v>[−–-]?\d*\.?\d+)", ("mean difference", "between-group difference", "effect size"), 2, 40)
_PERCENT = Cue(
    r"(?:\bby|\bof|accounted for|explained)\s+(?:approximately\s+|about\s+|nearly\s+)?(?P<v>\d+(?:\.\d+)?)\s?%"
    r"(?!\s*(?:ci|confidence))"
    r"|(?<![\d.])(?P<v2>\d+(?:\.\d+)?)\s?%\s+(?:improvement|increase|reduction|decrease|decline|gain)s?\b",
    ("%",), back=40, fwd=16,
)
_P_VALUE = Cue(r"(?<![\w.])p\s*(?:[<=≤>]|&lt;)\s*\d*\.?\d+(?:\s*[×x]\s*10\^?[−-]?\d+\^?)?",
               ("p <", "p =", "p<", "p=", "p ≤", "p≤", "p >", "p>", "p &lt;"), back=1, fwd=30)
_N = r"[−–-]?\d+(?:\.\d+)?"
_CI = Cue(rf"95\s?%\s*(?:ci|confidence interval)[:,]?\s*"
          rf"(?:\[\s*{_N}\s*[,;–]\s*{_N}\s*\]|\(\s*{_N}\s*(?:[,;–]|to)\s*{_N}\s*\)|{_N}\s*(?:–|—|-|to|,)\s*{_N})",
          ("95%", "95 %"), back=1, fwd=60)
_METRIC_NAMES = {"hedges": "g", "cohen": "d", "r^2^": "R²", "r^2": "R²", "r2": "R²", "r²": "R²", "β": "β"}


def _number(raw: str) -> Optional[float]:
    try:
        return float(raw.replace("−", "-").replace("–", "-").replace(" ", ""))
    except ValueError:
        return None


def _sample(scan: Scan) -> tuple[Optional[int], Optional[str]]:
    hits = _N_EQUALS.finditer(scan) + _SAMPLE.finditer(scan)
    for m in sorted(hits, key=lambda m: m.start()):
        n = int(m.group(1).replace(",", ""))
        if n > 1:
            return n, scan.text[m.start():m.end()]
    return None, None


def sample_size(text: str) -> tuple[Optional[int], Optional[str]]:
    """The first reported number of participants (or animals) and the words that report it."""
    return _sample(Scan(text))


def _duration(scan: Scan) -> Optional[str]:
    text = scan.text
    for m in _DURATION.finditer(scan):
        if _AGE_BEFORE.search(text, max(0, m.start() - 12), m.start()) or _AGE_AFTER.match(text, m.end()):
            continue
        return text[m.start():m.end()]
    return None


def _population(scan: Scan) -> Optional[str]:
    first = None
    for m in _POP_HUMAN.finditer(scan):
        phrase = _POP_TAIL.sub("", scan.text[m.start():m.end()]).strip()
        if first is None:
            first = phrase
        if " " in phrase:  # a qualified population ("older adults", "patients with MCI") beats a bare noun
            return phrase
    if first is not None:
        return first
    m = _POP_ANIMAL.search(scan)
    return scan.text[m.start():m.end()] if m else None


def _intervention(scan: Scan) -> Optional[str]:
    for cue in (_INTERVENTION, _INTERVENTION2):
        m = cue.search(scan)
        if m:
            return _LEADING.sub("", scan.text[m.start("i"):m.end("i")].strip())
    m = _EXPOSURE.search(scan)
    return scan.text[m.start():m.end()] if m else None


def _effects(scan: Scan) -> list[Effect]:
    text = scan.text
    effects: list[Effect] = []
    for m in _EFFECT.finditer(scan):
        value = _number(m.group("v"))
        raw = text[m.start("m"):m.end("m")]
        key = raw.lower().split("’")[0].split("'")[0]
        if value is not None:
            effects.append(Effect(value=value, metric=_METRIC_NAMES.get(key, raw if raw.isupper() else raw.lower()),
                                  text=text[m.start():m.end()]))
    for m in _EFFECT_WORDS.finditer(scan):
        value = _number(m.group("v"))
        if value is not None:
            metric = "ES" if m.group("k").lower() == "effect size" else "MD"
            effects.append(Effect(value=value, metric=metric, text=text[m.start():m.end()]))
    for m in _PERCENT.finditer(scan):
        value = _number(m.group("v") or m.group("v2"))
        if value is not None:
            effects.append(Effect(value=value, metric="%", text=text[m.start():m.end()]))
    return effects


def _study_name(scan: Scan) -> Optional[str]:
    m = _STUDY.search(scan) or _TRIAL_NAME.search(scan)
    return scan.text[m.start():m.end()].strip() if m else None


def facts_of(scan: Scan) -> tuple[StudyFacts, Optional[str]]:
    """`extract_facts` of a scanned passage, plus the words reporting its sample size."""
    text = scan.text
    n, n_text = _sample(scan)
    p, ci, outcome = _P_VALUE.search(scan), _CI.search(scan), _OUTCOME.search(scan)
    facts = StudyFacts(
        study=_study_name(scan),
        sample_size=n,
        population=_population(scan),
        intervention=_intervention(scan),
        duration=_duration(scan),
        outcome=text[outcome.start("o"):outcome.end("o")] if outcome else None,
        effects=_effects(scan),
        p_value=text[p.start():p.end()] if p else None,
        ci=text[ci.start():ci.end()] if ci else None,
    )
    return facts, n_text


def extract_facts(text: str) -> StudyFacts:
    """Facts about the (first) study a passage reports, each a verbatim piece of the passage.

    Args:
        text: a passage, ideally one study's sentences (see `split_studies`).

    Returns:
        StudyFacts whose strings all occur in `text`; fields the passage does not report are None.

    Example:
        >>> extract_facts("Zhao et al. [43] enrolled 103 older adults (r = −0.41, p = 0.02).").sample_size
        103
    """
    return facts_of(Scan(text))[0]


def segment_spans(scan: Scan, spans: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Group sentence spans into (study name, start, end) segments; "" names lead-in or concluding text."""
    text = scan.text
    starts = [s for s, _ in spans]
    names: dict[int, str] = {}
    for cue in (_STUDY, _TRIAL_NAME):  # an author name beats a trial name in the same sentence
        for m in cue.finditer(scan):
            names.setdefault(sentence_of(starts, m.start()), text[m.start():m.end()].strip())
    for m in _INTRODUCES.finditer(scan):
        i = sentence_of(starts, m.start())
        cite = MARKER.search(text, *spans[i])
        if i not in names and cite:
            names[i] = cite.group(0)
    segments: list[tuple[str, int, int]] = []
    name, start, end = "", None, None
    for i, (s, e) in enumerate(spans):
        closer = _CLOSER.match(text, s) is not None
        found = None if closer else names.get(i)
        if start is not None and ((closer and name) or (found and _key(found) != _key(name))):
            segments.append((name, start, end))
            start = None
        if start is None:
            name, start = ("" if closer else (found or "")), s
        end = e
    if start is not None:
        segments.append((name, start, end))
    return segments


def _key(name: str) -> str:
    return re.sub(r"[’']s\b", "", name).split("[")[0].strip().lower()


def split_studies(text: str) -> list[tuple[str, str]]:
    """Split a passage into one (study name, its sentences) segment per reported study.

    A sentence naming a new study ("Coetsee et al. [20] ...", "the SMART trial", "A cohort study
    ... [41]") opens a segment; following sentences stay with it. Lead-in sentences before the
    first study and concluding ones ("Collectively, ...") get the name "". Each segment's text is
    a verbatim slice of `text`, so it can be graded with `grade` and `extract_facts`.

    Example:
        >>> [name for name, _ in split_studies("Eckardt et al. [19] found gains. Coetsee et al. [20] saw more.")]
        ['Eckardt et al. [19]', 'Coetsee et al. [20]']
    """
    return [(name, text[s:e]) for name, s, e in segment_spans(Scan(text), split_sentences(text))]


def sentence_of(starts: list[int], pos: int) -> int:
    """Index of the sentence (by sorted starts) that holds character `pos`."""
    return max(0, bisect.bisect_right(starts, pos) - 1)
