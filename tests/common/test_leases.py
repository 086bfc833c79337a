"""Task leases (decision 0037): a task whose worker died is run again, once; a long task of a
live worker is left alone; a task that keeps killing its worker stops being retried."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from motcua.common.leases import LEASE_EXPIRED, heartbeat_beat, tasks_reclaim
from motcua.common.management.commands.worker import Heartbeat
from motcua.common.models import WorkerHeartbeat

RUNS: list[str] = []


@task()
def lease_probe(*, label: str) -> str:
    RUNS.append(label)
    return label


@pytest.fixture(autouse=True)
def runs(settings: Any) -> list[str]:
    settings.MOTCUA_TASK_LEASE_SECONDS = 60
    settings.MOTCUA_TASK_MAX_RUNS = 3
    RUNS.clear()
    return RUNS


def run_worker() -> None:
    options = {"batch": True, "reload": False, "startup_delay": False, "verbosity": 0}
    with mock.patch(f"{db_worker.__name__}.close_old_connections"):
        call_command("db_worker", **options)


def claimed_by(worker_id: str, *, started: datetime.datetime, label: str = "a") -> DBTaskResult:
    """A task row as a worker leaves it when it is killed mid-task."""
    result = lease_probe.enqueue(label=label)
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[worker_id]
    )
    row.refresh_from_db()
    return row


def test_a_task_of_a_dead_worker_is_run_again_once(db: None, runs: list[str]) -> None:
    row = claimed_by("dead-worker", started=timezone.now() - datetime.timedelta(minutes=5))
    run_worker()
    assert runs == []  # still RUNNING: no worker takes it
    assert tasks_reclaim() == 1
    assert tasks_reclaim() == 0  # already back in the queue
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert runs == ["a"]
    run_worker()
    assert tasks_reclaim() == 0
    assert runs == ["a"]


def test_a_task_within_its_lease_is_left_alone(db: None) -> None:
    claimed_by("dead-worker", started=timezone.now() - datetime.timedelta(seconds=30))
    assert tasks_reclaim() == 0


def test_a_long_task_of_a_live_worker_is_not_run_twice(db: None) -> None:
    row = claimed_by("busy-worker", started=timezone.now() - datetime.timedelta(hours=2))
    heartbeat_beat("busy-worker", "default")
    assert tasks_reclaim() == 0
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(minutes=2))
    assert tasks_reclaim() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY


def test_a_task_that_kills_every_worker_is_failed_after_the_last_run(db: None) -> None:
    row = claimed_by("w1", started=timezone.now() - datetime.timedelta(minutes=5))
    DBTaskResult.objects.filter(pk=row.pk).update(worker_ids=["w1", "w2", "w3"])
    assert tasks_reclaim() == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == LEASE_EXPIRED


def test_the_worker_heartbeat_beats_and_sweeps(db: None, runs: list[str]) -> None:
    row = claimed_by("dead-worker", started=timezone.now() - datetime.timedelta(minutes=5))
    beating = Heartbeat("worker-1", "default")
    with mock.patch("motcua.common.management.commands.worker.close_old_connections"):
        beating.beat_once()
    assert WorkerHeartbeat.objects.get().worker_id == "worker-1"
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    run_worker()
    assert runs == ["a"]
