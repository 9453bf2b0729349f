"""Opening Chroma (embedded or a server) and saying in one line what went wrong with it.

A server may sit behind token auth: the token goes through chromadb's own client auth
(`TokenAuthClientProvider`, an `Authorization: Bearer` header); a `user:password@` in the URL
goes through its basic auth provider. A URL is never shown with its password.

An embedded store whose folder cannot be written (a shared read-only copy, `chmod -R a-w`)
is opened from a temporary snapshot, since Chroma writes to its database when it opens it;
every write to such a store is refused with one line.
"""

from __future__ import annotations

import atexit
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

from reviewer.errors import ReviewerError
from reviewer.settings import redact_url as redact

TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthClientProvider"
BASIC_PROVIDER = "chromadb.auth.basic_authn.BasicAuthClientProvider"
_DISK_FULL = ("database or disk is full", "no space left on device", "disk full", "error in compaction")
_READ_ONLY = ("readonly database", "read-only file system", "permission denied")
_LOST = ("could not connect", "connecterror", "connection refused", "remoteprotocolerror", "server disconnected", "readerror",
         "connection reset", "readtimeout", "writeerror")


class StoreError(ReviewerError):
    """The store cannot be opened or used as asked; the message says what to do."""


class CredentialsError(StoreError):
    """A Chroma server refused the credentials (HTTP 401 or 403)."""


def scrub(text: str, url: Optional[str], token: Optional[str] = None) -> str:
    """`text` with the URL's password and the token blanked out (messages can quote either)."""
    parsed = urlparse(url) if url else None
    for secret in (token, parsed.password if parsed else None):
        if secret:
            text = text.replace(secret, "***")
    return text


def refused(url: Optional[str]) -> CredentialsError:
    return CredentialsError(f"Chroma server at {redact(url)} refused the credentials; "
                            "set --chroma-token / REVIEWER_CHROMA_TOKEN")


def _status(url: str, probe: dict) -> Optional[int]:
    """The HTTP status of the server's identity endpoint (None when it cannot be reached)."""
    import httpx

    try:
        return httpx.get(f"{url}/api/v2/auth/identity", timeout=10, **probe).status_code
    except httpx.HTTPError:
        return None


def server_client(url: str, token: Optional[str]):
    """A `chromadb.HttpClient` for `url`, authenticated with `token` (or the URL's user:password)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise StoreError(f"--chroma-url '{redact(url)}' is not a URL like http://HOST:PORT")
    auth: dict = {}
    probe: dict = {}
    if token:
        auth = {"chroma_client_auth_provider": TOKEN_PROVIDER, "chroma_client_auth_credentials": token}
        probe = {"headers": {"Authorization": f"Bearer {token}"}}
    elif parsed.username is not None:
        auth = {"chroma_client_auth_provider": BASIC_PROVIDER,
                "chroma_client_auth_credentials": f"{parsed.username}:{parsed.password or ''}"}
        probe = {"auth": (parsed.username, parsed.password or "")}
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        return chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https",
                                   settings=ChromaSettings(anonymized_telemetry=False, **auth))
    except Exception as exc:
        # chromadb reports a 401 from a proxy as a bare error with the body: ask the server what it was.
        base = f"{parsed.scheme or 'http'}://{parsed.hostname}:{port}"
        if failure_kind(exc) == "credentials" or _status(base, probe) in (401, 403):
            raise refused(url) from None
        raise StoreError(scrub(f"cannot reach the Chroma server at {redact(url)}: {exc}".splitlines()[0],
                               url, token)) from None


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and all(os.access(p, os.W_OK) for p in path.glob("*.sqlite3"))


def embedded_client(path: Path):
    """A `chromadb.PersistentClient` at `path`, and the folder actually opened (a snapshot when read-only)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if path.exists() and not path.is_dir():
        raise StoreError(f"store path {path} exists and is not a directory")
    opened = path
    if path.is_dir() and not _writable(path):
        opened = _snapshot(path)
    else:
        path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(opened), settings=ChromaSettings(anonymized_telemetry=False)), opened
    except Exception as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}".splitlines()[0]) from None


def files_stamp(path: Path) -> tuple:
    """What every committed write to an embedded store changes: its SQLite file's change counter, size and time.

    The counter (header bytes 24-27) is bumped by every commit in SQLite's default journal mode, so
    two writes within one tick of the file clock still differ; a write-ahead log is stamped as well.
    """
    stamp = []
    for name in ("chroma.sqlite3", "chroma.sqlite3-wal"):
        try:
            with open(path / name, "rb") as f:
                st = os.fstat(f.fileno())
                stamp.append((f.read(28)[24:], st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            stamp.append(None)
    return tuple(stamp)


def _snapshot(path: Path) -> Path:
    """A private, writable copy of a read-only store, removed when the process ends."""
    copy = Path(tempfile.mkdtemp(prefix="reviewer-readonly-")) / path.name
    try:
        for folder, _, files in os.walk(path):  # not copytree: it would copy the read-only modes too
            target = copy / Path(folder).relative_to(path)
            target.mkdir(parents=True, exist_ok=True)
            for name in files:
                shutil.copyfile(Path(folder) / name, target / name)
    except OSError as exc:
        shutil.rmtree(copy.parent, ignore_errors=True)
        raise StoreError(f"the store at {path} is read-only and cannot be copied to read it: {exc}") from None
    atexit.register(shutil.rmtree, str(copy.parent), True)
    return copy


def read_only(location: Optional[str]) -> StoreError:
    return StoreError(f"{_the_store(location)} is read-only: queries work, but ingest, remove, prune and "
                      "doctor --fix need write permission to it")


def _the_store(location: Optional[str]) -> str:
    return f"the store at {location}" if location else "the store"


def failure_kind(exc: BaseException) -> Optional[str]:
    """What a Chroma, SQLite or OS error means for the user: credentials, lost, disk_full, read_only, or None."""
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        text = f"{type(exc).__name__} {exc}".lower()
        if type(exc).__name__ in ("ChromaAuthError", "AuthorizationError") or any(
                w in text for w in ("401 unauthorized", "403 forbidden", "unauthorized", "forbidden")):
            return "credentials"
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or any(w in text for w in _DISK_FULL):
            return "disk_full"
        if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES) or any(w in text for w in _READ_ONLY):
            return "read_only"
        if any(w in text for w in _LOST) or type(exc).__name__ in ("ConnectError", "ConnectTimeout", "ReadTimeout"):
            return "lost"
        exc = exc.__cause__ or exc.__context__
    return None


def explain(exc: BaseException, location: Optional[str], url: Optional[str], token: Optional[str] = None) -> StoreError:
    """One line for a failure of a store call: what happened and what to do."""
    if isinstance(exc, StoreError):
        return exc
    found = failure_kind(exc)
    if found == "credentials":
        return refused(url)
    if found == "lost":
        where = f" at {location}" if url else ""
        return StoreError(f"lost the Chroma server{where}: check that it is running and reachable, then run the "
                          "command again")
    if found == "disk_full":
        return StoreError(f"cannot write to {_the_store(location)}: the disk is full (or failing); free some space, "
                          "then run the command again")
    if found == "read_only":
        return read_only(location)
    detail = scrub(f"{type(exc).__name__}: {exc}".splitlines()[0], url, token)
    return StoreError(f"{_the_store(location)} failed: {detail}")


def cache_dir(store_path: Optional[Path], url: Optional[str], collection: str) -> Path:
    """Where derived indexes (the lexical index) live: inside an embedded store, or the user's cache for a server."""
    if url:
        import hashlib

        import platformdirs

        key = hashlib.sha256(f"{url}|{collection}".encode()).hexdigest()[:16]
        return Path(platformdirs.user_cache_dir("reviewer")) / "lexical" / key
    assert store_path is not None
    return Path(store_path) / f"{collection}-lexical"
