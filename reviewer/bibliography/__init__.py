"""Bibliographies: documents' records written as BibTeX, RIS or CSL-JSON, and formatted reference lists.

Sits between loading (which reads these formats) and the stages that cite (answering, summary).
"""

from reviewer.bibliography.export import EXPORT_FORMATS, export
from reviewer.bibliography.references import ReferenceEntry, attach, cited_references, label

__all__ = ["EXPORT_FORMATS", "ReferenceEntry", "attach", "cited_references", "export", "label"]
