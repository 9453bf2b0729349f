"""A Zotero data directory (`~/Zotero`) becomes documents: its items, their metadata and PDFs.

Zotero keeps its library in `zotero.sqlite` and holds a lock on it while it runs, so the file
is copied and the copy opened read-only; Zotero's own data is never written. The tables read
are Zotero's schema: items, itemTypes, fields, itemData, itemDataValues, creators,
itemCreators, creatorTypes, itemAttachments, deletedItems, collections and collectionItems.
Imported attachments live in `storage/<attachment key>/<file>`, linked ones at their own path.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Optional

from reviewer.loading.base import LoadError
from reviewer.loading.records import LibraryRecord, clean_text, doc_type_of, full_name, optional, record_documents
from reviewer.models import Document, IngestFailure

DATABASE = "zotero.sqlite"
_NOT_ITEMS = ("attachment", "note", "annotation")


def is_zotero_database(path: Path) -> bool:
    """Whether a file is a Zotero database (SQLite with Zotero's item tables)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return False
        with closing(sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)) as db:
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except (OSError, sqlite3.Error):
        return False
    return {"items", "itemData", "itemDataValues", "itemAttachments"} <= names


def _table(db: sqlite3.Connection, name: str) -> str:
    """Zotero 5+ splits built-in and custom types into `xCombined` views; older versions have the table only."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (f"{name}Combined",)).fetchone()
    return f"{name}Combined" if found else name


def _collection_items(db: sqlite3.Connection, name: str) -> set[int]:
    """Items of the collection named `name` and of its subcollections."""
    ids = [r[0] for r in db.execute("SELECT collectionID FROM collections WHERE lower(collectionName) = lower(?)", (name,))]
    if not ids:
        names = sorted(r[0] for r in db.execute("SELECT collectionName FROM collections"))
        raise LoadError(f"no collection named '{name}' (collections: {', '.join(names) or 'none'})")
    rows = db.execute(
        f"""WITH RECURSIVE tree(id) AS (SELECT collectionID FROM collections WHERE collectionID IN ({','.join('?' * len(ids))})
            UNION SELECT c.collectionID FROM collections c JOIN tree ON c.parentCollectionID = tree.id)
            SELECT itemID FROM collectionItems WHERE collectionID IN (SELECT id FROM tree)""", ids)
    return {r[0] for r in rows}


def _attachment_path(data_dir: Path, key: str, path: Optional[str]) -> Optional[str]:
    """Where an attachment's file is: storage/KEY/name for imported files, the path itself for linked ones."""
    if not path:
        return None
    if path.startswith("storage:"):
        return str(data_dir / "storage" / key / path[len("storage:"):])
    if path.startswith("attachments:"):  # relative to the linked-attachment base directory set in Zotero
        return str(data_dir / path[len("attachments:"):])
    return path


def _citation_key(fields: dict[str, str], item_key: str) -> str:
    """The item's citation key: Zotero 7's field, a pinned Better BibTeX key in Extra, else Zotero's item key."""
    if fields.get("citationKey"):
        return fields["citationKey"]
    for line in (fields.get("extra") or "").splitlines():
        label, _, value = line.partition(":")
        if label.strip().lower() in ("citation key", "bibtex") and value.strip():
            return value.strip()
    return item_key


def _date(value: Optional[str]) -> Optional[str]:
    """Zotero's multipart date ('2020-03-00 March 2020') as '2020-03'."""
    if not value:
        return None
    first = value.split(" ", 1)[0]
    parts = [p for p in first.split("-") if p and p.strip("0")]
    return "-".join(parts) if parts and len(parts[0]) == 4 and parts[0].isdigit() else value


def read_library(database: Path, data_dir: Path, collection: Optional[str] = None) -> list[LibraryRecord]:
    """The regular items of a Zotero database (open it read-only), optionally of one collection."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        item_types, fields_table = _table(db, "itemTypes"), _table(db, "fields")
        deleted = "SELECT itemID FROM deletedItems" if _has(db, "deletedItems") else "SELECT NULL WHERE 0"
        items = db.execute(
            f"""SELECT i.itemID, i.key, t.typeName FROM items i JOIN {item_types} t ON t.itemTypeID = i.itemTypeID
                WHERE t.typeName NOT IN {_NOT_ITEMS} AND i.itemID NOT IN ({deleted}) ORDER BY i.itemID""").fetchall()
        if collection:
            wanted = _collection_items(db, collection)
            items = [row for row in items if row[0] in wanted]
        fields: dict[int, dict[str, str]] = {}
        for item_id, name, value in db.execute(
                f"""SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN {fields_table} f ON f.fieldID = d.fieldID
                    JOIN itemDataValues v ON v.valueID = d.valueID"""):
            fields.setdefault(item_id, {})[name] = str(value)
        creators: dict[int, list[tuple[str, str]]] = {}
        for item_id, first, last, kind in db.execute(
                """SELECT ic.itemID, c.firstName, c.lastName, ct.creatorType FROM itemCreators ic
                   JOIN creators c ON c.creatorID = ic.creatorID LEFT JOIN creatorTypes ct ON ct.creatorTypeID = ic.creatorTypeID
                   ORDER BY ic.itemID, ic.orderIndex"""):
            creators.setdefault(item_id, []).append((kind or "author", full_name(last, first)))
        files: dict[int, list[str]] = {}
        for parent, key, path, mime in db.execute(
                f"""SELECT a.parentItemID, i.key, a.path, a.contentType FROM itemAttachments a JOIN items i ON i.itemID = a.itemID
                    WHERE a.parentItemID IS NOT NULL AND a.itemID NOT IN ({deleted}) ORDER BY a.itemID"""):
            located = _attachment_path(data_dir, key, path)
            if located and (mime == "application/pdf" or located.lower().endswith(".pdf")):
                files.setdefault(parent, []).append(located)
    return [_record(key, kind, fields.get(item_id, {}), creators.get(item_id, []), files.get(item_id, []))
            for item_id, key, kind in items]


def _has(db: sqlite3.Connection, table: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None


def _record(item_key: str, kind: str, fields: dict[str, str], creators: list[tuple[str, str]],
            files: list[str]) -> LibraryRecord:
    authors = [name for role, name in creators if role == "author"] or [name for _, name in creators]
    journal = optional(fields.get("publicationTitle") or fields.get("proceedingsTitle") or fields.get("bookTitle")
                       or fields.get("repository") or fields.get("websiteTitle"))
    return LibraryRecord(
        key=_citation_key(fields, item_key), title=clean_text(fields.get("title")), authors=[a for a in authors if a],
        date=_date(fields.get("date")), doi=optional(fields.get("DOI")), url=optional(fields.get("url")),
        journal=journal, volume=optional(fields.get("volume")), issue=optional(fields.get("issue")),
        pages=optional(fields.get("pages")), publisher=optional(fields.get("publisher")),
        doc_type=doc_type_of(kind, journal), abstract=fields.get("abstractNote"), files=files,
    )


def load_zotero(path: Path, collection: Optional[str] = None) -> tuple[list[Document], list[IngestFailure]]:
    """Documents of a Zotero data directory (or its `zotero.sqlite`), read from a read-only copy.

    Args:
        path: the data directory, or the database file inside it.
        collection: only the items of this collection (and its subcollections).
    """
    database = path / DATABASE if path.is_dir() else path
    if not is_zotero_database(database):
        raise LoadError(f"not a Zotero database (no Zotero tables in {database.name})")
    with tempfile.TemporaryDirectory(prefix="reviewer-zotero-") as tmp:
        copy = Path(tmp) / DATABASE
        try:
            shutil.copyfile(database, copy)
            for suffix in ("-wal", "-journal"):  # changes Zotero has not yet folded into the main file
                if database.with_name(database.name + suffix).exists():
                    shutil.copyfile(database.with_name(database.name + suffix), copy.with_name(copy.name + suffix))
        except OSError as exc:
            raise LoadError(f"cannot copy the Zotero database: {exc.strerror or exc}") from None
        try:
            records = read_library(copy, database.parent, collection)
        except sqlite3.Error as exc:
            raise LoadError(f"cannot read the Zotero database ({exc}); is it from a supported Zotero version?") from None
    return record_documents(records, database, base=database.parent)
