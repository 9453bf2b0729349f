"""The command line, through typer's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import time
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from reviewer.cli import app

from conftest import CORPUS, ROOT

runner = CliRunner()


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_every_command_has_help_with_an_example():
    names = command_names()
    assert {"ingest", "docs", "stats", "remove", "ask"} <= set(names)
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"`reviewer {name} --help` shows no example"


def test_help_imports_nothing_heavy():
    out = subprocess.run([sys.executable, "-m", "reviewer.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "ingest" in out.stdout
    # torch, chromadb and langchain are imported by the commands that need them, never by --help
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, reviewer.cli; print(sorted(m for m in ('torch','chromadb','langchain',"
         "'sentence_transformers') if m in sys.modules))"], capture_output=True, text=True, cwd=ROOT)
    assert probe.stdout.strip() == "[]", probe.stdout


def test_ingest_json_report_and_exit_status(tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "note.md").write_text("# Note\n\nTwelve weeks of training improved gait speed in 40 adults.\n")
    (bad / "empty.txt").write_text("")
    env = {"REVIEWER_EMBEDDING__MODEL": "hash-256"}
    result = runner.invoke(app, ["ingest", str(bad), "--store", str(tmp_path / "s"), "--json"], env=env)
    assert result.exit_code == 1  # one file failed, the rest was stored
    report = json.loads(result.stdout)
    assert report["documents_added"] == 1
    assert report["failures"] == [{"path": str(bad / "empty.txt"), "reason": "empty file"}]

    docs = runner.invoke(app, ["docs", "--store", str(tmp_path / "s"), "--json"], env=env)
    assert docs.exit_code == 0
    assert [d["title"] for d in json.loads(docs.stdout)] == ["Note"]
    stats = runner.invoke(app, ["stats", "--store", str(tmp_path / "s"), "--json"], env=env)
    assert json.loads(stats.stdout)["documents"] == 1


def test_store_built_with_another_model_is_one_clear_line(tmp_path):
    runner.invoke(app, ["ingest", str(CORPUS / "news-exercise-muscle-signals-brain.md"), "--store", str(tmp_path / "s")],
                  env={"REVIEWER_EMBEDDING__MODEL": "hash-256"})
    result = runner.invoke(app, ["docs", "--store", str(tmp_path / "s")], env={"REVIEWER_EMBEDDING__MODEL": "hash-64"})
    assert result.exit_code == 2
    assert "built with embedding model 'hash-256'" in result.output
    assert "Traceback" not in result.output


def test_asking_a_missing_store_says_what_to_do_and_creates_nothing(tmp_path):
    for command in (["ask", "anything?"], ["docs"], ["stats"], ["summarize", "anything"], ["remove", "x"]):
        result = runner.invoke(app, command + ["--store", str(tmp_path / "typo")],
                               env={"REVIEWER_EMBEDDING__MODEL": "hash-256"})
        assert result.exit_code == 2, (command, result.output)
        assert "reviewer ingest" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "typo").exists()


def test_document_text_is_never_read_as_terminal_markup(tmp_path):
    """A title with markup or escape codes is shown literally and crashes nothing."""
    paper = tmp_path / "odd.md"
    title = "Grip [/bold] strength [abstract only] [link=http://x.test]here[/link] \\x1b[31mred"  # YAML decodes \\x1b to ESC
    paper.write_text(f"---\ntitle: \"{title}\"\n---\n\n# Results\n\nGrip strength [abstract only] rose by 12% "
                     "in older adults after twelve weeks of resistance training.\n", encoding="utf-8")
    env = {"REVIEWER_EMBEDDING__MODEL": "hash-256", "COLUMNS": "250"}
    store = str(tmp_path / "s")
    ingested = runner.invoke(app, ["ingest", str(paper), "--store", store], env=env)
    assert ingested.exit_code == 0, ingested.output
    docs = runner.invoke(app, ["docs", "--store", store], env=env)
    assert docs.exit_code == 0, docs.output
    assert "[/bold]" in docs.output and "[abstract only]" in docs.output and "\x1b" not in docs.output
    asked = runner.invoke(app, ["ask", "How much did grip strength rise?", "--store", store], env=env)
    assert asked.exit_code == 0, asked.output
    assert "[abstract only]" in asked.output and "\x1b" not in asked.output


@pytest.mark.slow
def test_ingest_and_ask_as_a_subprocess(tmp_path):
    """The demo path, for real: the console script, the real model, the shipped corpus."""
    exe = ROOT / ".venv" / "bin" / "reviewer"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "reviewer.cli"]
    ingest = subprocess.run(cmd + ["ingest", str(CORPUS), "--store", str(tmp_path / "s")], capture_output=True,
                            text=True, cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    assert "documents added" in ingest.stdout
    out = subprocess.run(cmd + ["ask", "How much did unstable free-weight training improve processing speed?",
                                "--store", str(tmp_path / "s"), "--json"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["citations"] and answer["passages"]
    assert any("Eckardt" in c["text"] for c in answer["citations"])


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stopped_ingest_ends_like_ctrl_c_and_keeps_what_it_stored(tmp_path, signum):
    """SIGTERM and SIGHUP stop an ingest the way Ctrl-C does: exit 130, one line, and the next run completes it."""
    records = tmp_path / "abstracts.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for i in range(12_000):
            out.write(json.dumps({"id": f"r{i}", "title": f"Study {i} of training",
                                  "abstract": f"Abstract {i}: resistance training and memory in cohort {i % 97}."}) + "\n")
    env = {**os.environ, "REVIEWER_EMBEDDING__MODEL": "hash-64"}
    cmd = [sys.executable, "-m", "reviewer.cli", "ingest", str(records), "--store", str(tmp_path / "s")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "s").glob("*/data_level0.bin")) and time.monotonic() < deadline:
        time.sleep(0.2)  # until the first vectors are stored: the ingest is under way
    assert proc.poll() is None, "the ingest finished before it could be stopped"
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err and "Traceback" not in err
    again = subprocess.run(cmd + ["--json"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["documents_added"] + report["documents_unchanged"] == 12_000
