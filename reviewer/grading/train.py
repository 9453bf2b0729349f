"""Train the study-design model on labelled abstracts, cross-validate it, and export it for numpy inference.

    python -m reviewer.grading.train [--data PATH] [--output reviewer/grading/design_model.npz]
                                     [--folds 5] [--report FILE.json]

The data is the shared study-design set (`{"title", "text", "design": [acceptable designs]}`
a line; the first design is the record's class). Everything is deterministic: records are
sorted by id, folds are stratified with a fixed seed, and the solver (L-BFGS) has no randomness,
so the same data gives the same file byte for byte.

The report gives only out-of-sample figures: each record is graded by a model trained on the
other folds, through the same `grade_document` path the product takes (rules plus model).
scikit-learn is needed here only; the product reads the exported arrays with numpy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Optional

from reviewer.grading.model import MODEL_PATH, DesignModel, features

SEED = 13
C = 10.0
MIN_DF = 2


def default_data() -> Path:
    """The shared labelled set: `REVIEWER_SHARED`, else `shared/` beside the project."""
    shared = os.environ.get("REVIEWER_SHARED")
    base = Path(shared) if shared else Path(__file__).resolve().parents[3] / "shared"
    return base / "benchmarks" / "study-design" / "labelled.jsonl"


def load_records(path: Path) -> list[dict]:
    """Labelled records, sorted by id (so training does not depend on the file's order)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(rows, key=lambda r: r["id"])


def fit(records: list[dict], c: float = C, min_df: int = MIN_DF) -> DesignModel:
    """A tf-idf n-gram vocabulary and a multinomial logistic regression over the records' classes."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    docs = [features(r.get("title", ""), r.get("text", "")) for r in records]
    df: dict[str, int] = {}
    for terms in docs:
        for t in set(terms):
            df[t] = df.get(t, 0) + 1
    vocabulary = sorted(t for t, n in df.items() if n >= min_df)
    n = len(docs)
    idf = np.asarray([math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocabulary], dtype=np.float32)
    model = DesignModel(vocabulary, idf, np.zeros((1, len(vocabulary)), np.float32), np.zeros(1), ["_"])
    rows, cols, vals = [], [], []
    for r, terms in enumerate(docs):
        for i, v in model.vector(terms).items():
            rows.append(r)
            cols.append(i)
            vals.append(v)
    x = csr_matrix((vals, (rows, cols)), shape=(n, len(vocabulary)))
    y = [r["design"][0] for r in records]
    clf = LogisticRegression(C=c, max_iter=3000, solver="lbfgs")
    clf.fit(x, y)
    return DesignModel(vocabulary, idf, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32),
                       [str(k) for k in clf.classes_])


def export(model: DesignModel, path: Path) -> None:
    """Write the model as plain arrays (no pickles): vocabulary, idf, weights, bias, classes (texts as UTF-8 bytes)."""
    import numpy as np

    def text(items: list[str]):  # one UTF-8 buffer, split on load: much faster to read than an array of strings
        return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)

    np.savez(path, vocabulary=text(model.vocabulary), idf=model.idf, weights=model.weights, bias=model.bias,
             classes=text(model.classes))


def folds(records: list[dict], k: int) -> list[int]:
    """A stratified fold number for every record, from a fixed seed."""
    import random

    rng = random.Random(SEED)
    fold = [0] * len(records)
    by_class: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by_class.setdefault(r["design"][0], []).append(i)
    for label in sorted(by_class):
        members = by_class[label]
        rng.shuffle(members)
        for j, i in enumerate(members):
            fold[i] = j % k
    return fold


def cross_validate(records: list[dict], k: int = 5, c: float = C, use_model: bool = True,
                   use_rules: bool = True) -> dict:
    """Out-of-sample figures of `grade_document` (rules plus a model trained on the other folds)."""
    from reviewer.grading.document import design_of_abstract

    fold = folds(records, k)
    predicted: list[str] = [""] * len(records)
    for f in range(k):
        model = fit([r for r, g in zip(records, fold) if g != f], c) if use_model else None
        for i, r in enumerate(records):
            if fold[i] == f:
                tag = design_of_abstract(r.get("title", ""), r.get("text", ""), model, use_rules=use_rules)
                predicted[i] = tag.design.value
    return score(records, predicted)


def score(records: list[dict], predicted: list[str]) -> dict:
    """Accuracy (a prediction is right when it is one of the record's acceptable designs), recall by class,
    and the confusion matrix (true class → predicted design → count)."""
    right = [p in r["design"] for r, p in zip(records, predicted)]
    confusion: dict[str, dict[str, int]] = {}
    recall: dict[str, list[int]] = {}
    for r, p, ok in zip(records, predicted, right):
        label = r["design"][0]
        row = confusion.setdefault(label, {})
        row[p] = row.get(p, 0) + 1
        tally = recall.setdefault(label, [0, 0])
        tally[0] += ok
        tally[1] += 1
    return {"n": len(records), "accuracy": round(sum(right) / len(right), 4),
            "recall": {k: round(a / b, 4) for k, (a, b) in sorted(recall.items())},
            "confusion": {k: dict(sorted(v.items())) for k, v in sorted(confusion.items())}}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Train and cross-validate the study-design model.")
    parser.add_argument("--data", type=Path, default=None, help="labelled JSONL (default: the shared set)")
    parser.add_argument("--output", type=Path, default=MODEL_PATH, help="where to write the model")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--report", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--no-train", action="store_true", help="cross-validate only")
    args = parser.parse_args(argv)
    data = args.data or default_data()
    if not data.exists():
        print(f"error: labelled data not found at {data} (set REVIEWER_SHARED or --data)", file=sys.stderr)
        return 2
    records = load_records(data)
    figures = {"data": str(data), "folds": args.folds, "rules_only": cross_validate(records, args.folds,
                                                                                     use_model=False),
               "model_only": cross_validate(records, args.folds, use_rules=False),
               "rules_and_model": cross_validate(records, args.folds)}
    if not args.no_train:
        model = fit(records)
        export(model, args.output)
        figures["model"] = {"path": str(args.output), "bytes": args.output.stat().st_size,
                            "vocabulary": len(model.vocabulary), "classes": model.classes}
    text = json.dumps(figures, indent=2)
    print(text)
    if args.report:
        args.report.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
