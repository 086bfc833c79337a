"""A missed acknowledgement (Decree 63/2024 art. 7(4)): an agency that has not received a
member's e-dossier within 2 working hours raises an alert to both agencies and the Center, once,
in the bundle's history and on the event bus (``bundle.ack_missed``) for the messaging side."""

from __future__ import annotations

import datetime

from django.db import transaction

from motcua.organizations.constants import UnitKind
from motcua.organizations.models import Unit

from ..constants import BundleAction, MemberState
from ..models import Bundle, BundleMember
from .record import event_add


def bundles_ack_scan(*, at: datetime.datetime) -> int:
    """Raise the alert for every member whose acknowledgement is late; returns how many."""
    late = BundleMember.objects.filter(
        acknowledged_at__isnull=True, ack_alerted_at__isnull=True, ack_due_at__lt=at,
        state=MemberState.PENDING,
    ).values_list("pk", "bundle_id")  # fmt: skip
    return sum(
        ack_missed_record(member_id, bundle_id, at=at) for member_id, bundle_id in list(late)
    )


def ack_missed_record(member_id: int, bundle_id: int, *, at: datetime.datetime) -> bool:
    with transaction.atomic():
        bundle = (
            Bundle.objects.select_for_update().select_related("receiving_unit").get(pk=bundle_id)
        )
        member = BundleMember.objects.select_related("dossier", "unit").get(pk=member_id)
        dossier = member.dossier
        if member.ack_alerted_at is not None or dossier is None:
            return False
        if dossier.received_at is not None:  # received; the saga has not caught up yet
            return False
        sender = bundle.members.filter(service=member.after).select_related("unit").first()
        member.ack_alerted_at = at
        member.save(update_fields=["ack_alerted_at"])
        centers = Unit.objects.filter(kind=UnitKind.SERVICE_CENTER).values_list("code", flat=True)
        event_add(
            bundle, action=BundleAction.ACK_MISSED, at=at, service=member.service,
            payload={"unit": member.unit.code,
                     "from_unit": sender.unit.code if sender else bundle.receiving_unit.code,
                     "center": sorted(centers), "dossier": dossier.ref,
                     "ack_due_at": member.ack_due_at.isoformat() if member.ack_due_at else None},
        )  # fmt: skip
        bundle.save()
    return True
