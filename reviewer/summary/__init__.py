"""Structured evidence summaries: study rows, findings (agreement, conflict, gaps) and export formats."""

from reviewer.summary.build import summarize

__all__ = ["summarize"]
