"""The scheduled deadline scan: due soon, one working day left (apology prompt), overdue.

Each warning is raised once per dossier (a unique row), and the people who can act get an e-mail
through the task queue, never from inside a request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.models import OfficerRole
from motcua.common.tasks import email_send
from motcua.worktime.rules import elapsed_working_seconds
from motcua.worktime.services import calendar_in_force

from .constants import FINAL, Status
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


def recipients(dossier: Dossier) -> list[str]:
    """The assignee, else the deciding unit's leaders and division heads, who have an e-mail."""
    if dossier.assignee is not None and dossier.assignee.email:
        return [dossier.assignee.email]
    roles = OfficerRole.objects.filter(
        unit=dossier.deciding_unit, role__in=[OfficerRoleName.LEADER, OfficerRoleName.DIVISION_HEAD]
    ).select_related("user")
    return sorted({role.user.email for role in roles if role.user.email})


def raise_alert(dossier: Dossier, kind: str, at: datetime.datetime) -> bool:
    try:
        with transaction.atomic():
            alert = DossierAlert.objects.create(dossier=dossier, kind=kind, raised_at=at)
            to = recipients(dossier)
            if to:
                label = DossierAlert.Kind(kind).label
                email_send.enqueue(
                    subject=f"[Một Cửa] {label}: {dossier.code or dossier.ref}",
                    body=(
                        f"Hồ sơ {dossier.code or dossier.ref} ({dossier.applicant_name}) — {label}.\n"
                        f"Hẹn trả: {dossier.due_at:%H:%M %d/%m/%Y}."
                    ),
                    to=to,
                )
                alert.notified = len(to)
                alert.save(update_fields=["notified"])
    except IntegrityError:
        return False  # raised before: once per dossier and kind
    return True


def deadlines_scan(*, at: datetime.datetime) -> ScanReport:
    open_dossiers = (
        Dossier.objects.filter(due_at__isnull=False, finished_at__isnull=True)
        .exclude(Q(status__in=FINAL) | Q(status=Status.PROCESSED))
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
