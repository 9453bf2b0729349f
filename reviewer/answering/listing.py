"""Answers to list questions ("what mechanisms", "which factors", "what adverse events"): one line per thing named.

A passage whose section is about one thing ("5.1. Irisin") names an item, as do acronyms a
passage spells out ("interleukin-6 (IL-6)"); a question with a specific head ("adverse events")
gets the sentences naming it, and a sentence goes with the one before when it goes on listing.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.answering.documents import acronyms_defined
from reviewer.answering.questions import DECIDES, FACTOR_WORDS, LISTS_KINDS, WHICH, contains, generic_stems, text_stems
from reviewer.answering.sentences import Sentence, cite, next_sentence, pick, quoted
from reviewer.answering.wording import interrogative
from reviewer.models import Passage
from reviewer.text import content_stems, spell_out, stem

#: Items listed at most in a "what mechanisms / which factors" answer.
MAX_ITEMS = 6
#: A listed item's sentence must score at least this share of the best sentence's.
ITEM_FLOOR = 0.45
#: Sentences naming a specific head ("adverse events") quoted, and their floor as a share of the best one's score.
HEAD_SENTENCES = 3
HEAD_FLOOR = 0.5
ENUMERATION_BONUS = 1.2
#: Score factor per thing a sentence names (up to MAX_ITEMS) when it names several of the things asked for.
NAME_STEP = 0.1
_HEAD = re.compile(WHICH + r"(?:are\s+(?:the\s+)?|were\s+(?:the\s+)?)?(?P<head>(?:[\w-]+\s+){0,2}?"
                   r"[a-z-]{3,}s)\b", re.I)
_GENERIC_HEADS = frozenset(stem(w) for w in ("mechanisms pathways factors things ways criteria phenomena domains processes "
                                             "aspects kinds types roles findings results changes outcomes signals").split())
#: A sentence that names several things: a list of at least three, or one introduced as such.
ENUMERATES = re.compile(r"[^,;]+[,;][^,;]+[,;]|\b(?:such as|including|include|involve|e\.g\.)\b", re.I)
#: A series of short things named in words ("baseline status, disease condition, and training"), statistics in
#: parentheses left out first ("(17.80%, ES = 0.79)" lists nothing).
_ITEM = r"(?:[\w'’/-]+ ){0,4}[\w'’/-]+"
_SERIES = re.compile(rf"\b{_ITEM}, {_ITEM}, (?:{_ITEM}, )*(?:and |or ){_ITEM}")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
#: Wording that introduces what something depends on ("influenced by baseline status, disease and training").
_MODERATED = re.compile(r"\b(?:influenced|determined|shaped|moderated|modulated|affected|predicted|driven|mediated)"
                        r" by\b|\bdepends? on\b|\bdepending on\b", re.I)
#: A sentence numbering an item of a list in words ("Second, substantial heterogeneity ...").
_ORDINAL = re.compile(r"^(?:First|Second|Third|Fourth|Fifth|Finally|Lastly)(?:ly)?,")
#: A sentence that goes on about the thing the one before it named.
_CONTINUES = re.compile(r"(?:At the same time|In addition|Additionally|Moreover|Furthermore|Likewise|It also|They also)\b"
                        r"|(?:It|They) (?!is|was|are|were|remains|remain|should|may|might|could|would|has been suggested)"
                        r"[a-z]+s?\b")
#: Instances of something named after it ("factors like genetics and environment", "such as irisin or BDNF").
INSTANCES = re.compile(r"\b(?:like|such as|including|e\.g\.,?) [\w-]+(?: [\w-]+)?(?:,| and| or)\s", re.I)
#: Classes of things passages name one by one ("which muscle-derived molecules": "myokines—Irisin, BDNF, ...").
_CLASSES = "molecules mediators substances proteins compounds hormones biomarkers markers messengers".split()
_CLASS_HEADS = frozenset(stem(w) for w in _CLASSES)
_LISTING_HEAD = re.compile(WHICH + rf"(?:[\w-]+\s+){{0,2}}?(?:mechanisms|pathways|signals|{'|'.join(_CLASSES)})\b", re.I)
#: Words ranking the things a list question asks for ("the main limitations"), which passages need not write.
_QUALIFIERS = frozenset(stem(w) for w in "main key major important principal primary chief biggest".split())
_FACTORS = re.compile(rf"\b(?:{FACTOR_WORDS})\b", re.I)
#: A question asking how something acts ("through which pathways", "by what molecular routes", "what mechanisms") ...
_ASKS_HOW = re.compile(r"\b(?:mechanisms?|pathways?|routes?|signals?|signal(?:l)?ing)\b", re.I)
#: ... is answered by the sentence saying what it binds, activates or signals through, before one framing the evidence.
_ACTS = re.compile(r"\b(?:bind\w*|activat\w*|inhibit\w*|suppress\w*|upregulat\w*|downregulat\w*|phosphorylat\w*|"
                   r"pathways?|signal(?:l)?ing|receptors?|cascades?)\b", re.I)
_NAME = re.compile(r"\b[A-Z][A-Z0-9]{1,6}(?:-\d+[A-Za-z]?)?\b")
#: A person's credentials ("Ryan Glatt, CPT, NBC-HWC, a senior coach"): letters after a name, not things named.
_CREDENTIALS = re.compile(r"(\b[A-Z][a-z]+ [A-Z][a-z]+)(?:,\s*[A-Z]{2,}(?:-[A-Z]{2,})*)+(?=,\s+(?:a|an|the|who)\b)")
_BROAD_HEADING = re.compile(r"\b(?:evidence|population|studies|effects?|implications|limitations|perspectives|"
                            r"recommendations|considerations|synthesis|mechanisms|overview|background)\b", re.I)
_GENERIC_HEADING = re.compile(r"^(?:abstract|introduction|background|discussion|results?|conclusions?|summary|methods?|"
                              r"tl;dr|key findings|findings|contribution|references|overview|funding|acknowledg\w*|appendix|supplementary)\b", re.I)


def listing(question: str, passages: list[Passage], ranked: list[Sentence], min_coverage: float) -> Optional[list[str]]:
    """One line per thing the passages name (a mechanism, factor, molecule): '- BDNF: quote [n].'

    A passage whose section is about one thing ("5.2. Brain-Derived Neurotrophic Factor (BDNF)")
    names it; otherwise a sentence names the acronyms it introduces ("IL-6", "IGF-1").
    """
    # "Through which pathways does irisin act": the passages under the heading the question names say it.
    named = {i for i, p in enumerate(passages) if _names_heading(question, p.section)}
    if named:
        return _head_sentences(question, [s for s in ranked if s.index in named and not s.methods], ranked)
    lines, names = _named_items(question, passages, ranked, min_coverage)
    if not list_head(question):  # "what mechanisms ...": a sentence naming most of them comes first
        whole = next((s for s in ranked if s.score >= ITEM_FLOOR * ranked[0].score and names_several(question, s.quote)
                      and not s.methods), None)
        if whole is not None:  # ... or alone, when no sentence on the question names one ("which molecules")
            label = _series_label(whole.quote)
            quote = cite(whole.quote, whole.index + 1)
            lines = [f"- {label}: {quote}"] + [line for line in lines or [] if quote not in line]
            names = names or [n.strip() for n in label.split(",")]
    head = list_head(question)
    holding = [s for s in ranked if head and not s.methods and all(contains(t, s.stems) for t in head)]
    # Items the passages name as instances of the head ("myokines like irisin") answer it; others do not.
    if holding and not (lines and any(n.lower() in s.quote.lower() for s in holding for n in names)):
        return _head_sentences(question, holding, ranked)
    asking = interrogative(question)
    if LISTS_KINDS.search(asking) or DECIDES.search(asking):  # "which factors ...": sentences that name several things
        enumerating = [s for s in ranked if not s.methods and s.coverage >= 0.5 * min_coverage
                       and (_SERIES.search(_PARENTHESES.sub("", s.quote)) or _MODERATED.search(s.quote)
                            or INSTANCES.search(s.quote))]
        # Named items (molecules) answer "what mechanisms"; for "which factors", a sentence listing things answers
        # when it says more to the question than the items' best one ("type, intensity, and frequency").
        items = [s for s in ranked if lines and any(n.lower() in s.quote.lower() for n in names)]
        # ... and always when one says what the thing depends on ("may vary depending on the type, intensity, ...").
        # ... or names the kind asked for by instances ("Personal factors like genetics and environment").
        depends = any((_MODERATED.search(s.quote) or (_FACTORS.search(s.quote) and INSTANCES.search(s.quote)))
                      and s.score >= HEAD_FLOOR * enumerating[0].score for s in enumerating)
        if enumerating and (not lines or (_factors_asked(question) and (
                depends or enumerating[0].score > (items[0].score if items else 0.0)))):
            return _head_sentences(question, enumerating, ranked)
    return lines


def _factors_asked(question: str) -> Optional[re.Match]:
    """The word by which a question asks what shapes something ("which factors", "what decides"), or None."""
    asking = interrogative(question)
    return _FACTORS.search(asking) or DECIDES.search(asking)


def _names_heading(question: str, section: Optional[str]) -> bool:
    """Whether the question names the one thing a passage's section is about ("irisin" and "5.1. Irisin")."""
    item = heading_item(section)
    return bool(item) and re.search(rf"\b{re.escape(item)}\b", question, re.I) is not None


def _named_items(question: str, passages: list[Passage], ranked: list[Sentence],
                 min_coverage: float) -> tuple[Optional[list[str]], list[str]]:
    """The lines naming one item each (None: fewer than two), and the item names."""
    topic = _topic_names(question, passages)
    floor = ITEM_FLOOR * ranked[0].score
    items: dict[str, Sentence] = {}
    defined = _defined_names(passages)
    for s in ranked:  # best first: the first sentence met for an item is its best
        if s.score < 0.6 * floor or s.coverage < 0.5 * min_coverage:
            continue
        heading = heading_item(passages[s.index].section)
        # The item's name must be in the quoted sentence, so the line's label is backed by what it cites.
        if heading and heading.lower() not in topic and heading.lower() in s.quote.lower():
            items.setdefault(heading, s)
    for s in ranked:
        if s.score < floor or len(items) >= MAX_ITEMS or s.coverage < 0.5 * min_coverage:
            continue
        if any(s is t for t in items.values()):
            continue
        names = [n for n in dict.fromkeys(_names(s.quote))
                 if n in defined and n.lower() not in topic and n.lower() not in {i.lower() for i in items}]
        if names:
            items[", ".join(names[:3])] = s
    ordered = sorted(items.items(), key=lambda kv: (-kv[1].score, kv[1].index, kv[1].start))[:MAX_ITEMS]
    lines = [f"- {name}: {cite(s.quote, s.index + 1)}" for name, s in ordered]
    return (lines if len(lines) >= 2 else None), [n for name, _ in ordered for n in name.split(", ")]


def list_head(question: str) -> frozenset[str]:
    """The stems of what a listing question asks for when it is specific ("What adverse events ..." → adverse,
    event); empty for a generic head ("what mechanisms", "which factors"), whose items the passages name otherwise."""
    match = None if DECIDES.search(interrogative(question)) else _HEAD.search(interrogative(question))
    stems = frozenset(content_stems(spell_out(match.group("head")))) if match else frozenset()
    # "which muscle-derived molecules": a class of things the passages name one by one ("myokines—Irisin, BDNF, ...")
    of_class = bool(match) and stem(match.group("head").split()[-1].lower()) in _CLASS_HEADS
    return frozenset() if not stems or of_class or stems <= generic_stems() | _GENERIC_HEADS else stems - _QUALIFIERS


def _head_sentences(question: str, holding: list[Sentence], ranked: list[Sentence]) -> list[str]:
    """For a specific head ("what adverse events"): the sentences that name it (`holding`), best first, each with the
    next sentence of its passage when that one goes on listing ("Reported challenges involve fatigue, soreness, ...")."""
    # A sentence that lists several of them, or names one ("myokines like irisin and IL-6"), answers "which" better.
    how = bool(_ASKS_HOW.search(question))
    kind = _factors_asked(question)  # "which factors": a sentence naming "factors like genetics and environment"
    holding = sorted(holding, key=lambda s: -s.score * (ENUMERATION_BONUS if ENUMERATES.search(s.quote)
                                                        or INSTANCES.search(s.quote) else 1.0)
                     * (ENUMERATION_BONUS if how and _ACTS.search(s.quote) else 1.0)
                     * (ENUMERATION_BONUS if kind and (re.search(rf"\b{kind.group(0)}\b", s.quote, re.I)
                                                       or _MODERATED.search(s.quote)) else 1.0)
                     * (ENUMERATION_BONUS if (_names(s.quote) and not kind) or _MODERATED.search(s.quote) else 1.0)
                     * ((1 + NAME_STEP * min(names_count(s.quote), MAX_ITEMS)) if names_several(question, s.quote) else 1.0))
    chosen = pick(holding, HEAD_SENTENCES, HEAD_FLOOR * holding[0].score, 0.0)
    asked = frozenset(content_stems(spell_out(question)))
    lines = []
    for s in chosen:
        after = next_sentence(s, ranked)
        # It goes on listing ("... fatigue, soreness, and ...") on the question's subject, or says what else the same
        # thing does ("At the same time, it prevents ...").
        goes_on = after is not None and (bool(ENUMERATES.search(after.quote) and asked & after.stems)
                                         or bool(_CONTINUES.match(after.quote) or _ORDINAL.match(after.quote)))
        tail = f" {cite(after.quote, after.index + 1)}" if goes_on and not any(after is c for c in chosen) else ""
        while goes_on and _ORDINAL.match(after.quote):  # "First, ... Second, ... Third, ...": the list goes on
            after = next_sentence(after, ranked)
            goes_on = after is not None and bool(_ORDINAL.match(after.quote)) and after.quote not in tail
            tail += f" {cite(after.quote, after.index + 1)}" if goes_on else ""
        lines.append(f"- {quoted(s)}{tail}")
    return lines


def _defined_names(passages: list[Passage]) -> set[str]:
    """Acronyms the passages spell out ("interleukin-6 (IL-6)"): names of things, unlike a trial's or a test's label."""
    return {m.group(1) for p in passages for m in re.finditer(r"[A-Za-z][\w-]* \(([A-Z][A-Z0-9]{1,6}(?:-\d+[A-Za-z]?)?)\)", p.text)}


def _topic_names(question: str, passages: list[Passage]) -> set[str]:
    """Names that are the topic rather than an item: in the question, or in most passages."""
    names = {n.lower() for n in _NAME.findall(question)}
    counts: dict[str, int] = {}
    for p in passages:
        for n in {m.lower() for m in _NAME.findall(p.text)}:
            counts[n] = counts.get(n, 0) + 1
    names |= {n for n, c in counts.items() if c > max(2, len(passages) // 2)}
    initials = "".join(w[0] for w in content_stems(question) if w.isalpha())
    # An acronym the passages spell out in the question's words ("resistance training (RT)" for "resistance exercise").
    asked = set(content_stems(spell_out(question)))
    names |= {a for a, stems in acronyms_defined(passages).items() if stems and len(stems & asked) >= len(stems) / 2}
    return names | {n for n in counts if len(n) >= 2 and n in initials}


def heading_item(section: Optional[str]) -> Optional[str]:
    """A short, specific section heading as an item name: '5.1. Irisin' → 'Irisin'."""
    if not section:
        return None
    heading = re.sub(r"^[\d.\s]+", "", section).strip()
    acronym = re.search(r"\(([A-Z][A-Za-z0-9-]{1,9})\)\s*$", heading)
    if acronym:
        return acronym.group(1)
    if not heading or len(heading.split()) > 3 or _GENERIC_HEADING.match(heading) or _BROAD_HEADING.search(heading):
        return None
    return heading


def _series_label(sentence: str) -> str:
    """The things a sentence names in a row ("including BDNF, Irisin, IGF-1, and IL-6" → "BDNF, Irisin, IGF-1, IL-6"),
    or its names when they are not in one series."""
    series = _SERIES.search(_PARENTHESES.sub("", sentence))
    if not series:
        return ", ".join(dict.fromkeys(_names(sentence)))
    # The series may begin with the words before the list ("through myokines, including Irisin, ..."): they go.
    text = re.split(r"\b(?:including|such as|like|e\.g\.,?)\s+", series.group(0), flags=re.I)[-1]
    return ", ".join(re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", text))


def _names(sentence: str) -> list[str]:
    """The names (acronyms) a sentence holds, in order, without a person's credentials."""
    return _NAME.findall(_CREDENTIALS.sub(r"\1", sentence))


def names_count(sentence: str) -> int:
    """How many different names (acronyms such as "BDNF", "IL-6") a sentence holds."""
    return len(set(_names(sentence)))


def names_several(question: str, sentence: str) -> bool:
    """Whether a sentence names the specific thing a list question asks for and several of them ("myokines,
    including Irisin, BDNF, IL-6, IL-15, and IGF-1")."""
    head = list_head(question)
    if not head:  # "what mechanisms ...": a sentence naming three things or more by name names them
        return bool(_LISTING_HEAD.search(interrogative(question))) and names_count(sentence) >= 3
    if not all(contains(t, text_stems(sentence, question)) for t in head):
        return False
    return bool(_SERIES.search(_PARENTHESES.sub("", sentence))) or names_count(sentence) >= 3
