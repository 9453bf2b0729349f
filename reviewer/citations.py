"""Citations: parse [n] markers in an answer and check each sentence against the passages it cites.

An answer cites the passages it was given as [1], [2, 3] or [2–4]. After an LLM writes an
answer, `check_answer` drops markers that point at no given passage, flags sentences that
cite nothing ("uncited") and sentences whose cited passages do not back them
("unsupported": too few of the sentence's content words, or a number, occur in the cited
passages). The word-level helpers here (content words, stems) are shared with the offline
answerer, so "supported" means the same thing to both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from reviewer.models import FlaggedSentence, Passage

#: Share of a sentence's content words that must occur in the passages it cites.
MIN_SUPPORT = 0.5
#: Sentences with fewer content words than this are connective text ("In summary:"), not claims.
MIN_CLAIM_WORDS = 3
#: Widest range a marker like [2–9] may expand to; wider ones are typos, not citations.
MAX_RANGE = 20

_NUMBER_LIST = r"\d+(?:\s*(?:,|;|–|—|-|\band\b)\s*\d+)*"
_MARKER = re.compile(r"\[\s*(?:passages?\s*)?(" + _NUMBER_LIST + r")\s*\]", re.IGNORECASE)
_MARKER_WITH_SPACE = re.compile(r"\s*\[\s*(?:passages?\s*)?(?:" + _NUMBER_LIST + r")\s*\]", re.IGNORECASE)
_LEADING_MARKERS = re.compile(r"^(?:\[\s*(?:passages?\s*)?" + _NUMBER_LIST + r"\s*\]\s*)+", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_]+-\d+|\d+(?:\.\d+)?|[^\W\d_]+")
_NUMERIC = re.compile(r"\d+(?:\.\d+)?")
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")

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


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer():
    """The Snowball English stemmer (PyStemmer), or a light suffix stripper when it is not installed."""
    try:
        import Stemmer

        stem = Stemmer.Stemmer("english")
        return stem.stemWord
    except ImportError:
        return _light_stem


def _light_stem(word: str) -> str:
    """Strip common English inflections (used only when PyStemmer is absent)."""
    for suffix in ("ations", "ation", "ities", "ity", "ings", "ing", "ies", "ied", "ness", "ment", "ers", "er", "ed",
                   "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens; 'IL-6' stays one token, other hyphenated words split."""
    return _TOKEN.findall(_strip_accents(text).lower())


def stem(word: str) -> str:
    """The stem of one lower-cased token (numbers and 'il-6'-like tokens are kept as they are)."""
    if not word.isalpha():
        return word
    return _stemmer()(word)


def content_stems(text: str) -> list[str]:
    """Stems of the content words of a text, in order: stopwords and one-letter words dropped."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def numbers(text: str) -> set[str]:
    """Numbers written in a text, normalised ('2.0' and '2' differ on purpose: precision is part of a claim)."""
    return set(_NUMERIC.findall(strip_markers(text)))


def parse_marker(inner: str) -> list[int]:
    """Expand the inside of one marker ('2, 4–6') to passage numbers [2, 4, 5, 6]."""
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


def find_citations(text: str) -> list[int]:
    """All passage numbers cited in a text, in order of first appearance."""
    out: list[int] = []
    for match in _MARKER.finditer(text):
        out.extend(n for n in parse_marker(match.group(1)) if n not in out)
    return out


def strip_markers(text: str) -> str:
    """The text without its bracketed numeric markers (ours, or a paper's own reference numbers)."""
    return _MARKER_WITH_SPACE.sub("", text).strip()


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space."""
    return " ".join(text.split())


def quote_matches(sentence: str, passage_text: str) -> bool:
    """Whether a quoted sentence occurs word for word in a passage.

    The comparison ignores bracketed reference numbers (a paper's own "[3,4]", which a quote
    drops so they are not read as citations of the answer) and differences of whitespace.
    """
    return normalize_space(strip_markers(sentence)) in normalize_space(strip_markers(passage_text))


def split_answer_sentences(text: str) -> list[str]:
    """Split an answer into sentences, keeping a trailing citation marker with the sentence it follows."""
    from reviewer.chunking import split_sentences

    out: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line or line.startswith("#"):
            continue
        for start, end in split_sentences(line):
            piece = line[start:end].strip()
            lead = _LEADING_MARKERS.match(piece)
            if out and lead:  # "... memory. [2] Next ..." — the marker belongs to the sentence before
                out[-1] = f"{out[-1]} {lead.group(0).strip()}"
                piece = piece[lead.end():].strip()
            if not piece:
                continue
            if out and re.fullmatch(r"[\s.,;:)\]]*", strip_markers(piece)):
                out[-1] = f"{out[-1]} {piece}"
            else:
                out.append(piece)
    return out


def support(sentence: str, cited: list[Passage]) -> float:
    """Share of a sentence's content words that occur in the cited passages (0 when a number is not found there)."""
    words = set(content_stems(strip_markers(sentence))) - {w for w in numbers(sentence)}
    source = " ".join(p.text for p in cited)
    if numbers(sentence) - numbers(source):
        return 0.0
    if not words:
        return 1.0
    found = words & set(content_stems(source))
    return len(found) / len(words)


@dataclass
class CheckedSentence:
    """One sentence of an answer with the passages it cites and how well they back it."""

    text: str
    cited: list[int]
    support: float


@dataclass
class AnswerCheck:
    """The outcome of checking an answer's citations against the passages it was given."""

    text: str
    sentences: list[CheckedSentence] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    flagged: list[FlaggedSentence] = field(default_factory=list)

    @property
    def supported(self) -> list[CheckedSentence]:
        """Sentences that cite a passage which backs them."""
        return [s for s in self.sentences if s.cited and s.support >= MIN_SUPPORT]


def _drop_unknown(text: str, count: int, dropped: list[int]) -> str:
    """Rewrite markers to keep only numbers 1..count, recording the others in `dropped`."""

    def fix(match: re.Match) -> str:
        numbers_ = parse_marker(match.group(1))
        keep = [n for n in numbers_ if 1 <= n <= count]
        dropped.extend(n for n in numbers_ if not 1 <= n <= count and n not in dropped)
        return f"[{', '.join(map(str, keep))}]" if keep else ""

    fixed = _MARKER.sub(fix, text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", fixed)).strip()


def check_answer(text: str, passages: list[Passage], min_support: float = MIN_SUPPORT) -> AnswerCheck:
    """Check the citations of a generated answer against the passages it was given.

    Args:
        text: the answer as written, with [n] markers numbering `passages` from 1.
        passages: the passages the writer was given, in the order they were numbered.
        min_support: share of a sentence's content words that must occur in its cited passages.

    Returns:
        The answer text with markers to unknown passages removed, each sentence with its
        valid citations and support, the valid and dropped passage numbers, and the flagged
        sentences ("uncited" or "unsupported").
    """
    dropped: list[int] = []
    cleaned = _drop_unknown(text, len(passages), dropped)
    check = AnswerCheck(text=cleaned, dropped=sorted(dropped))
    for sentence in split_answer_sentences(cleaned):
        cited = find_citations(sentence)
        claim_words = content_stems(strip_markers(sentence))
        if not cited:
            check.sentences.append(CheckedSentence(sentence, [], 0.0))
            if len(claim_words) >= MIN_CLAIM_WORDS:
                check.flagged.append(FlaggedSentence(sentence=sentence, problem="uncited"))
            continue
        score = support(sentence, [passages[n - 1] for n in cited])
        check.sentences.append(CheckedSentence(sentence, cited, score))
        check.cited.extend(n for n in cited if n not in check.cited)
        if score < min_support:
            check.flagged.append(FlaggedSentence(sentence=sentence, problem="unsupported", citations=cited))
    check.cited.sort()
    return check
