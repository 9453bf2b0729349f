"""Citations: parse [n] markers in an answer and check each sentence against the passages it cites.

An answer cites the passages it was given as [1], [2, 3] or [2–4]. After an LLM writes an
answer, `check_answer` drops markers that point at no given passage, flags sentences that
cite nothing ("uncited"), sentences whose cited passages do not back them ("unsupported":
too few of the sentence's content words occur in the cited passages), and sentences that
share the words but not the meaning (a number, a negation, a direction or a population the
passages do not state, or an instruction to a model; `reviewer.answering.verify`). The word-level helpers here (content words, stems) are shared with the offline
answerer, so "supported" means the same thing to both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from reviewer.answering.verify import disagreement, looks_like_instruction
from reviewer.models import Answer, Citation, FlaggedSentence, Passage, Problem
from reviewer.text import (BULLET, LEADING_MARKERS, MARKER, content_stems, find_citations, normalize_space, numbers, parse_marker,
                           renumber, split_sentences, strip_markers)

#: Share of a sentence's content words that must occur in the passages it cites.
MIN_SUPPORT = 0.5
#: Sentences with fewer content words than this are connective text ("In summary:"), not claims.
MIN_CLAIM_WORDS = 3


def quote_matches(sentence: str, passage_text: str) -> bool:
    """Whether a quoted sentence occurs word for word in a passage.

    The comparison ignores bracketed reference numbers (a paper's own "[3,4]", which a quote
    drops so they are not read as citations of the answer) and differences of whitespace.
    """
    return normalize_space(strip_markers(sentence)) in normalize_space(strip_markers(passage_text))


def split_answer_sentences(text: str) -> list[str]:
    """Split an answer into sentences, keeping a trailing citation marker with the sentence it follows."""
    out: list[str] = []
    for line in text.splitlines():
        line = BULLET.sub("", line).strip()
        if not line or line.startswith("#"):
            continue
        for start, end in split_sentences(line):
            piece = line[start:end].strip()
            lead = LEADING_MARKERS.match(piece)
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
    """One sentence of an answer with the passages it cites, how well they back it, and what is wrong."""

    text: str
    cited: list[int]
    support: float
    flag: Optional[FlaggedSentence] = None


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
        """Sentences that cite a passage which backs them, in words and in meaning."""
        return [s for s in self.sentences if s.cited and s.support >= MIN_SUPPORT and s.flag is None]

    def add(self, sentence: CheckedSentence) -> None:
        self.sentences.append(sentence)
        self.cited.extend(n for n in sentence.cited if n not in self.cited)
        if sentence.flag is not None:
            self.flagged.append(sentence.flag)


def _checked(sentence: str, passages: list[Passage], min_support: float) -> CheckedSentence:
    """One sentence checked: its citations, their support, and a flag when its passages do not back it."""
    cited = find_citations(sentence)
    if looks_like_instruction(strip_markers(sentence)):
        flag = FlaggedSentence(sentence=sentence, problem=Problem.instruction, citations=cited,
                               reason="it reads as an instruction to a model, not a finding")
        return CheckedSentence(sentence, cited, 0.0, flag)
    if not cited:
        claim = len(content_stems(strip_markers(sentence))) >= MIN_CLAIM_WORDS
        flag = FlaggedSentence(sentence=sentence, problem=Problem.uncited) if claim else None
        return CheckedSentence(sentence, [], 0.0, flag)
    sources = [passages[n - 1].text for n in cited]
    score = support(sentence, [passages[n - 1] for n in cited])
    wrong = disagreement(sentence, sources)
    if wrong is not None:
        flag = FlaggedSentence(sentence=sentence, problem=wrong[0], citations=cited, reason=wrong[1])
    elif score < min_support:
        flag = FlaggedSentence(sentence=sentence, problem=Problem.unsupported, citations=cited)
    else:
        flag = None
    return CheckedSentence(sentence, cited, score, flag)


def _drop_unknown(text: str, count: int, dropped: list[int]) -> str:
    """Rewrite markers to keep only numbers 1..count, recording the others in `dropped`."""

    def fix(match: re.Match) -> str:
        numbers_ = parse_marker(match.group(1))
        keep = [n for n in numbers_ if 1 <= n <= count]
        dropped.extend(n for n in numbers_ if not 1 <= n <= count and n not in dropped)
        return f"[{', '.join(map(str, keep))}]" if keep else ""

    fixed = MARKER.sub(fix, text)
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
        sentences ("uncited", "unsupported", or one whose meaning its passages do not back:
        see `reviewer.answering.verify`).
    """
    dropped: list[int] = []
    cleaned = _drop_unknown(text, len(passages), dropped)
    check = AnswerCheck(text=cleaned, dropped=sorted(dropped))
    for sentence in split_answer_sentences(cleaned):
        check.add(_checked(sentence, passages, min_support))
    check.cited.sort()
    return check


def number_by_appearance(answer: Answer) -> Answer:
    """The answer with its citations numbered in order of first appearance: [1], [2], [3].

    On entry, [n] in the text names `answer.passages[n - 1]` (the retrieval rank); on return,
    the first passage cited is [1], the next new one [2], and so on, and `citations` lists
    each cited passage once with its new `n`. The flagged sentences of a generated answer that
    was kept are renumbered alike; those of one that was replaced by the extractive answer keep
    their numbers, which name `passages` by position.
    """
    order = [n for n in find_citations(answer.answer) if 1 <= n <= len(answer.passages)]
    mapping = {old: new for new, old in enumerate(order, 1)}
    flagged = [f.model_copy(update={"sentence": renumber(f.sentence, mapping),
                                    "citations": [mapping.get(n, n) for n in f.citations]})
               for f in answer.flagged] if answer.llm else answer.flagged
    citations = [Citation(**answer.passages[old - 1].model_dump(), n=new) for old, new in mapping.items()]
    return answer.model_copy(update={"answer": renumber(answer.answer, mapping), "citations": citations,
                                     "flagged": flagged})
