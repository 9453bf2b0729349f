"""Loading: files on disk become `Document`s (one module per format; PDFs are parsed in `pdf`)."""

from reviewer.loading.loaders import SUPPORTED_SUFFIXES, LoadError, discover, file_hash, load

__all__ = ["SUPPORTED_SUFFIXES", "LoadError", "discover", "file_hash", "load"]
