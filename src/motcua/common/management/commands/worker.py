"""`motcua worker`: django-tasks-db's `db_worker` with a heartbeat and task leases (0037)."""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from motcua.common.leases import (
    heartbeat_beat,
    heartbeat_forget,
    heartbeats_prune,
    lease,
    tasks_reclaim,
)

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = (
        "Chạy worker xử lý việc nền / Run a task worker (as db_worker) that records a heartbeat "
        "and puts back the tasks of workers that died (decision 0037)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queues = options.get("queue_name") or "default"
        # Unique among all machines: the heartbeat and the tasks' worker_ids name it.
        options["worker_id"] = f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"
        beating = Heartbeat(options["worker_id"], queues)
        beating.start()
        try:
            super().handle(*args, **options)
        finally:
            beating.stop()


class Heartbeat(threading.Thread):
    """Beats every MOTCUA_WORKER_HEARTBEAT_SECONDS and sweeps expired leases, on its own
    connection, while the worker's main thread runs tasks."""

    def __init__(self, worker_id: str, queues: str) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.queues = queues
        self.stopping = threading.Event()

    def run(self) -> None:
        every = max(settings.MOTCUA_WORKER_HEARTBEAT_SECONDS, 0.1)
        try:
            while True:
                self.beat_once()
                if self.stopping.wait(every):
                    break
        finally:
            connection.close()

    def beat_once(self) -> None:
        close_old_connections()
        try:
            at = timezone.now()
            heartbeat_beat(self.worker_id, self.queues, at=at)
            tasks_reclaim(at=at)
            heartbeats_prune(at=at, keep=lease() * 12)
        except DatabaseError as error:  # a database away for a moment: beat again next time
            logger.warning("Worker heartbeat failed: %s", error)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        try:
            heartbeat_forget(self.worker_id)
        except DatabaseError as error:
            logger.warning("Worker heartbeat row not removed: %s", error)
