"""Exactly one scheduler enqueues among several processes on one database, and another takes
over when it dies (decision 0017): real `motcua scheduler` processes, on SQLite (a file lock
beside the database) and on PostgreSQL (a session advisory lock)."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from motcua.common.leader import AdvisoryLock, FileLock, leader_lock

SCAN = "motcua.dossiers.tasks.deadlines_scan_task"


class Scheduler:
    """A `motcua scheduler` process whose output lines are collected as they come."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", "scheduler", "-v", "2", *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self.arrived: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.arrived.put(line.rstrip("\n"))

    def wait_for(self, seen: Callable[[list[str]], bool], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not seen(self.lines):
            left = deadline - time.monotonic()
            if left <= 0 or (self.process.poll() is not None and self.arrived.empty()):
                raise AssertionError("scheduler output never showed it:\n" + "\n".join(self.lines))
            with contextlib.suppress(queue.Empty):
                self.lines.append(self.arrived.get(timeout=min(left, 1.0)))

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def source_path() -> str:
    import motcua

    return str(Path(motcua.__file__).resolve().parents[1])


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[tuple[str, Callable[[], int]]]:
    """A database URL that other processes can open, with the test's reference data, and a
    count of the deadline scans enqueued in it."""
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory: copy it to a file the schedulers share.
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()

        def scans() -> int:
            with sqlite3.connect(path) as db:
                row = db.execute(
                    f"SELECT count(*) FROM {DBTaskResult._meta.db_table} WHERE task_path = ?",
                    [SCAN],
                ).fetchone()
            return int(row[0])

        yield f"sqlite:///{path}", scans
    else:
        s = connection.settings_dict
        quote = urllib.parse.quote
        yield (
            f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'] or '')}@{quote(s['HOST'], safe='')}"
            f":{s['PORT']}/{quote(s['NAME'])}",
            lambda: DBTaskResult.objects.filter(task_path=SCAN).count(),
        )


@pytest.mark.django_db(transaction=True)  # the schedulers' rows are committed: flush them after
def test_one_scheduler_enqueues_and_another_takes_over_when_it_is_killed(
    shared_database: tuple[str, Callable[[], int]], tmp_path: Path
) -> None:
    url, scans = shared_database
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(MOTCUA_DATABASE_URL=url, MOTCUA_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join([source_path(), env.get("PYTHONPATH", "")])
    before = scans()
    # Long rounds: each scheduler enqueues once when it becomes active, then waits.
    first = Scheduler(env, "--every", "3600", "--lock-retry", "0.2")
    second: Scheduler | None = None
    try:
        first.wait_for(lambda lines: any("round 1 enqueued" in line for line in lines))
        assert "scheduler active" in "\n".join(first.lines)
        second = Scheduler(env, "--every", "3600", "--lock-retry", "0.2")
        # The second tries again and again, and is refused each time: the first holds the lock.
        second.wait_for(lambda lines: sum("lock held by" in line for line in lines) >= 5)
        waiting = next(line for line in second.lines if "waiting to take over" in line)
        assert f":{first.process.pid}" in waiting  # it names the holder
        assert second.count("scheduler active") == second.count("enqueued") == 0
        assert scans() == before + 1

        first.process.kill()  # SIGKILL: no clean-up, no unlock; the lock goes with the process
        first.process.wait(timeout=30)
        second.wait_for(lambda lines: any("round 1 enqueued" in line for line in lines))
        assert second.count("scheduler active") == 1
        assert scans() == before + 2
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert second.process.returncode == 0  # a SIGTERM ends the waiting or the schedule cleanly


def test_a_file_lock_is_held_by_one_holder_at_a_time(tmp_path: Path) -> None:
    one, two = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert one.acquire()
    assert not two.acquire()
    assert two.holder().endswith(f":{os.getpid()}")
    one.release()
    assert two.acquire()
    assert two.held()
    two.release()


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_advisory_lock_is_released_when_its_session_ends() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    one, two = AdvisoryLock("test-lock"), AdvisoryLock("test-lock")
    try:
        assert one.acquire()
        assert not two.acquire()
        assert "test-lock" in two.holder()
        assert one.held()
        one.connection.close()  # type: ignore[union-attr]  # the session is gone (crash, network)
        assert not one.held()
        assert two.acquire()
    finally:
        one.release()
        two.release()


@pytest.mark.django_db
def test_the_lock_fits_the_database() -> None:
    lock = leader_lock("scheduler")
    kind = {"postgresql": "AdvisoryLock", "sqlite": "ProcessLock"}[connection.vendor]
    assert type(lock).__name__ == kind  # the test database is in memory on SQLite
    assert lock.acquire()
    lock.release()
