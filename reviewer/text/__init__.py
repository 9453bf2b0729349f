"""Text helpers every stage shares: sentences, tokens, stems, stopwords, numbers, [n] markers, and
text that addresses a language model (marked as suspect at ingest, flagged in answers).

One copy of each, so "a sentence", "a content word" or "a citation marker" means the same thing
to the chunker, the grader, the answerer, the citation check and the summary. Nothing here
imports another part of reviewer; the everyday words read as the papers' terms are `reviewer.text.terms`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterator

from reviewer.text.terms import papers_terms

# ---------------------------------------------------------------- sentences

#: Abbreviations after which a period does not end a sentence.
ABBREVIATIONS = frozenset({
    "al", "e.g", "i.e", "etc", "fig", "figs", "eq", "eqs", "ref", "refs", "vs", "dr", "prof", "mr", "mrs", "ms",
    "no", "vol", "approx", "ca", "cf", "resp", "st", "jr", "sr", "inc", "ltd", "co", "dept", "univ", "sec", "tab",
    "suppl", "p", "pp", "min", "max", "mg", "kg", "ml",
})
_BOUNDARY = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)[\"'”’)\]]*$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) spans of a text, trimmed of surrounding whitespace.

    A period after an abbreviation ("et al.", "vs.", "Fig.") or an initial ("J. Smith") does
    not end a sentence; closing quotes and brackets stay with the sentence they close.

    Example:
        >>> text = "Smith et al. found gains. Others did not."
        >>> [text[s:e] for s, e in split_sentences(text)]
        ['Smith et al. found gains.', 'Others did not.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start() + len(match.group(1))
        before = text[start:end].rstrip()
        word = _LAST_WORD.search(text, max(start, end - 24), end)  # a window: whole-text search is quadratic
        token = word.group(1).rstrip(".") if word else ""
        if token.lower() in ABBREVIATIONS or (len(token) == 1 and token.isupper()):
            continue
        if before:
            spans.append((start, start + len(before)))
        start = match.end()
    tail = text[start:].rstrip()
    if tail.strip():
        spans.append((start, start + len(tail)))
    return [(s + (len(text[s:e]) - len(text[s:e].lstrip())), e) for s, e in spans if text[s:e].strip()]


def sentences(text: str) -> list[str]:
    """The sentences of a text, as strings."""
    return [text[s:e] for s, e in split_sentences(text)]


#: A list item's bullet or number at the start of a line.
BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
#: Markdown lines that are not prose: headings, table rows, images, HTML.
NOT_PROSE_LINE = re.compile(r"^\s*(?:#|\||!\[|<)")


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space."""
    return " ".join(text.split())


def snippet(text: str, n: int = 160) -> str:
    """The first `n` characters of a text on one line, with an ellipsis when cut."""
    flat = normalize_space(text)
    return flat if len(flat) <= n else flat[: n - 1].rsplit(" ", 1)[0] + "…"


# ---------------------------------------------------------------- words

STOPWORDS = frozenset(
    """a about above after again against all almost along already also although always am among an and another any
    anyone anything are around as at be became because become been before being below between both but by can cannot
    could did do does doing done down during each either else enough especially even ever every few for from further
    had has have having he her here hers herself him himself his how however i if in into is it its itself just least
    less many may me might more most much must my myself neither no nor not now of off often on once one only onto or
    other others otherwise our ours ourselves out over own per perhaps quite rather really same several shall she should
    since so some such than that the their theirs them themselves then there therefore these they this those though
    through thus to too toward towards under until up upon us very via was we well were what whatever when whenever
    where whereas whether which while who whom whose why will with within without would yet you your yours yourself
    tell know give show describe explain list name say said according paper article passage passages document
    documents question answer""".split()
)

_TOKEN = re.compile(r"[^\W\d_]+-\d+|\d+(?:\.\d+)?|[^\W\d_]+")
_NUMERIC = re.compile(r"\d+(?:\.\d+)?")

#: Number words as a regex alternation (no group), for patterns such as "twelve weeks".
NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|sixteen|eighteen"
                "|twenty(?:-four)?")
#: A count written in digits or words.
COUNT = rf"(?:\d+(?:\.\d+)?|{NUMBER_WORDS})"


def strip_accents(text: str) -> str:
    """The text with combining accents removed ("naïve" -> "naive")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens; 'IL-6' stays one token, other hyphenated words split."""
    return _TOKEN.findall(strip_accents(text).lower())


def _light_stem(word: str) -> str:
    """Strip common English inflections (used only when PyStemmer is absent)."""
    for suffix in ("ations", "ation", "ities", "ity", "ings", "ing", "ies", "ied", "ness", "ment", "ers", "er", "ed",
                   "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


@lru_cache(maxsize=1)
def stemmer() -> Callable[[str], str]:
    """The Snowball English stemmer (PyStemmer), or a light suffix stripper when it is not installed."""
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:
        return _light_stem


#: Plurals the stemmer does not join to their singular ("mice" and "mouse").
_IRREGULAR = {"mice": "mouse", "women": "woman", "men": "man", "children": "child", "feet": "foot", "teeth": "tooth"}


def stem(word: str) -> str:
    """The stem of one lower-cased token (numbers and 'il-6'-like tokens are kept as they are)."""
    if not word.isalpha():
        return word
    return stemmer()(_IRREGULAR.get(word, word))


def content_stems(text: str) -> list[str]:
    """Stems of the content words of a text, in order: stopwords and one-letter words dropped."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def numbers(text: str) -> set[str]:
    """Numbers written in a text, markers left out ('2.0' and '2' differ on purpose: precision is part of a claim)."""
    return set(_NUMERIC.findall(strip_markers(text)))


_GREEK = dict(zip("αβγδεκλμστωΔ∆", ["alpha", "beta", "gamma", "delta", "epsilon", "kappa", "lambda", "mu", "sigma",
                                     "tau", "omega", "delta", "delta"]))
_DIGIT_WORDS = dict(zip("one two three four five six seven eight nine ten eleven twelve".split(), range(1, 13)))
#: "one" as a pronoun ("which one", "one of them", "the one with ...") is no number.
_PRONOUN_ONE = "".join(f"(?<!{w} )" for w in """which each any every no the this that another either neither a biggest
    largest smallest best first last other same only second latest newest""".split())
_DIGIT_WORD = re.compile(r"\b(" + "|".join(w if w != "one" else _PRONOUN_ONE + r"one(?!\s+(?:of|another|or|and|single)\b)"
                                            for w in _DIGIT_WORDS) + r")\b", re.IGNORECASE)
_DEGREES = re.compile(r"\s*(?:°|º|℃|degrees?)\s*(?:C\b|celsius\b|centigrade\b)", re.IGNORECASE)
_RANGE = re.compile(r"(?<=\d)\s*[–—-]\s*(?=\d)")


# British spellings as American ones: "prioritise" -> "prioritize", "programme" -> "program".
_BRITISH = re.compile(r"\b([a-z]{3,}i|analy)s(e|ed|es|ing|ation|ations)\b", re.IGNORECASE)
#: Words in -ise that American English spells the same way.
_SAME_ISE = frozenset("""exercise premise otherwise precise promise concise advise revise comprise compromise enterprise
    surprise expertise supervise televise devise improvise franchise merchandise chastise disguise excise incise
    circumcise apprise despise demise raise praise noise poise arise wise likewise clockwise paradise treatise""".split())
_PROGRAMME = re.compile(r"\bprogramme(?=s?\b)", re.IGNORECASE)


#: Comparatives and superlatives as their base word: "the largest trial" matches "large trials".
_DEGREE_WORDS = {f"{base}{end}": base for base in ("large", "great", "high", "low", "small", "long", "short", "strong",
                                                    "weak", "wide", "fast", "slow", "old", "young")
                 for end in (("r", "st") if base.endswith("e") else ("er", "est"))}
_DEGREE_WORDS.update({"bigger": "big", "biggest": "big"})
_DEGREE_WORD = re.compile(r"\b(" + "|".join(_DEGREE_WORDS) + r")\b", re.IGNORECASE)


def _americanize(match: re.Match) -> str:
    stem_ = match.group(1)
    return match.group(0) if f"{stem_.lower()}se" in _SAME_ISE else f"{stem_}z{match.group(2)}"


def spell_out(text: str) -> str:
    """A text with symbols written as the words a question would use, for matching only (never for quoting).

    "37 °C" and "37 degrees Celsius" read alike, as do "TNF-α" and "TNF-alpha", "2–3" and
    "two to three" (small number words become digits), "prioritise" and "prioritize", "largest"
    and "large".

    Example:
        >>> spell_out("2–3 sessions at 37 °C raise TNF-α")
        '2 to 3 sessions at 37 degrees celsius raise TNF-alpha'
    """
    text = _DEGREES.sub(" degrees celsius", text)
    text = "".join(_GREEK.get(c, c) for c in text)
    text = _RANGE.sub(" to ", text)
    text = _BRITISH.sub(_americanize, _PROGRAMME.sub("program", papers_terms(text)))
    text = _DIGIT_WORD.sub(lambda m: str(_DIGIT_WORDS[m.group(1).lower()]), text)  # before "biggest one" is "big one"
    return _DEGREE_WORD.sub(lambda m: _DEGREE_WORDS[m.group(1).lower()], text)

# ---------------------------------------------------------------- [n] markers

#: Widest range a marker like [2–9] may expand to; wider ones are typos, not citations.
MAX_RANGE = 20
_NUMBER_LIST = r"\d+(?:\s*(?:,|;|–|—|-|\band\b)\s*\d+)*"
#: One bracketed marker: "[3]", "[2, 4–6]", "[passage 2]"; group 1 holds the numbers.
MARKER = re.compile(r"\[\s*(?:passages?\s*)?(" + _NUMBER_LIST + r")\s*\]", re.IGNORECASE)
_MARKER_WITH_SPACE = re.compile(r"\s*\[\s*(?:passages?\s*)?(?:" + _NUMBER_LIST + r")\s*\]", re.IGNORECASE)
#: Markers at the start of a text (one or several in a row).
LEADING_MARKERS = re.compile(r"^(?:\[\s*(?:passages?\s*)?" + _NUMBER_LIST + r"\s*\]\s*)+", re.IGNORECASE)


def parse_marker(inner: str) -> list[int]:
    """Expand the inside of one marker ('2, 4–6') to numbers [2, 4, 5, 6], without repeats."""
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|\band\b)\s*", inner):
        bounds = re.split(r"\s*[–—-]\s*", part.strip())
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            if lo <= hi and hi - lo < MAX_RANGE:
                out.extend(range(lo, hi + 1))
            else:
                out.extend([lo, hi])
        elif part.strip().isdigit():
            out.append(int(part))
    seen: set[int] = set()
    return [n for n in out if not (n in seen or seen.add(n))]


def markers(text: str) -> Iterator[tuple[re.Match, list[int]]]:
    """Each marker of a text with the numbers it names."""
    for match in MARKER.finditer(text):
        yield match, parse_marker(match.group(1))


def find_citations(text: str) -> list[int]:
    """All numbers cited by markers in a text, in order of first appearance."""
    out: list[int] = []
    for _, cited in markers(text):
        out.extend(n for n in cited if n not in out)
    return out


def strip_markers(text: str) -> str:
    """The text without its bracketed numeric markers (ours, or a paper's own reference numbers)."""
    return _MARKER_WITH_SPACE.sub("", text).strip()


def rewrite_markers(text: str, fix: Callable[[list[int]], str | None]) -> str:
    """Replace each marker by `fix(numbers)`; a marker for which `fix` returns None stays as it is."""

    def sub(match: re.Match) -> str:
        new = fix(parse_marker(match.group(1)))
        return match.group(0) if new is None else new

    return MARKER.sub(sub, text)


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Rewrite [n] markers with new numbers; markers naming an unknown number are left as they are."""

    def fix(cited: list[int]) -> str | None:
        if not cited or any(n not in mapping for n in cited):
            return None
        return "[" + ", ".join(str(mapping[n]) for n in cited) + "]"

    return rewrite_markers(text, fix)


# ---------------------------------------------------------------- sections

_METHODS_SECTION = re.compile(r"\b(?:methods?|methodology|materials|search strateg\w*|literature search|eligibility)\b",
                              re.IGNORECASE)


def is_methods_section(section: str | None) -> bool:
    """Whether a section heading (or a question) names methods: "Methods", "Search strategy", "Eligibility"."""
    return bool(section and _METHODS_SECTION.search(section))


# Text that addresses a language model: marked as suspect at ingest, never evidence.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:previous|prior|above|earlier|all|any|your|the)\b[^.]{0,20}"
    r"\b(?:instructions?|prompts?|rules|directions|context)\b"
    r"|\byou are (?:now )?(?:[\w-]+ ){0,3}(?:ai|assistant|language model|chatbot|gpt|llm)\b"
    # "answer that ..." as a command: at the start of a sentence or after "and", "please", "must"...; in
    # running prose "a pluripotent state with", "cells respond with", "critics say that" are findings.
    r"|(?:^\s*|[.:;!?\n\"“]\s*|\b(?:and|then|please|just|now|instead|must|always)\s+)"
    r"(?:answer|respond|reply|say|state|tell the user|write) (?:only )?(?:that|with|by saying)\b"
    r"|\b(?:system prompt|new instructions?|as an ai)\b"
    r"|\bdo not (?:cite|mention|reveal)\b",
    re.IGNORECASE,
)


def looks_like_instruction(text: str) -> bool:
    """Whether text addresses a language model ("ignore previous instructions", "you are", "answer that")."""
    return bool(_INSTRUCTION.search(text))


# ---------------------------------------------------------------- captions

#: The label a figure or table caption opens with ("Fig. 2", "FIGURE 3", "Table S1", "Extended Data Fig. 4").
CAPTION = re.compile(r"^(Supplementary\s+|Extended\s+Data\s+)?(Fig\.?|Figure|Table|Scheme|FIG\.?|FIGURE|TABLE)\s*(S?\d+[A-Za-z]?)\b")


def caption_label(text: str) -> str:
    """How a caption is named to a reader: "Figure 2 caption", "Table S1 caption", or "caption" without a label."""
    match = CAPTION.match(text.strip())
    if not match:
        return "caption"
    word = match.group(2).lower()
    name = "Table" if word.startswith("tab") else "Scheme" if word.startswith("sch") else "Figure"
    prefix = " ".join(match.group(1).split()) + " " if match.group(1) else ""
    return f"{prefix}{name} {match.group(3)} caption"


#: Name particles that belong with the family name ("van Praag", "de Souza").
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "dos", "das", "ter", "ten"}


def split_name(name: str) -> tuple[str, str]:
    """(family, given) of a 'Given Family' name; particles such as 'van' go with the family name."""
    words = name.split()
    if len(words) <= 1:
        return name.strip(), ""
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in PARTICLES:
        i -= 1
    return " ".join(words[i:]), " ".join(words[:i])


@lru_cache(maxsize=1)
def word_frequency():
    """pyspellchecker's English word frequencies, shipped in the package (loaded once): `[word]` is a word's count,
    `total_words` their sum."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency
