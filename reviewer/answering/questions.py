"""Reading a question: its type, its weighted content words, the sides it compares, what it names.

The offline answerer decides what to quote from this reading. Content words are stemmed and
weighted by IDF over the retrieved passages (numbers and acronyms up, generic words such as
"effect" or "study" down); symbols are spelled out first (`reviewer.text.spell_out`), so
"°C" in a passage matches "degrees Celsius" in a question.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Optional

from reviewer.answering.change import change_stems
from reviewer.answering.sides import comparison_sides
from reviewer.answering.wording import GENERIC_STEMS, interrogative, request_free
from reviewer.models import Passage, QuestionType
from reviewer.text import STOPWORDS, content_stems, papers_terms, spell_out, stem, tokens

#: Document frequency assumed for a question word no passage contains: absence from a handful of retrieved
#: passages says no more about a word's specificity than occurring in one of them does.
ABSENT_DF = 1

ACRONYM = re.compile(r"\b[A-Z][A-Za-z]?[A-Z0-9]{1,6}\b")
#: Questions asking for a quantity; their answer is a sentence that states a number.
#: The opening of a "which X" question, a preposition allowed before it ("Through which pathways ...", "In which studies").
WHICH = (r"^\W*(?:(?:through|by|in|on|from|to|via|with|for|of|among|at)\s+)?(?:which|what)\s+"
         r"(?!(?:do|does|did|can|could|would|should|will)\s)")  # "what do the authors recommend" lists nothing
ASKS_QUANTITY = re.compile(
    r"\b(how (much|many|large|big|strong(ly)?|long|often|far|wide|high|great|fast|old)|"
    r"by what ([\w-]+ )?(factor|percent\w*|amount|margin|proportion|"
    r"extent|degree|magnitude|fold)|"
    r"what ([\w-]+ )?(share|proportion|percentage|fraction|number|size|amount|magnitude|dose|dosage|frequency|duration"
    r"|temperature|concentration|age|rate|level|time ?frame|period|time ?scale)|how soon|at what (temperature|dose|age|concentration|rate)|"
    r"to what extent|in degrees|(optimal|minimum|maximum|effective) (\w+[- ])?(dose|temperature|frequency|"
    r"duration|concentration))\b", re.I)
_STUDIES = re.compile(WHICH + r"(?:[\w-]+\s+){0,2}?(?:studies|trials|RCTs|papers|experiments|meta-analyses|"
                      r"reviews|cohorts|investigations|authors|researchers|(?:study|trial|RCT|experiment)(?!\s+(?:design|"
                      r"type|kind)s?\b))\b|\blist (?:the |all )?(?:studies|trials)\b|"
                      r"^\W*(?:(?:are|were) there (?:any )?|any )(?:[\w-]+\s+){0,2}?(?:studies|trials|RCTs|experiments|cohorts)\b|"
                      # "RCTs of strength training in MCI ... . Which ones are in the library?"
                      r"^\W*(?:[\w-]+\s+){0,2}?(?:studies|trials|RCTs|experiments|cohorts)\b"
                      r"(?=.*\b(?:which|what|any) (?:ones|of them|of those|of these)\b)", re.I)
_YES_NO = re.compile(r"^\W*(?:is|are|does|do|did|can|could|will|would|has|have|was|were|should|may|might)\b", re.I)
_LISTING = re.compile(WHICH + r"(?:are\s+(?:the\s+)?|were\s+(?:the\s+)?)?(?:[\w-]+\s+){0,2}?"
                      r"(?:[a-z-]{3,}(?<!s)s|mechanisms|pathways|factors|criteria|phenomena)\b(?!\s+(?:is|was|does|has)\b)",
                      re.I)
#: "By what molecular routes is irisin thought to ...": the inverted form still asks for a list.
_ROUTES = re.compile(r"^\W*(?:through|by|via)\s+(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:[a-z-]{3,}(?<!s)s)\b", re.I)
#: Examples the asker gives ("..., for example how much or how often?") say nothing of what kind of answer is asked.
_EXAMPLES = re.compile(r",?\s*\b(?:for example|for instance|e\.g\.|such as)\b[^?]*", re.I)
#: "What decides whether IL-6 helps or harms?": the things it depends on are asked for.
DECIDES = re.compile(r"^\W*what\s+(?:decides|determines|governs|controls|influences|shapes|drives)\b", re.I)
#: Words for the things that shape an effect ("which factors", "what variables", "which characteristics").
FACTOR_WORDS = (r"factors|predictors|determinants|moderators|components|criteria|things|variables|aspects|"
                r"characteristics|features|conditions|elements")
#: A listing question whose head is a kind of thing to enumerate ("which factors", "what mechanisms").
LISTS_KINDS = re.compile(WHICH + r"(?:are\s+(?:the\s+)?|were\s+(?:the\s+)?)?(?:[\w-]+\s+){0,2}?(?:mechanisms|pathways|"
                          r"mediators|" + FACTOR_WORDS + r")\b", re.I)
SUPERLATIVE = re.compile(r"\b(?:largest|biggest|highest|greatest|most|best|strongest|smallest|lowest|least|longest"
                         r"|shortest|fastest|earliest|latest|first|optimal)\b", re.I)
#: Questions asking who did something: their answer names a person or an institution.
ASKS_WHO = re.compile(r"^\W*who\b|" + WHICH + r"(?:\w+\s+){0,2}?(?:researchers?|scientists?|authors?|investigators?|"
                      r"team|group|lab|laboratory|institutions?|university|universities)\b", re.I)
#: Words that name a person or an institution in a sentence ("Hyunjun Kong, PhD, a professor at the University of").
NAMES_WHO = re.compile(r"\b(?:PhD|Ph\.D\.|MD|Dr\.|[Pp]rofessor|et al\.|University|Institute|College|Hospital|"
                       r"Laborator(?:y|ies)|School of)\b")
#: Who a study can be about; a question naming one the passages never mention is told so.
POPULATIONS = ("children child kids adolescents adolescent teenagers teens youth infants toddlers students "
               "women men girls boys athletes veterans pregnant elderly seniors adults mice rats rodents dogs "
               "monkeys primates zebrafish").split()
#: Population words the passages may write in other words ("seniors" are the "older adults" of a review).
_SAME_POPULATION = {"seniors": ("old", "elderly"), "elderly": ("old", "seniors"), "kids": ("children",),
                    "teens": ("adolescents", "teenagers"), "rodents": ("mice", "rats", "mouse", "rat")}
_ASKS_AGAINST = re.compile(r"\bno (?:effect|benefit|improvement|difference|change)\b|\bnull\b|\bworsen\w*|\bharm\w*|\bhurt\w*"
                           r"|\bnegative\b|\bdetrimental\b|\bfail\w*|\bdid not\b|\b(?:found|showed|reported) (?:a )?(?:declin|deteriorat)\w*",
                           re.I)
#: Stems of words that name a direction of effect, or the studies themselves (their design, what they did), rather
#: than a topic: "which randomized trials tested ..." asks for trials of any topic word, not for "randomized".
DIRECTION_WORDS = re.compile(r"^(?:worsen|harm|negat|detriment|fail|declin|deteriorat|improv|benefi|posit|gain|enhanc"
                             r"|help|null|effect|chang|differ|trial|rct|stud|paper|experiment|review|cohort|meta|research"
                             r"|investig|author|find|found|report|random|control|mask|blind|placebo|test|examin|assess"
                             r"|evalu|measur|compar|conduct|perform|publish|cross|section|longitud|prospect|retrospect"
                             r"|observ|epidemiolog|mendelian|systemat|increas|decreas|rais|lower|better|wors|hurt|go$|up$|down$)")
_ASKS_FOR = re.compile(r"\bimprov\w*|\bbenefi\w*|\bpositive\b|\bgains?\b|\benhanc\w*|\bhelp\w*", re.I)
#: A clause asking whether ("..., and did cognition improve?"): the direction is asked of each study, not a filter.
_ASKS_WHETHER = re.compile(r"(?:,|\band\b|\bor\b)\s*(?:did|does|do|was|were|is|are|has|have|had)\b|\b(?:whether|if)\b", re.I)


#: What a number answering a question about a quantity is counted in: "what dose" is answered in sessions per week.
_UNITS = (
    (re.compile(r"\bdos(?:e|es|age|ing)\b", re.I),
     r"sessions?|per week|times (?:a|per)|weekly|daily|minutes?|\bmin\b|intensity|repetitions?|sets|frequenc\w*|mg\b|doses?"),
    (re.compile(r"\bhow often\b|\bfrequency\b|\bhow many (?:times|sessions|days)\b", re.I),
     r"sessions? (?:a|per|each) week|per week|times (?:a|per|each)|weekly|daily|(?:days|sessions) a week|frequenc\w*"),
    (re.compile(r"\bhow (?:long|soon)\b|\bduration\b|\btime ?(?:frame|scale)\b|\bperiod\b", re.I),
     r"weeks?|months?|years?|days?|minutes?|hours?"),
    (re.compile(r"\btemperature\b|\bdegrees\b|\bcelsius\b", re.I), r"°|℃|degrees|celsius"),
    (re.compile(r"\bhow many (?:participants|people|patients|subjects|individuals|adults)|\bsample size\b", re.I),
     r"participants|individuals|patients|adults|subjects|people|volunteers|\bn\s*="),
    (re.compile(r"\bhow old\b|\bwhat age\b", re.I), r"aged|years? old|years of age|age"),
    # "How much of the link is explained by leg strength?" asks a share: "accounted for 20.1% of this association".
    (re.compile(r"\bpercent(?:age)?\b|\bproportion\b|\bshare\b|\bhow much of\b|\bexplain(?:s|ed)?\b|"
                r"\baccount(?:s|ed)? for\b", re.I), r"%|percent"),
)


def unit_pattern(question: str) -> Optional[re.Pattern]:
    """The units a number answering this quantity question is written in, as a pattern (None: any number)."""
    found = [units for asks, units in _UNITS if asks.search(question)]
    return re.compile("|".join(f"(?:{u})" for u in found), re.I) if found else None


@lru_cache(maxsize=1)
def generic_stems() -> frozenset[str]:
    """Stems that say little about a question's subject: generic words, and change verbs ("lower", "boost"),
    which name a direction the passages may state in other words (`reviewer.answering.change`)."""
    return GENERIC_STEMS | change_stems()


def question_type(question: str) -> QuestionType:
    """The kind of answer a question asks for (first match: studies, comparison, quantity, listing, yes/no)."""
    # in the papers' terms ("what can't the research tell us" asks for limitations), without its examples
    question = interrogative(papers_terms(_EXAMPLES.sub("", question)))
    if _STUDIES.search(question):
        return QuestionType.studies
    if comparison_sides(question):
        return QuestionType.comparison
    listing = bool(_LISTING.search(question) or _ROUTES.search(question) or DECIDES.search(question)) and not (
        SUPERLATIVE.search(question))
    # "Which factors shape how much ...": the things named first, not a quantity.
    if listing and (LISTS_KINDS.search(question) or DECIDES.search(question)):
        return QuestionType.listing
    if ASKS_QUANTITY.search(question):
        return QuestionType.quantity
    if listing:
        return QuestionType.listing
    if _YES_NO.search(question):
        return QuestionType.yes_no
    return QuestionType.general


def asked_direction(question: str) -> Optional[str]:
    """"against" for questions about null or harmful findings, "for" about benefits, else None."""
    if _ASKS_AGAINST.search(question):
        return "against"
    studies, benefit = _STUDIES.search(question), _ASKS_FOR.search(question)
    if not studies or not benefit or _ASKS_WHETHER.search(question, studies.end(), benefit.start()):
        return None  # "which trials ..., and did cognition improve?" asks each study's direction
    return "for"


def entities(question: str) -> set[str]:
    """Numbers and acronyms of a question ('BDNF', 'IL-6', '12'), lower-cased as `tokens` gives them."""
    acronyms = {t.lower() for t in re.findall(r"\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9-]*\b", question)}
    return {t for t in tokens(question) if t.isdigit() or t in acronyms}


def _initials(text: str) -> set[str]:
    """Initials of every run of 2–6 content words: 'Proceedings of the National Academy of Sciences' → 'pnas'."""
    words = [t for t in tokens(text) if t not in STOPWORDS and t.isalpha() and len(t) > 1]
    return {"".join(w[0] for w in words[i:i + size]) for size in range(2, 7) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=64)
def _initialisms(question: str) -> dict[str, frozenset[str]]:
    """Acronyms a run of the question's content words could be written as: 'resistance training' → 'rt'."""
    # An acronym of the question is a word of its own, not a run of initials ("stronger for MCI or dementia" is no SMD).
    named = entities(question)
    runs: list[list[str]] = [[]]
    for t in tokens(question):
        if t in named:
            runs.append([])
        elif t not in STOPWORDS and t.isalpha() and len(t) > 1:
            runs[-1].append(t)
    out: dict[str, frozenset[str]] = {}
    for words in runs:
        for size in range(2, 6):
            for i in range(len(words) - size + 1):
                gram = words[i:i + size]
                out["".join(w[0] for w in gram)] = frozenset(stem(w) for w in gram)
    return out


@lru_cache(maxsize=16384)
def _plain_stems(text: str) -> frozenset[str]:
    """Content stems of a text with symbols spelled out (the same passages come back question after question)."""
    return frozenset(content_stems(spell_out(text)))


@lru_cache(maxsize=4096)
def text_stems(text: str, question: str) -> frozenset[str]:
    """Content stems of a text (symbols spelled out), read with the question's abbreviations in mind.

    A text writing "RT" where the question says "resistance training" gets those words' stems;
    a text spelling out "Proceedings of the National Academy of Sciences" where the question
    says "PNAS" gets that acronym's stem.
    """
    stems = set(_plain_stems(text))
    lowered = text.lower()
    stems |= {name for name in compound_names(question) if name in lowered}
    stems |= {stem(genus.lower()) for genus, species in _binomials(question)
              if re.search(rf"\b{genus[0]}\.\s?{re.escape(species)}\b", text)}
    expansions = _initialisms(question)
    for acronym in {a.lower() for a in ACRONYM.findall(text)} & expansions.keys():
        stems |= expansions[acronym]
    acronyms = {stem(t) for t in entities(question) if t.isalpha()} - stems
    if acronyms:
        stems |= acronyms & {stem(i) for i in _initials(text)}
    return frozenset(stems)


#: A name with a parenthesised part ("EPRS1(N1)"): tokens split it apart, so it is also matched as written.
_COMPOUND_NAME = re.compile(r"(?<![\w-])[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*\([A-Za-z0-9-]*\d[A-Za-z0-9-]*\)")


def compound_names(question: str) -> list[str]:
    """Compound names of a question, lower-cased: 'EPRS1(N1)' → ['eprs1(n1)']."""
    return list(dict.fromkeys(m.group(0).lower() for m in _COMPOUND_NAME.finditer(question)))


_BINOMIAL = re.compile(r"\b([A-Z][a-z]{2,})\s+([a-z]{3,})\b")


@lru_cache(maxsize=256)
def _binomials(question: str) -> tuple[tuple[str, str], ...]:
    """Genus and species a question names ("Escherichia coli"): a text may abbreviate the genus ("E. coli")."""
    return tuple(m.groups() for m in _BINOMIAL.finditer(question) if m.group(1).lower() not in STOPWORDS)


_PREFIXES = ("", "neuro", "anti", "pro", "pre", "post", "non", "sub", "hyper", "hypo", "intra", "inter", "micro",
             "macro", "multi", "poly", "over", "under", "re", "co", "de", "dys", "mis", "un", "in", "im", "bio")


def contains(term: str, stems: frozenset[str]) -> bool:
    """Whether a stem occurs among others, also as the start of a longer or prefixed word
    ('inflamm' in 'inflammatori' and 'neuroinflamm'), never in the middle of an unrelated one."""
    if term in stems:
        return True
    if len(term) < 5:
        return False
    return _contains_affixed(term, stems)


@lru_cache(maxsize=65536)
def _contains_affixed(term: str, stems: frozenset[str]) -> bool:
    # "hippocampus" and "hippocampal" (stem "hippocamp"): the same word with another ending. The substring test
    # first: it rules out nearly every word at C speed before the prefixes are tried.
    return any(any(other.startswith(prefix) and other.startswith(term, len(prefix)) for prefix in _PREFIXES)
               for other in stems if len(other) > len(term) and term in other) or any(
        term.startswith(other) for other in stems if len(other) >= 6 and 0 < len(term) - len(other) <= 3)


def question_weights(question: str, passages: list[Passage]) -> tuple[dict[str, float], dict[str, str]]:
    """IDF weight of each content stem of the question (over the passages), and its surface form."""
    n = max(len(passages), 1)
    passage_stems = [text_stems(p.text, question) for p in passages]
    named = entities(question)
    weights: dict[str, float] = {}
    surface: dict[str, str] = {}
    for token in tokens(spell_out(request_free(question))):
        word = stem(token)
        if token in STOPWORDS or word in weights or (len(token) < 2 and not token.isdigit()):
            continue
        df = sum(contains(word, s) for s in passage_stems)
        # Smoothed so that a word in every retrieved passage still counts: retrieval picked them for it.
        idf = math.log(1 + (n + 1) / (max(df, ABSENT_DF) + 0.5))
        boost = 1.5 if token in named else 0.5 if word in generic_stems() else 1.0
        weights[word], surface[word] = idf * boost, token
    for name in compound_names(question):  # the most specific thing a question names
        df = sum(name in s for s in passage_stems)
        weights[name] = 1.5 * math.log(1 + (n + 1) / (max(df, ABSENT_DF) + 0.5))
        surface[name] = name
    return weights, surface


def missing(question: str, weights: dict[str, float], passages: list[Passage]) -> list[str]:
    """Specific (non-generic) question stems that no passage contains."""
    # A question may name a document by its title or kind ("the news article") rather than by its text.
    present = frozenset().union(*(text_stems(p.text, question) | _plain_stems(f"{p.title} {p.doc_type.value}")
                                  for p in passages))
    # A compound name written otherwise ("EPRS1 (N1)") is still named by its parts.
    return [t for t in weights if t not in generic_stems() and "(" not in t and not contains(t, present)]


#: "What is the cost-effectiveness of ...": the thing a "what is the X of Y" question asks for is X.
_FOCUS = re.compile(r"^\W*(?:what|which)\s+(?:is|are|was|were)\s+(?:the\s+|an?\s+)?(?P<focus>[\w-]+(?:\s+[\w-]+){0,3}?)"
                    r"\s+(?:of|for|in|on|between|that|to|with|at|among|from|behind)\b", re.I)


def focus_missing(question: str, weights: dict[str, float], passages: list[Passage]) -> Optional[str]:
    """The thing a "what is the X of Y" question asks for (the head word of X) when no passage mentions it, else None.

    Without it the passages answer a neighbouring question. A hyphenated head ("cost-effectiveness") is one thing:
    its parts must occur together. A quantity ("the optimal temperature") is exempt: passages state it as a number
    and a unit ("71.5 °C"), not by name.
    """
    match = _FOCUS.search(question)
    if not match or ASKS_QUANTITY.search(question):
        return None
    head = match.group("focus").split()[-1]
    stems = [t for t in content_stems(spell_out(head)) if t in weights and t not in generic_stems()]
    if not stems:
        return None
    parts = content_stems(spell_out(head))
    if len(parts) > 1:
        runs = (content_stems(spell_out(p.text)) for p in passages)
        together = any(tuple(parts) in zip(*(run[i:] for i in range(len(parts)))) for run in runs)
        return None if together else head
    return head if set(stems) & set(missing(question, weights, passages)) else None


_HOW_OFTEN = re.compile(r"^(?:usually|typically|commonly|generally|often|normally|mostly|roughly|approximately|about)$")


def distinctive(question: str, passages: list[Passage], absent: list[str]) -> set[str]:
    """Question stems that some passage holds but most do not: what the question singles out."""
    passage_stems = [text_stems(p.text, question) for p in passages]
    out = set()
    for token in tokens(spell_out(request_free(question))):
        word = stem(token)
        if token in STOPWORDS or word in absent or word in generic_stems() or (len(token) < 2 and not token.isdigit()):
            continue
        if _HOW_OFTEN.match(token):  # "typically", "usually": how the question hedges, not what it singles out
            continue
        if 0 < sum(contains(word, s) for s in passage_stems) <= len(passages) / 2:
            out.add(word)
    return out


def absent_populations(question: str, passages: list[Passage]) -> list[str]:
    """Populations the question names ("children", "mice") that no passage mentions, as the question writes them."""
    named = [t for t in dict.fromkeys(tokens(question)) if t in POPULATIONS]
    if not named:
        return []
    present = frozenset().union(*(text_stems(p.text, question) for p in passages))
    return [t for t in named if not any(contains(stem(w), present) for w in (t, *_SAME_POPULATION.get(t, ())))]


def same_population(word: str) -> tuple[str, ...]:
    """Stems of the words passages may write for a population word ("seniors": "old", "elderly"); empty if none."""
    return tuple(stem(w) for w in _SAME_POPULATION.get(word.lower(), ()))


def populations_in(text: str) -> list[str]:
    """The population words a text uses ("older adults" counts as "adults"), in order of first use."""
    found = [t for t in dict.fromkeys(tokens(text)) if t in POPULATIONS]
    older = re.search(r"\b(?:older|elderly|aged|middle-aged) adults\b", text, re.I)
    return [older.group(0).lower() if t == "adults" and older else t for t in found]
