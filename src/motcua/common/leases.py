"""Task leases (decision 0037): a task claimed by a worker that died is run again, not lost.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a
worker killed mid-task leaves it RUNNING for ever. `motcua worker` writes a heartbeat row every
few seconds; a running task is the worker's for as long as that worker beats (a long task is
never run twice while its worker lives). Once the worker has been silent for the lease, its task
is put back as READY on the same row, so it runs again exactly once; after ``max_runs`` runs cut
short it is marked FAILED instead (a task that kills its worker must not kill every worker).

Tasks are written to be run again safely (each claims its rows or checks what is done first).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

LEASE_EXPIRED = "motcua.common.leases.LeaseExpired"


def heartbeat_beat(worker_id: str, queues: str, *, at: datetime.datetime | None = None) -> None:
    """Record that this worker is alive (one row per worker, updated in place)."""
    at = at or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=at)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, queues=queues[:200], host=socket.gethostname()[:255],
            pid=os.getpid(), started_at=at, beat_at=at,
        )  # fmt: skip


def heartbeat_forget(worker_id: str) -> None:
    """A worker stopping cleanly removes its row: it is gone, not silent."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def heartbeats_prune(*, at: datetime.datetime, keep: datetime.timedelta) -> int:
    """Rows of workers silent for longer than ``keep`` (killed ones leave theirs)."""
    return WorkerHeartbeat.objects.filter(beat_at__lt=at - keep).delete()[0]


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.MOTCUA_TASK_LEASE_SECONDS)


def tasks_reclaim(*, at: datetime.datetime | None = None) -> int:
    """Put back the running tasks whose worker has been silent for the lease; returns how many.

    Each row is changed by a conditional update (still RUNNING, same start), so two workers
    sweeping at once, or the task finishing meanwhile, never make it run twice.
    """
    at = at or timezone.now()
    cutoff = at - lease()
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    candidates = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).only("id", "started_at", "worker_ids", "task_path")
    reclaimed = 0
    for task in candidates:
        owner = task.worker_ids[-1] if task.worker_ids else ""
        if owner in alive:
            continue  # a long task of a live worker: its lease is extended by the heartbeat
        reclaimed += task_reclaim(task, at)
    return reclaimed


def task_reclaim(task: DBTaskResult, at: datetime.datetime) -> int:
    runs = len(task.worker_ids)
    still_running = DBTaskResult.objects.filter(
        pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
    )
    with transaction.atomic():
        if runs >= settings.MOTCUA_TASK_MAX_RUNS:
            changed = still_running.update(
                status=TaskResultStatus.FAILED, finished_at=at,
                exception_class_path=LEASE_EXPIRED,
                traceback=f"Worker {task.worker_ids[-1]} stopped while running the task "
                f"({runs} runs cut short); not run again.",
            )  # fmt: skip
            if changed:
                logger.error("Task %s (%s) failed after %s runs cut short", task.pk,
                             task.task_path, runs)  # fmt: skip
            return 0
        changed = still_running.update(status=TaskResultStatus.READY, started_at=None, run_after=at)
    if changed:
        logger.warning(
            "Task %s (%s) put back in the queue: worker %s stopped beating", task.pk,
            task.task_path, task.worker_ids[-1] if task.worker_ids else "?",
        )  # fmt: skip
    return changed
