"""PDF parsing benchmark: seconds per page of the PDFium parser against the previous pypdf parser, and text defects.

Run with `make bench` (or `python evals/bench_pdf.py`). Both parsers read the six LitQA2 papers
in this process, alternately, best of `--repeat` runs each; the ratio new/old per page is the
figure to watch (target ≤ 1.5). The text defects (words glued to citation numbers, glued words
per 10,000 words by a dictionary check, captions inside body chunks, hyphen residues) are
counted in both parsers' chunks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT.parent / "shared" / "benchmarks" / "litqa2" / "pdfs"
sys.path.insert(0, str(ROOT / "evals"))


def _defects(doc) -> dict:
    from reviewer.ingest.chunking import chunk_document
    from reviewer.loading.quality import text_defects
    from reviewer.loading.words import Vocabulary
    from reviewer.models import BlockKind

    chunks = chunk_document(doc)
    body = [c.text for c in chunks if not c.is_reference and c.kind is BlockKind.body]
    captions = [b.text for b in doc.blocks if b.kind is BlockKind.caption]
    found = text_defects(body, captions, Vocabulary("\n".join(b.text for b in doc.blocks)))
    return {"words": found.words, "glued_citations": len(found.glued_citations), "glued_words": len(found.glued_words),
            "run_together": len(found.run_together), "hyphen_residues": len(found.hyphen_residues),
            "captions_in_body": len(found.captions_in_body)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=PDFS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()

    import legacy_pdf_parser
    from reviewer.loading.pdf import load_pdf
    from reviewer.loading.words import english_words

    english_words()  # the word list loads once per process: outside the timings
    files = sorted(args.pdfs.glob("*.pdf"))
    rows, totals = [], {"pages": 0, "new_s": 0.0, "old_s": 0.0}
    for path in files:
        data = path.read_bytes()
        new_s = old_s = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            [doc], _ = load_pdf(path, data)
            new_s = min(new_s, time.perf_counter() - t)
            t = time.perf_counter()
            old = legacy_pdf_parser.load_pdf(path, data)
            old_s = min(old_s, time.perf_counter() - t)
        pages = max(b.page or 0 for b in doc.blocks)
        totals["pages"] += pages
        totals["new_s"] += new_s
        totals["old_s"] += old_s
        rows.append({"file": path.name, "pages": pages, "new_ms_per_page": round(1000 * new_s / pages, 1),
                     "old_ms_per_page": round(1000 * old_s / pages, 1), "ratio": round(new_s / old_s, 2),
                     "new": _defects(doc), "old": _defects(old)})
        print(f"{path.name:34} {pages:3d} p  new {rows[-1]['new_ms_per_page']:6.1f} ms/p  "
              f"old {rows[-1]['old_ms_per_page']:6.1f} ms/p  ratio {rows[-1]['ratio']:.2f}")
    figures = {"pages": totals["pages"], "ratio_per_page": round(totals["new_s"] / totals["old_s"], 2), "files": rows}
    for which in ("new", "old"):
        words = sum(r[which]["words"] for r in rows)
        glued = sum(r[which]["glued_words"] + r[which]["run_together"] for r in rows)
        figures[f"{which}_glued_per_10k"] = round(10_000 * glued / max(words, 1), 2)
        for key in ("glued_citations", "captions_in_body", "hyphen_residues"):
            figures[f"{which}_{key}"] = sum(r[which][key] for r in rows)
    print(json.dumps({k: v for k, v in figures.items() if k != "files"}, indent=1))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
