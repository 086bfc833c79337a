"""One reference database per PostgreSQL test session, shared by the xdist workers.

Every test database starts with the migrations and the real reference data (units, 5,670
procedures, their snapshot): ~30 s of one worker and its PostgreSQL backend. With two workers
on two cores both used to build it at once, each slowed by the other's backend. Now the first
worker builds its test database and copies it as a template (``CREATE DATABASE … TEMPLATE``,
which copies files, not rows); the others wait for it under a file lock and create theirs from
the template, in a second or two. A worker that comes after the template is gone (the builder
drops it when its session ends) builds its own, as before.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from django.conf import settings
from django.db import connection


class ReferenceTemplate:
    def __init__(self, folder: Path) -> None:
        self.marker = folder / "reference-db.name"
        self.lock = (folder / "reference-db.lock").open("w")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        self.name = self.marker.read_text() if self.marker.exists() else ""
        self.built = False
        if self.name:
            settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = self.name
            self.release()

    @property
    def from_template(self) -> bool:
        return bool(self.name) and not self.built

    def release(self) -> None:
        if not self.lock.closed:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()

    def publish(self) -> None:
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


def shared_template(folder: Path) -> ReferenceTemplate | None:
    """On PostgreSQL under xdist only (``folder`` is the session's folder all workers share)."""
    postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    if not postgres or not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    return ReferenceTemplate(folder)
