"""One process of a kind active among many: a lock held for as long as the process runs
(decision 0017). ``motcua scheduler`` takes it, so that N machines may each run a scheduler and
exactly one enqueues the periodic jobs; when the holder dies, another takes over.

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its
  own. The server releases it the moment that session ends, whatever the reason: the process
  exits or is killed, its machine goes away (once TCP notices), the connection is cut. Before
  each round the holder asks PostgreSQL whether its session still holds the lock, and stops
  when it does not.
- SQLite: an exclusive ``flock`` on a file beside the database. SQLite is one machine's
  database, so every process that shares it shares the machine; the kernel releases the lock
  when the process dies, however it dies.
- SQLite in memory (tests): one process only; a lock within the process.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import socket
import threading
from pathlib import Path
from typing import IO, Any, Protocol

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend


class LeaderLock(Protocol):
    def acquire(self) -> bool:
        """Take the lock if it is free (never waits); True when this process holds it."""

    def held(self) -> bool:
        """Whether this process still holds it (False once its session was lost)."""

    def release(self) -> None: ...

    def holder(self) -> str:
        """Who holds it, as far as this process can tell (for the log)."""


def lock_key(name: str) -> int:
    """A stable positive 63-bit key for ``pg_try_advisory_lock``, from the lock's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


# pg_locks shows a bigint key as its high and low halves (objsubid 1 marks the one-key form).
HELD_SQL = """
    SELECT EXISTS (
        SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory' AND granted
        AND objsubid = 1 AND (classid::bigint << 32) + objid::bigint = %s
    )"""
HOLDER_SQL = """
    SELECT application_name FROM pg_stat_activity WHERE pid IN (
        SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
        AND objsubid = 1 AND (classid::bigint << 32) + objid::bigint = %s
    )"""


def who_am_i() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class AdvisoryLock:
    """PostgreSQL: a session-level advisory lock on a dedicated connection.

    The connection is not Django's own (that one may be closed and reopened between tasks,
    which would drop the lock silently). It must reach PostgreSQL directly, not through a
    transaction-pooling proxy, which would hand the session to someone else."""

    def __init__(self, name: str, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.name, self.key, self.alias = name, lock_key(name), alias
        self.connection: BaseDatabaseWrapper | None = None
        self.locked = False

    def connect(self) -> BaseDatabaseWrapper:
        if self.connection is None:
            settings = dict(connections[self.alias].settings_dict)
            settings["OPTIONS"] = {
                **settings.get("OPTIONS", {}),
                # Seen in pg_stat_activity; and a dead peer is noticed in about a minute.
                "application_name": f"motcua {self.name} {who_am_i()}"[:63],
                "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                "keepalives_count": 3,
            }  # fmt: skip
            settings["CONN_MAX_AGE"] = None
            self.connection = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, self.alias)
        return self.connection

    def query(self, sql: str, params: list[Any]) -> Any:
        with self.connect().cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None

    def acquire(self) -> bool:
        try:
            self.locked = bool(self.query("SELECT pg_try_advisory_lock(%s)", [self.key]))
        except DatabaseError:
            self.close()
        return self.locked

    def held(self) -> bool:
        """Asked of PostgreSQL, not assumed: after a lost session Django would quietly open a
        new one, which holds nothing."""
        if not self.locked:
            return False
        try:
            self.locked = bool(self.query(HELD_SQL, [self.key]))
        except DatabaseError:  # the session ended: PostgreSQL has released the lock
            self.locked = False
        if not self.locked:
            self.close()
        return self.locked

    def holder(self) -> str:
        try:
            return str(self.query(HOLDER_SQL, [self.key]) or "?")
        except DatabaseError:
            return "?"

    def release(self) -> None:
        if self.locked and self.connection is not None:
            with contextlib.suppress(DatabaseError):  # closing the session releases it anyway
                self.query("SELECT pg_advisory_unlock(%s)", [self.key])
        self.close()

    def close(self) -> None:
        self.locked = False
        if self.connection is not None:
            with contextlib.suppress(DatabaseError):
                self.connection.close()
            self.connection = None


class FileLock:
    """SQLite: ``flock`` on ``<database>.<name>.lock``; the file holds the holder's name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self.handle is not None:
            return True
        handle = open(self.path, "a+b")  # noqa: SIM115 (kept open while the lock is held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(who_am_i().encode())
        handle.flush()
        self.handle = handle
        return True

    def held(self) -> bool:
        return self.handle is not None

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


class ProcessLock:
    """An in-memory SQLite database lives in one process: a lock within that process."""

    LOCKS: dict[str, threading.Lock] = {}

    def __init__(self, name: str) -> None:
        self.lock = self.LOCKS.setdefault(name, threading.Lock())
        self.locked = False

    def acquire(self) -> bool:
        self.locked = self.locked or self.lock.acquire(blocking=False)
        return self.locked

    def held(self) -> bool:
        return self.locked

    def holder(self) -> str:
        return who_am_i()

    def release(self) -> None:
        if self.locked:
            self.lock.release()
            self.locked = False


def leader_lock(name: str, alias: str = DEFAULT_DB_ALIAS) -> LeaderLock:
    """The lock named ``name`` on the database ``alias`` (see the module's docstring)."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        return AdvisoryLock(name, alias)
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():  # type: ignore[attr-defined]
            return ProcessLock(name)
        return FileLock(Path(f"{connection.settings_dict['NAME']}.{name}.lock"))
    raise NotImplementedError(f"no leader lock for {connection.vendor}")
