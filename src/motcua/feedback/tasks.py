from __future__ import annotations

from django_tasks import task

from motcua.common.clock import now


@task()
def feedback_deadlines_scan_task() -> dict[str, int]:
    """Enqueued by `motcua scheduler` every round: feedback deadlines near or missed."""
    from .alerts import feedback_deadlines_scan

    return feedback_deadlines_scan(at=now())
