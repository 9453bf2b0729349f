"""reviewer: an offline-first literature review assistant with cited, evidence-graded answers."""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from reviewer.api import Reviewer


def __getattr__(name: str):
    # Lazy, so `import reviewer` (and `reviewer --help`) never pays for torch or chromadb.
    if name == "Reviewer":
        from reviewer.api import Reviewer

        return Reviewer
    raise AttributeError(name)


__all__ = ["Reviewer", "__version__"]
