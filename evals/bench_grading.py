"""Evidence-grading benchmark: cross-validated design accuracy, grading's share of ingest, model load time.

Run with `make bench` (or `python evals/bench_grading.py --limit 300 --folds 5` for a quick look).

1. Design of whole documents on the shared study-design set (1,378 expert-labelled abstracts):
   k-fold cross-validation, every record graded by a model trained on the other folds, through
   `design_of_abstract` (rules plus model, the path `grade_document` takes). A prediction is
   right when it is one of the record's acceptable designs. Printed: accuracy, recall by class,
   the confusion matrix (true class → predicted design → count), and the same for the rules
   alone and the model alone.
2. Cost at ingest, on SciFact abstracts: CPU time of grading (document tag + every chunk's tag)
   against bare `SentenceTransformer.encode` of the same chunks, in the same process.
3. Loading the shipped model in a fresh interpreter (what it adds to the first ingest; `ask`
   does not load it).
4. The labelled passages of `evals/evidence_labels.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REVIEWER_SHARED", ROOT.parent / "shared"))
SCIFACT = SHARED / "benchmarks" / "scifact" / "corpus.jsonl"
LABELS = SHARED / "benchmarks" / "study-design" / "labelled.jsonl"


def cross_validated(folds: int) -> dict:
    from reviewer.grading.train import cross_validate, load_records

    records = load_records(LABELS)
    return {"rules_and_model": cross_validate(records, folds),
            "model_only": cross_validate(records, folds, use_rules=False),
            "rules_only": cross_validate(records, folds, use_model=False)}


def ingest_cost(limit: int) -> dict:
    """CPU seconds of grading and of bare encoding, for the chunks of the first `limit` SciFact abstracts."""
    from reviewer.ingest.storing import embedding_text
    from reviewer.grading import grade, grade_document
    from reviewer.ingest.chunking import chunk_document
    from reviewer.loading import load
    from reviewer.retrieval.embedding import SentenceTransformerEmbedder
    from reviewer.settings import Settings

    path = Path("/tmp") / f"reviewer-bench-grading-{limit}.jsonl"
    with SCIFACT.open() as src, path.open("w") as dst:
        for i, line in enumerate(src):
            if i >= limit:
                break
            dst.write(line)
    docs, _ = load(path)
    cfg = Settings.load().chunking
    chunked = [(d, chunk_document(d, size=cfg.size, overlap=cfg.overlap)) for d in docs]
    grade_document(docs[0])  # the model is loaded outside the timing (measured on its own below)
    c = time.process_time()
    tags = [grade_document(d) for d, _ in chunked]
    doc_s = time.process_time() - c
    c = time.process_time()
    for (d, chunks), tag in zip(chunked, tags):
        for chunk in chunks:
            grade(chunk.text, chunk.section, d.doc_type, document=tag)
    passage_s = time.process_time() - c
    texts = [embedding_text(ch) for _, chunks in chunked for ch in chunks]
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm-up"])
    c = time.process_time()
    embedder.model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    encode_s = time.process_time() - c
    return {"documents": len(docs), "chunks": len(texts), "document_grading_cpu_s": round(doc_s, 3),
            "passage_grading_cpu_s": round(passage_s, 3), "encode_cpu_s": round(encode_s, 2),
            "document_grading_over_encode": round(doc_s / encode_s, 4),
            "all_grading_over_encode": round((doc_s + passage_s) / encode_s, 4)}


def model_load() -> dict:
    """Loading the model in a fresh interpreter (median of 3), wall and CPU seconds.

    numpy is imported first: every command that ingests or answers has imported it already
    (embeddings, MMR), so it is not what the model adds.
    """
    code = ("import time, numpy; t=time.perf_counter(); import reviewer.grading.document; a=time.perf_counter()-t; "
            "from reviewer.grading.model import load_model; t=time.perf_counter(); c=time.process_time(); "
            "load_model(); print(a, time.perf_counter()-t, time.process_time()-c)")
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
        runs.append([float(x) for x in out.stdout.split()])
    runs.sort(key=lambda r: r[2])
    return {"import_grading_s": round(runs[1][0], 3), "load_model_s": round(runs[1][1], 3),
            "load_model_cpu_s": round(runs[1][2], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=1000, help="SciFact abstracts for the ingest-cost figure.")
    parser.add_argument("--output", type=Path, default=None, help="Also write the figures as JSON here.")
    args = parser.parse_args()

    from reviewer.grading import evaluate_labels

    figures = {"cross_validated": cross_validated(args.folds), "ingest_cost": ingest_cost(args.limit),
               "model_load": model_load()}
    labels = evaluate_labels(ROOT / "evals" / "evidence_labels.jsonl")
    figures["evidence_labels"] = {k: labels[k] for k in ("n", "design_accuracy", "strength_accuracy", "by_split")}
    print(json.dumps(figures, indent=2))
    cv = figures["cross_validated"]["rules_and_model"]
    cost = figures["ingest_cost"]
    print(f"design accuracy {cv['accuracy']:.3f} ({args.folds}-fold CV, target >= 0.80); recall "
          + ", ".join(f"{k} {v:.2f}" for k, v in cv["recall"].items())
          + f"; grading / encode CPU {100 * cost['all_grading_over_encode']:.1f}% (document tags "
          f"{100 * cost['document_grading_over_encode']:.2f}%, target <= 10%); model load "
          f"{figures['model_load']['load_model_s']:.3f} s wall, {figures['model_load']['load_model_cpu_s']:.3f} s CPU "
          "(target <= 0.3 s)")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
