"""A small reference-manager library built by the tests themselves: 20 records, as a Better
BibTeX `.bib` and as a Zotero data directory (`zotero.sqlite` + `storage/`).

10 records have a PDF (made with reportlab), 5 only an abstract, and 5 point at a PDF that is
not there. The PDFs' own /Author field names only the first author, so a test can see that the
record's metadata wins over what the PDF says.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

TOPICS = ["grip strength and memory", "resistance training and sleep", "walking and blood pressure",
          "balance training and falls", "protein intake and muscle mass", "tai chi and depression",
          "cycling and cognition", "yoga and back pain", "swimming and lung function", "dancing and mood",
          "stretching and flexibility", "running and bone density", "rowing and heart rate", "pilates and posture",
          "hiking and anxiety", "boxing and coordination", "skating and balance", "climbing and grip",
          "golf and attention", "tennis and reaction time"]
GIVEN = ["José", "Anna", "Wei", "Ludwig", "Fatima", "Olga", "Kenji", "Maria", "Peter", "Aisha"]
FAMILY = ["García", "Schmidt", "Zhang", "van Beethoven", "Haddad", "Ivanova", "Sato", "Rossi", "O'Brien", "Okafor"]
JOURNALS = ["Journal of Aging and Physical Activity", "BMC Geriatrics", "Sports Medicine", "PLOS ONE"]


def records() -> list[dict]:
    """The 20 records; `kind` is 'pdf', 'abstract' or 'missing'."""
    out = []
    for i, topic in enumerate(TOPICS):
        kind = "pdf" if i < 10 else "abstract" if i < 15 else "missing"
        authors = [(FAMILY[(i + j) % 10], GIVEN[(i * 3 + j) % 10]) for j in range(2 + i % 3)]
        surname = unicodedata.normalize("NFKD", authors[0][0].split()[-1]).encode("ascii", "ignore").decode()
        key = f"{surname.lower().replace(chr(39), '')}{2010 + i}{topic.split()[0]}"
        out.append({
            "key": key, "kind": kind, "title": f"Effects of {topic} in older adults: a {'randomized trial' if i % 2 else 'cohort study'}",
            "authors": authors, "year": 2010 + i, "journal": JOURNALS[i % 4], "volume": str(10 + i), "issue": str(1 + i % 4),
            "pages": f"{100 + i}–{110 + i}", "doi": f"10.5555/fixture.{2010 + i}.{i:03d}",
            "url": f"https://example.org/articles/{i}",
            "abstract": None if kind == "pdf" else (f"We studied {topic} in {50 + i} older adults over one year. "
                                                  f"Participants who took part improved more than controls."),
        })
    return out


def full_names(record: dict) -> list[str]:
    return [f"{given} {family}" for family, given in record["authors"]]


def make_pdf(path: Path, record: dict) -> None:
    """A two-page paper whose /Author field names only the first author."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    topic = record["title"]
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setAuthor(full_names(record)[0])
    c.setTitle(record["title"])
    y = 780
    lines = [("Helvetica-Bold", 16, record["title"]), ("Helvetica", 10, ", ".join(full_names(record))),
             ("Helvetica-Bold", 12, "Abstract")]
    lines += [("Helvetica", 10, t) for t in (
        f"This randomized trial studied {topic.lower()} in 120 older adults followed for twelve months.",
        "Participants trained three times a week, and outcomes were measured every three months.",
        "The intervention group improved more than the control group (d = 0.42, p = 0.01).",
        "These findings suggest that regular exercise benefits older adults in daily life.")]
    for font, size, text in lines:
        c.setFont(font, size)
        c.drawString(60, y, text)
        y -= 20
    c.showPage()
    c.setFont("Helvetica", 10)
    c.drawString(60, 780, "Discussion: the effect was moderate and held after adjusting for age and sex.")
    c.drawString(60, 760, "Longer trials are needed to know whether the benefits last beyond one year.")
    c.showPage()
    c.save()


def _bib_name(family: str, given: str) -> str:
    """'Family, Given' with accents written as LaTeX, as older exports do."""
    return family.replace("í", "{\\'i}") + ", " + given.replace("é", "{\\'e}")


def write_bib(folder: Path) -> Path:
    """`library.bib` as Better BibTeX writes it, with PDFs under `files/` for the 'pdf' records."""
    files = folder / "files"
    files.mkdir(parents=True, exist_ok=True)
    entries = []
    for r in records():
        fields = [f"title = {{{r['title']}}}", "author = {" + " and ".join(_bib_name(f, g) for f, g in r["authors"]) + "}",
                  f"date = {{{r['year']}-03}}", f"journaltitle = {{{r['journal']}}}", f"volume = {{{r['volume']}}}",
                  f"number = {{{r['issue']}}}", f"pages = {{{r['pages'].replace('–', '--')}}}", f"doi = {{{r['doi']}}}",
                  f"url = {{{r['url']}}}"]
        if r["abstract"]:
            fields.append(f"abstract = {{{r['abstract']}}}")
        if r["kind"] == "pdf":
            make_pdf(files / f"{r['key']}.pdf", r)
            fields.append(f"file = {{{files / (r['key'] + '.pdf')}}}")
        elif r["kind"] == "missing":
            fields.append(f"file = {{files/{r['key']}.pdf}}")
        entries.append(f"@article{{{r['key']},\n  " + ",\n  ".join(fields) + "\n}\n")
    path = folder / "library.bib"
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


_SCHEMA = """
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
    filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0,
    lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
    version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT, fieldMode INT,
    UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL, creatorTypeID INT NOT NULL DEFAULT 1,
    orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (itemID, creatorTypeID, orderIndex));
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT, contentType TEXT,
    charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT, storageHash TEXT,
    lastProcessedModificationTime INT);
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY, dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL, parentCollectionID INT DEFAULT NULL,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL, key TEXT NOT NULL,
    version INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (collectionID, itemID));
INSERT INTO libraries VALUES (1, 'user', 1, 1, 0, 0, 0, 0);
INSERT INTO itemTypes (itemTypeID, typeName) VALUES (3, 'attachment'), (22, 'journalArticle'), (26, 'note');
INSERT INTO creatorTypes VALUES (8, 'author'), (10, 'editor');
"""
_FIELDS = {"title": 1, "abstractNote": 2, "date": 6, "url": 13, "extra": 16, "publicationTitle": 38, "volume": 19,
           "issue": 76, "pages": 32, "DOI": 59}


def write_zotero(folder: Path, pdf_source: Path) -> Path:
    """A Zotero data directory holding the same 20 records, with a 'Trials' collection of the odd ones
    and a trashed item that must not be read. PDFs are copied from `pdf_source` into storage/."""
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / "zotero.sqlite")
    db.executescript(_SCHEMA)
    db.executemany("INSERT INTO fields (fieldID, fieldName) VALUES (?, ?)", [(v, k) for k, v in _FIELDS.items()])
    db.execute("INSERT INTO collections (collectionID, collectionName, libraryID, key) VALUES (1, 'Trials', 1, 'COLL0001')")
    values: dict[str, int] = {}
    creators: dict[tuple[str, str], int] = {}

    def value(v: str) -> int:
        if v not in values:
            values[v] = len(values) + 1
            db.execute("INSERT INTO itemDataValues VALUES (?, ?)", (values[v], v))
        return values[v]

    item_id = 0
    for i, r in enumerate(records() + [{**records()[0], "key": "trashed2000item", "title": "Trashed", "kind": "trash"}]):
        item_id += 1
        parent = item_id
        db.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, 22, 1, ?)", (parent, f"ITEM{i:04d}"))
        data = {"title": r["title"], "date": f"{r['year']}-03-00 March {r['year']}", "url": r["url"],
                "extra": f"Citation Key: {r['key']}", "publicationTitle": r["journal"], "volume": r["volume"],
                "issue": r["issue"], "pages": r["pages"], "DOI": r["doi"]}
        if r["abstract"]:
            data["abstractNote"] = r["abstract"]
        for name, v in data.items():
            db.execute("INSERT INTO itemData VALUES (?, ?, ?)", (parent, _FIELDS[name], value(v)))
        for order, (family, given) in enumerate(r["authors"]):
            if (family, given) not in creators:
                creators[(family, given)] = len(creators) + 1
                db.execute("INSERT INTO creators VALUES (?, ?, ?, 0)", (creators[(family, given)], given, family))
            db.execute("INSERT INTO itemCreators VALUES (?, ?, 8, ?)", (parent, creators[(family, given)], order))
        if i % 2:
            db.execute("INSERT INTO collectionItems VALUES (1, ?, ?)", (parent, i))
        if r["kind"] == "trash":
            db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (parent,))
        if r["kind"] in ("pdf", "missing"):
            item_id += 1
            key = f"ATT{i:05d}"
            db.execute("INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, 3, 1, ?)", (item_id, key))
            db.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                       "VALUES (?, ?, 0, 'application/pdf', ?)", (item_id, parent, f"storage:{r['key']}.pdf"))
            if r["kind"] == "pdf":
                (folder / "storage" / key).mkdir(parents=True, exist_ok=True)
                (folder / "storage" / key / f"{r['key']}.pdf").write_bytes((pdf_source / f"{r['key']}.pdf").read_bytes())
    db.commit()
    db.close()
    return folder
