"""Grading: where a study design and an evidence strength are decided, with the words that justify them.

Modules: `cues` (the words that name a design), `design` (a passage's design: `grade`),
`strength` (GRADE-like levels), `document` (a whole document's design: `grade_document`, rules
plus the learned model), `model` (the learned model, numpy inference), `train` (retrains it:
`make train-grader`), `direction` (direction of effect, answer-level evidence), `labels` (the
labelled passages of `evals/`), `facts` (study facts).

Why word n-grams and a linear model rather than the MiniLM embeddings: the reasons shown beside
every tag must be words of the text, and a linear model over n-grams gives them directly (the
phrases that weigh most for the chosen class); it trains in seconds, is deterministic, ships as a
~1 MB array file read with numpy, and needs no embedding of titles and abstracts apart from the
chunks. Sentence embeddings would add no explainable phrase and tie the grader to one model.
"""

from reviewer.grading.cues import RANKING
from reviewer.grading.design import extract_facts, grade, split_studies
from reviewer.grading.direction import answer_level, answer_level_llm, direction
from reviewer.grading.document import grade_document
from reviewer.grading.labels import evaluate_labels

__all__ = ["RANKING", "answer_level", "answer_level_llm", "direction", "evaluate_labels", "extract_facts", "grade",
           "grade_document", "split_studies"]
