"""Built search indexes kept on disk, one file per catalog token (decision 0023).

A token names one state of the catalog (a new random token at every change, in the changing
transaction), so a file under a token can never describe another state: no invalidation, only
old files to remove. Files are written to a temporary name and renamed, so a reader sees a
whole file or none. The folder is the machine's own (``MOTCUA_SEARCH_INDEX_DIR``, by default
in ``var``), written only by the application: the same trust as its code, which is why pickle
is acceptable here. A file that cannot be read (cut short, written by another version) is
ignored and rebuilt, never trusted half-way.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import numpy as np
from django.conf import settings

from .search_index import SearchIndex

log = logging.getLogger(__name__)

# Raise when SearchIndex or what it holds changes shape: older files are then never read.
FORMAT = 6
PREFIX = "search-"


def folder() -> Path | None:
    configured = getattr(settings, "MOTCUA_SEARCH_INDEX_DIR", None)
    return Path(configured) if configured else None


def file_for(where: Path, token: str) -> Path:
    # bm25s's version by its metadata: a worker reading a built index does not import it.
    versions = f"{FORMAT}|{metadata.version('bm25s')}|{np.__version__}|{token}"
    return where / f"{PREFIX}{hashlib.sha256(versions.encode()).hexdigest()[:32]}.pickle"


def index_for(token: str, *, build: Callable[[], SearchIndex]) -> SearchIndex:
    """The index of the catalog state ``token``: read from its file when one exists, else
    built, written for the other processes, and the files of older states removed."""
    where = folder()
    if where is None:
        return build()
    path = file_for(where, token)
    loaded = index_read(path)
    if loaded is not None:
        return loaded
    with building(where):
        loaded = index_read(path)  # built by the process this one waited for
        if loaded is not None:
            return loaded
        index = build()
        index_write(where, path, index)
        return index


def index_prepare(token: str, *, build: Callable[[], SearchIndex]) -> bool:
    """Write the file of the catalog state ``token`` if there is none (the worker, after a
    change: ``search_tasks``); True if it was built here."""
    where = folder()
    if where is None:
        return False
    path = file_for(where, token)
    if path.exists():
        return False
    with building(where):
        if path.exists():  # built by the process this one waited for
            return False
        index_write(where, path, build())
        return True


@contextlib.contextmanager
def building(where: Path) -> Iterator[None]:
    """One build at a time on the machine: a process that needs an index while another builds
    one waits for it, then reads the file if it is the one it needs (two builds at once on two
    cores, the worker's after a change and a web process's for a search, each took twice as
    long: a helper measured searches of 3–4 s). The lock is the kernel's (``flock``), so a
    process that dies while building lets the others go on."""
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle = os.open(where / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only folder: build without waiting, as each process did before
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


LOCK = ".build.lock"


def index_read(path: Path) -> SearchIndex | None:
    try:
        with path.open("rb") as stream:
            loaded = pickle.load(stream)  # noqa: S301 (the application's own file, see above)
    except FileNotFoundError:
        return None
    except Exception:  # any unreadable file is rebuilt: a cut file raises many kinds
        log.warning("search index file %s unreadable; rebuilding it", path.name, exc_info=True)
        return None
    return loaded if isinstance(loaded, SearchIndex) else None


def index_write(where: Path, path: Path, index: SearchIndex) -> None:
    temporary: str | None = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(index, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError):  # read-only or full disk: this process still serves
        log.warning("search index not kept in %s", where, exc_info=True)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return
    older_than(where, path)


def older_than(where: Path, kept: Path) -> None:
    """Remove the files of earlier catalog states (not one another process just wrote)."""
    written = kept.stat().st_mtime
    for other in where.glob(f"{PREFIX}*.pickle"):
        with contextlib.suppress(OSError):
            if other != kept and other.stat().st_mtime < written:
                other.unlink()
