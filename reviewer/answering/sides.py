"""The two things a comparison question weighs ("older adults or children", "between MCI and dementia",
"for teenagers than for seniors"), as the words of each side.
"""

from __future__ import annotations

import re
from typing import Optional

from reviewer.answering.wording import GENERIC_STEMS
from reviewer.text import STOPWORDS, content_stems, stem

#: Where a question names two sides: "between A and B", "A versus B", "do A and B differ", "for A than for B",
#: "A or B" (tried in this order).
_SIDES = (re.compile(r"\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)(?:[?.]|$)", re.I),
          re.compile(r"(?P<a>[\w–'’-]+(?:\s+[\w–'’-]+){0,3}?)\s+(?:versus|vs\.?|compared? (?:with|to))\s+"
                     r"(?P<b>[\w–'’-]+(?:\s+[\w–'’-]+){0,3}?)"
                     r"(?:\s*[?.,;:]|\s+[-–—]\s|\s+(?:for|in|on|among|with|at|when|regarding)\b|$)", re.I),
          # "Do weight training and aerobic exercise differ in ...": two things asked to differ.
          re.compile(r"^\W*(?:do|does|did|how do|how does|in what ways? do)\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+"
                     r"(?:differ|compare|(?:[\w-]+\s+)?(?:different|distinct))\b", re.I),
          # "different for teenagers than for seniors"
          re.compile(r"\b(?:for|in|among)\s+(?P<a>[\w–'’-]+(?:\s+[\w–'’-]+){0,2}?)\s+than\s+(?:for|in|among)\s+"
                     r"(?P<b>[\w–'’-]+(?:\s+[\w–'’-]+){0,2})", re.I),
          re.compile(r"(?P<a>[\w–'’-]+(?:\s+[\w–'’-]+){0,3}?)\s+or\s+(?P<b>[\w–'’-]+(?:\s+[\w–'’-]+){0,5})", re.I))
#: A side said as a clause ("what a single workout does"): its subject is the side.
_WHAT = re.compile(r"^(?:what|how)\s+(?:(?:a|an|the)\s+)?(.+)$", re.I)
#: "... as a marker or mediator": the roles something may have, not two things compared.
_ROLE = re.compile(r"\bas (?:an?|the)\s+(?:[\w-]+\s+)?[\w-]+\s+or\b", re.I)
#: "The link between A and B" names an association, not two things compared.
_ASSOCIATION = re.compile(r"\b(?:links?|associations?|relationships?|relations?|correlations?|connections?|interactions?|"
                          r"interplay|crosstalk|communication|pathways?|axis|mediators?|messengers?|bridges?|signals?)\s+between$", re.I)
#: An "X or Y" question asks to choose when it asks yes or no ("Is it stronger in MCI or dementia?") or compares.
_ASKS_CHOICE = re.compile(r"^\W*(?:is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|which|who)\b|"
                          r"\b(?:better|worse|more|less|stronger|weaker|greater|larger|higher|lower|differ\w*|"
                          r"compared?|versus|vs)\b", re.I)


def comparison_sides(question: str) -> Optional[tuple[str, str]]:
    """The two things a question compares ("MCI or dementia" → ("MCI", "dementia")), or None.

    Each side is the run of content words next to "or", "versus", "compared with" or inside
    "between ... and ..."; a side with no content word, or sides sharing every word, is no comparison.
    """
    for pattern in _SIDES:
        match = pattern.search(question)
        if not match or _ASSOCIATION.search(question[:match.start() + len("between")]):
            continue
        if pattern is _SIDES[-1] and (not _ASKS_CHOICE.search(question) or _ROLE.search(question)):
            continue  # "what routes help people with memory problems or Alzheimer's": alternatives, not a choice
            # ... as are roles ("established as a marker or mediator")
        clauses = [_WHAT.match(match.group(g)) for g in ("a", "b")]
        if all(clauses):  # "between what a single workout does to the brain and what months of training do"
            return _side_words(clauses[0].group(1), last=False, most=3), _side_words(clauses[1].group(1), last=False,
                                                                                       most=4)
        b = _side_words(match.group("b"), last=False, most=3)
        if b.lower().startswith("non-"):  # "progressive or non-progressive training": both sides are training
            b = _side_words(match.group("b"), last=False, most=4)
        # Sides are parallel ("older adults or children"): the first is at most a word longer than the second.
        a = _side_words(match.group("a"), last=True, most=max(2, len(b.split()) + 1))
        negated = b.split()[0].lower()[len("non-"):] if b.lower().startswith("non-") else ""
        if negated and a.lower() == negated:
            a = " ".join([a] + b.split()[1:])  # "progressive" and "non-progressive resistance training"
        if a and b and set(content_stems(a)) != set(content_stems(b)):
            return a, b
    return None


def _side_words(phrase: str, last: bool, most: int) -> str:
    """The content words of one side: the run of at most `most` words nearest to the comparison word."""
    words = phrase.split()
    run: list[str] = []
    for word in reversed(words) if last else words:
        bare = word.strip("?.,;:()").lower()
        if bare == "of" and run and not last and word == bare:  # "months of regular training"
            run.append(bare)
            continue
        if bare in STOPWORDS or stem(bare) in GENERIC_STEMS:  # a change word ("lower") may be a side
            if run:
                break
            continue
        run.append(word.strip("?.,;:()"))
        if len(run) - run.count("of") == most:
            break
    while run and run[-1] == "of":
        run.pop()
    return " ".join(reversed(run) if last else run)
