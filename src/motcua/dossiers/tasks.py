from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import OperationalError
from django_tasks import task

from motcua.common.clock import now
from motcua.common.errors import sqlstate

from .audit_roots import AuditRefused, audit_publish, audit_publish_due
from .count_cache import unit_marks_fold
from .partitions import partitions_ensure
from .scan import deadlines_scan
from .tracking_book import tracking_book_build


@task()
def deadlines_scan_task() -> dict[str, int]:
    """Enqueued by `motcua scheduler` every few minutes; run by the worker."""
    report = deadlines_scan(at=now())
    return {"checked": report.checked, **(report.raised or {})}


@task()
def tracking_book_task(unit_id: int, year: int, fmt: str) -> str:
    """A large unit's tracking book (xlsx or pdf) written to media storage; enqueued when an
    officer asks for it (``tracking_book.book_request``), run by the worker."""
    return tracking_book_build(unit_id, year, fmt)


def audit_publish_every() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.MOTCUA_AUDIT_PUBLISH_HOURS)


@task()
def audit_publish_task() -> dict[str, object]:
    """Enqueued by `motcua scheduler` when the latest root is a day old (decision 0009).
    A refusal (a chain or an earlier root with a problem) fails the task loudly, root unwritten."""
    at = now()
    # Several schedulers may enqueue it: publish once per period, allowing for queue delays.
    if not audit_publish_due(at, audit_publish_every() * 0.9):
        return {"published": None}
    try:
        root, _report = audit_publish(at=at, reason="scheduled")
    except AuditRefused as error:
        report = error.report
        problems = [*report.problems[:50], *report.root_problems] if report else []
        logging.getLogger(__name__).error(
            "audit publish refused: %s; %s", error, "; ".join(str(p) for p in problems)
        )
        raise
    return {"published": root.number, "dossiers": root.dossiers, "events": root.events}


# A lock other sessions held past ``partitions_ensure``'s ``lock_timeout``, or a deadlock: not
# a fault of the job but "not now" (its transaction rolled back whole). The scheduler asks again
# within the hour while partitions are due, a month ahead of the period.
LOCK_BUSY_STATES = frozenset({"55P03", "40P01"})  # lock_not_available, deadlock_detected


@task()
def partitions_ensure_task() -> dict[str, object]:
    """Enqueued by `motcua scheduler` when ``partitions_due``: the next period's partitions a
    month ahead, and the new period started when it begins (PostgreSQL; decision 0022)."""
    try:
        return {"done": partitions_ensure(at=now())}
    except OperationalError as error:
        state = sqlstate(error)
        if state not in LOCK_BUSY_STATES:
            raise
        logging.getLogger(__name__).warning(
            "Phân vùng: bảng đang bận, làm lại sau / partitions: tables busy (%s), later", state
        )
        return {"done": [], "deferred": state}


@task()
def unit_marks_fold_task() -> dict[str, int]:
    """Enqueued by `motcua scheduler` every round: units' many marks folded into one each."""
    return {"folded": unit_marks_fold()}
