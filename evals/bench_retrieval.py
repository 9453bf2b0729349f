"""Retrieval and answer benchmarks on public data: SciFact (nDCG@10, recall@100) and LitQA2.

Run with `make bench`. SciFact: the 5,183 abstracts are ingested into their own store (kept in
`.reviewer-bench/scifact`, so a second run skips the ingest), then every training claim with
evidence is retrieved with BM25 alone, dense alone and hybrid, all through `Reviewer.retrieve`,
in the same run. LitQA2: the six PDFs are ingested into a fresh store and each question is
asked; the key passage should be among the top 5 retrieved or cited passages and the ideal
answer should appear in the answer.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "benchmarks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N SciFact claims.")
    parser.add_argument("--store", type=Path, default=ROOT / ".reviewer-bench" / "scifact")
    parser.add_argument("--skip-litqa2", action="store_true")
    parser.add_argument("--output", type=Path, default=None, help="Also write the figures as JSON here.")
    args = parser.parse_args()

    from reviewer.api import Reviewer
    from reviewer.evaluation.benchmarks import litqa2, scifact_retrieval
    from reviewer.settings import Settings

    figures: dict = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    r = Reviewer(settings=Settings.load(store=args.store))
    figures["scifact"] = scifact_retrieval(r, BENCH / "scifact" / "corpus.jsonl", BENCH / "scifact" / "claims_train.jsonl",
                                           limit=args.limit)
    for mode, m in figures["scifact"]["modes"].items():
        print(f"SciFact {mode:7s} nDCG@10 {m['ndcg@10']:.4f}  recall@100 {m['recall@100']:.4f}  {m['ms_per_query']} ms/query")
    if not args.skip_litqa2:
        work = Path(tempfile.mkdtemp(prefix="reviewer-litqa2-"))
        try:
            lq = Reviewer(settings=Settings.load(store=work / "store"), embedder=r.embedder)
            figures["litqa2"] = litqa2(lq, BENCH / "litqa2" / "questions.jsonl", BENCH / "litqa2" / "pdfs")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        l2 = figures["litqa2"]
        print(f"LitQA2 key passage in top 5 or cited: {l2['key_passage_found']:.2f}; "
              f"ideal answer in answer: {l2['ideal_in_answer']:.2f} ({l2['questions']} questions)")
    if args.output:
        args.output.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
