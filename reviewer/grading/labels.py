"""The labelled passages of `evals/evidence_labels.jsonl`: grade each and compare with its labels."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Union

from reviewer.grading.design import doc_type_of, grade
from reviewer.models import DocType


def _front_matter_doc_type(path: Path) -> DocType:
    head = path.read_text(encoding="utf-8")[:4000]
    m = re.search(r"^doc_type:\s*['\"]?(\w+)", head, re.M)
    return doc_type_of(m.group(1) if m else None)


def evaluate_labels(path: Union[str, Path], corpus_dir: Union[str, Path, None] = None) -> dict:
    """Grade every labelled passage and compare with its labels.

    Args:
        path: a JSONL file of {"id", "doc", "section", "text", "design", "strength", ...}.
        corpus_dir: where the `doc` files live (default: `corpus/` beside the labels' folder);
            their front matter gives the document type.

    Returns:
        {"n", "design_accuracy", "strength_accuracy", "misses": [...], "by_split": {split: {...}}}.
    """
    path = Path(path)
    corpus = Path(corpus_dir) if corpus_dir else path.resolve().parent.parent / "corpus"
    types: dict[str, DocType] = {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    misses, tally = [], {}
    for row in rows:
        doc = row["doc"]
        if doc not in types:
            types[doc] = _front_matter_doc_type(corpus / doc)
        tag = grade(row["text"], row.get("section"), types[doc])
        ok_design = tag.design.value == row["design"]
        ok_strength = tag.strength.value == row["strength"]
        for split in {"all", row.get("split") or "all"}:
            t = tally.setdefault(split, [0, 0, 0])
            t[0] += 1
            t[1] += ok_design
            t[2] += ok_strength
        if not (ok_design and ok_strength):
            misses.append({"id": row["id"], "split": row.get("split"), "design": row["design"],
                           "got_design": tag.design.value, "strength": row["strength"],
                           "got_strength": tag.strength.value, "reasons": tag.reasons, "text": row["text"][:160]})

    def summary(t: list[int]) -> dict:
        return {"n": t[0], "design_accuracy": t[1] / t[0] if t[0] else 0.0,
                "strength_accuracy": t[2] / t[0] if t[0] else 0.0}

    out = summary(tally.get("all", [0, 0, 0]))
    out["misses"] = misses
    out["by_split"] = {k: summary(v) for k, v in tally.items() if k != "all"}
    return out
