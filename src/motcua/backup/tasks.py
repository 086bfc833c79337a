"""The orphan-file sweep, enqueued daily by the scheduler."""

from __future__ import annotations

from django_tasks import task

from motcua.common.clock import now

from .orphans import orphan_grace, orphans_sweep


@task()
def orphans_sweep_task() -> int:
    return len(orphans_sweep(at=now(), grace=orphan_grace()).removed)
