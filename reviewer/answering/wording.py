"""Which words of a question phrase it rather than name its subject, read from an English lexicon.

A question word no passage holds is either the subject the library lacks ("creatine", "delirium", "yoga") or
phrasing the passages put in other words ("tied" for "associated", "weak grip" for "lower grip strength", "undo" for
"reverse"). Nouns name subjects. A word English uses only as a verb is phrasing, and so is a common adjective or
adverb ("weak", "later"); a rare one ("aquatic", "surgical") narrows the subject. Gerunds name activities
("dancing", "lifting").

The lexicon is lemminflect's (its English word forms with their parts of speech, shipped inside the package, so it
works offline); word frequencies come from pyspellchecker's English dictionary, which the loader already uses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.text import stem, word_frequency

#: An adjective or adverb at least this common (occurrences per million words) is phrasing.
COMMON_PER_MILLION = 20.0


def per_million(word: str) -> float:
    """How often English writes a word, per million words (0 for a word the dictionary lacks)."""
    table = word_frequency()
    return table[word.lower()] * 1e6 / (table.total_words or 1)


#: Words that say little about what a question is about; they count half.
GENERIC_WORDS = ("effect effects affect affects impact role associated association relationship relation study studies "
                 "evidence result results level levels increase decrease improve improves change changes influence "
                 "outcome outcomes benefit benefits use type kind factor factors find found report reported show shown "
                 "mean means important difference different beneficial help helps people person persons individuals "
                 "patients participants subjects humans happen happened happens occur occurs work works play plays playing "
                 "played stronger strong better best worse link links linked mechanism mechanisms "
                 "way ways main key need needs needed require requires required necessary great greater chance chances "
                 "likelihood odds recommend recommends recommended see sees saw led behind useful shape shapes shaped "
                 "determine determines drive drives last lasts lasted take takes took taken good bad get gets got getting "
                 "big bigger biggest large larger largest program programs programme programmes regimen regimens docs documents "
                 "thing things stuff go goes going went gone long library libraries collection look looks looked "
                 "looking rise rises rising rose risen ability abilities capacity make makes made making turn "
                 "compare compared comparing comparison firm solid robust outside example examples instance "
                 "late early mid forties fifties sixties seventies eighties nineties").split()
GENERIC_STEMS = frozenset(stem(w) for w in GENERIC_WORDS)


@lru_cache(maxsize=4096)
def is_phrasing(word: str) -> bool:
    """Whether a question word phrases the question rather than naming what it is about.

    Example:
        >>> is_phrasing("tied"), is_phrasing("weak"), is_phrasing("creatine"), is_phrasing("dancing")
        (True, True, False, False)
    """
    from lemminflect import getAllLemmas

    w = word.lower()
    if w.endswith("ing") or not w.isalpha():
        return False
    readings = getAllLemmas(w)
    if not readings or "NOUN" in readings or "PROPN" in readings:
        return False
    return "VERB" in readings or per_million(w) >= COMMON_PER_MILLION


def subject_words(text: str) -> str:
    """The text without the words that phrase it ("weak grip" → "grip"): what it is about."""
    return " ".join(w for w in text.split() if not is_phrasing(w.strip("?.,;:()")))


def compound_held(word: str, held: set[str]) -> bool:
    """Whether a word no passage writes joins an English word to one they do ("handgrip": "hand" + "grip";
    "bodyweight": "body" + "weight"): the passages name the same thing in two words or in one.

    Example:
        >>> compound_held("handgrip", {"grip", "strength"}), compound_held("creatine", {"tine"})
        (True, False)
    """
    w = word.lower()
    return any(per_million(w[:i]) >= COMMON_PER_MILLION and stem(w[i:]) in held for i in range(3, len(w) - 3))


#: Instructions on how to answer ("I need author names"), which never say what the question is about.
_INSTRUCTIONS = r"I need|I'd like|I would like|I want|please|give me|include|also give|tell me|yes or no"
#: The asker speaking of themselves.
_FIRST_PERSON = r"\b(?:I|I'm|I've|my|me|we|our)\b"
_INSTRUCTION = re.compile(rf"^\W*(?:{_INSTRUCTIONS})\b", re.I)
#: A sentence of a question that introduces the asker or says how to answer ("I'm drafting a grant aim.", "I need
#: author names and outcomes.", "Yes or no, based on the trial.", "Writing a feature on ..."): it holds no words the
#: answer must hold. So does a statement in the first person ("my patients respond differently").
_REQUEST = re.compile(rf"^\W*(?:{_INSTRUCTIONS}|as an? |[A-Z][a-z]+ing\b)|{_FIRST_PERSON}", re.I)
#: What follows a clause before the question when the question starts after it ("..., through which ...", "..., is").
_ASKS_NEXT = (r"(?=(?:(?:through|by|via)\s+)?(?:which|what|how|who|is|are|does|do|did|can|could|should|has|have)\b)")
#: An opening that introduces the asker before the question: "Neuroscientist here, ...", "Before I cite it in my
#: thesis: ...", "Journalist here - ...".
_INTRO = re.compile(rf"^\W*(?:(?:hi|hello|hey|dear \w+)\b\W*|[\w-]+ here\s*[,:;.\u2013\u2014-]+|"
                    rf"[^:?]*{_FIRST_PERSON}[^:?]*:)\s*", re.I)
#: Where the answer is to be read, before the question ("According to the multiscale review, which ..."): the
#: question's kind is read after it.
_WHERE = re.compile(r"^\W*(?:according to|in|per|from|for|among|based on|going by)\b[^,?]*,\s*" + _ASKS_NEXT, re.I)
#: The asker's lead-in inside the question ("I'd love to know whether ...", "can you tell me ..."): no words to find.
_ASKING = re.compile(r"\b(?:I'd|I would) (?:love|like) to know\b|\bI (?:want|need) to know\b|\bI (?:was )?wonder(?:ing)?\b|"
                     r"\b(?:can|could) you tell me\b|\bbefore I go any further\b|^\W*yes or no\b,?(?:\s+and\b)?", re.I)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
#: A clause giving the asker's reason before the question ("Given the push for individualised dosing, which ...").
_GIVEN = re.compile(r"^\W*(?:given|considering|in light of|in view of)\b[^,?]*,\s*" + _ASKS_NEXT, re.I)
#: A question asking which of the things the asker named before it ("RCTs of ... . Which ones are in the library?").
_ONES = re.compile(r"\b(?:which|what|any) (?:ones|of them|of those|of these)\b", re.I)
#: A question pointing back at what the asker said before it ("for that population", "which ones").
_REFERS_BACK = re.compile(r"\b(?:that|this|these|those|such) (?:population|group|people|patients|condition|disease|"
                          r"topic|area|intervention|program|approach)\b|" + _ONES.pattern, re.I)
#: The asker's words before what a statement is about ("I'm writing a grant on ...").
_ABOUT = re.compile(r"^\W*(?:I|I'm|I am|we|we're|we are)\b.*?\b(?:on|about|regarding|into|collecting|compiling|"
                    r"gathering|looking for|searching for)\s+", re.I)
#: Phrasing of multiple-choice questions, not their subject.
_BOILERPLATE = re.compile(r"\b(?:of|among) the following\b|\bwhich of these\b", re.I)


@lru_cache(maxsize=1024)
def request_free(question: str) -> str:
    """The question without the sentences introducing the asker or saying how to answer (not a question themselves),
    nor the phrasing of a multiple-choice question ("which of the following").

    Example:
        >>> request_free("Neuroscientist here. Which trials tested it? I need author names and outcomes.")
        'Which trials tested it?'
    """
    parts = [_GIVEN.sub("", p) for p in _SENTENCE_END.split(_INTRO.sub("", question.strip()))]
    # "... for that population": the asker's statement says which, and stays
    refers = _REFERS_BACK.search(" ".join(p for p in parts if p.endswith("?")))
    kept = [p if p.endswith("?") or not refers else _ABOUT.sub("", p) for p in parts  # "I'm writing a grant on X": X
            if p.endswith("?") or not (_REQUEST.search(p) or _INTRO.match(p)) or (refers and not _INSTRUCTION.match(p))]
    return _BOILERPLATE.sub(" ", " ".join(_ASKING.sub(" ", p).strip() for p in kept) or question)


@lru_cache(maxsize=1024)
def interrogative(question: str) -> str:
    """The sentence that asks, when a statement or an introduction comes first ("In the news story, the coach
    explains why ... . What routes does he list?" → "What routes does he list?"); else the whole question."""
    parts = [_WHERE.sub("", _GIVEN.sub("", p)) for p in _SENTENCE_END.split(_INTRO.sub("", question.strip()))]
    if len(parts) > 1 and not parts[0].endswith("?"):
        asks = next((p for p in parts if p.endswith("?")), question)
        # "I'm collecting RCTs of ... . Which ones are in the library?": the statement says what is asked for.
        return f"{_ABOUT.sub('', parts[0])} {asks}" if _ONES.search(asks) else asks
    return parts[0] if len(parts) == 1 else question
