from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.dossiers.tasks import deadlines_scan_task
from motcua.notifications.tasks import notifications_retry_task


class Command(BaseCommand):
    help = (
        "Lập lịch việc định kỳ / Enqueue periodic jobs (deadline scan, notification retries) "
        "for the worker."
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
        while running["on"]:
            deadlines_scan_task.enqueue()
            notifications_retry_task.enqueue()
            if once:
                return
            waited = 0.0
            while running["on"] and waited < every:
                time.sleep(0.5)
                waited += 0.5
