"""The scheduled scan of feedback deadlines: the answer due soon or missed, the publication
missed. Each warning is raised once per feedback and kind (a unique row), recorded in the
feedback's history and published as ``feedback.alert`` for the messaging side."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from motcua.common.clock import VIETNAM
from motcua.worktime.rules import elapsed_working_seconds
from motcua.worktime.services import calendar_in_force

from .constants import DUE_SOON_WORKING_HOURS, AlertKind, FeedbackAction, FeedbackStatus
from .models import Feedback, FeedbackAlert
from .record import event_add


def kinds_for(feedback: Feedback, at: datetime.datetime) -> list[str]:
    if feedback.status == FeedbackStatus.ANSWERED:
        late = feedback.publish_due is not None and at > feedback.publish_due
        return [AlertKind.PUBLISH_OVERDUE] if late else []
    if feedback.status != FeedbackStatus.RECEIVED:
        return []  # waiting for the sender, or finished
    if at > feedback.answer_due:
        return [AlertKind.ANSWER_OVERDUE]
    calendar, _rules = calendar_in_force(unit=feedback.unit, on=at.astimezone(VIETNAM).date())
    left = elapsed_working_seconds(calendar, at, feedback.answer_due) / 3600
    return [AlertKind.ANSWER_DUE_SOON] if left <= DUE_SOON_WORKING_HOURS else []


def alert_raise(feedback: Feedback, kind: str, at: datetime.datetime) -> bool:
    try:
        with transaction.atomic():
            current = Feedback.objects.select_for_update().get(pk=feedback.pk)
            alert = FeedbackAlert.objects.create(feedback=current, kind=kind, raised_at=at)
            event_add(
                current, action=FeedbackAction.ALERT, at=at, actor=None,
                from_status=current.status, unit_id=current.unit_id, reason=str(alert.get_kind_display()),
                payload={"kind": kind, "alert": alert.pk},
            )  # fmt: skip
    except IntegrityError:
        return False  # raised before: once per feedback and kind
    return True


def feedback_deadlines_scan(*, at: datetime.datetime) -> dict[str, int]:
    """Raise the warnings due at ``at``; returns how many of each kind."""
    raised = dict.fromkeys(AlertKind.values, 0)
    existing = set(FeedbackAlert.objects.values_list("feedback_id", "kind"))
    open_ones = Feedback.objects.filter(
        status__in=[FeedbackStatus.RECEIVED, FeedbackStatus.ANSWERED]
    ).select_related("unit")
    for feedback in open_ones.iterator(chunk_size=500):
        for kind in kinds_for(feedback, at):
            if (feedback.pk, kind) not in existing and alert_raise(feedback, kind, at):
                raised[kind] += 1
    return raised
