"""Running the eval suite from the command line: ingest first when asked, a progress bar, the store to use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from rich.console import Console


def run_suite_with_progress(r, suite: Path, k: Optional[int], only: Optional[list[str]], corpus: Optional[Path]):
    """Ingest `corpus` first when given, then run the suite with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from reviewer.cli.render import IngestProgress
    from reviewer.evaluation.suite import run_suite

    if corpus is not None:
        with IngestProgress() as progress:
            r.ingest([corpus], progress=progress)
    with Progress(TextColumn("eval"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True, highlight=False),
                  transient=True) as bar:
        task = bar.add_task("eval", total=None)
        return run_suite(r, suite, k=k, only=only,
                         progress=lambda done, total, case: bar.update(task, completed=done, total=total))


def store_in_environment() -> bool:
    """Whether REVIEWER_STORE or REVIEWER_CHROMA_URL names a store (then eval uses it, not a fresh one)."""
    return bool(os.environ.get("REVIEWER_STORE") or os.environ.get("REVIEWER_CHROMA_URL"))
