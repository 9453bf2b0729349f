"""Ingest: documents are chunked, graded, embedded and stored."""
