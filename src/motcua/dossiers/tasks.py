from __future__ import annotations

from django_tasks import task

from motcua.common.clock import now

from .scan import deadlines_scan


@task()
def deadlines_scan_task() -> dict[str, int]:
    """Enqueued by `motcua scheduler` every few minutes; run by the worker."""
    report = deadlines_scan(at=now())
    return {"checked": report.checked, **(report.raised or {})}
