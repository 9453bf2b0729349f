"""The command line: a thin typer layer over `Reviewer`, the chat session and rich rendering."""

from reviewer.cli.commands import app, main

__all__ = ["app", "main"]
