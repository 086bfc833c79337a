"""Portal sync for the worker: the sweep the scheduler enqueues every round."""

from __future__ import annotations

from django_tasks import task


@task()
def portal_sync_task() -> dict[str, int]:
    """Deliver every dossier whose change is due (safe to run more than once, or in parallel:
    a dossier is delivered by one run at a time)."""
    from motcua.integrations.dvcqg.client import sync_enabled

    from .delivery import deliver_due

    return deliver_due() if sync_enabled() else {}
