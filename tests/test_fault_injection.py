"""Ingests killed at random points never leave anything half-visible, duplicated or lost.

Real processes on a real embedded Chroma store (hash embedder, so the work is the project's own):
20 times, a folder grows by new and changed files, `reviewer ingest` is started and stopped at a
random moment (seeded) by SIGKILL, SIGTERM or SIGINT; a fresh process then queries the store and
checks that every passage comes from a document `docs` lists, re-runs the ingest, and checks that
every file is stored exactly once, no chunk twice, and `doctor` finds nothing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

CYCLES = 20
FIRST = 60  # documents stored before the first stopped ingest
NEW_PER_CYCLE = 8  # then 8 new and 2 changed files for each of the 20: 220 documents in the end
CHANGED_PER_CYCLE = 2
WORDS = ("muscle memory sleep protein trial cohort dose aerobic walking balance fracture bone insulin glucose "
         "sodium kidney heart rhythm vitamin calcium mood anxiety reading vision hearing gait strength fatigue "
         "appetite weight liver lung asthma allergy skin wound infection fever").split()

# One process after each stopped ingest: query, list, re-run the ingest, then check everything.
CHECK = r"""
import json, sys, time
from collections import Counter
t0 = time.perf_counter()
from reviewer.api import Reviewer
from reviewer.models import IngestReport

folder = sys.argv[1]
out = {}
r = Reviewer()
listed = {d.doc_id for d in r.documents()}
seen = set()
if r.store.count():
    for query in ("muscle memory sleep vitamin", "heart rhythm sodium kidney gait balance"):
        for mode in ("hybrid", "dense", "bm25"):
            seen.update(p.doc_id for p in r.retrieve(query, k=40, mode=mode))
out["unlisted_passages"] = sorted(seen - listed)
out["passages_seen"] = len(seen)
t1 = time.perf_counter()
report = r.ingest([folder])
t2 = time.perf_counter()
out["rerun_failures"] = [f.path for f in report.failures]
docs = r.documents()
out["sources"] = [d.source for d in docs]
body = Counter((m["source"], m["start"], m["end"], t) for _, t, m in r.store.iter_chunks())
out["duplicate_chunks"] = sum(n - 1 for n in body.values() if n > 1)
out["doctor"] = [f"{p.kind.value} {p.doc_id} {p.detail}" for p in r.doctor().problems]
out["seconds"] = [round(t1 - t0, 2), round(t2 - t1, 2), round(time.perf_counter() - t2, 2)]
print(json.dumps(out))
"""


def _write(folder: Path, rng: random.Random, n: int, version: int = 0) -> str:
    name = f"paper-{n:03d}.md"
    topic = rng.sample(WORDS, 3)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 70))).capitalize() + "."
                  for _ in range(rng.randint(1, 3))]
    if version:
        paragraphs.append(f"Revision {version}: " + " ".join(rng.choice(WORDS) for _ in range(40)) + ".")
    (folder / name).write_text(f"# {' '.join(topic).title()} study {n}\n\n" + "\n\n".join(paragraphs) + "\n")
    return name


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               REVIEWER_STORE=str(tmp_path / "store"), REVIEWER_EMBEDDING__MODEL="hash-256",
               REVIEWER_EMBEDDING__STORE_BATCH="4", REVIEWER_CHUNKING__SIZE="300", REVIEWER_CHUNKING__OVERLAP="50",
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("REVIEWER_CHROMA_URL", None)
    return env


def _ingest(folder: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "reviewer.cli", "ingest", str(folder), "--json"],
                            env=env, cwd=folder.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_twenty_stopped_ingests_leave_nothing_half_visible_duplicated_or_lost(tmp_path):
    rng = random.Random(20261202)
    folder = tmp_path / "library"
    folder.mkdir()
    env = _env(tmp_path)
    count = 0

    def grow(version: int) -> None:
        nonlocal count
        for n in rng.sample(range(count), min(count, CHANGED_PER_CYCLE)):
            _write(folder, rng, n, version=version)
        for _ in range(FIRST if count == 0 else NEW_PER_CYCLE):
            _write(folder, rng, count)
            count += 1

    grow(0)
    assert _ingest(folder, env).wait(timeout=300) == 0
    grow(1)  # one cycle's work, not stopped: how long an ingest of that much takes here and now
    started = time.monotonic()
    calibration = _ingest(folder, env)
    assert calibration.wait(timeout=300) == 0, calibration.stderr.read().decode()
    full_run = time.monotonic() - started

    outcomes, seconds = [], []
    for cycle in range(CYCLES):
        cycle_start = time.monotonic()
        grow(cycle + 2)
        how = rng.choice([signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
        proc = _ingest(folder, env)
        time.sleep(full_run * rng.uniform(0.3, 0.85))  # most signals land before the ingest ends
        proc.send_signal(how)
        code = proc.wait(timeout=120)
        stderr = proc.stderr.read().decode()
        assert "Traceback" not in stderr, stderr
        outcomes.append((how.name, code))
        stopped_after = time.monotonic() - cycle_start

        check = subprocess.run([sys.executable, "-c", CHECK, str(folder)], env=env, cwd=tmp_path,
                               capture_output=True, text=True, timeout=300)
        assert check.returncode == 0, check.stderr
        got = json.loads(check.stdout.strip().splitlines()[-1])
        seconds.append([round(stopped_after, 1), round(time.monotonic() - cycle_start - stopped_after, 1),
                        got["seconds"]])
        where = f"cycle {cycle}, {how.name} (exit {code})"
        assert got["unlisted_passages"] == [], where
        assert got["rerun_failures"] == [], where
        files = sorted(str(p) for p in folder.glob("*.md"))
        assert sorted(got["sources"]) == files, f"{where}: every file stored exactly once"
        assert got["duplicate_chunks"] == 0, where
        assert got["doctor"] == [], where

    stopped = [o for o in outcomes if o[1] != 0]
    print(f"stopped mid-ingest: {len(stopped)} of {CYCLES}: {outcomes}")
    print(f"seconds per cycle (stopped ingest, check process [query, re-run, checks]): {seconds}")
    assert len(stopped) >= CYCLES // 2, f"most ingests must really be stopped before they finish: {outcomes}"
    assert {name for name, _ in stopped} == {"SIGKILL", "SIGTERM", "SIGINT"}
