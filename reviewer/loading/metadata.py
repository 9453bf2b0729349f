"""Bibliographic metadata shared by every format: authors, DOI, year, and a record's fields.

There is one author parser (`parse_authors`) for front matter, JSONL records and PDF document
information alike.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Optional

from reviewer.models import DocType

DOI_RE = re.compile(r'10\.\d{4,9}/[^\s"<>]+')
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _author(item: Any) -> str:
    """One name from a string or a {name} / {literal} / {given, family} mapping (CSL's particle kept)."""
    if isinstance(item, dict):
        item = item.get("name") or item.get("literal") or " ".join(
            str(item[k]) for k in ("given", "non-dropping-particle", "family") if item.get(k))
    return " ".join(str(item).split()) if item else ""


def parse_authors(value: Any) -> list[str]:
    """Author names from a list (of names or {name} / {given, family}) or a string.

    A string is split on ';' when it has one, else on ',' and 'and'; a string of exactly two
    single words around one comma is one "Last, First" name ("Author, Ann" -> "Ann Author").
    """
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [name for name in map(_author, value) if name]
    if isinstance(value, dict):
        return [name] if (name := _author(value)) else []
    text = str(value).strip()
    if ";" in text:
        return [name for name in map(_author, text.split(";")) if name]
    parts = [name for name in map(_author, re.split(r",|\band\b", text)) if name]
    if len(parts) == 2 and "," in text and " and " not in text and all(" " not in p for p in parts):
        return [f"{parts[1]} {parts[0]}"]
    return parts


def clean_doi(value: Any) -> Optional[str]:
    """The first DOI in a string, without a URL or 'doi:' prefix and without trailing punctuation."""
    if not value or not isinstance(value, str):
        return None
    match = DOI_RE.search(value)
    if not match:
        return None
    doi = re.sub(r"(?i)doi:?$", "", match.group(0))
    while doi and doi[-1] in ".,;:'’”)]}":
        if doi[-1] in ")]}" and doi.count({")": "(", "]": "[", "}": "{"}[doi[-1]]) >= doi.count(doi[-1]):
            break  # balanced bracket belongs to the DOI, e.g. 10.1016/S0140-6736(20)30183-5
        doi = doi[:-1]
    return doi or None


def parse_year(value: Any) -> Optional[int]:
    """A year from an int or the first plausible four-digit year (1800-2099) in a string."""
    if isinstance(value, int) and 1000 <= value <= 2999:
        return value
    match = _YEAR_RE.search(str(value)) if value else None
    return int(match.group(1)) if match else None


def record_metadata(fields: dict[str, Any], default_type: DocType) -> dict[str, Any]:
    """Document keyword arguments from front matter or a JSONL record."""
    raw_date = fields.get("date")
    if isinstance(raw_date, (date, datetime)):
        raw_date = raw_date.isoformat()
    date_text = str(raw_date) if raw_date not in (None, "") else None
    raw_type = str(fields.get("doc_type") or fields.get("type") or "").strip().lower()
    doc_type = DocType(raw_type) if raw_type in DocType._value2member_map_ else (
        DocType.unknown if raw_type else default_type)
    url = fields.get("url")
    return {
        "title": " ".join(str(fields.get("title") or "").split()),
        "authors": parse_authors(fields.get("authors") or fields.get("author")),
        "doi": clean_doi(fields.get("doi")),
        "year": parse_year(fields.get("year")) or parse_year(date_text),
        "date": date_text,
        "url": str(url) if url else None,
        "journal": " ".join(str(fields.get("journal") or fields.get("container-title") or "").split()) or None,
        "doc_type": doc_type,
    }
