"""Evidence summaries: the state of the evidence on a topic, as a cited answer and a table of studies.

`summarize` retrieves broadly (the topic itself, the topic with study-design words, and the
topic within each document, so every document can contribute), then builds:

- a short cited answer (`reviewer.answering.extractive.answer` on the best passages);
- an evidence table with one row per study the passages report. A paragraph of a review that
  reports several studies is cut by `reviewer.grading.design.split_studies`, so "Lamb et al. [24]"
  gets its own row; each row's cells come from `extract_facts`, `grade` and `direction` on
  that study's sentences only, so every cell is words of the passage the row cites;
- agreements and conflicts: rows grouped by outcome family and direction of effect;
- gaps: sentences in which the documents say what remains unknown or needs further study.

Every [n] (answer, rows, gaps) points at an entry of `citations`, numbered in retrieval order.
With an LLM (argument or `settings.llm`), `prompts/summarize.md` proposes the rows, findings
and gaps as JSON, and `reviewer.summary.llm_table` keeps only what its passages back.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from reviewer.bibliography.references import name_studies
from reviewer.llm.providers import resolve_llm
from reviewer.models import (
    Citation,
    Direction,
    EvidenceSummary,
    Finding,
    Gap,
    Passage,
    StudyDesign,
    SummaryRow,
)
from reviewer.text import BULLET, NOT_PROSE_LINE, is_methods_section, normalize_space, renumber, split_sentences, strip_markers

#: Passages retrieved for the topic itself when `k` is not given.
DEFAULT_K = 30
#: Words added to the topic in extra queries, so trials, meta-analyses and quantified results that rank
#: lower on the bare topic still come in.
DESIGN_QUERIES = ("systematic review and meta-analysis", "randomized controlled trial", "cohort study",
                  "effect size 95% CI")
#: Above this many documents the per-document queries are skipped (one query per document is too many).
MAX_SPREAD_DOCUMENTS = 50
#: Gap sentences listed at most.
MAX_GAPS = 10
#: Effect sizes quoted in one row's effect cell at most.
MAX_EFFECTS = 4

# Designs that describe a study's own data; a named segment with none of these, and no numbers,
# only mentions a study in passing ("the hypothesis proposed by X et al.").
_NOT_STUDIES = {StudyDesign.review, StudyDesign.unknown, StudyDesign.expert_opinion}

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


def summarize(reviewer, topic: str, k: Optional[int] = None, llm=None, **filters) -> EvidenceSummary:
    """The state of the evidence on a topic: a cited answer, a table of studies, agreements, conflicts, gaps.

    Args:
        reviewer: the `Reviewer` whose store is searched.
        topic: the question or topic, e.g. "Does resistance training improve cognition in older adults?".
        k: passages retrieved for the topic itself (default 30); design-word and per-document
            queries add more.
        llm: an LLM spec ("openai:gpt-4o-mini"), a LangChain chat model, or None for `settings.llm`
            (the offline rules when none is configured).
        **filters: doc_ids, years, doc_types, mmr, as for `Reviewer.retrieve`.

    Returns:
        The summary; every `citation` and [n] refers to an entry of `citations`.

    Raises:
        reviewer.llm.providers.LLMError: the LLM could not be set up or did not answer.

    Example:
        >>> s = summarize(reviewer, "Does resistance training improve memory?")
        >>> [(row.study, row.direction) for row in s.rows][:2]
    """
    from reviewer.answering.extractive import answer

    settings = reviewer.settings
    passages = gather(reviewer, topic, k or DEFAULT_K, **filters)
    model, label = resolve_llm(llm, settings)
    # The answer quotes findings; a review's methods section describes its search, not what it found.
    top = [p for p in passages if not is_methods_section(p.section)][: settings.retrieval.k]
    result = answer(topic, top, settings, llm=model)
    notes = list(result.notes)

    rows: Optional[list[tuple[SummaryRow, str]]] = None  # (row, the text its cells come from); citation = index
    agreements = conflicts = None
    if model is not None and passages:
        from reviewer.summary.llm_table import llm_table

        table = llm_table(topic, passages, model, label, settings)
        notes += table.notes
        rows, agreements, conflicts = table.rows, table.agreements, table.conflicts
    if rows is None:
        rows = study_rows(passages)
    order = sort_rows([row for row, _ in rows])
    position = {old: new for new, old in enumerate(order)}
    rows = [rows[i] for i in order]
    if agreements or conflicts:
        agreements, conflicts = ([f.model_copy(update={"rows": sorted(position[i] for i in f.rows)}) for f in group]
                                 for group in (agreements, conflicts))
    else:
        agreements, conflicts = compare([row for row, _ in rows], [text for _, text in rows])
    gaps = find_gaps(passages)

    # Renumber: the answer cites top[n - 1]; rows and gaps cite passages by index. Citations keep retrieval order.
    at = {p.chunk_id: i for i, p in enumerate(passages)}
    used = {at[c.chunk_id] for c in result.citations} | {row.citation for row, _ in rows} | {g.citation for g in gaps}
    number = {i: n for n, i in enumerate(sorted(used), 1)}
    citations = [Citation(**passages[i].model_dump(), n=n) for i, n in number.items()]
    answer_numbers = {n: number[at[p.chunk_id]] for n, p in enumerate(top, 1) if at[p.chunk_id] in number}
    text = renumber(result.answer, answer_numbers)
    return EvidenceSummary(
        question=topic,
        answer=text,
        citations=citations,
        rows=[row.model_copy(update={"citation": number[row.citation]}) for row, _ in rows],
        agreements=agreements,
        conflicts=conflicts,
        gaps=[g.model_copy(update={"citation": number[g.citation]}) for g in gaps],
        llm=label,
        notes=notes + [f"built from {len(passages)} retrieved passages"],
    )




# ---------------------------------------------------------------- retrieval


def gather(reviewer, topic: str, k: int, **filters) -> list[Passage]:
    """Passages on a topic from several queries, without duplicates, the topic's own ranking first.

    The topic alone gives `k` passages; the topic with each of `DESIGN_QUERIES` adds up to `k`
    each (trials and meta-analyses that rank lower on the bare topic); the topic within each
    document adds up to k/10 each, so every document contributes.
    """
    seen: dict[str, Passage] = {}

    def add(found: list[Passage]) -> None:
        for p in found:
            seen.setdefault(p.chunk_id, p)

    add(reviewer.retrieve(topic, k=k, **filters))
    for words in DESIGN_QUERIES:
        add(reviewer.retrieve(f"{topic} {words}", k=k, **filters))
    doc_ids = filters.get("doc_ids") or [d.doc_id for d in reviewer.documents()]
    if len(doc_ids) <= MAX_SPREAD_DOCUMENTS:
        for doc_id in doc_ids:
            add(reviewer.retrieve(topic, k=max(2, k // 10), **{**filters, "doc_ids": [doc_id]}))
    return list(seen.values())


# ---------------------------------------------------------------- evidence table


def study_key(name: str) -> str:
    """A study's identity for de-duplication: 'Li et al.’s [40]' and 'Li et al. [40]' are one study."""
    return normalize_space(re.sub(r"[’']s\b", "", name)).lower()


def segment_direction(text: str) -> Optional[Direction]:
    """The direction of effect a study's sentences report, by majority over its sentences.

    A study's result sentence often names its comparator ("... compared to stable RT, which
    showed minimal gains"); voting over sentences keeps that from reading as mixed results. A tie
    between "mixed" and one direction goes to the direction; any other tie is "mixed".
    """
    from reviewer.grading.design import direction

    votes = Counter(d for s, e in split_sentences(text) if (d := direction(text[s:e])))
    if not votes:
        return None
    top = max(votes.values())
    leaders = {d for d, n in votes.items() if n == top} - ({"mixed"} if len(votes) > 1 else set())
    # A sentence with both a benefit and its comparator's null result reads "mixed"; a clear sentence outweighs it.
    return Direction(leaders.pop()) if len(leaders) == 1 else Direction.mixed


def effect_cell(facts) -> Optional[str]:
    """The reported effect sizes as written ('d = 0.32; d = 0.73'), else the CI or p-value."""
    parts = [e.text for e in facts.effects[:MAX_EFFECTS]]
    if not parts:
        parts = [x for x in (facts.ci, facts.p_value) if x]
    parts = [normalize_space(p) for p in parts]
    return "; ".join(dict.fromkeys(parts)) or None


def study_row(name: str, segment: str, passage: Passage, index: int, lead: str = "") -> SummaryRow:
    """One table row from one study's sentences; `citation` holds the passage's index for now.

    When the study's own sentences name no design, the sentences that lead into it may
    ("Evidence from systematic reviews suggests ... For example, Huang et al. [8] reported").
    """
    from reviewer.grading.design import extract_facts, grade

    facts = extract_facts(segment)
    tag = grade(segment, passage.section, passage.doc_type)
    if lead and tag.design in _NOT_STUDIES:
        with_lead = grade(f"{lead} {segment}", passage.section, passage.doc_type)
        if with_lead.design not in _NOT_STUDIES:
            tag = with_lead
    return SummaryRow(
        study=normalize_space(name), design=tag.design, population=facts.population, n=facts.sample_size,
        intervention=facts.intervention, duration=facts.duration, outcome=facts.outcome, effect=effect_cell(facts),
        direction=segment_direction(segment), strength=tag.strength, citation=index,
    )


def _filled(row: SummaryRow) -> int:
    return sum(getattr(row, f) not in (None, "") for f in ("population", "n", "intervention", "duration", "outcome",
                                                           "effect", "direction"))


def study_rows(passages: list[Passage]) -> list[tuple[SummaryRow, str]]:
    """One row per named study in the passages, with the sentences its cells come from.

    A study met in several passages (chunks overlap) keeps the row with the most cells filled.
    A name that comes with no study design and no numbers is a passing mention, not a row.
    """
    from reviewer.grading.design import split_studies

    best: dict[str, tuple[SummaryRow, str, int]] = {}
    for i, p in enumerate(passages):
        lead = ""
        for name, segment in split_studies(p.text):
            if not name.strip():
                lead = segment
                continue
            row = study_row(name, segment, p, i, lead)
            lead = ""
            if row.design in _NOT_STUDIES and row.n is None and row.effect is None:
                continue
            key = study_key(name)
            score = _filled(row) * 10_000 + len(segment)
            if key not in best or score > best[key][2]:
                best[key] = (row, segment, score)
    return name_studies([(row, segment) for row, segment, _ in best.values()])


def sort_rows(rows: list[SummaryRow]) -> list[int]:
    """The order of rows in the table: strongest designs first (the grader's ranking), then retrieval order."""
    from reviewer.grading.design import RANKING

    rank = {d: i for i, d in enumerate(RANKING)}
    return sorted(range(len(rows)), key=lambda i: (rank.get(rows[i].design, len(rank)), rows[i].citation, i))


# ---------------------------------------------------------------- agreements and conflicts


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


# ---------------------------------------------------------------- gaps


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
            if len(sentence.split()) < 6 or sentence.startswith("…") or not is_gap(sentence):
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

