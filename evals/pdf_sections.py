"""The sections a PDF's body chunks get, in reading order: a check to read against the printed headings.

Run with `python evals/pdf_sections.py [PDF ...]` (the six LitQA2 papers by default). For each
paper it prints each run of consecutive body chunks that share a section: the section, the pages,
how many chunks, and the opening words of the run's first chunk, so a heading that is missing,
cut in half, or taken from a figure shows up at a glance next to the page it is on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT.parent / "shared" / "benchmarks" / "litqa2" / "pdfs"


def section_runs(path: Path) -> list[tuple[str, list[int], int, str]]:
    """(section, pages, chunks, opening words) per run of body chunks that share a section."""
    from reviewer.ingest.chunking import chunk_document
    from reviewer.loading import load
    from reviewer.models import BlockKind

    docs, failures = load(path)
    if failures or not docs:
        raise SystemExit(f"{path}: {failures[0].reason if failures else 'nothing loaded'}")
    runs: list[tuple[str, list[int], int, str]] = []
    for chunk in chunk_document(docs[0]):
        if chunk.is_reference or chunk.kind is not BlockKind.body:
            continue
        section = chunk.section or "(none)"
        if runs and runs[-1][0] == section:
            name, pages, count, opening = runs[-1]
            runs[-1] = (name, pages + ([chunk.page] if chunk.page not in pages else []), count + 1, opening)
        else:
            runs.append((section, [chunk.page], 1, " ".join(chunk.text.split()[:8])))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", type=Path, nargs="*", help="PDF files (default: the six LitQA2 papers)")
    args = parser.parse_args()
    for path in args.pdfs or sorted(PDFS.glob("*.pdf")):
        print(f"== {path.name}")
        for section, pages, count, opening in section_runs(path):
            where = f"p{pages[0]}" + (f"-{pages[-1]}" if len(pages) > 1 else "")
            print(f"  {where:8} {count:3d}  {section[:90]}\n{'':15}| {opening}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
