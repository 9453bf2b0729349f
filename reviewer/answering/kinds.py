"""Answers by question type: the lines the offline answerer writes for each `QuestionType`.

Each function gets the question, the passages and the candidate sentences (scored, best
first) and returns the answer's lines, every statement a verbatim quote cited [n] (n: the
passage's position in the retrieved list), or None when the type's shape does not fit the
passages (the caller then quotes the best sentences). A line may open with a short label
made of the passages' own words (a study's name, design, sample size and direction; a
comparison's side) before its quote. List questions are answered by `reviewer.answering.listing`.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.answering.change import asked_change, stated_change
from reviewer.answering.designs import design_asked, design_wording, of_design
from reviewer.answering.documents import acronyms_defined
from reviewer.answering.questions import (ACRONYM, DIRECTION_WORDS, SUPERLATIVE, asked_direction, comparison_sides, contains,
                                          distinctive, generic_stems, text_stems, unit_pattern)
from reviewer.answering.sentences import CONTEXT_FACTOR, GOES_ON, Sentence, cite, next_sentence, pick, quoted
from reviewer.answering.wording import subject_words
from reviewer.models import Passage, StudyDesign
from reviewer.text import COUNT, content_stems, normalize_space, spell_out, stem, strip_markers

#: Studies listed at most in a "which studies" answer.
MAX_STUDIES = 5
#: Share of a listed study's score that depends on how much of the question's topic its text and heading hold.
TOPIC_WEIGHT = 0.5
#: Score factor of a number stated in the unit the question asks about (applied for up to two different unit words).
UNIT_BONUS = 1.3
#: Best sentences, without the number asked for, whose next sentence is read for it.
NEIGHBOUR_PLACES = 2
#: Characters before and after a number within which a unit word counts as the number's unit.
UNIT_REACH = (25, 40)
_NUMBER = re.compile(rf"\b{COUNT}\b", re.I)
#: A span of time stated without a number ("over a period of weeks to months", "several years").
_SPAN = re.compile(r"\b(?:(?:hours|days|weeks|months|years) (?:to|or) (?:days|weeks|months|years)|(?:several|a few|many) "
                   r"(?:days|weeks|months|years))\b", re.I)
_DIRECTION_WORDS = {"benefit": "benefit", "no_effect": "no effect", "harm": "worsening", "mixed": "mixed results"}
_DESIGN_WORDS = {StudyDesign.rct: "RCT", StudyDesign.meta_analysis: "meta-analysis"}
_SIZE = re.compile(r"\bhow many (?:participants|people|patients|subjects|individuals|adults|persons|volunteers|"
                   r"children|women|men)\b|\bsample size\b|\benrol\w*", re.I)
_FEWEST = re.compile(r"\b(?:smallest|fewest|least|lowest)\b", re.I)
#: "Which study ...": one study asked for; a second is listed when it ranks this share of the first.
_ONE_STUDY = re.compile(r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:study|trial|RCT|experiment|paper)\b(?!\s+(?:design|type|kind))",
                        re.I)
ONE_STUDY_SHARE = 0.8


def studies(question: str, passages: list[Passage], ranked: list[Sentence]) -> Optional[list[str]]:
    """One line per named study in the direction asked about: '- Lamb et al. (RCT, n = 494, worsening): quote [n].'"""
    from reviewer.grading import direction, grade, split_studies

    want = asked_direction(question)
    # What the studies must be about ("Parkinson's disease"), beyond the direction asked for.
    about = {t for t in distinctive(question, passages, []) if not DIRECTION_WORDS.search(t)}
    design_said = design_asked(question)
    named = {stem(w.strip("'’s").lower()) for w in re.findall(r"\b[A-Z][\w'’-]*", question)[1:]} & about
    # A study of either alternative, without the words phrasing it ("weak grip": one of grip strength is about it).
    # "Which trials or reviews": alternatives of design ask for either kind of study, about the rest of the question.
    alternatives = [[t for t in content_stems(spell_out(subject_words(side))) if not DIRECTION_WORDS.search(t)]
                    for side in comparison_sides(question) or ()]
    topic = [t for t in dict.fromkeys(content_stems(spell_out(question)))
             if t not in generic_stems() and not DIRECTION_WORDS.search(t)]
    defined = acronyms_defined(passages)
    # The question's subject as the heading of most passages names it ("3.3. ... with Dementia"): not an MCI trial.
    sections = [p.section or "" for p in passages]
    heading = set(content_stems(max(sections, key=sections.count, default=""))) & set(topic)
    found: dict[str, tuple[float, str]] = {}
    for i, p in enumerate(passages):
        lead_in = ""  # the sentences before a study that say what it is about ("... a mediating role ...")
        for name, segment in split_studies(p.text):
            if not name.strip():
                lead_in = segment
                continue
            own = [s for s in ranked if s.index == i and s.quote in normalize_space(strip_markers(segment))]
            design = grade(segment, p.section, p.doc_type).design
            if not own or (design_said and not of_design(segment, design, design_said)):
                continue
            held = text_stems(f"{lead_in} {segment} {p.section or ''}", question).union(  # under "... Parkinson's"
                *(defined[a.lower()] for a in ACRONYM.findall(segment) if a.lower() in defined))  # "RT"
            # "linked muscle mass or grip strength to ...": a study of either alternative is about the question.
            # ... as is one holding most of the question's topic in other words ("tests" and "performance"), unless
            # what it lacks is a name ("Parkinson's", "IL-6").
            if about and not any(contains(t, held) for t in about) and not any(
                    alt and all(contains(t, held) for t in alt) for alt in alternatives) and (
                    named or share_held(topic, held) < 0.5):
                continue
            if any(must and not any(contains(t, held) for t in must) for must in (heading, named)):  # a name: the subject
                continue
            way = direction(segment)
            if (want == "against" and way not in ("no_effect", "harm", "mixed")) or (
                    want == "for" and way not in ("benefit", "mixed")):
                continue
            label = normalize_space(strip_markers(name)) or _unnamed_label(segment, name)
            best, line = _study_line(label, design, segment, own, way, i + 1)
            # The reference number tells apart two studies by authors of one name ("Liu et al. [23]", "[42]").
            key = normalize_space(name).lower().replace("’s", "").replace("'s", "")
            # A study under a heading, or in words, that holds all the question's topic comes first.
            rank = best.score * (1 - TOPIC_WEIGHT * (1 - _topical(topic, f"{lead_in} {segment} {p.section or ''}", question)))
            if key not in found or rank > found[key][0]:
                found[key] = (rank, line)
    ordered = sorted(found.values(), key=lambda x: -x[0])
    if _ONE_STUDY.search(question):  # "which study ...": the one (or two) the question is about, not every study
        ordered = [(rank, line) for rank, line in ordered[:2] if rank >= ONE_STUDY_SHARE * ordered[0][0]]
    return [line for _, line in ordered[:MAX_STUDIES]] or _none_against(want, ranked)


def _none_against(want: Optional[str], ranked: list[Sentence]) -> Optional[list[str]]:
    """When no named study reports no effect or a worsening, as asked: say so, and what the passages report."""
    if want != "against":
        return None
    chosen = pick(ranked, 2, 0.75 * ranked[0].score, 0.0)
    return (["No study the passages name reports no effect or a worsening; what they report:"]
            + [" ".join(cite(s.quote, s.index + 1) for s in chosen)])


def _study_line(label: str, design: StudyDesign, segment: str, own: list[Sentence], way: Optional[str],
                n: int) -> tuple[Sentence, str]:
    """The sentence standing for a study, and its line: '- Lamb et al. (RCT, n = 494, worsening): quote [n].'

    The sentence naming the study says who, what and in whom; when another states its direction, it follows.
    """
    from reviewer.grading import direction, extract_facts

    stated = next((s for s in own if way and direction(s.quote) == way), None)
    naming = next((s for s in own if label.split()[0] in s.quote), None) if label else None
    best = naming or stated or own[0]
    parts = [_DESIGN_WORDS.get(design, design.label)] if design not in (
        StudyDesign.unknown, StudyDesign.review, StudyDesign.expert_opinion) else []
    size = extract_facts(segment).sample_size
    parts += [f"n = {size}"] if size else []
    parts += [_DIRECTION_WORDS[way]] if way else []
    found_too = f" {cite(stated.quote, n)}" if stated is not None and stated is not best else ""
    return best, f"- {label}" + (f" ({', '.join(parts)})" if parts else "") + f": {cite(best.quote, n)}{found_too}"


def share_held(stems: list[str], held: frozenset[str]) -> float:
    """Share of some stems a sentence holds (1.0 when there are none)."""
    return sum(contains(t, held) for t in stems) / len(stems) if stems else 1.0


def _topical(topic: list[str], text: str, question: str) -> float:
    """Share of a question's topic stems a text holds (1.0 for a question with none)."""
    return share_held(topic, text_stems(text, question)) if topic else 1.0


def _unnamed_label(segment: str, name: str) -> str:
    """A label for a study named only by its reference ("A cohort study involving 1978 older adults [41]")."""
    cut = segment.find(name.strip())
    text = normalize_space(strip_markers(segment[:cut] if cut > 0 else segment))
    words = re.sub(r"^(?:[A-Z]\w+(?: \w+)?),\s+", "", text).split()  # "Notably, a subsequent trial": no "Notably"
    return " ".join(words[:8]).rstrip(",;:") or "Unnamed study"


def quantity(question: str, ranked: list[Sentence], every: list[Sentence], min_coverage: float,
             passages: Optional[list[Passage]] = None) -> Optional[list[str]]:
    """The sentence stating the number (the largest or smallest sample when the question asks for it).

    A number in the unit the question asks about ("what dose" → sessions per week, minutes,
    intensity; "temperature" → degrees) counts more than any other number.
    """
    units = unit_pattern(question)
    if not any(states(s, units) and s.coverage >= 0.5 * min_coverage for s in ranked):
        _neighbours_stating(ranked, every, units, passages)  # no sentence answering the question states it: read on
    # A number in the unit asked about answers even without the word the question singles out ("what dose" and
    # "2–3 sessions per week").
    pool = ranked + [s for s in every if units and units.search(s.quote) and not any(s is r for r in ranked)]
    numeric = [s for s in pool if (s.has_number or _SPAN.search(s.quote)) and s.coverage >= 0.5 * min_coverage]
    if units:
        # "How often ...?" is answered by a number of sessions a week before any other number, however topical.
        numeric.sort(key=lambda s: (-(_in_units(s.quote, units) > 1), -s.score * _in_units(s.quote, units), s.index, s.start))
    if not numeric:
        return None
    top = numeric[0]
    if asks_extreme_size(question):
        top = extreme_sample(question, every) or top
    chosen = pick([s for s in numeric if s is not top], 2, 0.85 * numeric[0].score, 0.8 * min_coverage, [top])
    # "Eckardt et al. compared ...": what they found, and its figures, follows ("They found that 10 weeks ...").
    after = next_sentence(top, every, passages)
    if after is not None and GOES_ON.match(after.quote) and after.has_number and not any(after is c for c in chosen):
        chosen.insert(chosen.index(top) + 1, after)
    return [" ".join(quoted(s) for s in chosen)]


def states(s: Sentence, units: Optional[re.Pattern]) -> bool:
    """Whether a sentence states a quantity (in the units asked about, when the question names some)."""
    return _in_units(s.quote, units) > 1 if units else s.has_number


def _neighbours_stating(ranked: list[Sentence], every: list[Sentence], units: Optional[re.Pattern],
                        passages: Optional[list[Passage]] = None) -> None:
    """The best sentences that speak of the question without its number lend their score to the next sentence of
    their passage when that one states it ("The duration needed ... may vary", then "Studies typically show effects
    over a period of weeks to months"): it is read, and quoted, after them."""
    for best in ranked[:NEIGHBOUR_PLACES]:
        if states(best, units) or best.score <= 0:
            continue
        following = next_sentence(best, every, passages)  # read on into the next chunk when it was retrieved
        if following is None or following.lead or not states(following, units):
            continue
        following.lead, following.lead_index = best.quote, best.index
        following.context = following.stems | best.stems
        following.coverage = max(following.coverage, best.coverage * CONTEXT_FACTOR)
        following.score = max(following.score, best.score * CONTEXT_FACTOR)


def _in_units(quote: str, units: re.Pattern) -> float:
    """`UNIT_BONUS` once per different unit a sentence states a number in, up to two: "two to three sessions per
    week and durations of 12 weeks" states a dose more fully than "high-intensity training" (no number in it)."""
    near = set()
    for number in [*_NUMBER.finditer(quote), *_SPAN.finditer(quote)]:
        window = quote[max(0, number.start() - UNIT_REACH[0]):number.end() + UNIT_REACH[1]]
        near |= {m.group(0).lower() for m in units.finditer(window)}
    return UNIT_BONUS ** min(len(near), 2)


def asks_extreme_size(question: str) -> bool:
    """Whether a question asks for the largest or smallest sample ("How many took part in the largest RCT?")."""
    return bool(_SIZE.search(question) and SUPERLATIVE.search(question))


#: "... and what did the biggest one find?": the largest (or smallest) study is asked about, whatever else is asked.
_EXTREME_STUDY = re.compile(r"\bthe (?:biggest|largest|smallest) (?:one|trial|study|RCT|cohort)\b", re.I)


def extreme_study(question: str, every: list[Sentence]) -> Optional[Sentence]:
    """The sentence reporting the largest (or smallest) sample when the question asks what that study found."""
    return extreme_sample(question, every) if _EXTREME_STUDY.search(question) else None


def extreme_sample(question: str, numeric: list[Sentence]) -> Optional[Sentence]:
    """Among the sentences reporting a sample (of the design the question names), the largest or smallest."""
    from reviewer.grading import extract_facts

    pool = [s for s in numeric if s.has_number]  # the study asked for is named by its size and design, not by the question's words
    said = design_wording(question)
    pool = [s for s in pool if said.search(s.quote)] if said else pool
    sized = [(extract_facts(s.quote).sample_size, s) for s in pool]
    sized = [(n, s) for n, s in sized if n]
    if not sized:
        return None
    pick_one = min if _FEWEST.search(question) else max
    return pick_one(sized, key=lambda x: x[0])[1]


def direction_lead(chosen: list[Sentence], passages: list[Passage], question: str = "") -> list[str]:
    """For a yes/no question: which way the quoted findings point, and the strongest design behind them.

    When the question asks for a change ("Does walking lower blood pressure?"), each finding counts for
    it if it states that change ("reduced"), against it if it states the opposite or no effect.
    """
    from reviewer.grading import direction

    if chosen and _denies(chosen[0].quote, question):  # "Did the study observe people?": "did not observe people"
        return ["No: the passage below states the opposite."]
    if chosen and DOUBTS.search(question) and CAVEAT.search(chosen[0].quote):  # "did it actually show ...?"
        return ["Not shown: the first sentence below says what the evidence does not establish."]
    # A finding saying the matter is open ("more research is needed to reverse ...") is no benefit, whatever it names.
    ways = ["open" if _OPEN.search(s.quote) else direction(s.quote) for s in chosen]
    asked = asked_change(question)
    if asked:
        moves = [_moves(s.quote, way, asked) for s, way in zip(chosen, ways)]
        if any(moves):
            return [_lead_line(moves, chosen, passages, asked)]
    pro = sum(w == "benefit" for w in ways)
    con = sum(w in ("no_effect", "harm") for w in ways)
    mixed = sum(w == "mixed" for w in ways)
    unsettled = ways.count("open")
    if not pro + con + mixed + unsettled:
        return []
    head = ("Yes" if pro and not con + mixed + unsettled else "No" if con and not pro + mixed + unsettled
            else "Not established" if unsettled and not pro + con + mixed else "Mixed")
    parts = [(c, w) for c, w in ((pro, "a benefit"), (con, "no effect or a worsening"), (mixed, "mixed results"),
                                 (unsettled, "that the question is still open")) if c]
    return [_with_design(f"{head}: {_tally(parts, len(chosen))}", chosen, passages)]


#: A finding that leaves the question open: the evidence is called inconclusive, limited or still needed.
_OPEN = re.compile(r"\b(?:inconclusive|(?:remains?|still|is|are) (?:largely )?(?:unclear|uncertain|unknown|limited|"
                   r"lacking|insufficient|debated|controversial|preliminary|sparse|scarce)|(?:more|further|additional)(?: \w+)? (?:research|studies|"
                   r"trials|evidence) (?:is|are) (?:needed|required|warranted)|not (?:yet )?(?:been )?(?:established|"
                   r"proven|confirmed)|remains? to be (?:\w+ )?(?:elucidated|established|determined|clarified))\b", re.I)


#: A yes/no question doubting a claim ("did the study actually show ...?") is answered by the passages' caveats.
DOUBTS = re.compile(r"\b(?:actually|really|truly|prove[dns]?|proof|conclusive(?:ly)?|definitive(?:ly)?)\b", re.I)
CAVEAT = re.compile(r"\b(?:did|does|do|could|can) ?not (?:prove|show|establish|observe|demonstrate|test|measure|draw)\b"
                    r"|\b(?:impossible|inconclusive|cautioned|not (?:yet )?(?:proven|established|clear))\b", re.I)


def _denies(quote: str, question: str) -> bool:
    """Whether a sentence negates what the question asks about ("did not observe people exercising" for "Did the
    study observe people exercising?")."""
    asked = set(content_stems(question)) - generic_stems()
    return any(stem(m.group(1).lower()) in asked for m in _NEGATED.finditer(quote))


_NEGATED = re.compile(r"\b(?:did|does|do|was|were|is|are|has|have|had) not (?!only\b)(?:\w+ly )?(\w+)", re.I)


def _moves(quote: str, way: Optional[str], asked: str) -> Optional[str]:
    """"for" when a finding states the change asked about, "opposite" or "null" when it states the opposite or no
    effect, else None."""
    if way == "no_effect":
        return "null"
    stated = stated_change(quote)
    if stated:
        return "for" if stated == asked else "opposite"
    if asked == "up" and way in ("benefit", "harm"):
        return "for" if way == "benefit" else "opposite"
    return None


def _lead_line(moves: list[Optional[str]], chosen: list[Sentence], passages: list[Passage], asked: str) -> str:
    pro, con, null = moves.count("for"), moves.count("opposite"), moves.count("null")
    head = "Yes" if pro and not con + null else "No" if con + null and not pro else "Mixed"
    change, opposite = ("an increase", "a decrease") if asked == "up" else ("a decrease", "an increase")
    parts = [(c, w) for c, w in ((pro, change), (con, opposite), (null, "no effect")) if c]
    return _with_design(f"{head}: {_tally(parts, len(chosen))}", chosen, passages)


def _tally(parts: list[tuple[int, str]], k: int) -> str:
    if len(parts) == 1 and parts[0][0] == k:
        return f"all {k} findings below show {parts[0][1]}" if k > 1 else f"the finding below shows {parts[0][1]}"
    return f"of the {k} findings below, " + ", ".join(f"{c} show{'s' if c == 1 else ''} {w}" for c, w in parts)


def _with_design(line: str, chosen: list[Sentence], passages: list[Passage]) -> str:
    """The lead line, with the strongest design among the quoted passages and its certainty."""
    from reviewer.grading import RANKING

    tags = [passages[s.index].evidence for s in chosen if passages[s.index].evidence is not None]
    tags = [t for t in tags if t.design not in (StudyDesign.unknown,)]
    if tags:
        rank = {d: i for i, d in enumerate(RANKING)}
        best = min(tags, key=lambda t: rank.get(t.design, len(rank)))
        line += (f"; strongest design: {_DESIGN_WORDS.get(best.design, best.design.label)} "
                 f"({best.strength.label} certainty)")
    return line + "."
