"""Findings: agreements and conflicts among study rows, and the gaps the documents themselves name."""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from reviewer.models import Direction, Finding, Gap, Passage, SummaryRow
from reviewer.text import BULLET, NOT_PROSE_LINE, looks_like_instruction, normalize_space, split_sentences, strip_markers

#: Gap sentences listed at most.
MAX_GAPS = 10

#: Outcome families, so "working memory" and "ADAS-Cog score" are compared as cognition. First match wins.
OUTCOME_FAMILIES: tuple[tuple[str, re.Pattern], ...] = tuple((label, re.compile(p, re.I)) for label, p in (
    ("brain structure", r"\b(?:volume|thickness|grey matter|gray matter|white matter|atrophy|connectivity)\b"),
    ("biomarkers", r"\b(?:BDNF|IGF-1|insulin-like growth factor|irisin|IL-6|interleukin|cytokines?|lactate|cathepsin"
                   r"|MCP-1|biomarkers?|circulating|plasma|serum)\b"),
    ("cognition", r"cogniti\w*|\bmemory\b|\bexecutive\b|\battention\b|\binhibit\w*|processing speed|reaction time"
                  r"|\bStroop\b|\brecall\b|\bMMSE\b|\bMoCA\b|\bADAS-Cog\b|Mini-Mental|\bdementia\b"),
    ("physical function", r"\b(?:muscle|grip|gait|balance|walking|mobility|physical function|strength)\b"),
    ("mood and sleep", r"\b(?:depress\w*|anxiety|mood|sleep|well-being|quality of life)\b"),
))

_GAP = re.compile(
    r"\bremains? (?:largely |still |poorly |not fully |incompletely )?(?:unclear|unknown|uncertain|unresolved|"
    r"unexplored|understudied|controversial|elusive|limited|to be (?:\w+ )?(?:established|clarified|elucidated|"
    r"determined|explored|investigated|confirmed|tested|understood))\b"
    r"|\b(?:research|studies|trials|work|investigation|evidence|data) (?:is|are) (?:still |urgently )?"
    r"(?:needed|required|warranted|lacking|scarce)\b"
    r"|\b(?:has|have) (?:not )?yet to be\b|\b(?:little|less) is known\b|\bpoorly understood\b|\bnot (?:yet )?"
    r"(?:fully |well )?understood\b|\bknowledge gaps?\b|\bopen questions?\b|\bunanswered\b|\bwarrants? further\b",
    re.I,
)
# "Further research" and "future studies" name a gap only with a call for it ("... are needed", "should").
_GAP_CALL = re.compile(r"\b(?:further|future|additional|more) (?:\w+ ){0,2}?(?:research|studies|investigations?|work"
                       r"|trials|exploration|validation)\b", re.I)
_NEED = re.compile(r"\b(?:needed|required|warranted|necessary|should|must|needs? to|will need|is needed|are needed)\b",
                   re.I)
_PHRASE = {Direction.benefit: "a benefit", Direction.no_effect: "no effect", Direction.harm: "a harmful effect",
           Direction.mixed: "mixed results"}


def outcome_family(row: SummaryRow, text: str = "") -> Optional[str]:
    """The outcome family of a row: from its outcome cell, else the family its sentences name most."""
    if row.outcome:
        for label, pattern in OUTCOME_FAMILIES:
            if pattern.search(row.outcome):
                return label
    counts = Counter({label: len(pattern.findall(text)) for label, pattern in OUTCOME_FAMILIES})
    label, hits = counts.most_common(1)[0] if counts else (None, 0)
    return label if hits else None


def _names(rows: list[SummaryRow], indexes: list[int], most: int = 4) -> str:
    names = [rows[i].study for i in indexes]
    if len(names) > most + 1:
        names = names[:most] + [f"{len(names) - most} more"]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def _on(row: SummaryRow) -> str:
    return f" on {row.outcome}" if row.outcome else ""


def compare(rows: list[SummaryRow], texts: list[str]) -> tuple[list[Finding], list[Finding]]:
    """Agreements and conflicts among rows, grouped by outcome family and direction of effect.

    Rows reporting the same direction on an outcome family agree (two or more rows). A row
    whose direction differs from the family's majority conflicts with it; when no direction is
    in the majority, the family's rows conflict as a whole.
    """
    families: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        family = outcome_family(row, texts[i] if i < len(texts) else "")
        if family and row.direction is not None:
            families.setdefault(family, []).append(i)
    agreements: list[Finding] = []
    conflicts: list[Finding] = []
    for family, members in families.items():
        by_direction: dict[Direction, list[int]] = {}
        for i in members:
            by_direction.setdefault(rows[i].direction, []).append(i)
        for direction, idx in by_direction.items():
            if len(idx) >= 2 and direction is not Direction.mixed:
                agreements.append(Finding(
                    finding=f"{len(idx)} studies report {_PHRASE[direction]} on {family}: {_names(rows, idx)}.",
                    rows=idx))
        if len(by_direction) < 2 and Direction.mixed not in by_direction:
            continue
        ranked = sorted(by_direction.items(), key=lambda kv: -len(kv[1]))
        if len(ranked) > 1 and len(ranked[0][1]) == len(ranked[1][1]):
            summary = "; ".join(f"{_names(rows, idx)} report{'s' if len(idx) == 1 else ''} {_PHRASE[d]}"
                                for d, idx in ranked)
            conflicts.append(Finding(finding=f"The studies disagree on {family}: {summary}.", rows=sorted(members)))
            continue
        majority, majority_rows = ranked[0]
        for direction, idx in ranked[1:] + ([] if majority is not Direction.mixed else [(majority, majority_rows)]):
            for i in idx:
                others = [j for j in majority_rows if j != i]
                against = (f", against {len(others)} stud{'y' if len(others) == 1 else 'ies'} reporting "
                           f"{_PHRASE[majority]} on {family} ({_names(rows, others, 2)})"
                           ) if others and majority is not direction else ""
                conflicts.append(Finding(
                    finding=f"{rows[i].study} reports {_PHRASE[direction]}{_on(rows[i])}{against}.",
                    rows=[i] + others))
    return agreements, conflicts


def passage_sentences(text: str) -> list[str]:
    """The prose sentences of a passage (headings, tables and images left out), whitespace normalised."""

    out = []
    for line in text.splitlines():
        if NOT_PROSE_LINE.match(line) or not line.strip():
            continue
        body = BULLET.sub("", line)
        out += [normalize_space(body[s:e]) for s, e in split_sentences(body)]
    return out


def is_gap(sentence: str) -> bool:
    """Whether a sentence says something remains unknown or calls for further study."""
    return bool(_GAP.search(sentence) or (_GAP_CALL.search(sentence) and _NEED.search(sentence)))


def find_gaps(passages: list[Passage], limit: int = MAX_GAPS) -> list[Gap]:
    """Sentences in which the documents say what remains unknown or needs further study.

    Cues: "remains unclear", "remains to be established", "... are needed", "has yet to be",
    "little is known", and "further research" or "future studies" with a call for them
    ("should", "is needed", "would be necessary"). The text is the sentence as written,
    without the paper's own reference numbers; `citation` holds the passage's index for now.
    """
    gaps: list[Gap] = []
    seen: set[str] = set()
    for i, p in enumerate(passages):
        for sentence in passage_sentences(p.text):
            if (len(sentence.split()) < 6 or sentence.startswith("…") or not is_gap(sentence)
                    or looks_like_instruction(sentence)):  # text addressing a model is never quoted as evidence
                continue
            text = strip_markers(sentence)
            key = text.lower()
            if key in seen or any(key in s or s in key for s in seen):
                continue
            seen.add(key)
            gaps.append(Gap(text=text, citation=i))
            if len(gaps) == limit:
                return gaps
    return gaps
