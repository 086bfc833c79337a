from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from motcua.backup.tasks import orphans_sweep_task
from motcua.bundles.tasks import bundles_scan_task
from motcua.common.clock import now
from motcua.common.leader import LeaderLock, leader_lock
from motcua.common.leases import tasks_reclaim
from motcua.common.tasks import rate_counts_prune_task
from motcua.dossiers.audit_roots import audit_publish_due
from motcua.dossiers.partitions import partitions_due
from motcua.dossiers.tasks import (
    audit_publish_every,
    audit_publish_task,
    deadlines_scan_task,
    partitions_ensure_task,
    unit_marks_fold_task,
)
from motcua.feedback.tasks import feedback_deadlines_scan_task
from motcua.integrations.registry.tasks import registry_calls_retry_task
from motcua.notifications.tasks import notifications_retry_task
from motcua.supervision.tasks import indicators_catch_up_task
from motcua.sync.tasks import portal_sync_task

LOCK_NAME = "scheduler"


class Command(BaseCommand):
    help = (
        "Lập lịch việc định kỳ / Enqueue periodic jobs (deadline scan, notification and registry "
        "retries, "
        "the daily audit root, the partitions of the next period) for the worker. Start one on "
        "every machine if you like: only the one holding the lock enqueues; the others wait and "
        "take over when it stops (docs/decisions/0017)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=300.0, help="giây / seconds between runs"
        )
        parser.add_argument(
            "--lock-retry", type=float, default=5.0,
            help="giây / seconds between tries to take over the lock while another scheduler runs",
        )  # fmt: skip
        parser.add_argument("--once", action="store_true", help="enqueue once and exit")

    def handle(
        self, *args: Any, every: float, lock_retry: float, once: bool, **options: Any
    ) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        stop = threading.Event()

        def request_stop(signum: int, frame: object) -> None:
            stop.set()

        # Run in-process (tests, `--once` from another command), the handlers must not outlive
        # the run: a process forked later would inherit them and ignore SIGTERM.
        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        lock = leader_lock(LOCK_NAME)
        try:
            self.lead_or_wait(lock, stop, every=every, lock_retry=lock_retry, once=once)
        finally:
            lock.release()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def lead_or_wait(
        self, lock: LeaderLock, stop: threading.Event, *, every: float, lock_retry: float,
        once: bool,
    ) -> None:  # fmt: skip
        waiting = False
        while not stop.is_set():
            if not lock.acquire():
                if not waiting:
                    self.say(
                        f"Bộ lập lịch khác đang chạy ({lock.holder()}); chờ tiếp quản / "
                        "another scheduler is active; waiting to take over"
                    )
                    waiting = True
                elif self.verbosity >= 2:
                    self.say(f"lock held by {lock.holder()}")
                if once:
                    return
                stop.wait(lock_retry)
                continue
            waiting = False
            self.say("Bộ lập lịch đang chạy (giữ khóa) / scheduler active (holds the lock)")
            self.schedule(lock, stop, every=every, once=once)
            if once:
                return
            if not stop.is_set():
                self.stderr.write("!!! Mất khóa bộ lập lịch / scheduler lock lost; waiting")

    def schedule(
        self, lock: LeaderLock, stop: threading.Event, *, every: float, once: bool
    ) -> None:
        """Enqueue a round every ``every`` seconds for as long as this process holds the lock."""
        audit_enqueued = partitions_enqueued = swept = 0.0
        rounds = 0
        while not stop.is_set() and lock.held():
            tasks_reclaim()  # the workers sweep too; this catches a queue whose workers all died
            deadlines_scan_task.enqueue()
            notifications_retry_task.enqueue()
            registry_calls_retry_task.enqueue()  # linked bundles' registry writes (0025)
            bundles_scan_task.enqueue()  # linked bundles' missed acknowledgements (0025)
            indicators_catch_up_task.enqueue()  # the Decision 766 rollup (0026)
            portal_sync_task.enqueue()  # dossiers to the national portal (0027)
            feedback_deadlines_scan_task.enqueue()  # citizen feedback deadlines (0029)
            rate_counts_prune_task.enqueue()  # old rate-limit counters (0035)
            unit_marks_fold_task.enqueue()  # the worklist counts' unit marks (0020)
            # Once a day; asked again an hour later if the worker has not published yet.
            asked_lately = audit_enqueued and time.monotonic() - audit_enqueued < 3600
            if not asked_lately and audit_publish_due(now(), audit_publish_every()):
                audit_publish_task.enqueue()
                audit_enqueued = time.monotonic()
            # PostgreSQL: partitions a month ahead, a new period started as it begins (0022).
            asked_lately = partitions_enqueued and time.monotonic() - partitions_enqueued < 3600
            if not asked_lately and partitions_due(now()):
                partitions_ensure_task.enqueue()
                partitions_enqueued = time.monotonic()
            # Files no row names (a process killed mid-write), once a day (issue 18).
            if not swept or time.monotonic() - swept >= 86400:
                orphans_sweep_task.enqueue()
                swept = time.monotonic()
            rounds += 1
            if self.verbosity >= 2:
                self.say(f"round {rounds} enqueued")
            if once:
                return
            stop.wait(every)

    def say(self, message: str) -> None:
        """A line with its time in Hà Nội: which scheduler took over when, in a log read later."""
        if self.verbosity >= 1:
            stamp = timezone.localtime(now()).strftime("%Y-%m-%d %H:%M:%S%z")
            self.stdout.write(f"{stamp} {message}")
            self.stdout.flush()
