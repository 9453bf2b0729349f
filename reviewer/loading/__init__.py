"""Loading: files on disk become `Document`s, one module per format.

`discover` finds the files to load, `load` parses one by its suffix (`LOADERS`), and a file
that cannot be read comes back as an `IngestFailure` with one line saying why. PDFs are read
through a `PdfBackend` (`reviewer.loading.pdf_layout`) and laid out into paragraphs, captions
and sections by `reviewer.loading.pdf_blocks`.
"""

from reviewer.loading.base import LoadError, Loader
from reviewer.loading.files import LOADERS, SUPPORTED_SUFFIXES, discover, file_hash, load

__all__ = ["LOADERS", "SUPPORTED_SUFFIXES", "LoadError", "Loader", "discover", "file_hash", "load"]
