"""The learned study-design classifier: word n-grams of a title and abstract, a linear model, plain numpy.

The model file (`design_model.npz`, made by `python -m reviewer.grading.train`) holds a
vocabulary of word uni- and bigrams, their inverse document frequencies, and one weight vector
per class. Inference is a sparse dot product in numpy: no scikit-learn at run time, nothing
unpickled, loaded once per process in a few milliseconds.

Features: the words of the abstract, and the words of the title again under a `t:` prefix, so a
design stated only in the title ("... : a randomized trial") weighs on its own. Words are lower
case, British spellings folded to American ("randomised" → "randomized"), hyphens split
("cross-sectional" = "cross sectional"), numbers replaced by `#`. Each feature is sublinear tf ×
idf, L2-normalised, as in scikit-learn's `TfidfVectorizer(sublinear_tf=True)`.

Reasons: the phrases of the text that weigh most towards the predicted class (tf-idf × weight),
found back in the text as written.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from reviewer.text import STOPWORDS

MODEL_PATH = Path(__file__).with_name("design_model.npz")
_WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
_BRITISH = re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$")
TITLE = "t:"


def words(text: str) -> list[str]:
    """Normalised words of a text (lower case, American spelling, numbers as '#')."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w[0].isdigit():
            out.append("#")
        else:
            out.append(_BRITISH.sub(r"iz\1", w) if w.endswith(("ise", "ised", "ises", "ising", "isation",
                                                                "isations")) else w)
    return out


def ngrams(text: str, prefix: str = "") -> list[str]:
    """Unigrams and bigrams of a text's words, each with `prefix`."""
    ws = words(text)
    return [prefix + w for w in ws] + [f"{prefix}{a} {b}" for a, b in zip(ws, ws[1:])]


def features(title: str, abstract: str) -> list[str]:
    """The n-grams a title and abstract are described by (title n-grams counted twice: plain and prefixed)."""
    return ngrams(title) + ngrams(abstract) + ngrams(title, TITLE)


@dataclass
class Prediction:
    """The model's class, its probability, every class's probability, and the phrases behind it."""

    label: str
    probability: float
    probabilities: dict[str, float]
    phrases: list[str]


class DesignModel:
    """A linear classifier over tf-idf n-grams, read from an exported `.npz` (see module docstring)."""

    def __init__(self, vocabulary: list[str], idf, weights, bias, classes: list[str]):
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.vocabulary = vocabulary
        self.idf, self.weights, self.bias, self.classes = idf, weights, bias, classes
        self._idf = [float(v) for v in idf]  # plain floats: indexing a numpy array per term costs more than the math

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "DesignModel":
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            vocabulary = data["vocabulary"].tobytes().decode("utf-8").split("\n")
            classes = data["classes"].tobytes().decode("utf-8").split("\n")
            return cls(vocabulary, data["idf"], data["weights"], data["bias"], classes)

    def vector(self, terms: list[str]) -> dict[int, float]:
        """Sparse tf-idf vector (index → value), L2-normalised."""
        counts: dict[int, int] = {}
        for term in terms:
            i = self.index.get(term)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        idf = self._idf
        values = {i: (1.0 + math.log(c)) * idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        return {i: v / norm for i, v in values.items()}

    def predict(self, title: str, abstract: str, top: int = 3) -> Prediction:
        """The most probable class of a document, with the phrases of its text that weigh most for it."""
        import numpy as np

        vec = self.vector(features(title, abstract))
        idx = np.fromiter(vec.keys(), dtype=np.int64, count=len(vec))
        val = np.fromiter(vec.values(), dtype=np.float64, count=len(vec))
        scores = self.weights[:, idx] @ val + self.bias if len(idx) else self.bias.astype(np.float64)
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        best = int(np.argmax(probs))
        contributions = self.weights[best, idx] * val if len(idx) else np.zeros(0)
        order = np.argsort(-contributions, kind="stable")
        terms = [self.vocabulary[idx[j]] for j in order[: top * 3] if contributions[j] > 0]
        return Prediction(self.classes[best], float(probs[best]),
                          {c: float(p) for c, p in zip(self.classes, probs)},
                          phrases_in(terms, f"{title}\n{abstract}", top))


def phrases_in(terms: list[str], text: str, top: int) -> list[str]:
    """The n-gram terms as the text writes them (case, hyphens, British spelling), at most `top`."""
    found: list[str] = []
    for term in terms:
        term = term.removeprefix(TITLE)
        m = _phrase_pattern(term).search(text)
        if m is None or "#" in term.split() and len(term.split()) == 1:
            continue
        phrase = m.group(0)
        if all(w.lower() in STOPWORDS or len(w) < 4 for w in re.findall(r"[A-Za-z]+", phrase)):
            continue  # "were", "and the": weighty in the model, but no reason a reader can use
        if not any(phrase.lower() in f.lower() for f in found):
            found = [f for f in found if f.lower() not in phrase.lower()] + [phrase]
        if len(found) >= top:
            break
    return found


@lru_cache(maxsize=8192)
def _phrase_pattern(term: str) -> re.Pattern:
    """A term's pattern as the text may write it; compiled once (the same vocabulary terms recur in every document)."""
    parts = [r"\d+(?:\.\d+)?" if w == "#" else _spelling(w) for w in term.split()]
    return re.compile(r"\b" + r"[\s-]+".join(parts) + r"\b", re.I)


def _spelling(word: str) -> str:
    """A word's pattern matching both spellings folded together by `words`."""
    w = re.escape(word)
    return re.sub(r"iz(e|ed|es|ing|ation|ations)$", r"i[sz]\1", w) if re.search(r"iz(?:e|ed|es|ing|ations?)$", word) \
        else w


@lru_cache(maxsize=1)
def load_model(path: Optional[str] = None) -> Optional[DesignModel]:
    """The shipped model, loaded once; None when the file is missing (the rules then decide alone)."""
    target = Path(path) if path else MODEL_PATH
    if not target.exists():
        return None
    return DesignModel.load(target)
