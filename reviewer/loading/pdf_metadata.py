"""Metadata a PDF prints on its first page: the full author list and the journal.

A PDF's /Author field often names only the first (or corresponding) author; the first page
lists everyone, usually with affiliation marks ("Hui Shi1,2,3†, Lei Li1,4† and ...", or "Mu [1,4]"
as the PDF layout writes superscripts). The
author line is found by the /Author field's first surname, so an unrelated line of names is
never taken for it, and it is used only when it names more people. The journal is taken from
the citation line journals print ("Genome Biology (2023) 24:97", "BMC Biology 2024;22:119").
"""

from __future__ import annotations

import re
from typing import Optional

_MARKS = re.compile(r"[*†‡§#✉¶ⓡ]")
_BRACKETED = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")  # superscript marks as the layout writes them: "Mu [1,4]"
_NUMBERS = re.compile(r"(?<=[^\W\d_])\d+(?:\s*,\s*\d+)*|(?<=\s)\d+(?:\s*,\s*\d+)*(?=\s*(?:,|$|and\b|&))")
_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_WORD = rf"[{_UPPER}][\w'’.\-‑‐]*"
_PARTICLE = r"(?:van|von|de|der|den|da|di|del|la|le|dos|ter)"
_NAME = re.compile(rf"^(?:{_WORD}|{_PARTICLE})(?:\s+(?:{_WORD}|{_PARTICLE})){{1,4}}$")
_NOT_NAMES = re.compile(r"universit|department|institute|hospital|school|college|laborator|centre|center|@|"
                        r"contributed|correspond|abstract|received|accepted|published|copyright|licen[cs]e|doi|http",
                        re.I)
_JOURNAL_PATTERNS = (
    re.compile(r"(?:et al\.\s+)?(?P<j>[A-Z][A-Za-z&,:\- ]{2,80}?)\s+\((?:19|20)\d\d\)\s+\d+\s*:\s*\w+"),
    re.compile(r"(?:et al\.\s+)?(?P<j>[A-Z][A-Za-z&\- ]{2,80}?)\.?\s+(?:19|20)\d\d\s*;\s*\d+(?:\(\d+\))?\s*:\s*\w+"),
    re.compile(r"^(?P<j>[A-Z][A-Za-z&\- ]{2,60}?)\s*\|\s*\(?(?:19|20)\d\d\)?\s*\d+\s*:\s*\w+", re.M),
)


def _names(text: str) -> list[str]:
    """Names of an author line, without affiliation marks; [] when any piece is not a name."""
    text = _NUMBERS.sub("", _MARKS.sub("", _BRACKETED.sub("", text)))
    pieces = [" ".join(p.split()) for p in _SEPARATORS.split(text)]
    # pypdf sometimes drops the space inside a name: "RunyueXia" is "Runyue Xia"
    pieces = [re.sub(r"(?<=[a-z])(?=[A-Z])", " ", p) if " " not in p else p for p in pieces if p]
    if not pieces or not all(_NAME.match(p) for p in pieces):
        return []
    return pieces


def first_page_authors(first_page: str, known: list[str], lines_to_scan: int = 40) -> list[str]:
    """The author list the first page prints, when it is longer than `known` (else `known`).

    Args:
        first_page: the first page's text, one printed line per line.
        known: authors from the PDF's /Author field; the line must name the first one.
    """
    if not known:
        return known
    surname = known[0].split()[-1]
    lines = [" ".join(line.split()) for line in first_page.split("\n") if line.strip()][:lines_to_scan]
    for i, line in enumerate(lines):
        # letters, not \b, bound the surname: affiliation numbers touch it ("Shi1,2")
        if not re.search(rf"(?<![^\W\d_]){re.escape(surname)}(?![^\W\d_])", line) or len(line) > 400:
            continue
        block, start = line, i
        while start > 0 and i - start < 5 and _continues(lines[start - 1] + " " + block, lines[start - 1]):
            start -= 1  # the first author's surname may sit on the last line of a wrapped list
            block = f"{lines[start]} {block}"
        for nxt in lines[i + 1:i + 6]:
            if not re.match(r"^(?:[A-Z]|and\b|&)", nxt) or not _continues(f"{block} {nxt}", nxt):
                break
            block = f"{block} {nxt}"
        names = _names(block)
        if names and any(surname in n for n in names):
            return names if len(names) > len(known) else known
    return known


def _continues(block: str, line: str) -> bool:
    """Whether `line` still belongs to the author list `block` ends (or starts) with."""
    return not _NOT_NAMES.search(line) and bool(_names(block))


def first_page_journal(first_page: str) -> Optional[str]:
    """The journal named in the first page's citation line, if it prints one."""
    head = "\n".join(first_page.split("\n")[:60])
    for pattern in _JOURNAL_PATTERNS:
        for match in pattern.finditer(head):
            journal = " ".join(match.group("j").split()).strip(" ,:")
            if 2 <= len(journal.split()) <= 10 and not re.search(r"\b(?:et al|doi|http|copyright)\b", journal, re.I):
                return journal
    return None


def first_page_metadata(first_page: str, authors: list[str]) -> dict:
    """`authors` and `journal` for a Document, from the first page (authors extended only when longer)."""
    return {"authors": first_page_authors(first_page, authors), "journal": first_page_journal(first_page)}
