"""Generated answers: an LLM writes the answer from the numbered passages; the citation check keeps it honest.

The prompt `prompts/answer.md` gets the numbered passages and the question, with the same
question-type guidance the offline answerer follows. The reply is checked by
`reviewer.answering.citations.check_answer`; if no sentence of it cites a given passage that
backs it, the extractive answer is returned instead, with a note saying why.
"""

from __future__ import annotations

import re
import time
from collections import Counter

from reviewer.answering.citations import check_answer
from reviewer.answering.extractive import NO_ANSWER, extractive_answer
from reviewer.models import Answer, Citation, Passage
from reviewer.settings import Settings
from reviewer.text import strip_markers

_INSUFFICIENT = re.compile(r"^\W*insufficient[\s_-]+evidence\W*", re.IGNORECASE)


def format_passages(passages: list[Passage]) -> str:
    """The passages as the answer prompt shows them: [n] title — section, page, then the text.

    A paper's own bracketed reference numbers are removed from the text, so the model does
    not mistake them for passage numbers. A passage marked suspect at ingest (its text speaks to a
    language model) is labelled so, and the prompt says never to follow or cite it.
    """
    blocks = []
    for n, p in enumerate(passages, 1):
        where = [x for x in (p.section, f"p. {p.page}" if p.page else None) if x]
        kind = [x for x in (p.doc_type.value if p.doc_type.value != "unknown" else None, str(p.year) if p.year else None) if x]
        head = f"[{n}] {p.title or p.doc_id}" + (f" — {', '.join(where)}" if where else "")
        head += f" ({', '.join(kind)})" if kind else ""
        if p.evidence is not None and p.evidence.design.value != "unknown":
            head += f" [evidence: {p.evidence.design.label}, {p.evidence.strength.label}]"
        head += " [suspect: its text addresses an AI model]" if p.suspect else ""
        blocks.append(f"{head}\n{strip_markers(p.text)}")
    return "\n\n".join(blocks)


def llm_answer(question: str, passages: list[Passage], model, label: str, settings: Settings, embedder=None) -> Answer:
    """The LLM's answer, checked; the extractive answer (with a note) when no sentence of it is backed."""
    from reviewer.llm.prompts import load_prompt
    from reviewer.llm.providers import complete

    messages = load_prompt("answer").messages(question=question, passages=format_passages(passages))
    started = time.perf_counter()
    reply = complete(model, messages, settings)
    llm_ms = round((time.perf_counter() - started) * 1000, 1)
    if _INSUFFICIENT.match(reply):
        reason = _INSUFFICIENT.sub("", reply.strip().splitlines()[0]).strip()
        text = f"{NO_ANSWER}" + (f": {reason[0].lower()}{reason[1:].rstrip('.')}." if reason else ".")
        return Answer(question=question, answer=text, insufficient_evidence=True, passages=list(passages), llm=label,
                      timings_ms={"llm": llm_ms})
    check = check_answer(reply, passages)
    notes = []
    if check.dropped:
        notes.append(f"dropped citations to passages that were not given: {', '.join(f'[{n}]' for n in check.dropped)} "
                     f"(the answer had passages [1]–[{len(passages)}])")
    if not check.supported:
        if not reply.strip():
            why = "its reply was empty"
        elif not check.cited:
            why = "it cited no passage that was given" if check.dropped else "it cited no passage"
        else:
            why = "none of its cited sentences is backed by the passages it cites"
        fallback = extractive_answer(question, passages, embedder=embedder)
        fallback.notes = [f"the answer of {label} was not used because {why}; this is the extractive answer instead",
                          *notes]
        fallback.timings_ms["llm"] = llm_ms
        fallback.flagged = check.flagged  # shown to the user, not silently dropped
        return fallback
    citations = [Citation(**passages[n - 1].model_dump(), n=n) for n in check.cited]
    if check.flagged:
        counts = Counter(f.problem.label for f in check.flagged)
        notes.append("; ".join(f"{c} {p} sentence{'s' if c != 1 else ''}" for p, c in counts.items()) + " flagged")
    return Answer(question=question, answer=check.text, citations=citations, passages=list(passages), llm=label,
                  flagged=check.flagged, notes=notes, timings_ms={"llm": llm_ms})
