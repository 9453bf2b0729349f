"""Evidence summaries with an LLM: it proposes the table, the passages decide what is kept.

`llm_table` sends the numbered passages and the topic to `prompts/summarize.md` and asks for
rows, agreements and conflicts as JSON. Each proposed row is checked against the passage it
cites like a generated answer is: the study's name and every number of its n, effect and
duration cells must occur in that passage, or the row is dropped with a note; a population,
intervention or outcome the passage does not back is cleared. Strength always comes from the
offline grader. Findings must point at kept rows and carry no number their rows' passages lack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from reviewer.answering.citations import MIN_SUPPORT, support
from reviewer.llm.replies import parse_json_reply
from reviewer.text import normalize_space, numbers, strip_markers
from reviewer.models import Direction, Finding, Passage, StudyDesign, SummaryRow
from reviewer.bibliography.references import study_label
from reviewer.summary.rows import segment_direction, study_key


@dataclass
class LLMTable:
    """What an LLM proposed, after checking: rows None means its reply could not be used."""

    rows: Optional[list[tuple[SummaryRow, str]]] = None
    agreements: Optional[list[Finding]] = None
    conflicts: Optional[list[Finding]] = None
    notes: list[str] = field(default_factory=list)


def format_for_llm(passages: list[Passage]) -> str:
    """Passages as `prompts/summarize.md` shows them: 'Passage n: title — section (graded: design, strength)'.

    They are labelled "Passage n" rather than "[n]" so that a paper's own reference numbers
    ("Lamb et al. [24]") can stay in the text, where they belong to the study's name.
    """
    blocks = []
    for n, p in enumerate(passages, 1):
        head = f"Passage {n}: {p.title or p.doc_id}" + (f" — {p.section}" if p.section else "")
        if p.evidence is not None:
            head += f" (graded: {p.evidence.design.value}, {p.evidence.strength.value})"
        blocks.append(f"{head}\n{normalize_space(p.text)}")
    return "\n\n".join(blocks)


def _plain(text: str) -> str:
    return normalize_space(text.replace("’", "'").replace("‘", "'")).lower()


def cell_numbers(text: str) -> set[str]:
    """Numbers written in a text; '1,978' counts as 1978 and a paper's reference numbers are left out."""
    return numbers(re.sub(r"(?<=\d),(?=\d{3}\b)", "", text))


def _segment_of(study: str, text: str) -> str:
    """The sentences of a passage about the named study (the whole passage if no segment names it)."""
    from reviewer.grading import split_studies

    key = _plain(strip_markers(study))
    for name, segment in split_studies(text):
        if name and (key in _plain(name) or _plain(strip_markers(name)) in key):
            return segment
    return text


def _int(value) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    match = re.search(r"\d[\d,]*", str(value or ""))
    return int(match.group(0).replace(",", "")) if match else None


def _enum(kind, value):
    try:
        return kind(str(value).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        return None


def check_row(item, passages: list[Passage], notes: list[str]) -> tuple[Optional[tuple[SummaryRow, str]], str]:
    """A row proposed by an LLM, checked against the passage it cites: (row and its text, or None; why not).

    The study's name must occur in the passage, and so must every number of its n, effect and
    duration cells; a population, intervention or outcome the passage does not back is cleared.
    """
    from reviewer.grading import grade

    if not isinstance(item, dict):
        return None, "it is not an object"
    study = normalize_space(str(item.get("study") or ""))
    n = _int(item.get("passage", item.get("citation")))
    if not study:
        return None, "it names no study"
    if n is None or not 1 <= n <= len(passages):
        return None, f"it cites passage {item.get('passage')}, which was not given"
    passage = passages[n - 1]
    if _plain(study) not in _plain(passage.text):
        return None, f"its study name does not occur in passage {n}"
    cells = {f: normalize_space(str(item[f])) if item.get(f) not in (None, "") else None
             for f in ("population", "intervention", "duration", "outcome", "effect")}
    written = " ".join(str(x) for x in (item.get("n"), cells["effect"], cells["duration"]) if x not in (None, ""))
    missing = sorted(cell_numbers(written) - cell_numbers(passage.text))
    if missing:
        return None, f"its number{'s' if len(missing) > 1 else ''} {', '.join(missing)} not in passage {n}"
    for f in ("population", "intervention", "outcome"):
        if cells[f] and support(cells[f], [passage]) < MIN_SUPPORT:
            notes.append(f"cleared the {f} of {study!r}: passage {n} does not back {cells[f]!r}")
            cells[f] = None
    segment = _segment_of(study, passage.text)
    tag = grade(segment, passage.section, passage.doc_type)
    row = SummaryRow(
        study=study_label(study, segment) or study, design=_enum(StudyDesign, item.get("design")) or tag.design,
        population=cells["population"],
        n=_int(item.get("n")), intervention=cells["intervention"], duration=cells["duration"],
        outcome=cells["outcome"], effect=cells["effect"],
        direction=_enum(Direction, item.get("direction")) or segment_direction(segment),
        strength=tag.strength, citation=n - 1,
    )
    return (row, segment), ""


def _check_findings(items, index_of: dict[int, int], rows: list[tuple[SummaryRow, str]], passages: list[Passage],
                    notes: list[str], kind: str) -> list[Finding]:
    out: list[Finding] = []
    for item in items if isinstance(items, list) else []:
        text = normalize_space(str(item.get("finding") or "")) if isinstance(item, dict) else ""
        raw = item.get("rows") if isinstance(item, dict) and isinstance(item.get("rows"), list) else []
        idx = sorted({index_of[j] for j in (_int(r) for r in raw) if j in index_of})
        if not text or not idx:
            notes.append(f"dropped {kind} {text[:60]!r}: it points at no row that was kept")
            continue
        source = " ".join(passages[rows[i][0].citation].text for i in idx)
        if cell_numbers(text) - cell_numbers(source):
            notes.append(f"dropped {kind} {text[:60]!r}: its numbers are not in the passages of its rows")
            continue
        out.append(Finding(finding=text, rows=idx))
    return out


def llm_table(topic: str, passages: list[Passage], model, label: str, settings) -> LLMTable:
    """Ask the LLM for rows, agreements, conflicts (prompts/summarize.md) and keep what the passages back.

    A reply that is not the expected JSON, or whose rows are all dropped, leaves `rows` None so
    the offline rules build the table instead; every dropped row or finding is noted.

    Raises:
        reviewer.llm.providers.LLMError: the model could not be reached.
    """
    from reviewer.llm.providers import complete
    from reviewer.llm.prompts import load_prompt

    prompt = load_prompt("summarize", variables={"topic", "passages"})
    reply = complete(model, prompt.messages(topic=topic, passages=format_for_llm(passages)), settings)
    data = parse_json_reply(reply)
    if data is None or not isinstance(data.get("rows"), list):
        started = reply.lstrip().startswith(("{", "```"))
        cut = " (it may have been cut off: raise REVIEWER_LLM_MAX_TOKENS)" if started else ""
        return LLMTable(notes=[f"the reply of {label} was not the expected JSON{cut}; "
                               "the table comes from the offline rules"])
    notes: list[str] = []
    rows: list[tuple[SummaryRow, str]] = []
    index_of: dict[int, int] = {}
    keys: dict[str, int] = {}
    for j, item in enumerate(data["rows"]):
        checked, why = check_row(item, passages, notes)
        if checked is None:
            name = item.get("study") if isinstance(item, dict) else None
            notes.append(f"dropped row {name or j + 1!r} proposed by {label}: {why}")
            continue
        key = study_key(checked[0].study)
        if key not in keys:
            keys[key] = len(rows)
            rows.append(checked)
        index_of[j] = keys[key]
    if not rows:
        notes.append(f"no row proposed by {label} was backed by its passage; the table comes from the offline rules")
        return LLMTable(notes=notes)
    agreements = _check_findings(data.get("agreements"), index_of, rows, passages, notes, "agreement")
    conflicts = _check_findings(data.get("conflicts"), index_of, rows, passages, notes, "conflict")
    return LLMTable(rows=rows, agreements=agreements, conflicts=conflicts, notes=notes)
