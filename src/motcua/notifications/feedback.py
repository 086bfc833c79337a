"""Feedback deadline warnings to the officers who can act (docs/decisions/0029): subscribed to
``feedback.alert``, published by the feedback app's scheduled scan in the transaction that
records the warning; the e-mails are outbox rows that commit or roll back with it."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from motcua.accounts.constants import OfficerRoleName
from motcua.accounts.selectors import officers_holding
from motcua.common.clock import today
from motcua.common.events import Event
from motcua.feedback.models import Feedback, FeedbackEvent

from .constants import Kind, NotifyChannel
from .delivery import sweep_grace
from .models import Notification
from .services import local_text
from .tasks import notification_deliver

SUBJECT = "[Một Cửa] {label}: {code}"
BODY = "Phản ánh, kiến nghị {code} ({title}) — {label}.\nHạn: {due}.\n\nMở phản ánh:\n{link}\n"


def on_feedback_alert(published: Event) -> None:
    feedback, event = published.data.get("feedback"), published.data.get("event")
    if isinstance(feedback, Feedback) and isinstance(event, FeedbackEvent):
        feedback_alert_send(feedback, event)


def feedback_alert_recipients(feedback: Feedback) -> list[str]:
    """The responsible unit's leaders and division heads who have an e-mail."""
    people = officers_holding(
        feedback.unit, [OfficerRoleName.LEADER, OfficerRoleName.DIVISION_HEAD], today()
    )
    return sorted({person.email for person in people if person.email})


def feedback_alert_send(feedback: Feedback, event: FeedbackEvent) -> list[Notification]:
    due = feedback.publish_due if feedback.status == "answered" else feedback.answer_due
    link = settings.MOTCUA_PUBLIC_URL + reverse(
        "feedback:officer-detail", kwargs={"code": feedback.code}
    )
    values = {"label": event.reason, "code": feedback.code, "title": feedback.title[:80],
              "due": local_text(due), "link": link}  # fmt: skip
    created = []
    for email in feedback_alert_recipients(feedback):
        notification = Notification.objects.create(
            kind=Kind.OFFICER_ALERT, channel=NotifyChannel.EMAIL, recipient=email,
            subject=SUBJECT.format(**values)[:255], body=BODY.format(**values),
            idempotency_key=f"fb-{event.pk}-{email}"[:80], created_at=event.at,
            next_attempt_at=event.at + sweep_grace(),
        )  # fmt: skip
        notification_deliver.enqueue(notification_id=notification.pk)
        created.append(notification)
    return created
