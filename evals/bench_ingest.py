"""Ingest benchmark on SciFact: chunks/s, ingest time against bare encode time, re-ingest time.

Run with `make bench` (or `python evals/bench_ingest.py --limit 500` for a quick look). It
ingests the SciFact corpus (5,183 abstracts) into a fresh store, then times
`SentenceTransformer.encode` on exactly the texts that ingest embedded, in the same process
with the model already loaded, and prints the ratio (target ≤ 1.2). Then it ingests the same
file again and prints that time as a fraction of the first (target ≤ 2%). Last, it ingests the
same corpus with the ONNX Runtime int8 backend into a second store and prints its speed-up over
torch (target ≥ 1.4×) and the SciFact nDCG@10 (dense and hybrid, train claims) of both stores
(target: within 0.01).
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
    parser.add_argument("--backends-only", action="store_true",
                        help="Only the torch / onnx-int8 comparison: skip the bare-encode and re-ingest timings.")
    args = parser.parse_args()

    from reviewer.api import Reviewer
    from reviewer.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="reviewer-bench-"))
    corpus = subset(args.corpus, args.limit, work) if args.limit else args.corpus
    store = args.keep or (work / "store")
    shutil.rmtree(store, ignore_errors=True)

    print(f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
    settings = Settings.load(store=store, **{"embedding.backend": "torch"})  # whatever the default backend
    r = Reviewer(settings=settings)
    t = time.perf_counter()
    r.embedder.embed(["warm-up"])  # load the model outside both timings
    load_s = time.perf_counter() - t

    t, c = time.perf_counter(), time.process_time()
    report = r.ingest([corpus])
    ingest_s, ingest_cpu = time.perf_counter() - t, time.process_time() - c
    assert not report.failures, report.failures[:3]
    figures = {"documents": report.documents_added, "chunks": report.chunks_embedded, "model_load_s": round(load_s, 2),
               "ingest_s": round(ingest_s, 2), "ingest_cpu_s": round(ingest_cpu, 1),
               "chunks_per_s": round(report.chunks_embedded / ingest_s, 1)}
    print(json.dumps(figures), flush=True)
    if not args.backends_only:
        figures |= encode_and_reingest(r, corpus, report.chunks_embedded, ingest_s, ingest_cpu)
    figures |= compare_backends(r, corpus, work / "store-onnx", (ingest_s, ingest_cpu), args.limit)
    print(f"onnx-int8 ingest speed-up over torch {figures['onnx_speedup']:.2f}x wall, {figures['onnx_speedup_cpu']:.2f}x CPU "
          f"(target >= 1.4); nDCG@10 hybrid "
          f"torch {figures['ndcg_torch']['hybrid']:.4f}, onnx-int8 {figures['ndcg_onnx']['hybrid']:.4f} (target: within 0.01)")
    figures["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(figures))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def encode_and_reingest(r, corpus: Path, chunks: int, ingest_s: float, ingest_cpu: float) -> dict:
    """Ingest time against one bare `encode` of the same texts, and the time of a second (no-op) ingest."""
    encode_s, encode_cpu = bare_encode(r, corpus, chunks)
    t = time.perf_counter()
    again = r.ingest([corpus])
    reingest_s = time.perf_counter() - t
    assert again.chunks_embedded == 0, again
    figures = {"encode_s": round(encode_s, 2), "ingest_over_encode": round(ingest_s / encode_s, 3),
               "encode_cpu_s": round(encode_cpu, 1), "ingest_over_encode_cpu": round(ingest_cpu / encode_cpu, 3),
               "reingest_s": round(reingest_s, 3), "reingest_fraction": round(reingest_s / ingest_s, 4)}
    print(json.dumps(figures, indent=2))
    print(f"ingest/encode ratio {figures['ingest_over_encode']:.3f} wall, {figures['ingest_over_encode_cpu']:.3f} CPU "
          f"(target <= 1.2); re-ingest {100 * figures['reingest_fraction']:.2f}% of first ingest (target <= 2%)", flush=True)
    return figures


def bare_encode(r, corpus: Path, expected: int) -> tuple[float, float]:
    """Wall and CPU seconds of one bare `encode` call over exactly the texts ingest embedded."""
    from reviewer.ingest.storing import embedding_text
    from reviewer.ingest.prepare import chunk
    from reviewer.loading import load

    docs, _ = load(corpus)
    texts = [embedding_text(c) for d in docs for c in chunk(d, r.settings) if not c.is_reference]
    assert len(texts) == expected, (len(texts), expected)
    t, c = time.perf_counter(), time.process_time()
    r.embedder.model.encode(texts, batch_size=r.settings.embedding.batch_size, normalize_embeddings=True,
                            show_progress_bar=False)
    return time.perf_counter() - t, time.process_time() - c


def subset(corpus: Path, limit: int, work: Path) -> Path:
    """The first `limit` records of a JSONL corpus, in a file of their own."""
    target = work / "corpus.jsonl"
    with corpus.open() as src, target.open("w") as dst:
        for i, line in enumerate(src):
            if i >= limit:
                break
            dst.write(line)
    return target


def compare_backends(torch_reviewer, corpus: Path, store: Path, torch_s: tuple[float, float], limit) -> dict:
    """Ingest with the ONNX int8 backend; its throughput against torch's (wall and CPU seconds) and nDCG@10 of both."""
    from reviewer.api import Reviewer
    from reviewer.evaluation.benchmarks import scifact_retrieval
    from reviewer.settings import Settings

    shutil.rmtree(store, ignore_errors=True)
    onnx = Reviewer(settings=Settings.load(store=store, **{"embedding.backend": "onnx-int8"}))
    t = time.perf_counter()
    onnx.embedder.embed(["warm-up"])  # export (first use only) and load outside the timing
    load_s = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    report = onnx.ingest([corpus])
    onnx_s, onnx_cpu = time.perf_counter() - t, time.process_time() - c
    print(json.dumps({"onnx_load_or_export_s": round(load_s, 2), "onnx_ingest_s": round(onnx_s, 2),
                      "onnx_ingest_cpu_s": round(onnx_cpu, 1)}), flush=True)
    claims = SCIFACT.parent / "claims_train.jsonl"
    ndcg = {}
    for name, r in (("torch", torch_reviewer), ("onnx", onnx)):
        got = scifact_retrieval(r, corpus, claims, ingest=False, modes=("dense", "hybrid"), limit=limit)
        ndcg[f"ndcg_{name}"] = {mode: m["ndcg@10"] for mode, m in got["modes"].items()}
    return {"onnx_load_or_export_s": round(load_s, 2), "onnx_ingest_s": round(onnx_s, 2),
            "onnx_ingest_cpu_s": round(onnx_cpu, 1), "onnx_chunks_per_s": round(report.chunks_embedded / onnx_s, 1),
            "onnx_speedup": round(torch_s[0] / onnx_s, 2), "onnx_speedup_cpu": round(torch_s[1] / onnx_cpu, 2), **ndcg}


if __name__ == "__main__":
    main()
