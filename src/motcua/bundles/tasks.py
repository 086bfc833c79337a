"""Bundle work for the worker: the saga's next steps after a member dossier's event."""

from __future__ import annotations

from django_tasks import task

from motcua.common.clock import now


@task()
def bundle_advance_task(*, bundle_id: int) -> str:
    """Enqueued in the transaction of a member dossier's event (the outbox); idempotent."""
    from .services import bundle_advance

    bundle = bundle_advance(bundle_id=bundle_id, at=now())
    return bundle.status if bundle is not None else "missing"


@task()
def bundles_scan_task() -> int:
    """Enqueued by `motcua scheduler`: members whose agency has not acknowledged in time."""
    from .services.alerts import bundles_ack_scan

    return bundles_ack_scan(at=now())
