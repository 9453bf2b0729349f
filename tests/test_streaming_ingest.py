"""A large ingest streams: documents are stored slice by slice while later ones are still being prepared.

Real Chroma on disk, hashing embedder, worker processes as a large ingest uses them. What is
guarded is behaviour: every document stored once, records written while preparation is still
under way (nothing waits for the whole library), and a process killed mid-way completed by the
next run without duplicates.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from reviewer.api import Reviewer
from reviewer.ingest.prepare import PARALLEL_FROM
from reviewer.retrieval.embedding import HashEmbedder
from reviewer.settings import Settings

from conftest import ROOT

N = PARALLEL_FROM * 3  # graded in worker processes
WORDS = ("muscle memory sleep protein trial cohort dose aerobic walking balance fracture bone insulin glucose "
         "sodium kidney heart rhythm vitamin calcium mood anxiety").split()
SETTINGS = {"ingest.workers": 2, "embedding.store_batch": 40, "chunking.size": 300, "chunking.overlap": 50}


def _records(path: Path, n: int = N) -> Path:
    """`n` abstracts of one to three chunks each, every one with text of its own."""
    records = path / "library.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for i in range(n):
            sentences = [f"In cohort {i} the {WORDS[(i + j) % len(WORDS)]} arm of {20 + i % 50 + j} adults improved "
                         f"{WORDS[(i * 3 + j) % len(WORDS)]} over {j + 2} weeks." for j in range(2 + i % 9)]
            out.write(json.dumps({"id": f"rec{i}", "title": f"Study {i}", "abstract": " ".join(sentences)}) + "\n")
    return records


def _check_stored_once(r: Reviewer, n: int) -> None:
    docs = r.documents()
    assert sorted(d.doc_id for d in docs) == sorted(f"rec{i}" for i in range(n))
    chunks = Counter((m["doc_id"], m["start"], m["end"]) for _, _, m in r.store.iter_chunks())
    assert max(chunks.values()) == 1, "no chunk stored twice"
    assert sum(chunks.values()) == sum(d.chunks for d in docs) == r.store.count()
    assert r.store.pending() == {}
    assert r.doctor().problems == []


def test_records_are_written_while_later_documents_are_still_prepared(tmp_path):
    records = _records(tmp_path)
    r = Reviewer(settings=Settings.load(store=tmp_path / "store", **SETTINGS), embedder=HashEmbedder(64))
    events: list[tuple[str, int]] = []  # (stage, documents recorded in the store when it advanced)
    chunked = 0
    recorded_while_chunking: list[int] = []

    def progress(stage: str, advance: int, total) -> None:
        nonlocal chunked
        if stage == "chunking" and advance:
            chunked += 1
            if chunked in (N // 2, N - 1):
                recorded_while_chunking.append(len(r.store.document_ids()))
        events.append((stage, advance))

    report = r.ingest([records], progress=progress)
    assert report.documents_added == N and not report.failures
    assert report.chunks_embedded == r.store.count() > N
    # Half-way through preparing, documents were already stored, and more by the end of preparing.
    assert 0 < recorded_while_chunking[0] < recorded_while_chunking[1] < N, recorded_while_chunking
    first_embedded = next(i for i, (stage, advance) in enumerate(events) if stage == "embedding" and advance)
    last_chunked = max(i for i, (stage, advance) in enumerate(events) if stage == "chunking" and advance)
    assert first_embedded < last_chunked, "embedding starts before every document is prepared"
    _check_stored_once(r, N)
    assert r.retrieve("cohort 417 adults", k=1, mode="bm25")[0].doc_id == "rec417"


KILLED = """
import sys
from reviewer.api import Reviewer
from reviewer.retrieval.embedding import HashEmbedder
from reviewer.settings import Settings

settings = Settings.load(store=sys.argv[1], **SETTINGS)
chunked = 0

class Stops(HashEmbedder):
    calls = 0
    def embed(self, texts, progress=None):
        Stops.calls += 1
        if Stops.calls == 6:
            stored = len(r.store.document_ids())
            print(f"KILLME {stored} {chunked}", flush=True)
            import time; time.sleep(120)
        return super().embed(texts, progress)

def progress(stage, advance, total):
    global chunked
    if stage == "chunking":
        chunked += advance

r = Reviewer(settings=settings, embedder=Stops(64))
r.ingest([sys.argv[2]], progress=progress)
"""


def test_a_streaming_ingest_killed_mid_way_is_completed_without_duplicates(tmp_path):
    records = _records(tmp_path)
    store = tmp_path / "store"
    script = tmp_path / "killed.py"
    script.write_text(f"SETTINGS = {SETTINGS!r}\n" + KILLED)
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    proc = subprocess.Popen([sys.executable, str(script), str(store), str(records)], stdout=subprocess.PIPE,
                            text=True, env=env, cwd=tmp_path, start_new_session=True)
    line = proc.stdout.readline().split()
    os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its worker processes, all at once
    proc.wait(timeout=60)
    assert line and line[0] == "KILLME", line
    stored_at_kill, chunked_at_kill = int(line[1]), int(line[2])
    assert 0 < stored_at_kill < chunked_at_kill < N, "killed with some documents stored and others not yet prepared"

    r = Reviewer(settings=Settings.load(store=store, **SETTINGS), embedder=HashEmbedder(64))
    assert len(r.documents()) == stored_at_kill
    report = r.ingest([records])
    assert report.documents_unchanged == stored_at_kill
    assert report.documents_added == N - stored_at_kill and not report.failures
    _check_stored_once(r, N)
