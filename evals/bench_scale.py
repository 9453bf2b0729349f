"""Scale benchmark: ~100k chunks built from SciFact, replicated with distinct text, hash embedder.

Run with `make bench` (or `python evals/bench_scale.py --replicas 2` for a quick look). The
SciFact abstracts are written out `--replicas` times, each copy with its own sentence order
and its own site words, so no two chunks are equal; they are ingested with the hashing
embedder (the figures are the project's own cost, not the model's) into a store kept in
`.reviewer-bench/scale` (a second run skips the ingest). A fresh query process then prints:
retrieve p50/p95 per mode (warm, query embedding excluded), a raw Chroma query with and
without a `where` filter, adding one document then asking, the lexical catch-up of a reader
after one added document, store size on disk and the query process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact"
DIMENSION = 384  # as all-MiniLM-L6-v2, so the vector index costs what it would with the model


def build_corpus(target: Path, replicas: int) -> int:
    """Write SciFact `replicas` times with distinct text; returns the number of records."""
    records = [json.loads(line) for line in (SCIFACT / "corpus.jsonl").open()]
    n = 0
    with target.open("w") as out:
        for r in range(replicas):
            rng = random.Random(r)
            for rec in records:
                sentences = list(rec["abstract"])
                if r:
                    rng.shuffle(sentences)
                    sentences = [f"{s} Site{r}k{i % 7} cohort." for i, s in enumerate(sentences)]
                out.write(json.dumps({"id": f"{rec['doc_id']}-r{r}", "title": f"{rec['title']} ({r})" if r else rec["title"],
                                      "abstract": " ".join(sentences), "year": 2000 + r}) + "\n")
                n += 1
    return n


def percentiles(values: list[float]) -> dict:
    values = sorted(values)
    return {"p50_ms": round(statistics.median(values), 1), "p95_ms": round(values[int(0.95 * (len(values) - 1))], 1)}


def measure(store: Path, queries: int) -> dict:
    """Everything timed in this (query) process; returns the figures."""
    from reviewer.api import Reviewer
    from reviewer.retrieval.embedding import HashEmbedder
    from reviewer.settings import Settings

    claims = [json.loads(line)["claim"] for line in (SCIFACT / "claims_train.jsonl").open()][:queries]
    r = Reviewer(settings=Settings.load(store=store), embedder=HashEmbedder(DIMENSION))
    figures: dict = {"chunks": r.store.count(), "documents": len(r.store.document_ids())}
    t = time.perf_counter()
    r.retrieve("warm-up question about exercise", k=8)
    figures["first_query_ms"] = round((time.perf_counter() - t) * 1000, 1)
    for mode in ("hybrid", "dense", "bm25"):
        spent, cpu = [], []
        for claim in claims:
            started = time.process_time()
            timings = r._search(claim, 8, mode=mode).timings_ms
            cpu.append((time.process_time() - started) * 1000)
            spent.append(sum(v for key, v in timings.items() if key != "embed_ms"))
        figures[f"retrieve_{mode}"] = percentiles(spent)
        # CPU time of this process (all its threads), hash embedding included: what load on a shared machine cannot inflate.
        figures[f"retrieve_{mode}_cpu"] = percentiles(cpu)
    vectors = [r.embedder.embed_query(c) for c in claims[:50]]
    # Chroma alone, 100 results: ids and distances only (what retrieval asks for), then with texts and
    # metadata (Chroma's default), then with a filter that matches nearly every chunk.
    for label, where, include in (("ids_only", None, ["distances"]),
                                  ("no_where", None, ["documents", "metadatas", "distances"]),
                                  ("where_is_reference_false", {"is_reference": False}, ["documents", "metadatas", "distances"])):
        spent = []
        for vec in vectors:
            t = time.perf_counter()
            r.store.chunks.query(query_embeddings=[vec], n_results=100, where=where, include=include)
            spent.append((time.perf_counter() - t) * 1000)
        figures[f"raw_chroma_query_{label}"] = percentiles(spent)
    raw = figures["raw_chroma_query_ids_only"]["p50_ms"] or 1.0
    figures["hybrid_p50_over_raw_ids_only_p50"] = round(figures["retrieve_hybrid"]["p50_ms"] / raw, 2)
    figures |= add_one_then_ask(r, store)
    figures["peak_memory_mb"] = peak_memory_mb()
    figures["load_average_1min"] = round(os.getloadavg()[0], 1)
    return figures


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's `ru_maxrss` keeps the high-water mark of the process
    that started us (a program started from a 1.3 GB build reported 1.3 GB), so its own `VmHWM` is read."""
    import resource

    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def add_one_then_ask(r, store: Path) -> dict:
    import shutil

    from reviewer.retrieval.lexical import LexicalIndex

    # Another process's (or machine's) lexical index: a copy of this one, first brought up to date
    # with no journal mark (every document's hash compared), then after one added document.
    reader_dir = store.parent / "scale-reader-index"
    shutil.rmtree(reader_dir, ignore_errors=True)
    shutil.copytree(r.lexical().directory, reader_dir)
    reader = LexicalIndex(reader_dir)
    reader.advance(reader.generation or "", "stale")
    t = time.perf_counter()
    reader.sync(r.store)
    full_s = time.perf_counter() - t
    note = store.parent / "scale-note.md"
    note.write_text(f"# Zebrafish fin regeneration {time.time_ns()}\n\nZebrafish larvae regrew amputated fins "
                    "within seven days when kept at 28 degrees.\n")
    t, cpu = time.perf_counter(), time.process_time()
    report = r.ingest([note])
    ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    answer = r.ask("How fast do zebrafish larvae regrow fins?")
    ask_s = time.perf_counter() - t
    add_ask_cpu_s = time.process_time() - cpu
    doc = next(p.doc_id for p in answer.passages if "Zebrafish" in p.text)
    t = time.perf_counter()
    caught_up = reader.sync(r.store)
    catch_up_s = time.perf_counter() - t
    reader.close()
    shutil.rmtree(reader_dir, ignore_errors=True)
    t = time.perf_counter()
    r.remove([doc])
    remove_s = time.perf_counter() - t
    note.unlink()
    return {"add_one_document_s": round(ingest_s, 3), "then_ask_s": round(ask_s, 3),
            "add_one_then_ask_s": round(ingest_s + ask_s, 3), "add_one_then_ask_cpu_s": round(add_ask_cpu_s, 3),
            "added_chunks": report.chunks_embedded,
            "lexical_catch_up_one_document_s": round(catch_up_s, 3), "lexical_catch_up_documents_read": caught_up,
            "lexical_compare_every_document_s": round(full_s, 3), "remove_one_document_s": round(remove_s, 3)}


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=11, help="Copies of SciFact (11 ≈ 100k chunks).")
    parser.add_argument("--store", type=Path, default=ROOT / ".reviewer-bench" / "scale")
    parser.add_argument("--queries", type=int, default=200, help="SciFact claims asked per mode.")
    parser.add_argument("--output", type=Path, default=None, help="Also write the figures as JSON here.")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.store, args.queries)))
        return

    from reviewer.api import Reviewer
    from reviewer.retrieval.embedding import HashEmbedder
    from reviewer.settings import Settings

    args.store.parent.mkdir(parents=True, exist_ok=True)
    corpus = args.store.parent / f"scale-{args.replicas}.jsonl"
    records = build_corpus(corpus, args.replicas)
    t = time.perf_counter()
    report = Reviewer(settings=Settings.load(store=args.store), embedder=HashEmbedder(DIMENSION)).ingest([corpus])
    figures = {"records": records, "ingest_s": round(time.perf_counter() - t, 1), "ingested_chunks": report.chunks_embedded}
    # A fresh process, as a user's `reviewer ask` would be.
    out = subprocess.run([sys.executable, __file__, "--measure-only", "--store", str(args.store),
                          "--queries", str(args.queries)], capture_output=True, text=True, check=True)
    figures |= json.loads(out.stdout.strip().splitlines()[-1])
    figures["store_mb"] = round(du(args.store) / 1e6, 1)
    print(json.dumps(figures, indent=2))
    h = figures["retrieve_hybrid"]
    print(f"{figures['chunks']} chunks: hybrid p50 {h['p50_ms']} ms, p95 {h['p95_ms']} ms (target p95 <= 50); "
          f"add one document + ask {figures['add_one_then_ask_s']} s (target <= 2); "
          f"peak memory {figures['peak_memory_mb']} MB (target <= 1500); store {figures['store_mb']} MB")
    if args.output:
        args.output.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
