"""Answer benchmark: latency of `Reviewer.ask` on corpus/, cold and warm, with and without sentence-level scoring.

Run with `make bench` (or `python evals/bench_answer.py`). corpus/ is ingested into a fresh
store, then every question of the suites is asked three times in one process:

1. words only (no re-ranking, no embedding of sentences): the reference;
2. the default (re-ranking and sentence embeddings), cold: sentence vectors are computed as
   questions need them;
3. the default again, warm: the sentence vectors are cached in the process.

Figures: p50/p95 of the whole `ask` (retrieval included) and of the answering stage alone
(re-ranking + answer), sentences embedded per question, and each pass against the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
SUITES = (ROOT / "evals" / "seed_qa.jsonl", ROOT / "evals" / "researcher_qa.jsonl")


def _pass(reviewer, questions: list[str]) -> dict:
    from reviewer.evaluation.metrics import percentile

    total, stage = [], []
    for q in questions:
        started = time.perf_counter()
        out = reviewer.ask(q)
        total.append((time.perf_counter() - started) * 1000)
        stage.append(out.timings_ms.get("rerank", 0.0) + out.timings_ms.get("answer", 0.0))
    return {"ask_p50_ms": round(percentile(total, 50), 1), "ask_p95_ms": round(percentile(total, 95), 1),
            "answering_p50_ms": round(percentile(stage, 50), 1), "answering_p95_ms": round(percentile(stage, 95), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N questions.")
    parser.add_argument("--output", type=Path, default=None, help="Also write the figures as JSON here.")
    args = parser.parse_args()

    from reviewer.api import Reviewer
    from reviewer.evaluation.suite import load_suite
    from reviewer.settings import Settings

    questions = [c.question for path in SUITES if path.exists() for c in load_suite(path)][: args.limit]
    work = Path(tempfile.mkdtemp(prefix="reviewer-bench-answer-"))
    try:
        r = Reviewer(settings=Settings.load(store=work / "store"))
        r.ingest([ROOT / "corpus"])
        r.retrieve(questions[0], k=1)  # loads the model: not part of any pass
        words = r.settings.model_copy(deep=True)
        words.answering.rerank = words.answering.semantic = False
        plain = Reviewer(settings=words, embedder=r.embedder)
        figures = {"questions": len(questions), "words_only": _pass(plain, questions)}
        figures["default_cold"] = _pass(r, questions)
        figures["default_warm"] = _pass(r, questions)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = figures["words_only"]["ask_p95_ms"] or 1.0
    for name in ("words_only", "default_cold", "default_warm"):
        f = figures[name]
        f["ask_p95_vs_words_only"] = round(f["ask_p95_ms"] / base, 2)
        print(f"{name:13s} ask p50 {f['ask_p50_ms']:7.1f} ms  p95 {f['ask_p95_ms']:7.1f} ms  "
              f"answering p50 {f['answering_p50_ms']:7.1f} ms  p95 {f['answering_p95_ms']:7.1f} ms  "
              f"(p95 x{f['ask_p95_vs_words_only']} of words only)")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
