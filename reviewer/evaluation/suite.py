"""Evaluating: a question suite with known answers, retrieval and answer metrics, and a regression gate.

A suite is JSONL, one case a line (see `evals/README.md`): a question, the groups of key facts
a good answer states, a verbatim `quote` from the corpus that the retrieved passages must hold,
the study design the text gives for that passage, and whether the corpus can answer at all.
How text is matched (normalisation, word boundaries, quotes straddling chunks) is described
in `reviewer.evaluation.metrics`. The gate compares a run with minimums in `evals/thresholds.toml` and
with the figures of `evals/baseline.json`.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from pydantic import BaseModel, Field

from reviewer.errors import ReviewerError
from reviewer.evaluation.metrics import (citation_support, fact_present, gold_rank, mean_reciprocal_rank, missing_fact_groups,
                              normalize, percentile, recall_at_k)
from reviewer.models import Answer, StudyDesign

LOWER_IS_BETTER = {"false_refusal_rate", "latency_p50_ms", "latency_p95_ms"}

Progress = Callable[[int, int, "CaseResult"], None]


class EvalError(ReviewerError):
    """A suite, threshold or baseline file is missing or malformed."""


class EvalCase(BaseModel):
    """One question of a suite with what a good answer must show."""

    id: str
    question: str
    key_facts: list[list[str]] = Field(default_factory=list, description="Every group must match; a group's items are alternatives.")
    quote: Optional[str] = Field(None, description="Verbatim text the gold passage holds.")
    doc: Optional[str] = Field(None, description="Corpus file the quote comes from.")
    design: Optional[StudyDesign] = Field(None, description="Study design the text states for the gold passage.")
    answerable: bool = True
    tags: list[str] = Field(default_factory=list)


class CaseResult(BaseModel):
    """What one case scored."""

    id: str
    question: str
    answerable: bool
    tags: list[str] = Field(default_factory=list)
    retrieved: int = 0
    gold_rank: Optional[int] = Field(None, description="1-based rank of the first gold passage; None when missed.")
    key_facts_ok: Optional[bool] = None
    missing_facts: list[list[str]] = Field(default_factory=list)
    refused: bool = False
    mixed: bool = False
    citations_checked: int = 0
    citations_supported: int = 0
    design_expected: Optional[StudyDesign] = None
    design_found: Optional[StudyDesign] = None
    latency_ms: float = 0.0
    answer: str = ""
    answered_by: Optional[str] = Field(None, description="The LLM that wrote the answer; None for the extractive answerer.")
    notes: list[str] = Field(default_factory=list, description="The answer's notes, e.g. a fallback and why.")
    error: Optional[str] = None

    @property
    def passed(self) -> bool:
        """Answerable: gold passage retrieved, key facts stated, not refused. Unanswerable: refused."""
        if self.error:
            return False
        if not self.answerable:
            return self.refused
        return self.gold_rank is not None and bool(self.key_facts_ok) and not self.refused

    def problems(self) -> list[str]:
        """Why the case failed, in words."""
        if self.error:
            return [f"error: {self.error}"]
        if not self.answerable:
            return [] if self.refused else ["answered a question the corpus cannot answer"]
        out = []
        if self.gold_rank is None:
            out.append(f"gold passage not among the {self.retrieved} retrieved")
        if self.refused:
            out.append("refused an answerable question")
        if not self.key_facts_ok:
            out.append("missing key facts: " + "; ".join(" | ".join(g) for g in self.missing_facts))
        return out


class EvalReport(BaseModel):
    """A suite run: configuration, metrics and per-case results (also the baseline format)."""

    created: str
    suite: str
    suite_sha256: str
    k: int
    llm: Optional[str] = Field(None, description="LLM spec; None means the offline extractive answerer.")
    embedding_model: str
    chunking: dict = Field(default_factory=dict)
    retrieval: dict = Field(default_factory=dict)
    prompts: dict[str, str] = Field(default_factory=dict, description="Prompt file name -> sha256 (first 16 hex).")
    metrics: dict[str, Optional[float]] = Field(default_factory=dict)
    by_tag: dict[str, dict[str, Union[int, float, None]]] = Field(default_factory=dict)
    evidence_labels: Optional[dict] = None
    cases: list[CaseResult] = Field(default_factory=list)


# ----------------------------------------------------------------------------- suites

def load_suite(path: Union[str, Path]) -> list[EvalCase]:
    """Read a JSONL suite; raises EvalError naming the file and line of a bad case."""
    path = Path(path)
    if not path.exists():
        raise EvalError(f"eval suite {path} not found")
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(EvalCase.model_validate_json(line))
        except ValueError as exc:
            raise EvalError(f"{path}:{number}: not a valid case ({str(exc).splitlines()[0]})") from None
    return cases


def _paragraphs(text: str) -> list[str]:
    return [normalize(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def validate_suite(cases: Sequence[EvalCase], corpus_dir: Union[str, Path]) -> list[str]:
    """Problems with a suite against its corpus: quotes not verbatim or spanning paragraphs, facts not in the text.

    Returns:
        One line per problem, naming the case; empty when the suite is sound.
    """
    corpus_dir = Path(corpus_dir)
    problems, seen = [], set()
    for case in cases:
        where = f"case {case.id}"
        if case.id in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(case.id)
        if not case.answerable:
            if case.quote or case.key_facts or case.doc:
                problems.append(f"{where}: unanswerable cases take no quote, doc or key facts")
            continue
        if not case.quote or not case.doc or not case.key_facts:
            problems.append(f"{where}: answerable cases need quote, doc and key_facts")
            continue
        path = corpus_dir / case.doc
        if not path.exists():
            problems.append(f"{where}: corpus file {path} not found")
            continue
        raw = path.read_text(encoding="utf-8")
        if case.quote not in raw:
            problems.append(f"{where}: quote is not a verbatim substring of {case.doc}")
        if not 40 <= len(case.quote) <= 200:
            problems.append(f"{where}: quote is {len(case.quote)} characters (40-200 allowed)")
        holding = [p for p in _paragraphs(raw) if normalize(case.quote) in p]
        if not holding:
            problems.append(f"{where}: quote does not lie within one paragraph")
            continue
        for group in case.key_facts:
            for alt in group:
                if not fact_present(alt, raw):
                    problems.append(f"{where}: key fact '{alt}' does not occur in {case.doc}")
            if not any(fact_present(alt, holding[0]) for alt in group):
                problems.append(f"{where}: no alternative of {group} occurs in the quote's paragraph")
    return problems


def _prompt_hashes() -> dict[str, str]:
    from reviewer.llm.prompts import prompts_dir

    directory = prompts_dir()
    if not directory.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in sorted(directory.iterdir()) if p.is_file()}


def _llm_name(llm, settings) -> Optional[str]:
    if llm is None:
        return getattr(settings, "llm", None)
    if isinstance(llm, str):
        return llm
    name = getattr(llm, "model_name", None) or getattr(llm, "model", None)
    return f"{type(llm).__name__}:{name}" if name else type(llm).__name__


def _evidence_labels(suite: Path) -> Optional[dict]:
    labels = suite.parent / "evidence_labels.jsonl"
    try:
        from reviewer.grading import evaluate_labels
    except ImportError:
        return None
    if not labels.exists():
        return None
    try:
        result = evaluate_labels(labels)
    except Exception as exc:  # the label check is a side report; its failure must not sink the suite
        return {"error": f"{labels}: {type(exc).__name__}: {exc}"}
    return result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)


def run_case(reviewer, case: EvalCase, k: Optional[int] = None, llm=None) -> CaseResult:
    """Ask one case's question and score the answer and the passages it was given."""
    result = CaseResult(id=case.id, question=case.question, answerable=case.answerable, tags=case.tags,
                        design_expected=case.design)
    started = time.perf_counter()
    try:
        answer: Answer = reviewer.ask(case.question, k=k, llm=llm)
    except Exception as exc:  # one failing case must not end the run
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        result.latency_ms = (time.perf_counter() - started) * 1000
        return result
    result.latency_ms = answer.timings_ms.get("total", (time.perf_counter() - started) * 1000)
    result.answer = answer.answer
    result.answered_by, result.notes = answer.llm, list(answer.notes)
    result.refused = answer.insufficient_evidence
    result.mixed = answer.mixed
    result.retrieved = len(answer.passages)
    result.citations_supported, result.citations_checked = citation_support(answer)
    if case.quote:
        result.gold_rank = gold_rank(case.quote, answer.passages)
        if result.gold_rank is not None:
            tag = answer.passages[result.gold_rank - 1].evidence
            result.design_found = tag.design if tag else None
    if case.answerable:
        result.missing_facts = missing_fact_groups(case.key_facts, answer.answer)
        result.key_facts_ok = not result.missing_facts and not answer.insufficient_evidence
    return result


def _rate(values: list[bool]) -> Optional[float]:
    return round(sum(values) / len(values), 4) if values else None


def summarize_cases(results: Sequence[CaseResult], k: int) -> tuple[dict[str, Optional[float]], dict[str, dict]]:
    """Suite metrics and per-tag key-fact accuracy from case results."""
    ans = [r for r in results if r.answerable]
    una = [r for r in results if not r.answerable]
    ranks = [r.gold_rank for r in ans]
    checked = sum(r.citations_checked for r in results)
    designs = [r for r in ans if r.design_expected is not None and r.gold_rank is not None]
    latencies = [r.latency_ms for r in results if not r.error]
    metrics: dict[str, Optional[float]] = {
        "recall_at_1": round(recall_at_k(ranks, 1), 4) if ans else None,
        "recall_at_3": round(recall_at_k(ranks, 3), 4) if ans else None,
        "recall_at_k": round(recall_at_k(ranks, k), 4) if ans else None,
        "mrr": round(mean_reciprocal_rank(ranks), 4) if ans else None,
        "key_fact_accuracy": _rate([bool(r.key_facts_ok) for r in ans]),
        "citation_precision": round(sum(r.citations_supported for r in results) / checked, 4) if checked else None,
        "refusal_accuracy": _rate([r.refused for r in una]),
        "false_refusal_rate": _rate([r.refused for r in ans]),
        "evidence_accuracy": _rate([r.design_found == r.design_expected for r in designs]),
        "mixed_flag_rate": _rate([r.mixed for r in ans if "mixed" in r.tags]),
        "error_rate": _rate([r.error is not None for r in results]),
        "latency_p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "latency_p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
    }
    by_tag: dict[str, dict] = {}
    for tag in sorted({t for r in ans for t in r.tags}):
        group = [r for r in ans if tag in r.tags]
        by_tag[tag] = {"cases": len(group), "key_fact_accuracy": _rate([bool(r.key_facts_ok) for r in group]),
                       "recall_at_k": round(recall_at_k([r.gold_rank for r in group], k), 4)}
    return metrics, by_tag


def run_suite(reviewer, suite: Union[str, Path], k: Optional[int] = None, llm=None,
              progress: Optional[Progress] = None, only: Optional[Sequence[str]] = None) -> EvalReport:
    """Ask every question of a suite and score retrieval, answers, citations, refusals, evidence tags and latency.

    Args:
        reviewer: a `Reviewer` over a store holding the suite's corpus.
        suite: the JSONL suite (e.g. `evals/seed_qa.jsonl`).
        k: passages per question (default: the reviewer's settings).
        llm: LLM spec or chat model passed to `Reviewer.ask` (default: the settings' choice).
        progress: called as `progress(done, total, case_result)` after each case.
        only: run only the cases with these ids or tags.

    Returns:
        The report, with the configuration that produced it (LLM, prompt hashes, embedding model,
        chunking, k) so that two reports can be compared.
    """
    suite = Path(suite)
    cases = load_suite(suite)
    if only:
        wanted = set(only)
        cases = [c for c in cases if c.id in wanted or wanted.intersection(c.tags)]
    settings = reviewer.settings
    k_used = k or settings.retrieval.k
    if cases:  # load the models and indexes now, so the first case's latency is not the start-up time
        reviewer.retrieve(cases[0].question, k=1)
    results: list[CaseResult] = []
    for i, case in enumerate(cases, start=1):
        results.append(run_case(reviewer, case, k=k, llm=llm))
        if progress:
            progress(i, len(cases), results[-1])
    metrics, by_tag = summarize_cases(results, k_used)
    labels = _evidence_labels(suite)
    for key, metric in (("design_accuracy", "evidence_label_accuracy"), ("strength_accuracy", "evidence_label_strength")):
        if labels and isinstance(labels.get(key), (int, float)):
            metrics[metric] = round(float(labels[key]), 4)
    return EvalReport(
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        suite=str(suite), suite_sha256=hashlib.sha256(suite.read_bytes()).hexdigest()[:16], k=k_used,
        llm=_llm_name(llm, settings), embedding_model=reviewer.embedder.name,
        chunking=settings.chunking.model_dump(), retrieval=settings.retrieval.model_dump(),
        prompts=_prompt_hashes(), metrics=metrics, by_tag=by_tag, evidence_labels=labels, cases=results,
    )
