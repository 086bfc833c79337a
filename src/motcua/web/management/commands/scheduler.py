from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.common.clock import now
from motcua.dossiers.audit_roots import audit_publish_due
from motcua.dossiers.tasks import audit_publish_every, audit_publish_task, deadlines_scan_task
from motcua.notifications.tasks import notifications_retry_task


class Command(BaseCommand):
    help = (
        "Lập lịch việc định kỳ / Enqueue periodic jobs (deadline scan, notification retries, "
        "the daily audit root) for the worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=300.0, help="giây / seconds between runs"
        )
        parser.add_argument("--once", action="store_true", help="enqueue once and exit")

    def handle(self, *args: Any, every: float, once: bool, **options: Any) -> None:
        running = {"on": True}

        def stop(signum: int, frame: object) -> None:
            running["on"] = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        audit_enqueued = 0.0
        while running["on"]:
            deadlines_scan_task.enqueue()
            notifications_retry_task.enqueue()
            # Once a day; asked again an hour later if the worker has not published yet.
            asked_lately = audit_enqueued and time.monotonic() - audit_enqueued < 3600
            if not asked_lately and audit_publish_due(now(), audit_publish_every()):
                audit_publish_task.enqueue()
                audit_enqueued = time.monotonic()
            if once:
                return
            waited = 0.0
            while running["on"] and waited < every:
                time.sleep(0.5)
                waited += 0.5
