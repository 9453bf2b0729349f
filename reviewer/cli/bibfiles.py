"""Bibliography files on the command line: --bib, --style and `docs --format` (check, write, print).

The options check their values as they are parsed (one line and exit 2 for a bad one), so the
commands only pass them on.
"""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from reviewer.cli.common import fail


def _check_bib(path: Optional[Path]) -> Optional[Path]:
    from reviewer.bibliography.export import format_for

    if path is not None and format_for(path.suffix) is None:
        fail(f"--bib {path}: use a .bib, .ris or .json (CSL-JSON) file name")
    return path


def _check_style(style: Optional[str]) -> str:
    """The flag's style, else the settings' (REVIEWER_CITATION_STYLE, reviewer.toml), checked now."""
    from reviewer.bibliography.references import check_style
    from reviewer.errors import ReviewerError
    from reviewer.settings import Settings

    style = style or Settings.load().citation_style
    try:
        check_style(style)
    except ReviewerError as exc:
        fail(str(exc))
    return style


def _check_export(fmt: Optional[str]) -> Optional[str]:
    from reviewer.bibliography.export import EXPORT_FORMATS

    if fmt is not None and fmt not in EXPORT_FORMATS:
        fail(f"--format '{fmt}' is not one of {', '.join(EXPORT_FORMATS)}")
    return fmt


BibOpt = Annotated[Optional[Path], typer.Option("--bib", callback=_check_bib, help="Also write the cited documents to this file: .bib (BibTeX), .ris or .json (CSL-JSON).")]
StyleOpt = Annotated[Optional[str], typer.Option("--style", callback=_check_style, help="Reference list style: author-year (default), apa, vancouver, chicago, any CSL style name or a .csl file [env: REVIEWER_CITATION_STYLE]")]
ExportOpt = Annotated[Optional[str], typer.Option("--format", callback=_check_export, help="Export the library as bib (BibTeX), ris or csljson instead of listing it.")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the export to this file (its extension picks the format).")]
CollectionOpt = Annotated[Optional[str], typer.Option("--collection", help="Zotero: only the items of this collection (and its subcollections).")]
DocOpt = Annotated[Optional[list[str]], typer.Option("--doc", help="Only these document ids (repeatable).")]


def export(make_reviewer, fmt: Optional[str], output: Optional[Path], doc_ids: Optional[list[str]]) -> None:
    """`docs --format`: the library (or some documents) as a bibliography, to a file or stdout."""
    from reviewer.bibliography.export import format_for
    from reviewer.errors import user_errors

    fmt = _check_export(fmt or (format_for(output.suffix) if output is not None else None) or "?")
    try:
        text = make_reviewer().export_bibliography(fmt, doc_ids=doc_ids)
    except user_errors() as exc:
        fail(str(exc))
    write_or_print(text, output)


def write_cited(path: Optional[Path], citations) -> None:
    """Write the documents the citations cite (each once) as a bibliography file (nothing without --bib)."""
    if path is None:
        return
    from rich.console import Console

    from reviewer.bibliography.export import export as to_text, format_for

    seen: dict[str, object] = {}
    for c in citations:
        if c.reference is not None and c.doc_id not in seen:
            seen[c.doc_id] = c.reference
    write_or_print(to_text(list(seen.values()), format_for(path.suffix)), path, quiet=True)
    Console(stderr=True, highlight=False).print(f"{len(seen)} cited documents written to {path}", soft_wrap=True)


def write_or_print(text: str, output: Optional[Path], quiet: bool = False) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    if not quiet:
        print(str(output.resolve()))
