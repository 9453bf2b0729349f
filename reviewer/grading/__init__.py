"""Grading: where a study design and an evidence strength are decided, with the words that justify them."""

from reviewer.grading.design import answer_level, direction, grade

__all__ = ["answer_level", "direction", "grade"]
