"""A Chroma server behind a token, a server that dies, a full disk, a read-only store or folder: one line each.

Real servers and processes where the machine allows: `chroma run` behind a token-checking proxy
(Chroma 1.x's own server has no auth of its own; deployments put it behind one), a server killed
mid-ingest, and stores made read-only for a user who cannot write them (`setpriv` when the tests
run as root, who can write anything). A full disk cannot be made here, so its errors are raised
at the store's boundary, through the real pipeline and the real command.
"""

from __future__ import annotations

import errno
import http.server
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app

from conftest import CORPUS, ROOT, running_chroma

HASH = ["--embedding-model", "hash-256"]
SECRET = "s3cret-pw"


@contextmanager
def http_server(handler_class):
    """A threaded HTTP server on loopback; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def token_proxy(upstream: str, token: str, seen: list):
    """A handler that lets through only `Authorization: Bearer <token>`, forwarding to `upstream` (or always 401)."""
    import httpx

    class Proxy(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            return None

        def _handle(self):
            seen.append(self.headers.get("Authorization"))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if upstream is None or self.headers.get("Authorization") != f"Bearer {token}":
                reply, status, headers = b'{"error":"Unauthorized"}', 401, {"Content-Type": "application/json"}
            else:
                resp = httpx.request(self.command, upstream + self.path, content=body, timeout=60,
                                     headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")})
                reply, status = resp.content, resp.status_code
                headers = {k: v for k, v in resp.headers.items()
                           if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding")}
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    return Proxy


def test_refused_credentials_are_one_line_naming_the_setting_and_never_the_password(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seen: list = []
    with http_server(token_proxy(None, "right", seen)) as url:
        with_password = url.replace("http://", f"http://alice:{SECRET}@")
        for args, env in ((["--chroma-url", with_password], {}),
                          (["--chroma-url", url, "--chroma-token", SECRET], {}),
                          (["--chroma-url", url], {"REVIEWER_CHROMA_TOKEN": SECRET})):
            result = CliRunner().invoke(app, ["docs", *args, *HASH], env=env)
            assert result.exit_code == 2, result.output
            assert "refused the credentials" in result.output and "REVIEWER_CHROMA_TOKEN" in result.output
            assert "cannot reach" not in result.output
            assert SECRET not in result.output
            assert len(result.output.strip().splitlines()) == 1
    assert f"Bearer {SECRET}" in seen, "the token is sent through chromadb's token auth"
    assert any(h and h.startswith("Basic ") for h in seen), "a URL's user:password goes as basic auth"
    assert not (tmp_path / ".reviewer").exists()


def test_a_password_in_the_url_is_hidden_in_every_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from conftest import free_port

    unreachable = f"http://bob:{SECRET}@127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["docs", "--chroma-url", unreachable, *HASH])
    assert result.exit_code == 2 and "cannot reach" in result.output and SECRET not in result.output
    assert "bob:***@" in result.output
    bad = CliRunner().invoke(app, ["docs", *HASH], env={"REVIEWER_CHROMA_URL": f"ftp://bob:{SECRET}@host"})
    assert bad.exit_code == 2 and SECRET not in bad.output


@pytest.mark.slow
def test_a_chroma_server_behind_a_token(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    seen: list = []
    runner = CliRunner()
    with running_chroma(tmp_path) as chroma, http_server(token_proxy(chroma, SECRET, seen)) as url:
        ok = runner.invoke(app, ["ingest", str(CORPUS), "--chroma-url", url, "--chroma-token", SECRET, *HASH])
        assert ok.exit_code == 0, ok.output
        asked = runner.invoke(app, ["ask", "resistance training memory", "--json", "--chroma-url", url, *HASH],
                              env={"REVIEWER_CHROMA_TOKEN": SECRET})
        assert asked.exit_code == 0 and json.loads(asked.output)["citations"]
        wrong = runner.invoke(app, ["docs", "--chroma-url", url, "--chroma-token", "wrong", *HASH])
        assert wrong.exit_code == 2 and "refused the credentials" in wrong.output
    assert seen and all(h in (f"Bearer {SECRET}", "Bearer wrong") for h in seen)


def _library(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"note-{i:03d}.md").write_text(
            f"# Note {i}\n\n" + "\n\n".join(f"Paragraph {j} of note {i} on sleep, memory and exercise in adults."
                                             for j in range(12)) + "\n")
    return folder


def _env(**extra) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", **extra)
    env.pop("REVIEWER_CHROMA_URL", None)
    return env


def _cli(*args, env=None, cwd=None, user=None, timeout=300) -> subprocess.CompletedProcess:
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if user else []
    return subprocess.run([*prefix, sys.executable, "-m", "reviewer.cli", *args], env=env or _env(), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_a_server_dying_mid_ingest_is_one_line_and_keeps_what_was_stored(tmp_path):
    import chromadb

    folder = _library(tmp_path / "library", 40)
    env = _env(XDG_CACHE_HOME=str(tmp_path / "cache"), REVIEWER_EMBEDDING__STORE_BATCH="1",
               REVIEWER_CHUNKING__SIZE="200", REVIEWER_CHUNKING__OVERLAP="20")
    with running_chroma(tmp_path) as url:
        proc = subprocess.Popen([sys.executable, "-m", "reviewer.cli", "ingest", str(folder), "--chroma-url", url,
                                 "--json", *HASH], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        client = chromadb.HttpClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]))
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            names = [c.name for c in client.list_collections()]
            if "reviewer-documents" in names and sum(  # records, not pending markers
                    "info" in (m or {}) for m in client.get_collection("reviewer-documents").get()["metadatas"]) >= 6:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the ingest must still be running when the server goes"
    # the server is stopped here, in the middle of the ingest
    code = proc.wait(timeout=240)
    stderr = proc.stderr.read()
    assert code == 2, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert "lost the Chroma server" in lines[0] and "while storing" in lines[0] and str(folder) in lines[0]
    assert "stored and are kept" in lines[0]

    with running_chroma(tmp_path) as url:  # the same data, served again
        listed = json.loads(_cli("docs", "--json", "--chroma-url", url, *HASH, env=env, cwd=tmp_path).stdout)
        assert len(listed) >= 5, "what was stored before the server died is kept and listed"
        rerun = _cli("ingest", str(folder), "--chroma-url", url, *HASH, env=env, cwd=tmp_path)
        assert rerun.returncode == 0, rerun.stderr
        docs = json.loads(_cli("docs", "--json", "--chroma-url", url, *HASH, env=env, cwd=tmp_path).stdout)
        assert sorted(d["source"] for d in docs) == sorted(str(p) for p in folder.glob("*.md"))
        assert _cli("doctor", "--chroma-url", url, *HASH, env=env, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("error", [
    "chromadb", sqlite3.OperationalError("database or disk is full"), OSError(errno.ENOSPC, "No space left on device")])
def test_a_full_disk_mid_ingest_is_one_line_and_keeps_what_was_stored(tmp_path, monkeypatch, error):
    from chromadb.api.models.Collection import Collection
    from chromadb.errors import InternalError

    if error == "chromadb":
        error = InternalError("Error in compaction: Failed to apply logs to the metadata segment")
    folder = _library(tmp_path / "library", 12)
    store = tmp_path / "store"
    runner = CliRunner()
    env = {"REVIEWER_EMBEDDING__STORE_BATCH": "4"}
    upsert = Collection.upsert
    calls = {"n": 0}

    def filling_up(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 8:
            raise error
        return upsert(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "upsert", filling_up)
    full = runner.invoke(app, ["ingest", str(folder), "--store", str(store), *HASH], env=env)
    monkeypatch.setattr(Collection, "upsert", upsert)
    assert full.exit_code == 2, full.output
    assert "disk is full" in full.output and "while storing" in full.output and str(folder) in full.output
    assert "stored and are kept" in full.output
    assert full.exception is None or isinstance(full.exception, SystemExit)
    kept = runner.invoke(app, ["docs", "--json", "--store", str(store), *HASH])
    assert len(json.loads(kept.output)) >= 1
    assert runner.invoke(app, ["ingest", str(folder), "--store", str(store), *HASH]).exit_code == 0
    assert len(json.loads(runner.invoke(app, ["docs", "--json", "--store", str(store), *HASH]).output)) == 12
    assert runner.invoke(app, ["doctor", "--store", str(store), *HASH]).exit_code == 0


def _as_another_user() -> bool:
    """Whether a read-only folder can be made read-only for the user running the CLI."""
    if os.geteuid() != 0:
        return False
    return shutil.which("setpriv") is not None


def _shared_dir() -> Path:
    """A folder the unprivileged user can use (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="reviewer-ro-test-"))
    folder.chmod(0o777)
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_read_only_store_can_be_queried_and_refuses_writes_in_one_line():
    user = _as_another_user()
    if os.geteuid() == 0 and not user:
        pytest.skip("running as root without setpriv: a folder cannot be made read-only for the CLI")
    base = _shared_dir()
    try:
        shutil.copytree(CORPUS, base / "corpus")
        env = _env(HOME=str(base), XDG_CACHE_HOME=str(base / "cache"))
        assert _cli("ingest", "corpus", "--store", "store", *HASH, env=env, cwd=base, user=user).returncode == 0
        subprocess.run(["chmod", "-R", "a-w", str(base / "store")], check=True)
        before = _files(base / "store")
        docs = _cli("docs", "--json", "--store", "store", *HASH, env=env, cwd=base, user=user)
        assert docs.returncode == 0 and len(json.loads(docs.stdout)) == 3, docs.stderr
        ask = _cli("ask", "resistance training memory", "--json", "--store", "store", *HASH, env=env, cwd=base, user=user)
        assert ask.returncode == 0 and json.loads(ask.stdout)["citations"], ask.stderr
        assert _cli("doctor", "--store", "store", *HASH, env=env, cwd=base, user=user).returncode == 0
        (base / "new.md").write_text("# New\n\nA new note on sleep.\n")
        first = json.loads(docs.stdout)[0]["doc_id"]
        for args in (["ingest", "new.md"], ["remove", first], ["doctor", "--fix"]):
            refused = _cli(*args, "--store", "store", *HASH, env=env, cwd=base, user=user)
            assert refused.returncode == 2 and "read-only" in refused.stderr, refused.stderr
            assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert _files(base / "store") == before, "nothing in the store changed"
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
def test_a_read_only_working_folder_with_a_chroma_server(tmp_path):
    user = _as_another_user()
    if os.geteuid() == 0 and not user:
        pytest.skip("running as root without setpriv: a folder cannot be made read-only for the CLI")
    base = _shared_dir()
    try:
        shutil.copytree(CORPUS, base / "corpus")
        (base / "cwd").mkdir()
        (base / "home").mkdir()
        subprocess.run(["chmod", "-R", "a+rwX", str(base / "home")], check=True)
        subprocess.run(["chmod", "a-w", str(base / "cwd")], check=True)
        env = _env(HOME=str(base / "home"), XDG_CACHE_HOME=str(base / "home" / "cache"))
        with running_chroma(tmp_path) as url:
            ingest = _cli("ingest", str(base / "corpus"), "--chroma-url", url, *HASH, env=env, cwd=base / "cwd", user=user)
            assert ingest.returncode == 0, ingest.stderr
            ask = _cli("ask", "resistance training memory", "--json", "--chroma-url", url, *HASH, env=env,
                       cwd=base / "cwd", user=user)
            assert ask.returncode == 0 and json.loads(ask.stdout)["citations"], ask.stderr
        assert list((base / "cwd").iterdir()) == []
    finally:
        shutil.rmtree(base, ignore_errors=True)
