"""External benchmarks: SciFact retrieval and LitQA2 questions, scored on data nobody here wrote.

Both take a `Reviewer` (use a store of their own: they ingest thousands of abstracts or six
PDFs) and return plain dicts of figures ready to print or save as JSON. They are slow, so they
run from `make bench`, never from the unit tests.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from reviewer.evaluation.metrics import QUOTE_COVERAGE, fact_present, longest_run, ndcg_at_k, recall_of

PathLike = Union[str, Path]
#: A key passage longer than this may span chunks: a verbatim run of 80% of this many characters finds it.
LONG_PASSAGE = 400


def _read_jsonl(path: Path) -> list[dict]:
    from reviewer.evaluation.suite import EvalError

    if not path.exists():
        raise EvalError(f"benchmark file {path} not found")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _record_id(passage) -> str:
    """The id a JSONL record had in its file (the store may suffix doc ids that collide)."""
    return passage.source.rsplit("#", 1)[1] if "#" in passage.source else passage.doc_id


def ranked_documents(passages: Sequence) -> list[str]:
    """Record ids in the order their first passage was retrieved."""
    seen: dict[str, None] = {}
    for p in passages:
        seen.setdefault(_record_id(p), None)
    return list(seen)


def key_passage_found(key: str, text: str) -> tuple[float, bool]:
    """(share of the key passage the text holds as one run, whether that counts as holding it).

    A key passage counts as found when the text holds 80% of it, or, for a key passage longer
    than `LONG_PASSAGE` characters, a verbatim run of 80% of that length.
    """
    run, size = longest_run(key, text)
    return (run / size if size else 0.0), size > 0 and run >= QUOTE_COVERAGE * min(size, LONG_PASSAGE)


def ideal_forms(ideal: str) -> list[str]:
    """The ideal answer, and for a name with an expansion, "CXE (Cas9-XTEN-hExo1)", each part alone."""
    match = re.fullmatch(r"\s*(.+?)\s*\((.+)\)\s*", ideal)
    return [ideal, match.group(1), match.group(2)] if match else [ideal]


def scifact_retrieval(reviewer, corpus_path: PathLike, claims_path: PathLike, limit: Optional[int] = None,
                      modes: Sequence[str] = ("bm25", "dense", "hybrid"), k: int = 100, ingest: bool = True,
                      progress: Optional[Callable[[str, int, int], None]] = None) -> dict:
    """nDCG@10 and recall@100 of SciFact claims against the SciFact abstracts, per retrieval mode.

    Args:
        reviewer: a `Reviewer`; its store should hold only the SciFact corpus.
        corpus_path: `corpus.jsonl` (ingested first unless `ingest` is False; unchanged records are skipped).
        claims_path: a claims file (`claims_train.jsonl`); claims without evidence are skipped, and the
            relevant documents of a claim are the keys of its `evidence`.
        limit: score only the first `limit` claims with evidence.
        modes: retrieval modes to compare ("bm25", "dense", "hybrid").
        k: passages retrieved per claim (recall is measured at this depth, in documents).
        ingest: ingest the corpus first.
        progress: called as `progress(mode, done, total)`.

    Returns:
        {"claims", "documents", "ingest_seconds", "modes": {mode: {"ndcg@10", "recall@100", "ms_per_query"}}}.
    """
    corpus_path, claims_path = Path(corpus_path), Path(claims_path)
    ingest_seconds = None
    if ingest:
        ingest_seconds = reviewer.ingest([corpus_path]).seconds
    claims = [c for c in _read_jsonl(claims_path) if c.get("evidence")]
    if limit:
        claims = claims[:limit]
    out: dict = {"claims": len(claims), "documents": reviewer.stats().documents, "ingest_seconds": ingest_seconds,
                 "split": claims_path.name, "modes": {}}
    for mode in modes:
        ndcg, recall, started = [], [], time.perf_counter()
        for i, claim in enumerate(claims, start=1):
            relevant = {str(d) for d in claim["evidence"]}
            ranked = ranked_documents(reviewer.retrieve(claim["claim"], k=k, mode=mode))
            ndcg.append(ndcg_at_k(ranked, relevant, 10))
            recall.append(recall_of(ranked, relevant, k))
            if progress:
                progress(mode, i, len(claims))
        n = max(len(claims), 1)
        out["modes"][mode] = {"ndcg@10": round(sum(ndcg) / n, 4), f"recall@{k}": round(sum(recall) / n, 4),
                              "ms_per_query": round((time.perf_counter() - started) * 1000 / n, 1)}
    return out


def litqa2(reviewer, questions_path: PathLike, pdf_dir: PathLike, k: Optional[int] = None, llm=None, top: int = 5,
           ingest: bool = True) -> dict:
    """LitQA2: is the key passage among the top retrieved or cited passages, and does the answer state the ideal?

    Args:
        reviewer: a `Reviewer`; its store should hold the benchmark's PDFs (ingested first unless `ingest` is False).
        questions_path: `questions.jsonl` with `question`, `ideal`, `key-passage` and `pdf` per row.
        pdf_dir: the directory holding the PDFs named by the rows.
        k: passages retrieved per question (default: the reviewer's settings).
        llm: LLM spec or chat model for the answers (default: the settings' choice).
        top: how many of the top retrieved passages count, besides the cited ones.
        ingest: ingest the PDFs first.

    Returns:
        {"questions", "key_passage_found", "ideal_in_answer", "cases": [...]} with per-question details
        (see `key_passage_found` for when a passage holds the key passage; an ideal answer "CXE
        (Cas9-XTEN-hExo1)" is matched by its name or its expansion alone too).
    """
    rows = _read_jsonl(Path(questions_path))
    pdfs = [Path(pdf_dir) / Path(row["pdf"]).name for row in rows]
    ingest_report = reviewer.ingest(sorted(set(pdfs))) if ingest else None
    cases = []
    for row in rows:
        started = time.perf_counter()
        answer = reviewer.ask(row["question"], k=k, llm=llm)
        candidates = list(answer.passages[:top]) + list(answer.citations)
        matches = [key_passage_found(row["key-passage"], p.text) for p in candidates] or [(0.0, False)]
        cases.append({
            "id": row["id"], "question": row["question"], "ideal": row["ideal"],
            "key_passage_coverage": round(max(m[0] for m in matches), 3),
            "key_passage_found": any(m[1] for m in matches),
            "ideal_in_answer": any(fact_present(form, answer.answer) for form in ideal_forms(row["ideal"])),
            "distractor_in_answer": any(fact_present(d, answer.answer) for d in row.get("distractors", [])),
            "refused": answer.insufficient_evidence, "seconds": round(time.perf_counter() - started, 2),
            "answer": answer.answer,
        })
    n = max(len(cases), 1)
    return {
        "questions": len(cases),
        "ingest_failures": [f.model_dump() for f in ingest_report.failures] if ingest_report else [],
        "key_passage_found": round(sum(c["key_passage_found"] for c in cases) / n, 4),
        "ideal_in_answer": round(sum(c["ideal_in_answer"] for c in cases) / n, 4),
        "cases": cases,
    }
