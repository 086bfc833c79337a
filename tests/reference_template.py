"""One reference database per test session, shared by the xdist workers.

Every test database starts with the migrations and the real reference data (units, 5,670
procedures, their snapshot): 25–30 s of one worker (and, on PostgreSQL, of its backend). With
two workers on two cores both used to build it at once, each slowed by the other. Now the first
worker builds its test database and publishes it; the others wait for it under a file lock and
start from the copy, in a second or two:

- PostgreSQL: the copy is a template database (``CREATE DATABASE … TEMPLATE``, which copies
  files, not rows). A worker that comes after the template is gone (the builder drops it when
  its session ends) builds its own, as before.
- SQLite (an in-memory test database per worker): the copy is a file written with SQLite's
  backup API, and read back the same way into the next worker's memory, with the migrations
  skipped (``TEST["MIGRATE"] = False``: the tables are made from the models, then replaced by
  the copy). The builder's snapshot file serves every worker (it is only read).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import connection


class Snapshot(Protocol):
    file: Path


class ReferenceTemplate:
    """PostgreSQL: the builder's database, copied as a template."""

    def __init__(self, folder: Path) -> None:
        self.marker = folder / "reference-db.name"
        self.lock = (folder / "reference-db.lock").open("w")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.name = self.marker.read_text() if self.marker.exists() else ""
        self.built = False
        if self.name:
            self.use_published()
            self.release()

    @property
    def from_template(self) -> bool:
        return bool(self.name) and not self.built

    def use_published(self) -> None:
        settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = self.name

    def adopt(self, snapshot: Snapshot) -> None:
        """The test database is already the copy (created from the template)."""

    def release(self) -> None:
        if not self.lock.closed:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()

    def publish(self, snapshot: Snapshot) -> None:
        """Called once the test database is migrated, loaded and snapshotted: copy it as the
        template (no other session may be connected to it: ours is closed first)."""
        source = connection.settings_dict["NAME"]
        name = f"{source}_reference"
        quote = connection.ops.quote_name
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(source)}")
        self.marker.write_text(name)
        self.name, self.built = name, True
        self.release()

    def drop(self) -> None:
        """At the end of the builder's session, under the lock so that no worker copies it then."""
        if not self.built:
            return
        with (self.marker.parent / "reference-db.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.marker.unlink(missing_ok=True)
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(self.name)}")


class SqliteReference(ReferenceTemplate):
    """SQLite: the builder's in-memory database, written to a file and read back by the others.
    The file stays in the session's folder (pytest removes old ones), so a late worker copies
    it too."""

    def use_published(self) -> None:
        # Tables from the models in a second, instead of 100 migrations in ten: the copy
        # replaces them (schema and rows) in ``adopt``.
        settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False

    def adopt(self, snapshot: Snapshot) -> None:
        published = json.loads(self.name)
        connection.ensure_connection()
        source = sqlite3.connect(published["database"])
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        snapshot.file = Path(published["snapshot"])

    def publish(self, snapshot: Snapshot) -> None:
        database = self.marker.parent / "reference.sqlite3"
        database.unlink(missing_ok=True)
        target = sqlite3.connect(database)
        try:
            connection.ensure_connection()
            connection.connection.backup(target)
        finally:
            target.close()
        self.name = json.dumps({"database": str(database), "snapshot": str(snapshot.file)})
        self.marker.write_text(self.name)
        self.built = True
        self.release()

    def drop(self) -> None:
        """Nothing to drop: the file is the session folder's."""


def xdist_session_folder(base: Path) -> Path | None:
    """The folder every xdist worker of this session shares (the parent of a worker's base
    temporary folder); None without xdist, where that parent is shared with other sessions."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    return base.parent


def shared_template(folder: Path | None) -> ReferenceTemplate | None:
    """Under xdist only (``folder``: ``xdist_session_folder``)."""
    if folder is None:
        return None
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return ReferenceTemplate(folder)
    if "sqlite" in engine:
        return SqliteReference(folder)
    return None
