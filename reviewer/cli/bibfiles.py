"""Bibliography files on the command line: --bib, --style and `docs --format` (write, print, check)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional


def fail(message: str) -> None:
    from reviewer.cli.commands import fail as fail_

    fail_(message)


def _console(stderr: bool = False):
    from reviewer.cli.commands import _console as console

    return console(stderr)


def bib_format(path: Optional[Path]) -> Optional[str]:
    """The export format a --bib file's extension names; exit 2 when it names none."""
    if path is None:
        return None
    from reviewer.bibliography.export import format_for

    fmt = format_for(path.suffix)
    if fmt is None:
        fail(f"--bib {path}: use a .bib, .ris or .json (CSL-JSON) file name")
    return fmt


def style(reviewer, style: Optional[str]) -> str:
    """The reference-list style (flag, else settings), checked before any work is done."""
    from reviewer.bibliography.references import check_style

    style = style or reviewer.settings.citation_style
    check_style(style)
    return style


def write_cited(path: Path, fmt: str, citations) -> None:
    """Write the documents the citations cite (each once) as a bibliography file."""
    from reviewer.bibliography.export import export

    seen: dict[str, object] = {}
    for c in citations:
        if c.reference is not None and c.doc_id not in seen:
            seen[c.doc_id] = c.reference
    write_or_print(export(list(seen.values()), fmt), path, quiet=True)
    _console(stderr=True).print(f"{len(seen)} cited documents written to {path}", soft_wrap=True)


def write_or_print(text: str, output: Optional[Path], quiet: bool = False) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    if not quiet:
        _console().print(str(output.resolve()), soft_wrap=True)
