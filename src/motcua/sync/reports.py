"""What ``motcua sync`` reports: the outbox by state and unit, and the reconciliation of a period
with what the portal holds (Decision 766 indicator 1.4, the sync rate)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q

from motcua.common.clock import VIETNAM
from motcua.dossiers.models import Dossier
from motcua.integrations.dvcqg.client import PortalClient, PortalError, portal

from .delivery import dossier_deliver, madonvi, portal_code_of, portal_history, send_again
from .models import DossierSync, SyncState
from .record import portal_is_at

STATE_FILTERS: dict[str, Q] = {
    SyncState.DEAD: Q(dead_at__isnull=False),
    SyncState.DELIVERED: Q(dead_at__isnull=True, delivered_seq__gte=F("enqueued_seq"),
                           delivered_seq__gt=0),
    SyncState.WAITING: Q(dead_at__isnull=True, delivered_seq__lt=F("enqueued_seq"),
                         next_attempt_at__isnull=True),
    SyncState.PENDING: Q(dead_at__isnull=True, delivered_seq__lt=F("enqueued_seq"),
                         next_attempt_at__isnull=False),
}  # fmt: skip


def status_by_unit() -> list[dict[str, Any]]:
    """One row per receiving unit: how many dossiers are pending, waiting, delivered, dead."""
    counts = {state: Count("pk", filter=where) for state, where in STATE_FILTERS.items()}
    rows = (
        DossierSync.objects.values("unit__code", "unit__name")
        .annotate(**counts)
        .order_by("unit__code")
    )
    return [dict(row) for row in rows]


@dataclass
class Reconciliation:
    total: int = 0
    matched: int = 0
    resent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return None if not self.total else round(100 * self.matched / self.total, 2)


def local_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    first = datetime.datetime.combine(start, datetime.time(), VIETNAM)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), VIETNAM)
    return first, after


def reconcile(
    start: datetime.date, end: datetime.date, client: PortalClient | None = None
) -> Reconciliation:
    """Every dossier received in [start, end] (Hà Nội days) compared with ``TraCuuHoSo``.

    A dossier whose outbox still has work (or was set aside) is delivered first, through the
    outbox, so that its history goes in order; one the portal holds differently is sent its
    current record (the portal lost or changed it). The rate counts the dossiers the portal
    holds exactly as we do, out of those received."""
    client = client or portal()
    first, after = local_bounds(start, end)
    result = Reconciliation()
    dossiers = Dossier.objects.filter(received_at__gte=first, received_at__lt=after).select_related(
        "procedure", "receiving_unit", "deciding_unit"
    )
    for dossier in dossiers.order_by("pk").iterator(chunk_size=500):
        result.total += 1
        try:
            if reconcile_one(dossier, client):
                result.resent.append(dossier.code or dossier.ref)
            result.matched += 1
        except PortalError as error:
            result.failed.append((dossier.code or dossier.ref, str(error)))
    return result


def reconcile_one(dossier: Dossier, client: PortalClient) -> bool:
    """Bring the portal to our record of ``dossier``; True if something had to be sent."""
    row, made = DossierSync.objects.get_or_create(
        dossier_id=dossier.pk, defaults={"unit_id": dossier.receiving_unit_id, "enqueued_seq": 1}
    )
    behind = made or row.dead_at is not None or row.delivered_seq < row.enqueued_seq
    if behind:
        send_again([dossier.pk])
        outcome = dossier_deliver(dossier.pk, client)
        if outcome != "delivered":
            raise PortalError(f"outbox run: {outcome}")
        row.refresh_from_db()
    code = row.portal_code or portal_code_of(dossier) or dossier.code or dossier.ref
    history, _last = portal_history(dossier, code)
    if not history:
        return behind
    current = history[-1][1]
    unit = madonvi(dossier)
    found = client.lookup(unit, code)
    if found is not None and portal_is_at(found, current):
        return behind
    client.dossier_sync(unit, [current], updating=found is not None)
    return True
