"""A wheel install works on its own: prompts and model files ship inside the package."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT

ASK = """
from reviewer import Reviewer
from reviewer.llm.fake import FakeChatModel
from reviewer.retrieval.embedding import HashEmbedder
from reviewer.settings import Settings
import reviewer, sys

r = Reviewer(settings=Settings.load(store=sys.argv[1]), embedder=HashEmbedder(64))
r.ingest([sys.argv[2]])
fake = FakeChatModel(replies=["Resistance training improved memory [1]."])
out = r.ask("Does resistance training improve memory?", llm=fake)
print(reviewer.__file__)
print(out.llm, len(fake.received))
"""


@pytest.mark.slow
def test_wheel_carries_prompts_and_answers_with_a_fake_llm(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("reviewer-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {"reviewer/prompts/answer.md", "reviewer/prompts/summarize.md"} <= set(names)

    # A fresh environment with the wheel installed; its dependencies are borrowed from this one, read-only.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                                str(wheel)], capture_output=True, text=True)
    if installed.returncode != 0 and "no such option: --python" in installed.stderr:
        with zipfile.ZipFile(wheel) as zf:  # an older pip: a wheel is a zip laid out for site-packages
            zf.extractall(site)
    else:
        assert installed.returncode == 0, installed.stderr

    run = subprocess.run([str(python), "-c", ASK, str(tmp_path / "store"), str(CORPUS)], capture_output=True,
                         text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    location, answered = run.stdout.strip().splitlines()[-2:]
    assert location.startswith(str(site))  # the installed copy, not the source tree
    assert answered == "fake:fake 1"
