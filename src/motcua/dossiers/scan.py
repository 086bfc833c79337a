"""The scheduled deadline scan: due soon, one working day left (apology prompt), overdue.

Each warning is raised once per dossier (a unique row) and published as ``dossier.alert_raised``;
the notifications app writes the officers' e-mails to its outbox in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from motcua.common import events
from motcua.worktime.rules import elapsed_working_seconds
from motcua.worktime.services import calendar_in_force

from .constants import FINAL, WAITING_FOR_APPLICANT, Status
from .deadlines import local_date
from .models import Dossier, DossierAlert

DUE_SOON_WORKING_HOURS = 16  # two working days
APOLOGY_PROMPT_WORKING_HOURS = 8  # Decree 61 art. 19: apologise no later than 1 day before


@dataclass
class ScanReport:
    checked: int = 0
    raised: dict[str, int] | None = None


def kinds_for(dossier: Dossier, at: datetime.datetime) -> list[str]:
    assert dossier.due_at is not None
    if at > dossier.due_at:
        return [str(DossierAlert.Kind.OVERDUE)]
    calendar, _rules = calendar_in_force(unit=dossier.deciding_unit, on=local_date(at))
    left = elapsed_working_seconds(calendar, at, dossier.due_at) / 3600
    kinds: list[str] = []
    if left <= DUE_SOON_WORKING_HOURS:
        kinds.append(DossierAlert.Kind.DUE_SOON)
    if left <= APOLOGY_PROMPT_WORKING_HOURS and not dossier.apologies:
        kinds.append(DossierAlert.Kind.APOLOGY_PROMPT)
    return kinds


def raise_alert(dossier: Dossier, kind: str, at: datetime.datetime) -> bool:
    """Record the warning once and publish it; the messaging app tells the people who can act
    (through its outbox, in this transaction)."""
    try:
        with transaction.atomic():
            alert = DossierAlert.objects.create(dossier=dossier, kind=kind, raised_at=at)
            events.publish("dossier.alert_raised", dossier=dossier, alert=alert)
    except IntegrityError:
        return False  # raised before: once per dossier and kind
    return True


def deadlines_scan(*, at: datetime.datetime) -> ScanReport:
    open_dossiers = (
        Dossier.objects.filter(due_at__isnull=False, finished_at__isnull=True)
        # No warning once decided, nor while the clock is stopped for the applicant's
        # supplement or payment.
        .exclude(status__in=[*FINAL, Status.PROCESSED, *WAITING_FOR_APPLICANT])
        .select_related("deciding_unit", "assignee")
    )
    report = ScanReport(raised=dict.fromkeys(DossierAlert.Kind.values, 0))
    existing = set(DossierAlert.objects.values_list("dossier_id", "kind"))
    for dossier in open_dossiers.iterator(chunk_size=500):
        report.checked += 1
        for kind in kinds_for(dossier, at):
            if (dossier.pk, kind) not in existing and raise_alert(dossier, kind, at):
                report.raised[kind] += 1  # type: ignore[index]
    return report
