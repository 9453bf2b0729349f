"""What every loader shares: the load error, ids, located blocks, text decoding and metadata fields."""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import date, datetime
from typing import Any, Iterable, Optional
from pathlib import Path

from reviewer.models import Block, DocType

DOI_RE = re.compile(r'10\.\d{4,9}/[^\s"<>]+')
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


class LoadError(Exception):
    """A file cannot be loaded; the message is the reason shown to the user."""


def slugify(text: str) -> str:
    """Lowercase ASCII slug of [a-z0-9-], e.g. 'My Paper (2020)' -> 'my-paper-2020'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def doc_id_for(path: Path, digest: str) -> str:
    """Document id of a file: the slug of its name without extension (its hash if that is empty)."""
    return slugify(path.stem) or f"doc-{digest[:12]}"


def make_blocks(items: Iterable[tuple[str, Optional[str], Optional[int]]]) -> list[Block]:
    """Blocks with offsets into the document text (the blocks joined by blank lines)."""
    blocks, pos = [], 0
    for text, section, page in items:
        blocks.append(Block(text=text, section=section, page=page, start=pos))
        pos += len(text) + 2
    return blocks


def _decode(data: bytes) -> str:
    """Text of a file's bytes, or a LoadError saying why it is not text."""
    if not data:
        raise LoadError("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise LoadError("not valid UTF-16 text despite its byte-order mark") from None
    elif b"\x00" in data:
        raise LoadError("binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")  # also plain UTF-8
        except UnicodeDecodeError as exc:
            raise LoadError(
                f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save it as UTF-8"
            ) from None
    if not text.strip():
        raise LoadError("empty file (only whitespace)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def join_lines(lines: list[str], hyphenated: set[str]) -> str:
    """Join wrapped lines into one paragraph, undoing hyphenation at line breaks.

    A word broken as "mole-" + "cular" is rejoined; a hyphenated word that the text also
    writes unbroken elsewhere ("long-term") keeps its hyphen; "EF-" + "1A" keeps it too.
    """
    out = ""
    for line in lines:
        if not out:
            out = line
            continue
        if out.endswith("\u00ad"):  # soft hyphen: always a break inside a word
            out = out[:-1] + line
            continue
        broken = re.search(r"(\w+)-$|(\w{3,}) -$", out)  # some PDFs set the hyphen apart: "conforma -"
        head = broken and (broken.group(1) or broken.group(2))
        if head and head[-1].isalpha() and line[:1].isalnum():
            tail = re.match(r"\w*", line).group(0)
            stem = out[: broken.start()] + head
            if head[-1].islower() and line[0].islower() and f"{head}-{tail}".lower() not in hyphenated:
                out = stem + line
            else:
                out = stem + "-" + line
        else:
            out += " " + line
    return out.replace("\u00ad", "")


def hyphenated_words(text: str) -> set[str]:
    """Hyphenated words written unbroken somewhere in the text (kept hyphenated across breaks)."""
    return {w.lower() for w in re.findall(r"\b[A-Za-z]+-[A-Za-z]+\b", text)}


def _authors(value: Any) -> list[str]:
    """Author names from a list (of names or {name} / {given, family}) or a ';'- or ','-separated string."""
    if not value:
        return []
    if isinstance(value, str):
        parts = value.split(";") if ";" in value else re.split(r",|\band\b", value)
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("name") or " ".join(str(item[k]) for k in ("given", "family") if item.get(k))
            if item and str(item).strip():
                out.append(str(item).strip())
        return out
    return [str(value).strip()]


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


def _metadata(fields: dict[str, Any], default_type: DocType) -> dict[str, Any]:
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
        "authors": _authors(fields.get("authors") or fields.get("author")),
        "doi": clean_doi(fields.get("doi")),
        "year": parse_year(fields.get("year")) or parse_year(date_text),
        "date": date_text,
        "url": str(url) if url else None,
        "doc_type": doc_type,
    }
