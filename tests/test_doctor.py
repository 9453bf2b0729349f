"""`reviewer doctor` finds every inconsistency of a real Chroma store and `--fix` repairs it, keeping every document."""

from __future__ import annotations

import json
import shutil
import socket

from typer.testing import CliRunner

from reviewer.api import Reviewer
from reviewer.cli import app
from reviewer.models import Chunk, Inconsistency
from reviewer.settings import Settings

from conftest import CORPUS

HASH = "hash-256"
DEAD_PID = 4_194_305  # above Linux's largest pid: no process has it


def _reviewer(store, hash_embedder) -> Reviewer:
    return Reviewer(settings=Settings.load(store=store, **{"embedding.model": HASH}), embedder=hash_embedder)


def _chunk(doc_id: str, n: int, content_hash: str = "f" * 16) -> Chunk:
    return Chunk(chunk_id=f"{doc_id}:{content_hash[:8]}:{n}", doc_id=doc_id, source=f"/gone/{doc_id}.md",
                 title=doc_id, text=f"{doc_id} unfinished text {n} about zebrafish fins", start=0, end=10)


def _break(r: Reviewer) -> dict[str, str]:
    """Damage the store the ways a killed ingest, a lost chunk or a stale index can; returns doc ids by damage."""
    store, index = r.store, r._index()
    docs = sorted(store.documents().values(), key=lambda d: d.doc_id)
    damaged, stale, missing = docs[0], docs[1], docs[2]
    vectors = r.embedder.embed(["zebrafish"] * 2)
    # an ingest killed mid-document: a pending marker of a process that is gone, and chunks without a record
    store.mark_pending(["killed"], f"{socket.gethostname()}:{DEAD_PID}")
    store.add_chunks([_chunk("killed", 0), _chunk("killed", 1)], vectors, {"killed": "f" * 16})
    # chunks with no record and no marker (an older version's crash)
    store.add_chunks([_chunk("orphan", 0)], vectors[:1], {"orphan": "e" * 16})
    # an earlier version's chunks left beside a recorded document
    store.add_chunks([_chunk(stale.doc_id, 0, "0" * 16)], vectors[:1], {stale.doc_id: "0" * 16})
    # a record whose chunks went missing (file still there)
    ids = [cid for cid, _, meta in store.iter_chunks(doc_ids=[missing.doc_id])][:3]
    store.chunks.delete(ids=ids)
    # the lexical index lost a document and holds one the store never had
    index.remove([damaged.doc_id])
    index.add({"phantom": "9" * 16}, [("phantom:0", "phantom text", {"doc_id": "phantom"})])
    return {"damaged": damaged.doc_id, "stale": stale.doc_id, "missing": missing.doc_id}


def test_doctor_reports_each_inconsistency_and_fix_repairs_it(tmp_path, hash_embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    r = _reviewer(tmp_path / "store", hash_embedder)
    r.ingest([corpus])
    assert r.doctor().problems == []
    before = {d.doc_id for d in r.documents()}
    which = _break(r)

    found = {(p.kind, p.doc_id) for p in _reviewer(tmp_path / "store", hash_embedder).doctor().problems}
    assert (Inconsistency.interrupted_ingest, "killed") in found
    assert (Inconsistency.orphan_chunks, "orphan") in found
    assert (Inconsistency.stale_chunks, which["stale"]) in found
    assert (Inconsistency.missing_chunks, which["missing"]) in found
    assert (Inconsistency.index_missing, which["damaged"]) in found
    assert (Inconsistency.index_extra, "phantom") in found
    assert not any(kind == Inconsistency.orphan_chunks and d == "killed" for kind, d in found), "reported once"

    fixed = _reviewer(tmp_path / "store", hash_embedder).doctor(fix=True)
    assert fixed.problems and not fixed.unfixed
    again = _reviewer(tmp_path / "store", hash_embedder)
    assert again.doctor().problems == []
    assert {d.doc_id for d in again.documents()} == before, "no document the user stored is removed"
    info = again.store.documents()[which["missing"]]
    assert sum(1 for _ in again.store.iter_chunks(doc_ids=[info.doc_id])) + sum(
        1 for _ in again.store.iter_chunks(doc_ids=[info.doc_id], references=True)) == info.chunks
    assert all(p.doc_id not in ("killed", "orphan") for p in again.retrieve("zebrafish fins unfinished", k=20))


def test_a_record_whose_file_is_gone_is_reported_not_removed(tmp_path, hash_embedder):
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nZebrafish larvae regrew amputated fins within seven days.\n" * 3)
    r = _reviewer(tmp_path / "store", hash_embedder)
    r.ingest([note])
    r.store.chunks.delete(ids=[cid for cid, _, _ in r.store.iter_chunks()])
    note.unlink()
    report = _reviewer(tmp_path / "store", hash_embedder).doctor(fix=True)
    assert [p.kind for p in report.unfixed] == [Inconsistency.missing_chunks]
    assert "reviewer remove note" in report.unfixed[0].action
    assert [d.doc_id for d in _reviewer(tmp_path / "store", hash_embedder).documents()] == ["note"]


def test_doctor_command_exit_status(tmp_path, hash_embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store = tmp_path / "store"
    runner = CliRunner()
    flags = ["--store", str(store), "--embedding-model", HASH]
    assert runner.invoke(app, ["ingest", str(corpus), *flags]).exit_code == 0
    ok = runner.invoke(app, ["doctor", *flags])
    assert ok.exit_code == 0 and "consistent" in ok.output
    _break(_reviewer(store, hash_embedder))
    found = runner.invoke(app, ["doctor", "--json", *flags])
    assert found.exit_code == 1
    assert {p["kind"] for p in json.loads(found.output)["problems"]} >= {"orphan_chunks", "interrupted_ingest"}
    fixed = runner.invoke(app, ["doctor", "--fix", *flags])
    assert fixed.exit_code == 0 and "fixed" in fixed.output
    assert runner.invoke(app, ["doctor", *flags]).exit_code == 0
