"""Evidence summaries: the state of the evidence on a topic, as a cited answer and a table of studies.

`summarize` retrieves broadly (the topic itself, the topic with study-design words, and the
topic within each document, so every document can contribute), then builds:

- a short cited answer (`reviewer.answering.answer` on the best passages);
- an evidence table with one row per study the passages report. A paragraph of a review that
  reports several studies is cut by `reviewer.grading.design.split_studies`, so "Lamb et al. [24]"
  gets its own row; each row's cells come from `extract_facts`, `grade` and `direction` on
  that study's sentences only, so every cell is words of the passage the row cites;
- agreements and conflicts: rows grouped by outcome family and direction of effect;
- gaps: sentences in which the documents say what remains unknown or needs further study.

A topic the documents do not cover (most of its specific words in no retrieved passage) gets
"No passages on this topic" and an empty table, not a table of unrelated studies.

Every [n] (answer, rows, gaps) points at an entry of `citations`, numbered in retrieval order.
With an LLM (argument or `settings.llm`), `prompts/summarize.md` proposes the rows, findings
and gaps as JSON, and `reviewer.summary.llm_table` keeps only what its passages back.
"""

from __future__ import annotations

from typing import Optional

from reviewer.llm.providers import resolve_llm
from reviewer.models import Citation, EvidenceSummary, Passage, SummaryRow
from reviewer.summary.findings import compare, find_gaps
from reviewer.summary.gather import gather
from reviewer.summary.rows import sort_rows, study_rows
from reviewer.text import is_methods_section, renumber

#: What a summary says when the documents do not cover the topic.
NO_PASSAGES = "No passages on this topic"
#: Passages retrieved for the topic itself when `k` is not given.
DEFAULT_K = 30


def summarize(reviewer, topic: str, k: Optional[int] = None, llm=None, **filters) -> EvidenceSummary:
    """The state of the evidence on a topic: a cited answer, a table of studies, agreements, conflicts, gaps.

    Args:
        reviewer: the `Reviewer` whose store is searched.
        topic: the question or topic, e.g. "Does resistance training improve cognition in older adults?".
        k: passages retrieved for the topic itself (default 30); design-word and per-document
            queries add more.
        llm: an LLM spec ("openai:gpt-4o-mini"), a LangChain chat model, or None for `settings.llm`
            (the offline rules when none is configured).
        **filters: doc_ids, years, doc_types, mmr, designs, min_strength, as for `Reviewer.retrieve`.

    Returns:
        The summary; every `citation` and [n] refers to an entry of `citations`.

    Raises:
        reviewer.llm.providers.LLMError: the LLM could not be set up or did not answer.

    Example:
        >>> s = summarize(reviewer, "Does resistance training improve memory?")
        >>> [(row.study, row.direction) for row in s.rows][:2]
    """
    from reviewer.answering import answer, off_topic

    settings = reviewer.settings
    passages = gather(reviewer, topic, k or DEFAULT_K, **filters)
    model, label = resolve_llm(llm, settings)
    why = off_topic(topic, passages)
    if why:  # retrieval always returns something; a table of unrelated studies would mislead
        return EvidenceSummary(question=topic, answer=f"{NO_PASSAGES}: {why}.", llm=label,
                               notes=[f"built from {len(passages)} retrieved passages"])
    # The answer quotes findings; a review's methods section describes its search, not what it found.
    top = [p for p in passages if not is_methods_section(p.section)][: settings.retrieval.k]
    result = answer(topic, top, settings, llm=model, embedder=reviewer.embedder)
    rows, agreements, conflicts, notes = _table(topic, passages, model, label, settings)
    gaps = find_gaps(passages)

    # Renumber: the answer's [n] is its citation n; rows and gaps cite passages by index. Citations keep retrieval order.
    at = {p.chunk_id: i for i, p in enumerate(passages)}
    used = {at[c.chunk_id] for c in result.citations} | {row.citation for row in rows} | {g.citation for g in gaps}
    number = {i: n for n, i in enumerate(sorted(used), 1)}
    answer_numbers = {c.n: number[at[c.chunk_id]] for c in result.citations if at[c.chunk_id] in number}
    return EvidenceSummary(
        question=topic,
        answer=renumber(result.answer, answer_numbers),
        citations=[Citation(**passages[i].model_dump(), n=n) for i, n in number.items()],
        rows=[row.model_copy(update={"citation": number[row.citation]}) for row in rows],
        agreements=agreements,
        conflicts=conflicts,
        gaps=[g.model_copy(update={"citation": number[g.citation]}) for g in gaps],
        llm=label,
        notes=list(result.notes) + notes + [f"built from {len(passages)} retrieved passages"],
    )


def _table(topic: str, passages: list[Passage], model, label: Optional[str], settings):
    """The study rows (strongest designs first), agreements, conflicts and notes; `citation` is a passage index.

    With an LLM the rows and findings it proposes are kept where their passages back them;
    otherwise, and when it proposes nothing, the offline rules build them.
    """
    rows: Optional[list[tuple[SummaryRow, str]]] = None  # (row, the text its cells come from)
    agreements = conflicts = None
    notes: list[str] = []
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
    return [row for row, _ in rows], agreements, conflicts, notes
