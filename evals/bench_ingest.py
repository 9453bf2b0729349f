"""Ingest benchmark on SciFact: chunks/s, ingest time against bare encode time, re-ingest time.

Run with `make bench` (or `python evals/bench_ingest.py --limit 500` for a quick look). It
ingests the SciFact corpus (5,183 abstracts) into a fresh store, then times
`SentenceTransformer.encode` on exactly the texts that ingest embedded, in the same process
with the model already loaded, and prints the ratio (target ≤ 1.2). Then it ingests the same
file again and prints that time as a fraction of the first (target ≤ 2%).
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

ROOT = Path(__file__).resolve().parent.parent
SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact" / "corpus.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SCIFACT)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N records (quick runs).")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the store here (evals/bench_retrieval.py reuses it).")
    args = parser.parse_args()

    from reviewer.api import Reviewer, embedding_text
    from reviewer.loading import load
    from reviewer.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="reviewer-bench-"))
    corpus = args.corpus
    if args.limit:
        corpus = work / "corpus.jsonl"
        with args.corpus.open() as src, corpus.open("w") as dst:
            for i, line in enumerate(src):
                if i >= args.limit:
                    break
                dst.write(line)
    store = args.keep or (work / "store")
    shutil.rmtree(store, ignore_errors=True)

    settings = Settings.load(store=store)
    r = Reviewer(settings=settings)
    t = time.perf_counter()
    r.embedder.embed(["warm-up"])  # load the model outside both timings
    load_s = time.perf_counter() - t

    t, c = time.perf_counter(), time.process_time()
    report = r.ingest([corpus])
    ingest_s, ingest_cpu = time.perf_counter() - t, time.process_time() - c
    assert not report.failures, report.failures[:3]

    # The same texts, embedded bare.
    docs, _ = load(corpus)
    texts = [embedding_text(c) for d in docs for c in r._chunk(d)]
    assert len(texts) == report.chunks_embedded, (len(texts), report.chunks_embedded)
    t, c = time.perf_counter(), time.process_time()
    r.embedder.model.encode(texts, batch_size=settings.embedding.batch_size, normalize_embeddings=True,
                            show_progress_bar=False)  # one bare call over all the texts
    encode_s, encode_cpu = time.perf_counter() - t, time.process_time() - c

    t = time.perf_counter()
    again = r.ingest([corpus])
    reingest_s = time.perf_counter() - t
    assert again.chunks_embedded == 0, again

    figures = {
        "documents": report.documents_added,
        "chunks": report.chunks_embedded,
        "model_load_s": round(load_s, 2),
        "ingest_s": round(ingest_s, 2),
        "encode_s": round(encode_s, 2),
        "chunks_per_s": round(report.chunks_embedded / ingest_s, 1),
        "ingest_over_encode": round(ingest_s / encode_s, 3),
        "ingest_cpu_s": round(ingest_cpu, 1),
        "encode_cpu_s": round(encode_cpu, 1),
        "ingest_over_encode_cpu": round(ingest_cpu / encode_cpu, 3),
        "reingest_s": round(reingest_s, 3),
        "reingest_fraction": round(reingest_s / ingest_s, 4),
    }
    print(json.dumps(figures, indent=2))
    print(f"ingest/encode ratio {figures['ingest_over_encode']:.3f} wall, {figures['ingest_over_encode_cpu']:.3f} CPU "
          f"(target <= 1.2); "
          f"re-ingest {100 * figures['reingest_fraction']:.2f}% of first ingest (target <= 2%)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
